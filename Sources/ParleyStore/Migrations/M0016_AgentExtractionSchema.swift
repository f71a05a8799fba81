import Fluent

/// An agent's extraction schema (the fields each finished call is read into), as JSON.
struct M0016_AgentExtractionSchema: AsyncMigration {
    var name: String { "M0016_AgentExtractionSchema" }

    func prepare(on database: any Database) async throws {
        try await database.schema("voice_agents").field("extraction_schema", .string).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("voice_agents").deleteField("extraction_schema").update()
    }
}
