import Fluent
import SQLKit

/// Speech Coaching: a category and score on conversations, media uploads, webhook
/// subscriptions with their delivery log, user preferences, and the full-text search index
/// (FTS5 on SQLite, a `tsvector` with a GIN index on PostgreSQL).
struct M0006_Coaching: AsyncMigration {
    var name: String { "M0006_Coaching" }

    func prepare(on database: any Database) async throws {
        // One column per statement: SQLite's ALTER TABLE adds a single column.
        try await database.schema("conversations").field("category", .string).update()
        try await database.schema("conversations").field("score", .double).update()

        try await database.schema("media_uploads")
            .id()
            .field("conversation_id", .uuid, .required, .references("conversations", "id", onDelete: .cascade))
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("public_id", .string, .required)
            .field("status", .string, .required)
            .field("file_name", .string)
            .field("content_type", .string)
            .field("container", .string)
            .field("expected_bytes", .int64)
            .field("received_bytes", .int64, .required)
            .field("path", .string)
            .field("metadata", .string, .required)
            .field("error", .string)
            .field("created_at", .double, .required)
            .field("completed_at", .double)
            .unique(on: "public_id")
            .create()

        try await database.schema("webhook_subscriptions")
            .id()
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("user_id", .int, .required, .references("users", "id", onDelete: .cascade))
            .field("url", .string, .required)
            .field("secret", .string, .required)
            .field("events", .string, .required)
            .field("is_active", .bool, .required)
            .field("created_at", .double, .required)
            .create()

        try await database.schema("webhook_deliveries")
            .id()
            .field("subscription_id", .uuid, .required, .references("webhook_subscriptions", "id", onDelete: .cascade))
            .field("event", .string, .required)
            .field("payload", .string, .required)
            .field("status", .string, .required)
            .field("attempts", .int, .required)
            .field("response_status", .int)
            .field("error", .string)
            .field("created_at", .double, .required)
            .field("delivered_at", .double)
            .create()

        try await database.schema("user_preferences")
            .field("user_id", .int, .identifier(auto: false), .references("users", "id", onDelete: .cascade))
            .field("preferences", .string, .required)
            .create()

        guard let sql = database as? any SQLDatabase else { return }
        if sql.dialect.name == "postgresql" {
            try await sql.raw("""
                CREATE TABLE conversation_search (
                    conversation_id UUID PRIMARY KEY REFERENCES conversations(id) ON DELETE CASCADE,
                    document TSVECTOR NOT NULL)
                """).run()
            try await sql.raw("CREATE INDEX conversation_search_document ON conversation_search USING GIN (document)").run()
        } else {
            try await sql.raw("""
                CREATE VIRTUAL TABLE conversation_search USING fts5(
                    conversation_id UNINDEXED, title, body, tokenize = 'porter unicode61')
                """).run()
            // A virtual table has no foreign keys: the trigger also covers cascades from a deleted user.
            try await sql.raw("""
                CREATE TRIGGER conversation_search_cleanup AFTER DELETE ON conversations
                BEGIN DELETE FROM conversation_search WHERE conversation_id = old.id; END
                """).run()
        }
        try await sql.raw("CREATE INDEX conversations_owner ON conversations (organization_id, user_id, kind, created_at)").run()
        try await sql.raw("CREATE INDEX webhook_deliveries_subscription ON webhook_deliveries (subscription_id, created_at)").run()
    }

    func revert(on database: any Database) async throws {
        if let sql = database as? any SQLDatabase {
            if sql.dialect.name != "postgresql" {
                try await sql.raw("DROP TRIGGER IF EXISTS conversation_search_cleanup").run()
            }
            try await sql.raw("DROP TABLE IF EXISTS conversation_search").run()
        }
        for table in ["user_preferences", "webhook_deliveries", "webhook_subscriptions", "media_uploads"] {
            try await database.schema(table).delete()
        }
        try await database.schema("conversations").deleteField("category").update()
        try await database.schema("conversations").deleteField("score").update()
    }
}
