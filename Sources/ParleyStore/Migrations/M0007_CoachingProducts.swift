import Fluent
import SQLKit

/// Speech Coaching products: highlight clips, generated reports, and drill sessions.
struct M0007_CoachingProducts: AsyncMigration {
    var name: String { "M0007_CoachingProducts" }

    func prepare(on database: any Database) async throws {
        try await database.schema("clips")
            .id()
            .field("public_id", .string, .required)
            .field("conversation_id", .uuid, .required, .references("conversations", "id", onDelete: .cascade))
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("details", .string, .required)
            .field("status", .string, .required)
            .field("created_at", .double, .required)
            .unique(on: "public_id")
            .create()
        try await database.schema("reports")
            .id()
            .field("public_id", .string, .required)
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("user_id", .int, .required, .references("users", "id", onDelete: .cascade))
            .field("format", .string, .required)
            .field("path", .string, .required)
            .field("created_at", .double, .required)
            .unique(on: "public_id")
            .create()
        try await database.schema("drill_sessions")
            .id()
            .field("public_id", .string, .required)
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("user_id", .int, .required, .references("users", "id", onDelete: .cascade))
            .field("drill_id", .string, .required)
            .field("details", .string, .required)
            .field("status", .string, .required)
            .field("created_at", .double, .required)
            .unique(on: "public_id")
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.raw("CREATE INDEX clips_conversation ON clips (conversation_id, created_at)").run()
            try await sql.raw("CREATE INDEX drill_sessions_owner ON drill_sessions (user_id, drill_id, created_at)").run()
        }
    }

    func revert(on database: any Database) async throws {
        for table in ["drill_sessions", "reports", "clips"] { try await database.schema(table).delete() }
    }
}
