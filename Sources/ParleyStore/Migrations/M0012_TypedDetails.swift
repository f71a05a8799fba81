import Fluent
import Foundation
import ParleyDomain
import SQLKit

/// Rewrites every conversation's settings and details in their typed form: the Sales
/// Trainer stored `coaching_enabled`, `user_feedback`, `engine`, … in its own words. Reading
/// understands both, so rows are rewritten in batches and the migration can run again.
struct M0012_TypedDetails: AsyncMigration {
    var name: String { "M0012_TypedDetails" }

    struct Row: Decodable {
        var id: UUID
        var configuration: String
        var details: String
    }

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        var after = UUID(uuidString: "00000000-0000-0000-0000-000000000000")!
        while true {
            let rows = try await sql.raw("""
                SELECT id, configuration, details FROM conversations WHERE id > \(bind: after) ORDER BY id LIMIT 200
                """).all(decoding: Row.self)
            guard let last = rows.last else { return }
            try await database.transaction { transaction in
                guard let sql = transaction as? any SQLDatabase else { return }
                for row in rows {
                    let configuration = try ConversationModel.typed(ConversationSettings.self, row.configuration) ?? ConversationSettings()
                    let details = try ConversationModel.typed(ConversationDetails.self, row.details) ?? ConversationDetails()
                    try await sql.raw("""
                        UPDATE conversations SET configuration = \(bind: JSONColumn.encode(configuration)), details = \(bind: JSONColumn.encode(details))
                        WHERE id = \(bind: row.id)
                        """).run()
                }
            }
            after = last.id
        }
    }

    func revert(on database: any Database) async throws {}
}
