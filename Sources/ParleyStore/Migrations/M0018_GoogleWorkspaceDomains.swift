import Fluent

/// Google Workspace domains mapped to organizations (Google sign-in creates reps there).
struct M0018_GoogleWorkspaceDomains: AsyncMigration {
    var name: String { "M0018_GoogleWorkspaceDomains" }

    func prepare(on database: any Database) async throws {
        try await database.schema("google_workspace_domains")
            .field("domain", .string, .identifier(auto: false))
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("created_at", .double, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("google_workspace_domains").delete()
    }
}
