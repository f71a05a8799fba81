import Foundation
import ParleyDomain

/// A technician's field conversations in figures: how many, how long, and how satisfied the
/// customers were (the analysis's customer-satisfaction score, 0–100, as the 1–5 stars the Field
/// Intelligence document shows).
public struct TechnicianFigures: Sendable, Equatable {
    public var totalCalls: Int
    public var callsToday: Int
    /// Seconds; nil without a finished conversation.
    public var averageDuration: Double?
    /// 1–5; nil without an analysed conversation.
    public var averageSatisfaction: Double?
}

/// The people of field teams as the access policy shows them, with their figures.
public struct FieldTeam: Sendable {
    let stores: any StoreAccess

    public init(stores: any StoreAccess) {
        self.stores = stores
    }

    /// The technicians `viewer` may list: a supervisor their team and the reps they coach, an
    /// admin the organization. Plain technicians may not list anyone (`DomainError.forbidden`).
    public func technicians(visibleTo viewer: User) async throws -> [User] {
        guard viewer.role != .user else { throw DomainError.forbidden("Only supervisors and admins see technicians") }
        return try await stores.identity.users(organizationID: viewer.organizationID, scope: AccessPolicy.people(visibleTo: viewer), limit: 1000, offset: 0)
            .filter { $0.role == .user && $0.id != viewer.id }
    }

    /// A user `viewer` may read (themselves, their technicians, anyone for an admin); another
    /// organization's or an unknown id is not found, someone else's is forbidden.
    public func person(id: Int, visibleTo viewer: User) async throws -> User {
        guard let person = try await stores.identity.user(id: id, organizationID: viewer.organizationID) else {
            throw DomainError.notFound(entity: "user")
        }
        guard AccessPolicy.allows(viewer, .read, toWhatIsOwnedBy: person) else { throw DomainError.forbidden("That user's figures are not yours to see") }
        return person
    }

    /// The figures of one technician's field conversations, `now` deciding what "today" is (UTC).
    public func figures(of user: User, now: Date = Date()) async throws -> TechnicianFigures {
        let conversations = try await stores.conversations.conversations(ConversationQuery(
            organizationID: user.organizationID, userID: user.id, kind: .field, limit: 10_000))
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        let today = utc.startOfDay(for: now)
        let durations = conversations.compactMap { $0.status == .completed ? $0.duration : nil }
        let satisfaction = conversations.compactMap { $0.analysis?.scores?.categories["customer_satisfaction"]?.score }.map { 1 + 4 * min(100, max(0, $0)) / 100 }
        return TechnicianFigures(
            totalCalls: conversations.count,
            callsToday: conversations.filter { $0.createdAt >= today }.count,
            averageDuration: durations.isEmpty ? nil : durations.reduce(0, +) / Double(durations.count),
            averageSatisfaction: satisfaction.isEmpty ? nil : (satisfaction.reduce(0, +) / Double(satisfaction.count) * 10).rounded() / 10)
    }
}
