import Foundation
import ParleyDomain
import Testing

@Suite("Access policy")
struct AccessPolicyTests {
    static let organization = UUID()

    static func user(_ id: Int, _ role: Role, team: Int? = nil, supervisor: Int? = nil, organization: UUID = organization) -> User {
        User(id: id, organizationID: organization, email: "u\(id)@example.com", firstName: "U", lastName: "\(id)", company: nil,
             role: role, isActive: true, teamID: team, supervisorID: supervisor, createdAt: Date(), lastLogin: nil)
    }

    @Test func ownersAdminsAndSupervisorsAsTheRulesSay() {
        let rep = Self.user(1, .user, team: 7, supervisor: 3)
        let teammate = Self.user(2, .user, team: 7)
        let coach = Self.user(3, .supervisor, team: 9)
        let teamLead = Self.user(4, .supervisor, team: 7)
        let otherLead = Self.user(5, .supervisor, team: 8)
        let admin = Self.user(6, .admin)
        let foreignAdmin = Self.user(7, .admin, organization: UUID())
        for access in [Access.read, .write] {
            #expect(AccessPolicy.allows(rep, access, toWhatIsOwnedBy: rep))
            #expect(AccessPolicy.allows(admin, access, toWhatIsOwnedBy: rep))
            #expect(!AccessPolicy.allows(teammate, access, toWhatIsOwnedBy: rep))
            #expect(!AccessPolicy.allows(otherLead, access, toWhatIsOwnedBy: rep))
            #expect(!AccessPolicy.allows(foreignAdmin, access, toWhatIsOwnedBy: rep))
        }
        // Supervisors read their reps' and their team's; they change nothing of theirs.
        #expect(AccessPolicy.allows(coach, .read, toWhatIsOwnedBy: rep))
        #expect(AccessPolicy.allows(teamLead, .read, toWhatIsOwnedBy: rep))
        #expect(!AccessPolicy.allows(coach, .write, toWhatIsOwnedBy: rep))
        #expect(!AccessPolicy.allows(teamLead, .write, toWhatIsOwnedBy: rep))
        #expect(AccessPolicy.people(visibleTo: admin) == .organization)
        #expect(AccessPolicy.people(visibleTo: rep) == .circle(userID: 1, teamID: 7, supervisorID: nil))
    }
}
