import Fluent
import Foundation
import ParleyDomain
import SQLKit

/// Rewrites every conversation's settings and details in their typed form: the Sales
/// Trainer stored `coaching_enabled`, `user_feedback`, `engine`, … in its own words. Reading
/// understands both, so rows are rewritten in batches and the migration can run again.
struct M0012_TypedDetails: AsyncMigration {
    var name: String { "M0012_TypedDetails" }

    struct Row: Decodable, Sendable {
        var id: UUID
        var configuration: String
        var details: String
    }

    func prepare(on database: any Database) async throws {
        try await ConversationRewrite.inBatches(selecting: "configuration, details", as: Row.self, on: database, id: \.id) { row, sql in
            let configuration = try ConversationModel.typed(ConversationSettings.self, row.configuration) ?? ConversationSettings()
            let details = try ConversationModel.typed(ConversationDetails.self, row.details) ?? ConversationDetails()
            try await sql.raw("""
                UPDATE conversations SET configuration = \(bind: JSONColumn.encode(configuration)), details = \(bind: JSONColumn.encode(details))
                WHERE id = \(bind: row.id)
                """).run()
        }
    }

    func revert(on database: any Database) async throws {}
}
