import Fluent

/// How an agent's calls are run (silence re-prompts, longest call, transfer, digits), as JSON.
struct M0017_AgentCallControl: AsyncMigration {
    var name: String { "M0017_AgentCallControl" }

    func prepare(on database: any Database) async throws {
        try await database.schema("voice_agents").field("call_control", .string).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("voice_agents").deleteField("call_control").update()
    }
}
