import Fluent
import Foundation
import ParleyDomain

/// JSON columns are stored as text so the same migration serves SQLite and PostgreSQL.
enum JSONColumn {
    static func encode<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String?) throws -> T? {
        guard let text, !text.isEmpty else { return nil }
        return try JSONDecoder().decode(T.self, from: Data(text.utf8))
    }
}

final class ScenarioModel: Model, @unchecked Sendable {
    static let schema = "scenarios"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @OptionalField(key: "organization_id") var organizationID: UUID?
    @Field(key: "title") var title: String
    @Field(key: "description") var description: String
    @Field(key: "category") var category: String
    @Field(key: "difficulty") var difficulty: String
    @Field(key: "estimated_duration") var estimatedDuration: Int
    @Field(key: "objectives") var objectives: String
    @Field(key: "coaching_points") var coachingPoints: String
    @OptionalField(key: "prospect_persona") var persona: String?
    @OptionalField(key: "conversation_flow") var flow: String?
    @Field(key: "is_active") var isActive: Bool
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    init(_ scenario: Scenario) throws {
        organizationID = scenario.organizationID
        try apply(scenario)
    }

    func apply(_ scenario: Scenario) throws {
        title = scenario.title
        description = scenario.description
        category = scenario.category.rawValue
        difficulty = scenario.difficulty.rawValue
        estimatedDuration = scenario.estimatedDuration
        objectives = try JSONColumn.encode(scenario.objectives)
        coachingPoints = try JSONColumn.encode(scenario.coachingPoints)
        persona = try scenario.persona.map(JSONColumn.encode)
        flow = try scenario.flow.map(JSONColumn.encode)
        isActive = scenario.isActive
    }

    func domain() throws -> Scenario {
        Scenario(
            id: try requireID(), organizationID: organizationID, title: title, description: description,
            category: ScenarioCategory(rawValue: category) ?? .discovery, difficulty: Difficulty(rawValue: difficulty) ?? .intermediate,
            estimatedDuration: estimatedDuration,
            objectives: try JSONColumn.decode([String].self, objectives) ?? [],
            coachingPoints: try JSONColumn.decode([String].self, coachingPoints) ?? [],
            persona: try JSONColumn.decode(ProspectPersona.self, persona),
            flow: try JSONColumn.decode(ConversationFlow.self, flow),
            isActive: isActive, createdAt: createdAt ?? Date(timeIntervalSince1970: 0))
    }
}

final class ConversationModel: Model, @unchecked Sendable {
    static let schema = "conversations"

    @ID(key: .id) var id: UUID?
    @Field(key: "public_id") var publicID: String
    @Field(key: "organization_id") var organizationID: UUID
    @Field(key: "user_id") var userID: Int
    @Field(key: "kind") var kind: String
    @OptionalField(key: "scenario_id") var scenarioID: Int?
    @OptionalField(key: "title") var title: String?
    @Field(key: "status") var status: String
    @Field(key: "configuration") var configuration: String
    @Field(key: "details") var details: String
    @Field(key: "analysis") var analysis: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?
    @OptionalField(key: "started_at") var startedAt: Date?
    @OptionalField(key: "completed_at") var completedAt: Date?
    @OptionalField(key: "duration") var duration: Double?
    @OptionalField(key: "category") var category: String?
    @OptionalField(key: "score") var score: Double?

    init() {}

    init(_ conversation: Conversation) throws {
        id = conversation.id
        publicID = conversation.publicID
        organizationID = conversation.organizationID
        userID = conversation.userID
        kind = conversation.kind.rawValue
        scenarioID = conversation.scenarioID
        try apply(conversation)
    }

    func apply(_ conversation: Conversation) throws {
        title = conversation.title
        status = conversation.status.rawValue
        configuration = try JSONColumn.encode(conversation.configuration)
        details = try JSONColumn.encode(conversation.details)
        analysis = try JSONColumn.encode(conversation.analysis)
        startedAt = conversation.startedAt
        completedAt = conversation.completedAt
        duration = conversation.duration
        category = conversation.category
        score = conversation.score
    }

    /// A typed column: nil for nothing stored (`null`, or an empty value from before it was typed).
    static func typed<T: Decodable>(_ type: T.Type, _ text: String) throws -> T? {
        guard case .object = try JSONColumn.decode(JSONValue.self, text) else { return nil }
        return try JSONColumn.decode(type, text)
    }

    func domain() throws -> Conversation {
        Conversation(
            id: try requireID(), publicID: publicID, organizationID: organizationID, userID: userID,
            kind: ConversationKind(rawValue: kind) ?? .practice, scenarioID: scenarioID, title: title,
            status: ConversationStatus(rawValue: status) ?? .created,
            configuration: try Self.typed(ConversationSettings.self, configuration) ?? ConversationSettings(),
            details: try Self.typed(ConversationDetails.self, details) ?? ConversationDetails(),
            analysis: try ConversationAnalysis.stored(JSONColumn.decode(JSONValue.self, analysis) ?? .null, kind: ConversationKind(rawValue: kind) ?? .practice),
            createdAt: createdAt ?? Date(timeIntervalSince1970: 0), startedAt: startedAt, completedAt: completedAt,
            duration: duration, category: category, score: score)
    }
}

final class TranscriptTurnModel: Model, @unchecked Sendable {
    static let schema = "transcript_turns"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "conversation_id") var conversationID: UUID
    @Field(key: "sequence") var sequence: Int
    @Field(key: "speaker") var speaker: String
    @OptionalField(key: "speaker_label") var speakerLabel: String?
    @Field(key: "text") var text: String
    @OptionalField(key: "start_time") var startTime: Double?
    @OptionalField(key: "end_time") var endTime: Double?
    @Field(key: "words") var words: String
    @OptionalField(key: "confidence") var confidence: Double?
    @OptionalField(key: "sentiment") var sentiment: String?
    @OptionalField(key: "intent") var intent: String?
    @Field(key: "spoken_at") var spokenAt: Date

    init() {}

    init(_ turn: StoredTurn, conversationID: UUID) throws {
        self.conversationID = conversationID
        sequence = turn.sequence
        speaker = turn.segment.speaker.rawValue
        speakerLabel = turn.segment.speakerLabel
        text = turn.segment.text
        startTime = turn.segment.start
        endTime = turn.segment.end
        words = try JSONColumn.encode(turn.segment.words)
        confidence = turn.segment.confidence
        sentiment = turn.sentiment
        intent = turn.intent
        spokenAt = turn.spokenAt
    }

    func domain() throws -> StoredTurn {
        StoredTurn(
            sequence: sequence,
            segment: TranscriptSegment(
                id: sequence, speaker: SpeakerRole(rawValue: speaker) ?? .unknown, speakerLabel: speakerLabel, text: text,
                start: startTime, end: endTime, words: try JSONColumn.decode([Word].self, words) ?? [], confidence: confidence),
            spokenAt: spokenAt, sentiment: sentiment, intent: intent)
    }
}
