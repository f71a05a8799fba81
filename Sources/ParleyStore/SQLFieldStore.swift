import Fluent
import Foundation
import ParleyDomain
import SQLKit

/// Field Intelligence's tables in SQL (the same statements on SQLite and PostgreSQL; only the
/// UTC day of a timestamp is said in each dialect's words). Times are epoch seconds.
public struct SQLFieldStore: FieldStore, SQLStore {
    let database: any Database

    public init(database: any Database) {
        self.database = database
    }

    public func nextConversationNumber(organizationID: UUID, day: String) async throws -> Int {
        // One statement: concurrent starts each get their own number (the row is locked by the upsert).
        guard let row = try await sql.raw("""
            INSERT INTO field_counters (organization_id, day, last) VALUES (\(bind: organizationID), \(bind: day), 1)
            ON CONFLICT (organization_id, day) DO UPDATE SET last = field_counters.last + 1
            RETURNING last
            """).first() else { throw DomainError.serviceUnavailable(service: "database", reason: "the day's counter returned nothing") }
        return try row.decode(column: "last", as: Int.self)
    }

    // MARK: chunks

    public func addChunk(_ chunk: FieldChunk) async throws -> Bool {
        let rows = try await sql.raw("""
            INSERT INTO field_chunks (conversation_id, sequence, public_id, format, bytes, seconds, path, pcm_path, received_at)
            VALUES (\(bind: chunk.conversationID), \(bind: chunk.sequence), \(bind: chunk.publicID), \(bind: chunk.format), \(bind: chunk.bytes),
                \(bind: chunk.seconds), \(bind: chunk.path), \(bind: chunk.pcmPath), \(bind: chunk.receivedAt.timeIntervalSince1970))
            ON CONFLICT (conversation_id, sequence) DO NOTHING RETURNING sequence
            """).all()
        return !rows.isEmpty
    }

    public func chunks(conversationID: UUID) async throws -> [FieldChunk] {
        try await sql.raw("SELECT * FROM field_chunks WHERE conversation_id = \(bind: conversationID) ORDER BY sequence").all().map(Self.chunk(from:))
    }

    public func chunk(conversationID: UUID, sequence: Int) async throws -> FieldChunk? {
        try await sql.raw("SELECT * FROM field_chunks WHERE conversation_id = \(bind: conversationID) AND sequence = \(bind: sequence)")
            .first().map(Self.chunk(from:))
    }

    static func chunk(from row: any SQLRow) throws -> FieldChunk {
        FieldChunk(
            conversationID: try row.decode(column: "conversation_id", as: UUID.self), sequence: try row.decode(column: "sequence", as: Int.self),
            publicID: try row.decode(column: "public_id", as: String.self), format: try row.decode(column: "format", as: String.self),
            bytes: try row.decode(column: "bytes", as: Int64.self), seconds: try row.decode(column: "seconds", as: Double.self),
            path: try row.decode(column: "path", as: String.self), pcmPath: try row.decode(column: "pcm_path", as: String.self),
            receivedAt: Date(timeIntervalSince1970: try row.decode(column: "received_at", as: Double.self)))
    }

    // MARK: upsells

    public func replaceUpsells(conversationID: UUID, organizationID: UUID, with found: [FieldUpsell]) async throws -> [FieldUpsell] {
        try await sql.raw("""
            DELETE FROM field_upsells WHERE conversation_id = \(bind: conversationID) AND organization_id = \(bind: organizationID) AND status = 'identified'
            """).run()
        let kept = try await upsells(conversationID: conversationID, organizationID: organizationID)
        for upsell in found where !kept.contains(where: { $0.type == upsell.type }) {
            try await sql.raw("""
                INSERT INTO field_upsells (organization_id, conversation_id, user_id, type, title, description, trigger_phrase, at_seconds,
                    confidence, estimated_value, priority, status, actual_value, notes, created_at, updated_at)
                VALUES (\(bind: upsell.organizationID), \(bind: upsell.conversationID), \(bind: upsell.userID), \(bind: upsell.type), \(bind: upsell.title),
                    \(bind: upsell.description), \(bind: upsell.triggerPhrase), \(bind: upsell.timestampInCall), \(bind: upsell.confidence),
                    \(bind: upsell.estimatedValue), \(bind: upsell.priority), \(bind: upsell.status.rawValue), \(bind: upsell.actualValue),
                    \(bind: upsell.notes), \(bind: upsell.createdAt.timeIntervalSince1970), \(bind: upsell.updatedAt.timeIntervalSince1970))
                """).run()
        }
        return try await upsells(conversationID: conversationID, organizationID: organizationID)
    }

    public func upsells(conversationID: UUID, organizationID: UUID) async throws -> [FieldUpsell] {
        try await sql.raw("""
            SELECT * FROM field_upsells WHERE conversation_id = \(bind: conversationID) AND organization_id = \(bind: organizationID)
            ORDER BY at_seconds, id
            """).all().map(Self.upsell(from:))
    }

    public func upsell(id: Int, organizationID: UUID) async throws -> FieldUpsell? {
        try await sql.raw("SELECT * FROM field_upsells WHERE id = \(bind: id) AND organization_id = \(bind: organizationID)").first().map(Self.upsell(from:))
    }

    public func updateUpsell(_ upsell: FieldUpsell, expected: UpsellStatus) async throws -> Bool {
        try await !sql.raw("""
            UPDATE field_upsells SET status = \(bind: upsell.status.rawValue), actual_value = \(bind: upsell.actualValue), notes = \(bind: upsell.notes),
                updated_at = \(bind: upsell.updatedAt.timeIntervalSince1970)
            WHERE id = \(bind: upsell.id) AND organization_id = \(bind: upsell.organizationID) AND status = \(bind: expected.rawValue)
            RETURNING id
            """).all().isEmpty
    }

    static func upsell(from row: any SQLRow) throws -> FieldUpsell {
        FieldUpsell(
            id: try row.decode(column: "id", as: Int.self), organizationID: try row.decode(column: "organization_id", as: UUID.self),
            conversationID: try row.decode(column: "conversation_id", as: UUID.self), userID: try row.decode(column: "user_id", as: Int.self),
            type: try row.decode(column: "type", as: String.self), title: try row.decode(column: "title", as: String.self),
            description: try row.decode(column: "description", as: String.self), triggerPhrase: try row.decode(column: "trigger_phrase", as: String.self),
            timestampInCall: try row.decode(column: "at_seconds", as: Double?.self), confidence: try row.decode(column: "confidence", as: Double.self),
            estimatedValue: try row.decode(column: "estimated_value", as: Double.self), priority: try row.decode(column: "priority", as: String.self),
            status: UpsellStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .identified,
            actualValue: try row.decode(column: "actual_value", as: Double?.self), notes: try row.decode(column: "notes", as: String?.self),
            createdAt: Date(timeIntervalSince1970: try row.decode(column: "created_at", as: Double.self)),
            updatedAt: Date(timeIntervalSince1970: try row.decode(column: "updated_at", as: Double.self)))
    }

    // MARK: coaching moments

    public func replaceCoachingMoments(
        conversationID: UUID, organizationID: UUID, userID: Int, with moments: [FieldCoachingMoment]
    ) async throws -> [FieldCoachingMoment] {
        try await sql.raw("DELETE FROM field_coaching_moments WHERE conversation_id = \(bind: conversationID) AND organization_id = \(bind: organizationID)").run()
        for moment in moments {
            try await sql.raw("""
                INSERT INTO field_coaching_moments (organization_id, conversation_id, user_id, category, title, at_seconds, what_happened,
                    what_should_happen, example_better_response, severity)
                VALUES (\(bind: organizationID), \(bind: conversationID), \(bind: userID), \(bind: moment.category), \(bind: moment.title),
                    \(bind: moment.timestampInCall), \(bind: moment.whatHappened), \(bind: moment.whatShouldHappen),
                    \(bind: moment.exampleBetterResponse), \(bind: moment.severity))
                """).run()
        }
        return try await coachingMoments(conversationID: conversationID, organizationID: organizationID)
    }

    public func coachingMoments(conversationID: UUID, organizationID: UUID) async throws -> [FieldCoachingMoment] {
        try await sql.raw("""
            SELECT * FROM field_coaching_moments WHERE conversation_id = \(bind: conversationID) AND organization_id = \(bind: organizationID)
            ORDER BY at_seconds, id
            """).all().map { row in
            FieldCoachingMoment(
                id: try row.decode(column: "id", as: Int.self), conversationID: try row.decode(column: "conversation_id", as: UUID.self),
                category: try row.decode(column: "category", as: String.self), title: try row.decode(column: "title", as: String.self),
                timestampInCall: try row.decode(column: "at_seconds", as: Double?.self),
                whatHappened: try row.decode(column: "what_happened", as: String.self),
                whatShouldHappen: try row.decode(column: "what_should_happen", as: String.self),
                exampleBetterResponse: try row.decode(column: "example_better_response", as: String.self),
                severity: try row.decode(column: "severity", as: String.self))
        }
    }

    // MARK: feedback

    public func addFeedback(_ feedback: FieldFeedback) async throws -> FieldFeedback {
        guard let row = try await sql.raw("""
            INSERT INTO field_feedback (organization_id, conversation_id, supervisor_id, technician_id, overall_rating, rapport_rating,
                technical_rating, upsell_rating, strengths, areas_for_improvement, is_training_example, created_at)
            VALUES (\(bind: feedback.organizationID), \(bind: feedback.conversationID), \(bind: feedback.supervisorID), \(bind: feedback.technicianID),
                \(bind: feedback.overallRating), \(bind: feedback.rapportRating), \(bind: feedback.technicalRating), \(bind: feedback.upsellRating),
                \(bind: feedback.strengths), \(bind: feedback.areasForImprovement), \(bind: feedback.isTrainingExample),
                \(bind: feedback.createdAt.timeIntervalSince1970))
            RETURNING id
            """).first() else { throw DomainError.serviceUnavailable(service: "database", reason: "the feedback was not stored") }
        var stored = feedback
        stored.id = try row.decode(column: "id", as: Int.self)
        return stored
    }

    public func feedback(conversationID: UUID, organizationID: UUID) async throws -> [FieldFeedback] {
        try await sql.raw("""
            SELECT * FROM field_feedback WHERE conversation_id = \(bind: conversationID) AND organization_id = \(bind: organizationID) ORDER BY id
            """).all().map { row in
            FieldFeedback(
                id: try row.decode(column: "id", as: Int.self), organizationID: try row.decode(column: "organization_id", as: UUID.self),
                conversationID: try row.decode(column: "conversation_id", as: UUID.self),
                supervisorID: try row.decode(column: "supervisor_id", as: Int.self), technicianID: try row.decode(column: "technician_id", as: Int.self),
                overallRating: try row.decode(column: "overall_rating", as: Int.self), rapportRating: try row.decode(column: "rapport_rating", as: Int?.self),
                technicalRating: try row.decode(column: "technical_rating", as: Int?.self), upsellRating: try row.decode(column: "upsell_rating", as: Int?.self),
                strengths: try row.decode(column: "strengths", as: String?.self),
                areasForImprovement: try row.decode(column: "areas_for_improvement", as: String?.self),
                isTrainingExample: try row.decode(column: "is_training_example", as: Bool.self),
                createdAt: Date(timeIntervalSince1970: try row.decode(column: "created_at", as: Double.self)))
        }
    }

    // MARK: nudges

    public func addNudge(_ nudge: FieldNudge) async throws -> FieldNudge? {
        guard let row = try await sql.raw("""
            INSERT INTO field_nudges (organization_id, conversation_id, user_id, type, nudge_key, title, message, suggested_response, confidence, triggered_at)
            VALUES (\(bind: nudge.organizationID), \(bind: nudge.conversationID), \(bind: nudge.userID), \(bind: nudge.type), \(bind: nudge.key),
                \(bind: nudge.title), \(bind: nudge.message), \(bind: nudge.suggestedResponse), \(bind: nudge.confidence), \(bind: nudge.triggeredAt))
            ON CONFLICT (conversation_id, nudge_key) DO NOTHING RETURNING id
            """).first() else { return nil }
        var stored = nudge
        stored.id = try row.decode(column: "id", as: Int.self)
        return stored
    }

    public func nudges(conversationID: UUID, organizationID: UUID) async throws -> [FieldNudge] {
        try await sql.raw("""
            SELECT * FROM field_nudges WHERE conversation_id = \(bind: conversationID) AND organization_id = \(bind: organizationID) ORDER BY id
            """).all().map { row in
            FieldNudge(
                id: try row.decode(column: "id", as: Int.self), organizationID: try row.decode(column: "organization_id", as: UUID.self),
                conversationID: try row.decode(column: "conversation_id", as: UUID.self), userID: try row.decode(column: "user_id", as: Int.self),
                type: try row.decode(column: "type", as: String.self), key: try row.decode(column: "nudge_key", as: String.self),
                title: try row.decode(column: "title", as: String.self), message: try row.decode(column: "message", as: String.self),
                suggestedResponse: try row.decode(column: "suggested_response", as: String.self),
                confidence: try row.decode(column: "confidence", as: Double.self), triggeredAt: try row.decode(column: "triggered_at", as: Double.self),
                action: try row.decode(column: "action", as: String?.self),
                actedAt: try row.decode(column: "acted_at", as: Double?.self).map(Date.init(timeIntervalSince1970:)))
        }
    }

    public func actOnNudge(id: Int, conversationID: UUID, action: String, at: Date) async throws -> Bool {
        try await !sql.raw("""
            UPDATE field_nudges SET action = \(bind: action), acted_at = \(bind: at.timeIntervalSince1970)
            WHERE id = \(bind: id) AND conversation_id = \(bind: conversationID) RETURNING id
            """).all().isEmpty
    }

    // MARK: settings

    public func settings(organizationID: UUID) async throws -> FieldSettings {
        guard let row = try await sql.raw("SELECT * FROM field_settings WHERE organization_id = \(bind: organizationID)").first() else {
            return FieldSettings()
        }
        return FieldSettings(
            requireAllPartyConsent: try row.decode(column: "require_all_party_consent", as: Bool.self),
            upsellCatalogue: try JSONColumn.decode(JSONValue.self, try row.decode(column: "upsell_catalogue", as: String?.self)))
    }

    public func saveSettings(_ settings: FieldSettings, organizationID: UUID) async throws {
        let catalogue = try settings.upsellCatalogue.map { try JSONColumn.encode($0) }
        try await sql.raw("""
            INSERT INTO field_settings (organization_id, require_all_party_consent, upsell_catalogue)
            VALUES (\(bind: organizationID), \(bind: settings.requireAllPartyConsent), \(bind: catalogue))
            ON CONFLICT (organization_id) DO UPDATE SET require_all_party_consent = \(bind: settings.requireAllPartyConsent),
                upsell_catalogue = \(bind: catalogue)
            """).run()
    }

    // MARK: figures

    public func figures(organizationID: UUID, userIDs: [Int], from: Date, to: Date, daily: Bool) async throws -> [FieldPeriodFigures] {
        guard !userIDs.isEmpty else { return [] }
        let sql = try self.sql
        let day: SQLQueryString = sql.dialect.name == "postgresql"
            ? "to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
            : "strftime('%Y-%m-%d', c.created_at, 'unixepoch')"
        let dayColumn: SQLQueryString = daily ? "\(day)" : "NULL"
        let grouping: SQLQueryString = daily ? "c.user_id, \(day)" : "c.user_id"
        let ids = userIDs.map { $0 as any Encodable & Sendable }
        return try await sql.raw("""
            SELECT c.user_id AS user_id, \(dayColumn) AS day, COUNT(*) AS calls,
                SUM(CASE WHEN c.status = 'completed' THEN 1 ELSE 0 END) AS analysed,
                AVG(CASE WHEN c.status IN ('completed', 'processing', 'failed') THEN c.duration END) AS average_duration,
                AVG(CASE WHEN c.status = 'completed' THEN c.score END) AS average_satisfaction,
                CAST(COALESCE(SUM(u.identified), 0) AS INTEGER) AS identified, CAST(COALESCE(SUM(u.won), 0) AS INTEGER) AS won,
                CAST(COALESCE(SUM(u.revenue), 0) AS DOUBLE PRECISION) AS revenue, CAST(COALESCE(SUM(m.moments), 0) AS INTEGER) AS moments,
                SUM(CASE WHEN c.category = 'recorded' THEN 1 ELSE 0 END) AS recorded
            FROM conversations c
            LEFT JOIN (SELECT conversation_id, COUNT(*) AS identified,
                    SUM(CASE WHEN status = 'closed_won' THEN 1 ELSE 0 END) AS won,
                    SUM(CASE WHEN status = 'closed_won' THEN COALESCE(actual_value, estimated_value) ELSE 0 END) AS revenue
                FROM field_upsells WHERE organization_id = \(bind: organizationID) GROUP BY conversation_id) u ON u.conversation_id = c.id
            LEFT JOIN (SELECT conversation_id, COUNT(*) AS moments FROM field_coaching_moments
                WHERE organization_id = \(bind: organizationID) GROUP BY conversation_id) m ON m.conversation_id = c.id
            WHERE c.organization_id = \(bind: organizationID) AND c.kind = 'field' AND c.user_id IN (\(binds: ids))
                AND c.created_at >= \(bind: from) AND c.created_at < \(bind: to)
            GROUP BY \(grouping)
            ORDER BY \(grouping)
            """).all().map { row in
            FieldPeriodFigures(
                userID: try row.decode(column: "user_id", as: Int.self), day: try row.decode(column: "day", as: String?.self),
                calls: try row.decode(column: "calls", as: Int.self), analysedCalls: try row.decode(column: "analysed", as: Int.self),
                averageDuration: try row.decode(column: "average_duration", as: Double?.self),
                averageSatisfaction: try row.decode(column: "average_satisfaction", as: Double?.self),
                upsellsIdentified: try row.decode(column: "identified", as: Int.self), upsellsClosed: try row.decode(column: "won", as: Int.self),
                upsellRevenue: try row.decode(column: "revenue", as: Double.self), coachingMoments: try row.decode(column: "moments", as: Int.self),
                recordedCalls: try row.decode(column: "recorded", as: Int.self))
        }
    }

    public func nudgeCounts(organizationID: UUID, userIDs: [Int], from: Date, to: Date) async throws -> (shown: Int, dismissed: Int, accepted: Int) {
        guard !userIDs.isEmpty else { return (0, 0, 0) }
        let ids = userIDs.map { $0 as any Encodable & Sendable }
        let row = try await sql.raw("""
            SELECT COUNT(*) AS shown, COALESCE(SUM(CASE WHEN n.action = 'dismissed' THEN 1 ELSE 0 END), 0) AS dismissed,
                COALESCE(SUM(CASE WHEN n.action = 'accepted' THEN 1 ELSE 0 END), 0) AS accepted
            FROM field_nudges n JOIN conversations c ON c.id = n.conversation_id
            WHERE n.organization_id = \(bind: organizationID) AND n.user_id IN (\(binds: ids))
                AND c.created_at >= \(bind: from) AND c.created_at < \(bind: to)
            """).first()
        return (try row?.decode(column: "shown", as: Int.self) ?? 0, try row?.decode(column: "dismissed", as: Int.self) ?? 0,
                try row?.decode(column: "accepted", as: Int.self) ?? 0)
    }
}
