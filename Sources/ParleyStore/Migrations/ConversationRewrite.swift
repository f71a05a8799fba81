import Fluent
import Foundation
import SQLKit

/// Rewrites every conversation row in batches of 200, each batch in one transaction, in id
/// order: what data migrations that change how a column is stored share. A rewrite that
/// leaves an already-rewritten row alone makes the migration safe to interrupt and run again.
enum ConversationRewrite {
    static func inBatches<Row: Decodable & Sendable>(
        selecting columns: String, as row: Row.Type, on database: any Database, id: @escaping @Sendable (Row) -> UUID,
        _ rewrite: @escaping @Sendable (Row, any SQLDatabase) async throws -> Void
    ) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        var after = UUID(uuidString: "00000000-0000-0000-0000-000000000000")!
        while true {
            let rows = try await sql.raw("""
                SELECT id, \(unsafeRaw: columns) FROM conversations WHERE id > \(bind: after) ORDER BY id LIMIT 200
                """).all(decoding: Row.self)
            guard let last = rows.last else { return }
            try await database.transaction { transaction in
                guard let sql = transaction as? any SQLDatabase else { return }
                for row in rows { try await rewrite(row, sql) }
            }
            after = id(last)
        }
    }
}
