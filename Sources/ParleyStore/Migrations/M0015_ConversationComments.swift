import Fluent
import SQLKit

/// Comments pinned to moments of a conversation (a coach's notes on a rep's call); they go
/// with the conversation when it is deleted.
struct M0015_ConversationComments: AsyncMigration {
    var name: String { "M0015_ConversationComments" }

    func prepare(on database: any Database) async throws {
        try await database.schema("conversation_comments")
            .id()
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("conversation_id", .uuid, .required, .references("conversations", "id", onDelete: .cascade))
            .field("author_id", .int, .required, .references("users", "id", onDelete: .cascade))
            .field("at_seconds", .double)
            .field("turn", .int)
            .field("text", .string, .required)
            .field("created_at", .double, .required)
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.raw("CREATE INDEX conversation_comments_conversation ON conversation_comments (conversation_id, created_at)").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("conversation_comments").delete()
    }
}
