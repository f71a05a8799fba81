import Fluent

/// Organizations, teams, users, sign-in sessions, refresh tokens and API keys.
struct M0001_Identity: AsyncMigration {
    var name: String { "M0001_Identity" }

    func prepare(on database: any Database) async throws {
        try await database.schema("organizations")
            .id()
            .field("name", .string, .required)
            .field("slug", .string, .required)
            .field("is_default", .bool, .required)
            .field("created_at", .datetime)
            .unique(on: "slug")
            .create()

        try await database.schema("teams")
            .field(.id, .int, .identifier(auto: true))
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("name", .string, .required)
            .field("created_at", .datetime)
            .unique(on: "organization_id", "name")
            .create()

        try await database.schema("users")
            .field(.id, .int, .identifier(auto: true))
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("email", .string, .required)
            .field("password_hash", .string, .required)
            .field("first_name", .string, .required)
            .field("last_name", .string, .required)
            .field("company", .string)
            .field("role", .string, .required)
            .field("is_active", .bool, .required)
            .field("team_id", .int, .references("teams", "id", onDelete: .setNull))
            .field("supervisor_id", .int, .references("users", "id", onDelete: .setNull))
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .field("last_login", .datetime)
            .unique(on: "email")
            .create()

        try await database.schema("auth_sessions")
            .id()
            .field("user_id", .int, .required, .references("users", "id", onDelete: .cascade))
            .field("created_at", .datetime)
            .field("expires_at", .datetime, .required)
            .field("revoked_at", .datetime)
            .create()

        try await database.schema("refresh_tokens")
            .id()
            .field("session_id", .uuid, .required, .references("auth_sessions", "id", onDelete: .cascade))
            .field("token_hash", .string, .required)
            .field("created_at", .datetime)
            .field("expires_at", .datetime, .required)
            .field("used_at", .datetime)
            .unique(on: "token_hash")
            .create()

        try await database.schema("api_keys")
            .id()
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("user_id", .int, .required, .references("users", "id", onDelete: .cascade))
            .field("name", .string, .required)
            .field("prefix", .string, .required)
            .field("key_hash", .string, .required)
            .field("created_at", .datetime)
            .field("last_used_at", .datetime)
            .field("revoked_at", .datetime)
            .unique(on: "key_hash")
            .create()
    }

    func revert(on database: any Database) async throws {
        for table in ["api_keys", "refresh_tokens", "auth_sessions", "users", "teams", "organizations"] {
            try await database.schema(table).delete()
        }
    }
}

/// The organization that self-registered users join.
struct M0002_DefaultOrganization: AsyncMigration {
    var name: String { "M0002_DefaultOrganization" }

    func prepare(on database: any Database) async throws {
        let existing = try await OrganizationModel.query(on: database).filter(\.$isDefault == true).first()
        if existing == nil {
            try await OrganizationModel(name: "Default", slug: "default", isDefault: true).create(on: database)
        }
    }

    func revert(on database: any Database) async throws {
        try await OrganizationModel.query(on: database).filter(\.$isDefault == true).delete()
    }
}
