import Fluent
import Foundation
import ParleyDomain

// Fluent models never leave ParleyStore (DESIGN.md); repositories map them to domain values.
// Links between rows are plain fields; the migrations declare the foreign keys.

final class OrganizationModel: Model, @unchecked Sendable {
    static let schema = "organizations"

    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    @Field(key: "slug") var slug: String
    @Field(key: "is_default") var isDefault: Bool
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(id: UUID? = nil, name: String, slug: String, isDefault: Bool) {
        self.id = id
        self.name = name
        self.slug = slug
        self.isDefault = isDefault
    }

    func domain() throws -> Organization {
        Organization(id: try requireID(), name: name, slug: slug, createdAt: createdAt ?? Date(timeIntervalSince1970: 0))
    }
}

final class TeamModel: Model, @unchecked Sendable {
    static let schema = "teams"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "organization_id") var organizationID: UUID
    @Field(key: "name") var name: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(organizationID: UUID, name: String) {
        self.organizationID = organizationID
        self.name = name
    }

    func domain() throws -> Team {
        Team(id: try requireID(), organizationID: organizationID, name: name, createdAt: createdAt ?? Date(timeIntervalSince1970: 0))
    }
}

final class UserModel: Model, @unchecked Sendable {
    static let schema = "users"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "organization_id") var organizationID: UUID
    @Field(key: "email") var email: String
    @Field(key: "password_hash") var passwordHash: String
    @Field(key: "first_name") var firstName: String
    @Field(key: "last_name") var lastName: String
    @OptionalField(key: "company") var company: String?
    @Field(key: "role") var role: String
    @Field(key: "is_active") var isActive: Bool
    @OptionalField(key: "team_id") var teamID: Int?
    @OptionalField(key: "supervisor_id") var supervisorID: Int?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?
    @OptionalField(key: "last_login") var lastLogin: Date?

    init() {}

    init(_ new: NewUser) {
        organizationID = new.organizationID
        email = new.email
        passwordHash = new.passwordHash
        firstName = new.firstName
        lastName = new.lastName
        company = new.company
        role = new.role.rawValue
        isActive = true
        teamID = new.teamID
        supervisorID = new.supervisorID
    }

    func domain() throws -> User {
        User(
            id: try requireID(), organizationID: organizationID, email: email, firstName: firstName,
            lastName: lastName, company: company, role: Role(rawValue: role) ?? .user, isActive: isActive,
            teamID: teamID, supervisorID: supervisorID, createdAt: createdAt ?? Date(timeIntervalSince1970: 0),
            lastLogin: lastLogin
        )
    }
}

final class AuthSessionModel: Model, @unchecked Sendable {
    static let schema = "auth_sessions"

    @ID(key: .id) var id: UUID?
    @Field(key: "user_id") var userID: Int
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "revoked_at") var revokedAt: Date?

    init() {}

    init(userID: Int, expiresAt: Date) {
        self.userID = userID
        self.expiresAt = expiresAt
    }

    func domain() throws -> AuthSession {
        AuthSession(
            id: try requireID(), userID: userID, createdAt: createdAt ?? Date(timeIntervalSince1970: 0),
            expiresAt: expiresAt, revokedAt: revokedAt
        )
    }
}

final class RefreshTokenModel: Model, @unchecked Sendable {
    static let schema = "refresh_tokens"

    @ID(key: .id) var id: UUID?
    @Field(key: "session_id") var sessionID: UUID
    @Field(key: "token_hash") var tokenHash: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "used_at") var usedAt: Date?

    init() {}

    init(sessionID: UUID, tokenHash: String, expiresAt: Date) {
        self.sessionID = sessionID
        self.tokenHash = tokenHash
        self.expiresAt = expiresAt
    }
}

final class APIKeyModel: Model, @unchecked Sendable {
    static let schema = "api_keys"

    @ID(key: .id) var id: UUID?
    @Field(key: "organization_id") var organizationID: UUID
    @Field(key: "user_id") var userID: Int
    @Field(key: "name") var name: String
    @Field(key: "prefix") var prefix: String
    @Field(key: "key_hash") var keyHash: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @OptionalField(key: "last_used_at") var lastUsedAt: Date?
    @OptionalField(key: "revoked_at") var revokedAt: Date?

    init() {}

    init(organizationID: UUID, userID: Int, name: String, prefix: String, keyHash: String) {
        self.organizationID = organizationID
        self.userID = userID
        self.name = name
        self.prefix = prefix
        self.keyHash = keyHash
    }

    func domain() throws -> APIKey {
        APIKey(
            id: try requireID(), organizationID: organizationID, userID: userID, name: name, prefix: prefix,
            createdAt: createdAt ?? Date(timeIntervalSince1970: 0), lastUsedAt: lastUsedAt, revokedAt: revokedAt
        )
    }
}
