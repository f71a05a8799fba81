import Foundation
import ParleyDomain
import Vapor

/// A practice session's settings, with the defaults filled in.
struct SessionConfigurationDTO: Content {
    var coaching_enabled: Bool
    var difficulty_level: String
    var max_duration: Int
    var voice_id: String

    static let maxDurationRange = 60...7200

    init(coaching_enabled: Bool, difficulty_level: String, max_duration: Int, voice_id: String) {
        self.coaching_enabled = coaching_enabled
        self.difficulty_level = difficulty_level
        self.max_duration = max_duration
        self.voice_id = voice_id
    }

    init(_ json: JSONValue) {
        coaching_enabled = json["coaching_enabled"]?.boolValue ?? true
        difficulty_level = json["difficulty_level"]?.stringValue ?? Difficulty.intermediate.rawValue
        max_duration = Int(json["max_duration"]?.doubleValue ?? 1800)
        voice_id = json["voice_id"]?.stringValue ?? "professional_female"
    }

    var json: JSONValue {
        .object([
            "coaching_enabled": .bool(coaching_enabled), "difficulty_level": .string(difficulty_level),
            "max_duration": .number(Double(max_duration)), "voice_id": .string(voice_id),
        ])
    }
}

/// A session as listed and created (the document's session object).
struct SessionDTO: Content {
    var id: String
    var scenario_id: Int?
    var user_id: Int
    var session_type: String
    var status: String
    var configuration: SessionConfigurationDTO
    var created_at: String
    var started_at: String?
    var completed_at: String?
    var duration: Int?
    var websocket_url: String

    init(_ conversation: Conversation, publicURL: String) {
        id = conversation.publicID
        scenario_id = conversation.scenarioID
        user_id = conversation.userID
        session_type = conversation.details["session_type"]?.stringValue ?? "practice"
        status = conversation.status.rawValue
        configuration = SessionConfigurationDTO(conversation.configuration)
        created_at = Timestamp.iso8601(conversation.createdAt)
        started_at = conversation.startedAt.map(Timestamp.iso8601)
        completed_at = conversation.completedAt.map(Timestamp.iso8601)
        duration = conversation.duration.map { Int($0.rounded()) }
        websocket_url = Self.webSocketURL(publicURL: publicURL, sessionID: conversation.publicID)
    }

    static func webSocketURL(publicURL: String, sessionID: String) -> String {
        let base = publicURL.hasPrefix("https://") ? "wss://" + publicURL.dropFirst(8)
            : publicURL.hasPrefix("http://") ? "ws://" + publicURL.dropFirst(7) : Substring(publicURL)
        return "\(base)/ws/voice/\(sessionID)"
    }
}

/// One turn of a session transcript as the document shows it.
struct TranscriptEntryDTO: Content {
    var speaker: String
    var text: String
    var timestamp: String
    var sentiment: String?
    var intent: String?

    init(_ turn: StoredTurn) {
        speaker = turn.segment.speaker == .rep ? "user" : "ai"
        text = turn.segment.text
        timestamp = Timestamp.iso8601(turn.spokenAt)
        sentiment = turn.sentiment
        intent = turn.intent
    }
}

/// `GET /sessions/{id}`: the session with transcript, metrics and coaching feedback.
struct SessionDetailDTO: Content {
    var session: SessionDTO
    var transcript: [TranscriptEntryDTO]
    var performance_metrics: JSONValue?
    var coaching_feedback: JSONValue?
    var feedback: JSONValue?

    init(_ conversation: Conversation, turns: [StoredTurn], publicURL: String) {
        session = SessionDTO(conversation, publicURL: publicURL)
        transcript = turns.map(TranscriptEntryDTO.init)
        performance_metrics = Self.performanceMetrics(of: conversation)
        coaching_feedback = conversation.analysis["coaching_feedback"]
        feedback = conversation.details["user_feedback"]
    }

    private enum Extra: String, CodingKey {
        case transcript, performance_metrics, coaching_feedback, feedback
    }

    /// The document's `performance_metrics`: numbers only, so clients can chart every entry
    /// (sessions stored before carried a boolean `next_step_agreed`; the end `reason` says it).
    static func performanceMetrics(of conversation: Conversation) -> JSONValue? {
        guard case .object(let metrics)? = conversation.analysis["performance_metrics"] else { return nil }
        return .object(metrics.filter { if case .number = $0.value { true } else { false } })
    }

    init(from decoder: any Decoder) throws {
        session = try SessionDTO(from: decoder)
        let c = try decoder.container(keyedBy: Extra.self)
        transcript = try c.decode([TranscriptEntryDTO].self, forKey: .transcript)
        performance_metrics = try c.decodeIfPresent(JSONValue.self, forKey: .performance_metrics)
        coaching_feedback = try c.decodeIfPresent(JSONValue.self, forKey: .coaching_feedback)
        feedback = try c.decodeIfPresent(JSONValue.self, forKey: .feedback)
    }

    /// The session's keys, then the detail ones, in one flat object as the document shows.
    func encode(to encoder: any Encoder) throws {
        try session.encode(to: encoder)
        var c = encoder.container(keyedBy: Extra.self)
        try c.encode(transcript, forKey: .transcript)
        try c.encode(performance_metrics, forKey: .performance_metrics)
        try c.encode(coaching_feedback, forKey: .coaching_feedback)
        try c.encode(feedback, forKey: .feedback)
    }
}

struct CreateSessionRequest: Decodable {
    struct Configuration: Decodable {
        var coaching_enabled: Bool?
        var difficulty_level: String?
        var max_duration: Int?
        var voice_id: String?
    }

    var scenario_id: Int
    var session_type: String?
    var configuration: Configuration?
}

struct SessionFeedbackRequest: Decodable {
    var rating: Int
    var feedback: String?
    var difficulty_rating: Int?
    var technical_issues: Bool?
}
