import Fluent
import SQLKit

/// Voice agents, their campaigns with one row per number (its attempts and where it stands),
/// and each organization's do-not-call list. A campaign's calls are conversations of kind
/// `agent_call`.
struct M0014_VoiceAgents: AsyncMigration {
    var name: String { "M0014_VoiceAgents" }

    func prepare(on database: any Database) async throws {
        try await database.schema("voice_agents")
            .id()
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("owner_id", .int, .required, .references("users", "id", onDelete: .cascade))
            .field("name", .string, .required)
            .field("name_key", .string, .required)
            .field("description", .string)
            .field("llm_provider", .string, .required)
            .field("llm_model", .string)
            .field("stt_provider", .string, .required)
            .field("tts_provider", .string, .required)
            .field("system_prompt", .string)
            .field("language", .string, .required)
            .field("voice_parameters", .string, .required)
            .field("status", .string, .required)
            .field("playbook", .string)
            .field("created_at", .double, .required)
            .field("updated_at", .double, .required)
            .unique(on: "owner_id", "name_key")
            .create()
        try await database.schema("campaigns")
            .id()
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("owner_id", .int, .required, .references("users", "id", onDelete: .cascade))
            .field("agent_id", .uuid, .required, .references("voice_agents", "id", onDelete: .cascade))
            .field("name", .string, .required)
            .field("status", .string, .required)
            .field("start_time", .double)
            .field("end_time", .double)
            .field("max_concurrent_calls", .int, .required)
            .field("calling_hours", .string)
            .field("max_attempts", .int, .required)
            .field("retry_delay", .double, .required)
            .field("voicemail", .string, .required)
            .field("lead_list_query", .string)
            .field("number_count", .int, .required)
            .field("launched_at", .double)
            .field("paused_at", .double)
            .field("completed_at", .double)
            .field("created_at", .double, .required)
            .field("updated_at", .double, .required)
            .create()
        try await database.schema("campaign_numbers")
            .field("campaign_id", .uuid, .required, .references("campaigns", "id", onDelete: .cascade))
            .field("position", .int, .required)
            .field("phone_number", .string, .required)
            .field("status", .string, .required)
            .field("attempts", .int, .required)
            .field("next_attempt_at", .double)
            .field("last_call_id", .uuid)
            .unique(on: "campaign_id", "phone_number")
            .create()
        try await database.schema("do_not_call_numbers")
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("phone_number", .string, .required)
            .field("reason", .string)
            .field("created_at", .double, .required)
            .unique(on: "organization_id", "phone_number")
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("CREATE INDEX voice_agents_owner ON voice_agents (organization_id, owner_id, created_at)").run()
        try await sql.raw("CREATE INDEX campaigns_owner ON campaigns (organization_id, owner_id, created_at)").run()
        try await sql.raw("CREATE INDEX campaign_numbers_due ON campaign_numbers (campaign_id, status, next_attempt_at, position)").run()
    }

    func revert(on database: any Database) async throws {
        for table in ["do_not_call_numbers", "campaign_numbers", "campaigns", "voice_agents"] {
            try await database.schema(table).delete()
        }
    }
}
