import Foundation

/// What is needed to create an account; the password is already hashed.
public struct NewUser: Sendable {
    public var organizationID: UUID
    public var email: String
    public var passwordHash: String
    public var firstName: String
    public var lastName: String
    public var company: String?
    public var role: Role
    public var teamID: Int?
    public var supervisorID: Int?

    public init(
        organizationID: UUID, email: String, passwordHash: String, firstName: String,
        lastName: String, company: String?, role: Role, teamID: Int? = nil, supervisorID: Int? = nil
    ) {
        self.organizationID = organizationID
        self.email = email
        self.passwordHash = passwordHash
        self.firstName = firstName
        self.lastName = lastName
        self.company = company
        self.role = role
        self.teamID = teamID
        self.supervisorID = supervisorID
    }
}

/// A partial update of a user; `nil` leaves a field unchanged, `.some(nil)` clears an optional link.
public struct UserChanges: Sendable {
    public var firstName: String?
    public var lastName: String?
    public var company: String??
    public var role: Role?
    public var isActive: Bool?
    public var teamID: Int??
    public var supervisorID: Int??

    public init(
        firstName: String? = nil, lastName: String? = nil, company: String?? = nil, role: Role? = nil,
        isActive: Bool? = nil, teamID: Int?? = nil, supervisorID: Int?? = nil
    ) {
        self.firstName = firstName
        self.lastName = lastName
        self.company = company
        self.role = role
        self.isActive = isActive
        self.teamID = teamID
        self.supervisorID = supervisorID
    }
}

/// A signed-in device or client: access tokens carry its id so logout can revoke them.
public struct AuthSession: Sendable, Hashable {
    public var id: UUID
    public var userID: Int
    public var createdAt: Date
    public var expiresAt: Date
    public var revokedAt: Date?

    public init(id: UUID, userID: Int, createdAt: Date, expiresAt: Date, revokedAt: Date?) {
        self.id = id
        self.userID = userID
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
    }
}

/// The outcome of presenting a refresh token.
public enum RefreshTokenUse: Sendable, Equatable {
    /// The token was valid and is now spent; the session may get a new one.
    case accepted(sessionID: UUID, userID: Int)
    /// The token was spent before: it may have been stolen, so its session was revoked.
    case reused
    /// Unknown, expired or revoked.
    case invalid
}

/// A service credential for machine-to-machine calls (stored as a hash, shown once).
public struct APIKey: Sendable, Hashable {
    public var id: UUID
    public var organizationID: UUID
    public var userID: Int
    public var name: String
    public var prefix: String
    public var createdAt: Date
    public var lastUsedAt: Date?
    public var revokedAt: Date?

    public init(
        id: UUID, organizationID: UUID, userID: Int, name: String, prefix: String,
        createdAt: Date, lastUsedAt: Date?, revokedAt: Date?
    ) {
        self.id = id
        self.organizationID = organizationID
        self.userID = userID
        self.name = name
        self.prefix = prefix
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
        self.revokedAt = revokedAt
    }
}

/// An admin's invitation for one e-mail address to join the organization with a role (and a
/// team): redeemed once, at registration, before it expires (stored as a hash, shown once).
public struct Invitation: Sendable, Hashable {
    public var id: UUID
    public var organizationID: UUID
    public var email: String
    public var role: Role
    public var teamID: Int?
    public var invitedBy: Int
    public var createdAt: Date
    public var expiresAt: Date
    public var acceptedAt: Date?
    public var revokedAt: Date?

    public init(
        id: UUID, organizationID: UUID, email: String, role: Role, teamID: Int?, invitedBy: Int,
        createdAt: Date, expiresAt: Date, acceptedAt: Date? = nil, revokedAt: Date? = nil
    ) {
        self.id = id
        self.organizationID = organizationID
        self.email = email
        self.role = role
        self.teamID = teamID
        self.invitedBy = invitedBy
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.acceptedAt = acceptedAt
        self.revokedAt = revokedAt
    }

    /// `pending` until it is accepted, revoked or past its expiry.
    public func state(at now: Date) -> String {
        if acceptedAt != nil { return "accepted" }
        if revokedAt != nil { return "revoked" }
        return expiresAt <= now ? "expired" : "pending"
    }
}

/// Persistence of organizations, teams, users, sign-in sessions, refresh tokens and API keys.
/// Every query that lists or changes rows takes the organization, so nothing crosses tenants.
public protocol IdentityStore: Sendable {
    /// The organization self-registered users join; created by the migrations.
    func defaultOrganization() async throws -> Organization
    func organization(id: UUID) async throws -> Organization?
    /// Creates a tenant; a taken slug throws `DomainError.conflict`.
    func createOrganization(name: String, slug: String) async throws -> Organization

    /// Creates a user; a taken email throws `DomainError.conflict`.
    func createUser(_ user: NewUser) async throws -> User
    func user(id: Int) async throws -> User?
    func user(id: Int, organizationID: UUID) async throws -> User?
    /// The user and password hash for an email (case-insensitive), for signing in.
    func credentials(email: String) async throws -> (user: User, passwordHash: String)?
    func passwordHash(userID: Int) async throws -> String?
    func setPasswordHash(_ hash: String, userID: Int) async throws
    func updateUser(id: Int, organizationID: UUID, _ changes: UserChanges) async throws -> User
    func recordLogin(userID: Int, at: Date) async throws
    func users(organizationID: UUID, limit: Int, offset: Int) async throws -> [User]
    /// The organization's users within `scope` (the access policy, applied in the query).
    func users(organizationID: UUID, scope: PeopleScope, limit: Int, offset: Int) async throws -> [User]
    func countUsers(organizationID: UUID) async throws -> Int
    /// Deletes a user and, through the database's cascades, everything they own.
    func deleteUser(id: Int, organizationID: UUID) async throws

    func createTeam(name: String, organizationID: UUID) async throws -> Team
    func team(id: Int, organizationID: UUID) async throws -> Team?
    func teams(organizationID: UUID) async throws -> [Team]

    func createSession(userID: Int, expiresAt: Date) async throws -> AuthSession
    /// The user behind an access token, if both the user and the token's session are still valid.
    func activeUser(userID: Int, sessionID: UUID, at: Date) async throws -> (user: User, sessionActive: Bool)?
    func revokeSession(id: UUID, at: Date) async throws
    /// Revokes every session of a user except `keeping` (after a password change).
    func revokeSessions(userID: Int, keeping: UUID?, at: Date) async throws

    func storeRefreshToken(hash: String, sessionID: UUID, expiresAt: Date) async throws
    /// Spends a refresh token atomically: exactly one of several concurrent uses succeeds.
    func useRefreshToken(hash: String, at: Date) async throws -> RefreshTokenUse
    /// The session and user of an unspent, unexpired refresh token of a live session, without spending it.
    func refreshTokenOwner(hash: String, at: Date) async throws -> (sessionID: UUID, userID: Int)?

    func createAPIKey(organizationID: UUID, userID: Int, name: String, prefix: String, hash: String) async throws -> APIKey
    /// The key's owner if the key is known and not revoked; records the use.
    func apiKeyUser(hash: String, at: Date) async throws -> (key: APIKey, user: User)?
    func apiKeys(organizationID: UUID) async throws -> [APIKey]
    func revokeAPIKey(id: UUID, organizationID: UUID, at: Date) async throws -> Bool

    func createInvitation(_ invitation: Invitation, tokenHash: String) async throws
    func invitations(organizationID: UUID) async throws -> [Invitation]
    /// Revokes a pending invitation; false when there is none with this id in the organization.
    func revokeInvitation(id: UUID, organizationID: UUID, at: Date) async throws -> Bool
    /// In one transaction: spends the pending invitation with this token hash for `user.email`
    /// and creates the account in its organization, role and team. Nil when there is no such
    /// pending invitation (unknown, for another e-mail, used, revoked or expired).
    func createUser(_ user: NewUser, acceptingInvitation tokenHash: String, at: Date) async throws -> User?

    /// The Google Workspace domains mapped to an organization (Google sign-in joins people from them).
    func googleDomains(organizationID: UUID) async throws -> [String]
    /// Maps a domain; one mapped to any organization already throws `DomainError.conflict`.
    func mapGoogleDomain(_ domain: String, organizationID: UUID, at: Date) async throws
    func unmapGoogleDomain(_ domain: String, organizationID: UUID) async throws -> Bool
    func organization(forGoogleDomain domain: String) async throws -> Organization?
}
