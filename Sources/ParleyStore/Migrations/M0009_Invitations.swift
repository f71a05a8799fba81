import Fluent

/// Invitations: how people join an organization when registration is by invitation.
struct M0009_Invitations: AsyncMigration {
    var name: String { "M0009_Invitations" }

    func prepare(on database: any Database) async throws {
        try await database.schema("invitations")
            .id()
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("email", .string, .required)
            .field("role", .string, .required)
            .field("team_id", .int, .references("teams", "id", onDelete: .setNull))
            .field("invited_by", .int, .required, .references("users", "id", onDelete: .cascade))
            .field("token_hash", .string, .required)
            .field("created_at", .double, .required)
            .field("expires_at", .double, .required)
            .field("accepted_at", .double)
            .field("revoked_at", .double)
            .unique(on: "token_hash")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("invitations").delete()
    }
}
