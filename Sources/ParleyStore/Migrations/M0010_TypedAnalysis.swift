import Fluent
import Foundation
import ParleyDomain
import SQLKit

/// Rewrites every stored analysis as a versioned `ConversationAnalysis` document: practice
/// sessions stored their response shapes, recordings their stage results. Rows are upgraded
/// in batches, each batch in one transaction; a row already typed is left alone, so the
/// migration can be interrupted and run again.
struct M0010_TypedAnalysis: AsyncMigration {
    var name: String { "M0010_TypedAnalysis" }

    struct Row: Decodable, Sendable {
        var id: UUID
        var kind: String
        var analysis: String
    }

    struct TurnRow: Decodable {
        var sequence: Int
        var speaker: String
        var text: String
    }

    func prepare(on database: any Database) async throws {
        try await ConversationRewrite.inBatches(selecting: "kind, analysis", as: Row.self, on: database, id: \.id) { row, sql in
            let turns = try await sql.raw("""
                SELECT sequence, speaker, text FROM transcript_turns WHERE conversation_id = \(bind: row.id) ORDER BY sequence
                """).all(decoding: TurnRow.self)
            let segments = turns.map { TranscriptSegment(id: $0.sequence, speaker: SpeakerRole(rawValue: $0.speaker) ?? .unknown, text: $0.text) }
            guard let upgraded = try Self.upgrade(row, turns: segments) else { return }
            try await sql.raw("UPDATE conversations SET analysis = \(bind: upgraded) WHERE id = \(bind: row.id)").run()
        }
    }

    /// The row's analysis as today's document (speakers counted from its stored turns); nil
    /// when it needs no change.
    static func upgrade(_ row: Row, turns: [TranscriptSegment]) throws -> String? {
        let stored = try JSONDecoder().decode(JSONValue.self, from: Data(row.analysis.utf8))
        if stored["version"] != nil { return nil }
        let kind = ConversationKind(rawValue: row.kind) ?? .practice
        var analysis = try ConversationAnalysis.stored(stored, kind: kind)
        if let current = analysis, current.speakers.isEmpty, !turns.isEmpty { analysis?.speakers = SpeakerShare.of(turns) }
        return String(decoding: try JSONEncoder().encode(analysis), as: UTF8.self)
    }

    func revert(on database: any Database) async throws {}
}
