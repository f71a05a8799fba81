import Fluent
import Foundation
import ParleyDomain
import SQLKit

// Results, deletion and full-text search of conversations: the SQL that differs between
// SQLite (FTS5) and PostgreSQL (tsvector) stays in this file.
extension FluentConversationStore {
    public func saveResults(_ conversation: Conversation, turns: [StoredTurn]) async throws {
        try await WriteTransaction.run(on: database) { database in
            let store = FluentConversationStore(database: database)
            try await store.updateConversation(conversation)
            try await TranscriptTurnModel.query(on: database).filter(\.$conversationID == conversation.id).delete()
            for turn in turns {
                try await TranscriptTurnModel(turn, conversationID: conversation.id).create(on: database)
            }
            try await store.index(conversation, body: turns.map(\.segment.text).joined(separator: " "))
        }
    }

    public func deleteConversation(id: UUID, organizationID: UUID) async throws {
        try await WriteTransaction.run(on: database) { database in
            if let sql = database as? any SQLDatabase {
                try await sql.raw("DELETE FROM conversation_search WHERE conversation_id = \(bind: id)").run()
            }
            try await ConversationModel.query(on: database)
                .filter(\.$id == id).filter(\.$organizationID == organizationID).delete()
        }
    }

    public func search(_ query: ConversationSearchQuery) async throws -> (hits: [ConversationSearchHit], total: Int) {
        guard let sql = database as? any SQLDatabase else { return ([], 0) }
        let terms = query.terms.map { $0.lowercased().filter { $0.isLetter || $0.isNumber } }.filter { !$0.isEmpty }
        guard !terms.isEmpty else { return ([], 0) }
        let postgres = sql.dialect.name == "postgresql"
        var clause: SQLQueryString = "c.organization_id = \(bind: query.organizationID) AND c.kind = \(bind: query.kind.rawValue)"
        if let userID = query.userID { clause = "\(clause) AND c.user_id = \(bind: userID)" }
        if let category = query.category { clause = "\(clause) AND c.category = \(bind: category)" }
        if let status = query.status { clause = "\(clause) AND c.status = \(bind: status.rawValue)" }
        if let after = query.createdAfter { clause = "\(clause) AND c.created_at >= \(bind: after)" }
        if let before = query.createdBefore { clause = "\(clause) AND c.created_at < \(bind: before)" }
        if let minimum = query.minimumScore { clause = "\(clause) AND c.score >= \(bind: minimum)" }

        // Raw ranks: bm25 (lower is better) on SQLite, ts_rank (higher is better) on PostgreSQL.
        // Relevance is each rank relative to the best match of the whole result set, so the
        // best hit is 1 on every page and a tiny corpus does not flatten every score to 0.
        let match: SQLQueryString
        let rank: SQLQueryString
        let relevance: SQLQueryString
        if postgres {
            let tsquery = terms.map { "\($0):*" }.joined(separator: " & ")
            match = "s.document @@ to_tsquery('english', \(bind: tsquery))"
            rank = "ts_rank(s.document, to_tsquery('english', \(bind: tsquery)))"
            relevance = "CASE WHEN MAX(raw_rank) OVER () > 0 THEN raw_rank / MAX(raw_rank) OVER () ELSE 1.0 END"
        } else {
            let expression = terms.map { "\"\($0)\"*" }.joined(separator: " ")
            match = "conversation_search MATCH \(bind: expression)"
            rank = "bm25(conversation_search, 0.0, 3.0, 1.0)"
            relevance = "CASE WHEN MIN(raw_rank) OVER () < 0 THEN raw_rank / MIN(raw_rank) OVER () ELSE 1.0 END"
        }
        let order: SQLQueryString =
            switch query.order {
            case .relevance: "relevance DESC, created_at DESC"
            case .date: "created_at DESC"
            case .score: "score DESC NULLS LAST, created_at DESC"
            }
        let from: SQLQueryString = "FROM conversation_search s JOIN conversations c ON c.id = s.conversation_id WHERE \(match) AND \(clause)"
        let total = try await sql.raw("SELECT COUNT(*) AS total \(from)").first()?.decode(column: "total", as: Int.self) ?? 0
        let rows = try await sql.raw("""
            SELECT id, \(relevance) AS relevance FROM (
                SELECT c.id AS id, c.created_at AS created_at, c.score AS score, \(rank) AS raw_rank \(from)
            ) matches
            ORDER BY \(order) LIMIT \(bind: query.limit) OFFSET \(bind: query.offset)
            """).all()
        let ranked = try rows.map { (try $0.decode(column: "id", as: UUID.self), try $0.decode(column: "relevance", as: Double.self)) }
        let models = try await ConversationModel.query(on: database).filter(\.$id ~~ ranked.map(\.0)).all()
        let byID = Dictionary(uniqueKeysWithValues: try models.map { (try $0.requireID(), $0) })
        let hits = try ranked.compactMap { id, relevance in
            try byID[id].map { ConversationSearchHit(conversation: try $0.domain(), relevance: min(1, max(0, relevance))) }
        }
        return (hits, total)
    }

    /// Replaces the conversation's row in the search index.
    func index(_ conversation: Conversation, body: String) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        let title = conversation.title ?? ""
        if sql.dialect.name == "postgresql" {
            try await sql.raw("""
                INSERT INTO conversation_search (conversation_id, document)
                VALUES (\(bind: conversation.id), setweight(to_tsvector('english', \(bind: title)), 'A') || to_tsvector('english', \(bind: body)))
                ON CONFLICT (conversation_id) DO UPDATE SET document = EXCLUDED.document
                """).run()
        } else {
            try await sql.raw("DELETE FROM conversation_search WHERE conversation_id = \(bind: conversation.id)").run()
            try await sql.raw("""
                INSERT INTO conversation_search (conversation_id, title, body) VALUES (\(bind: conversation.id), \(bind: title), \(bind: body))
                """).run()
        }
    }
}

// Comments pinned to moments of a conversation.
extension FluentConversationStore {
    public func addComment(_ comment: ConversationComment) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("""
            INSERT INTO conversation_comments (id, organization_id, conversation_id, author_id, at_seconds, turn, text, created_at)
            VALUES (\(bind: comment.id), \(bind: comment.organizationID), \(bind: comment.conversationID), \(bind: comment.authorID),
                    \(bind: comment.atSeconds), \(bind: comment.turn), \(bind: comment.text), \(bind: comment.createdAt.timeIntervalSince1970))
            """).run()
    }

    public func comments(conversationID: UUID, organizationID: UUID) async throws -> [ConversationComment] {
        guard let sql = database as? any SQLDatabase else { return [] }
        // Pinned to a time first, in time order; then those without one, oldest first.
        let rows = try await sql.raw("""
            SELECT id, organization_id, conversation_id, author_id, at_seconds, turn, text, created_at FROM conversation_comments
            WHERE conversation_id = \(bind: conversationID) AND organization_id = \(bind: organizationID)
            ORDER BY CASE WHEN at_seconds IS NULL THEN 1 ELSE 0 END, at_seconds, created_at, id
            """).all()
        return try rows.map { row in
            ConversationComment(
                id: try row.decode(column: "id", as: UUID.self), conversationID: try row.decode(column: "conversation_id", as: UUID.self),
                organizationID: try row.decode(column: "organization_id", as: UUID.self), authorID: try row.decode(column: "author_id", as: Int.self),
                atSeconds: try row.decode(column: "at_seconds", as: Double?.self), turn: try row.decode(column: "turn", as: Int?.self),
                text: try row.decode(column: "text", as: String.self),
                createdAt: Date(timeIntervalSince1970: try row.decode(column: "created_at", as: Double.self)))
        }
    }
}
