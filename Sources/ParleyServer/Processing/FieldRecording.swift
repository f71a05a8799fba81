import Foundation
import ParleyAudio
import ParleyCore
import ParleyDomain
import Vapor

/// Where a field conversation's files live under the data directory: each chunk as uploaded
/// and decoded (16 kHz mono WAV), and the recording assembled from them at stop.
enum FieldStorage {
    static func directory(of conversationID: UUID) -> String {
        "field/\(conversationID.uuidString.lowercased())"
    }

    static func chunkStem(_ sequence: Int) -> String { String(format: "chunk-%07d", sequence) }

    static func recordingPath(of conversationID: UUID) -> String { "\(directory(of: conversationID))/recording.wav" }

    /// Joins the decoded chunks in sequence order into one WAV (written beside and moved into
    /// place, so a crash never leaves half a recording); returns its path and seconds.
    static func assemble(_ chunks: [FieldChunk], conversationID: UUID, dataDirectory: URL) throws -> (path: String, seconds: Double) {
        var samples: [Float] = []
        for chunk in chunks.sorted(by: { $0.sequence < $1.sequence }) {
            let audio = try WAVFile.decode(Data(contentsOf: dataDirectory.appendingPathComponent(chunk.pcmPath)))
            samples += audio.samples
        }
        let audio = PCMAudio(samples: samples, sampleRate: PCMAudio.analysisSampleRate)
        let path = recordingPath(of: conversationID)
        let url = dataDirectory.appendingPathComponent(path)
        let partial = url.appendingPathExtension("part")
        try WAVFile.encode(audio).write(to: partial)
        _ = try? FileManager.default.removeItem(at: url)
        try FileManager.default.moveItem(at: partial, to: url)
        return (path, audio.duration)
    }
}

/// A technician's enrolled voice, kept in their preferences under one key: what diarisation
/// recognises them by.
enum FieldVoiceprints {
    static let key = "field_voiceprint"

    static func voiceprint(of userID: Int, context: ParleyContext) async throws -> Voiceprint? {
        guard case .object(let preferences)? = try await context.core.archive.preferences(of: userID), let stored = preferences[key] else { return nil }
        return stored.decoded(as: Voiceprint.self)
    }

    static func enrol(_ voiceprint: Voiceprint, of userID: Int, context: ParleyContext) async throws {
        var preferences: [String: JSONValue] = [:]
        if case .object(let existing)? = try await context.core.archive.preferences(of: userID) { preferences = existing }
        preferences[key] = try JSONValue(encoding: voiceprint)
        try await context.core.archive.setPreferences(.object(preferences), of: userID)
    }
}

/// The four events the Field Intelligence document plans, announced through the webhook outbox
/// to the technician's and their supervisor's subscribers, each happening once.
enum FieldWebhooks {
    static let conversationCompleted = "conversation.completed"
    static let insightsGenerated = "insights.generated"
    static let upsellIdentified = "upsell.identified"
    static let feedbackSubmitted = "feedback.submitted"
    static let events = [conversationCompleted, insightsGenerated, upsellIdentified, feedbackSubmitted]

    static func announce(_ event: String, data: JSONValue, about conversation: Conversation, occurrence: String, context: ParleyContext) async throws {
        let body: JSONValue = .object([
            "event": .string(event), "conversation_id": .string(FieldVisitID.display(ofStored: conversation.publicID)),
            "technician_id": .string(FieldIntelligence.UserID.make(conversation.userID)), "timestamp": .string(Timestamp.iso8601(Date())),
            "data": data,
        ])
        let payload = String(decoding: try JSONEncoder.sorted.encode(body), as: UTF8.self)
        var listeners = [conversation.userID]
        if let supervisor = try await context.core.fieldTeam.supervisorID(of: conversation.userID, organizationID: conversation.organizationID) {
            listeners.append(supervisor)
        }
        var queued = 0
        for listener in listeners {
            queued += try await context.core.outbox.announce(event, payload: payload, toSubscribersOf: listener, occurrence: "\(event):\(occurrence)")
        }
        if queued > 0 { context.jobs.ring() }
    }

    static func stopped(_ conversation: Conversation, context: ParleyContext) async throws {
        try await announce(conversationCompleted, data: .object([
            "status": .string(FieldIntelligence.status(conversation.status)),
            "duration_seconds": conversation.duration.map { .number($0.rounded()) } ?? .null,
            "missing_chunks": .array((conversation.details.field?.missingChunks ?? []).map { .number(Double($0)) }),
        ]), about: conversation, occurrence: conversation.publicID, context: context)
    }

    /// Insights once per analysed recording, and each upsell once.
    static func analysed(_ conversation: Conversation, context: ParleyContext) async throws {
        guard let insights = conversation.analysis?.insights else { return }
        try await announce(insightsGenerated, data: .object([
            "summary": .string(insights.summary), "overall_sentiment": .string(insights.overallSentiment),
            "customer_satisfaction_score": .number(Double(insights.customerSatisfactionScore)),
        ]), about: conversation, occurrence: "\(conversation.publicID):\(conversation.analysis?.uploadID ?? "-")", context: context)
        for upsell in try await context.core.fieldVisits.upsells(of: conversation) {
            try await announce(upsellIdentified, data: .object([
                "opportunity_id": .number(Double(upsell.id)), "opportunity_type": .string(upsell.type), "title": .string(upsell.title),
                "trigger_phrase": .string(upsell.triggerPhrase), "estimated_value": .number(upsell.estimatedValue),
                "priority": .string(upsell.priority),
            ]), about: conversation, occurrence: "\(upsell.id)", context: context)
        }
    }
}
