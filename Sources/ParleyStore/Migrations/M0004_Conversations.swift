import Fluent
import ParleyDomain
import SQLKit

/// Scenarios, the core conversations table every surface shares, and transcript turns.
struct M0004_Conversations: AsyncMigration {
    var name: String { "M0004_Conversations" }

    func prepare(on database: any Database) async throws {
        try await database.schema("scenarios")
            .field(.id, .int, .identifier(auto: true))
            .field("organization_id", .uuid, .references("organizations", "id", onDelete: .cascade))
            .field("title", .string, .required)
            .field("description", .string, .required)
            .field("category", .string, .required)
            .field("difficulty", .string, .required)
            .field("estimated_duration", .int, .required)
            .field("objectives", .string, .required)
            .field("coaching_points", .string, .required)
            .field("prospect_persona", .string)
            .field("conversation_flow", .string)
            .field("is_active", .bool, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .create()

        try await database.schema("conversations")
            .id()
            .field("public_id", .string, .required)
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("user_id", .int, .required, .references("users", "id", onDelete: .cascade))
            .field("kind", .string, .required)
            .field("scenario_id", .int, .references("scenarios", "id", onDelete: .setNull))
            .field("title", .string)
            .field("status", .string, .required)
            .field("configuration", .string, .required)
            .field("details", .string, .required)
            .field("analysis", .string, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .field("started_at", .datetime)
            .field("completed_at", .datetime)
            .field("duration", .double)
            .unique(on: "public_id")
            .create()

        try await database.schema("transcript_turns")
            .field(.id, .int, .identifier(auto: true))
            .field("conversation_id", .uuid, .required, .references("conversations", "id", onDelete: .cascade))
            .field("sequence", .int, .required)
            .field("speaker", .string, .required)
            .field("speaker_label", .string)
            .field("text", .string, .required)
            .field("start_time", .double)
            .field("end_time", .double)
            .field("words", .string, .required)
            .field("confidence", .double)
            .field("sentiment", .string)
            .field("intent", .string)
            .field("spoken_at", .datetime, .required)
            .unique(on: "conversation_id", "sequence")
            .create()

        if let sql = database as? any SQLDatabase {
            try await sql.raw("CREATE INDEX conversations_user_kind ON conversations (user_id, kind, status)").run()
        }

        // The built-in catalogue, visible to every organization.
        for scenario in BuiltInScenarios.all {
            try await ScenarioModel(scenario).create(on: database)
        }
    }

    func revert(on database: any Database) async throws {
        for table in ["transcript_turns", "conversations", "scenarios"] {
            try await database.schema(table).delete()
        }
    }
}
