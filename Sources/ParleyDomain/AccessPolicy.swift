import Foundation

/// Whose accounts a user may see, as a store can filter by it.
public enum PeopleScope: Sendable, Equatable {
    /// Everyone in the organization.
    case organization
    /// The user, the members of `teamID` (when there is one), and the reps `supervisorID` coaches.
    case circle(userID: Int, teamID: Int?, supervisorID: Int?)
}

/// What a user wants to do with something someone owns.
public enum Access: Sendable {
    case read
    case write
}

/// Who may see what, decided once: admins see their organization, supervisors their team and
/// the reps they coach, and a plain member their own team (or only themselves without one).
public enum AccessPolicy {
    /// Whether `user` may read or change what `owner` owns, both in one organization (stores
    /// never return another organization's rows): the owner may; an admin may; a supervisor may
    /// read what the reps of their team, or the reps they coach, own; nobody else.
    public static func allows(_ user: User, _ access: Access, toWhatIsOwnedBy owner: User) -> Bool {
        guard user.organizationID == owner.organizationID else { return false }
        if user.id == owner.id || user.role == .admin { return true }
        guard user.role == .supervisor, access == .read else { return false }
        return owner.supervisorID == user.id || (user.teamID != nil && owner.teamID == user.teamID)
    }

    /// The accounts `user` may list.
    public static func people(visibleTo user: User) -> PeopleScope {
        switch user.role {
        case .admin: .organization
        case .supervisor: .circle(userID: user.id, teamID: user.teamID, supervisorID: user.id)
        case .user: .circle(userID: user.id, teamID: user.teamID, supervisorID: nil)
        }
    }
}

/// Who may create an account by registering (`PARLEY_REGISTRATION`).
public enum RegistrationPolicy: String, Sendable, CaseIterable {
    /// Anyone may register, into the default organization (the local default).
    case open
    /// Only with an admin's invitation (`POST /api/v1/admin/invitations`), into its organization.
    case invitation
    /// Nobody registers; admins create accounts (`POST /api/v1/admin/users`, `parley create-admin`).
    case closed
}
