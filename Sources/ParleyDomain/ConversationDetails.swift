import Foundation

/// How a live conversation is set up: coaching, difficulty, time limit, the counterpart's voice
/// (the Sales Trainer's session configuration and its like on other surfaces). Unset values
/// take the surface's defaults.
public struct ConversationSettings: Sendable, Codable, Hashable {
    public var coachingEnabled: Bool?
    public var difficulty: String?
    public var maxDurationSeconds: Int?
    public var voiceID: String?
    /// Which analyses a recorded session asked for (Speech Coaching's `settings`); nil: all.
    public var realTimeProcessing: Bool?
    public var prosodyAnalysis: Bool?
    public var fluencyAnalysis: Bool?
    public var scoring: Bool?

    public init(coachingEnabled: Bool? = nil, difficulty: String? = nil, maxDurationSeconds: Int? = nil, voiceID: String? = nil,
                realTimeProcessing: Bool? = nil, prosodyAnalysis: Bool? = nil, fluencyAnalysis: Bool? = nil, scoring: Bool? = nil) {
        self.coachingEnabled = coachingEnabled
        self.difficulty = difficulty
        self.maxDurationSeconds = maxDurationSeconds
        self.voiceID = voiceID
        self.realTimeProcessing = realTimeProcessing
        self.prosodyAnalysis = prosodyAnalysis
        self.fluencyAnalysis = fluencyAnalysis
        self.scoring = scoring
    }

    enum CodingKeys: String, CodingKey {
        case coachingEnabled, difficulty, maxDurationSeconds, voiceID, realTimeProcessing, prosodyAnalysis, fluencyAnalysis, scoring
    }

    /// Keys sessions were stored with before settings were typed (the Sales Trainer's own).
    enum LegacyKeys: String, CodingKey {
        case coaching_enabled, difficulty_level, max_duration, voice_id
        case enableRealTimeProcessing, enableProsodyAnalysis, enableFluencyAnalysis, enableScoring
    }

    public init(from decoder: any Decoder) throws {
        let typed = try decoder.container(keyedBy: CodingKeys.self)
        let legacy = try decoder.container(keyedBy: LegacyKeys.self)
        coachingEnabled = try typed.decodeIfPresent(Bool.self, forKey: .coachingEnabled) ?? legacy.decodeIfPresent(Bool.self, forKey: .coaching_enabled)
        difficulty = try typed.decodeIfPresent(String.self, forKey: .difficulty) ?? legacy.decodeIfPresent(String.self, forKey: .difficulty_level)
        maxDurationSeconds = try typed.decodeIfPresent(Int.self, forKey: .maxDurationSeconds)
            ?? legacy.decodeIfPresent(Double.self, forKey: .max_duration).map { Int($0) }
        voiceID = try typed.decodeIfPresent(String.self, forKey: .voiceID) ?? legacy.decodeIfPresent(String.self, forKey: .voice_id)
        realTimeProcessing = try typed.decodeIfPresent(Bool.self, forKey: .realTimeProcessing)
            ?? legacy.decodeIfPresent(Bool.self, forKey: .enableRealTimeProcessing)
        prosodyAnalysis = try typed.decodeIfPresent(Bool.self, forKey: .prosodyAnalysis) ?? legacy.decodeIfPresent(Bool.self, forKey: .enableProsodyAnalysis)
        fluencyAnalysis = try typed.decodeIfPresent(Bool.self, forKey: .fluencyAnalysis) ?? legacy.decodeIfPresent(Bool.self, forKey: .enableFluencyAnalysis)
        scoring = try typed.decodeIfPresent(Bool.self, forKey: .scoring) ?? legacy.decodeIfPresent(Bool.self, forKey: .enableScoring)
    }
}

/// What the rep said about a finished conversation.
public struct ConversationFeedback: Sendable, Codable, Hashable {
    /// 1…5.
    public var rating: Int
    public var comment: String?
    /// How hard it felt, 1…5.
    public var difficultyRating: Int?
    public var technicalIssues: Bool
    public var submittedAt: Date

    public init(rating: Int, comment: String?, difficultyRating: Int?, technicalIssues: Bool, submittedAt: Date) {
        self.rating = rating
        self.comment = comment
        self.difficultyRating = difficultyRating
        self.technicalIssues = technicalIssues
        self.submittedAt = submittedAt
    }
}

/// What a conversation keeps besides its analysis: how it is described, the rep's feedback,
/// where its recording's processing is, and the live engines' state between connections.
public struct ConversationDetails: Sendable, Codable, Hashable {
    /// A surface's own kind of session (`practice`, `demo`, …).
    public var sessionType: String?
    public var description: String?
    /// Seconds the speaker planned to talk.
    public var expectedDuration: Double?
    public var feedback: ConversationFeedback?
    public var processing: ProcessingState?
    /// Times processing was asked for again.
    public var retries: Int?
    /// The live counterpart's state (the AI prospect's engine and coach, …), each owned and
    /// typed by its engine, so a reconnection carries on where the conversation was.
    public var liveState: [String: JSONValue]
    /// What a Leads & Voice Calls call is about (its lead, number, purpose, voice); nil for other kinds.
    public var call: CallFacts?
    /// What a voice agent's call was: its campaign, number, telephony and how it went; nil for other kinds.
    public var agentCall: AgentCallFacts?
    /// What a Field Intelligence conversation is about and how its recording arrived; nil for other kinds.
    public var field: FieldVisitFacts?

    public init(sessionType: String? = nil, description: String? = nil, expectedDuration: Double? = nil, feedback: ConversationFeedback? = nil,
                processing: ProcessingState? = nil, retries: Int? = nil, liveState: [String: JSONValue] = [:], call: CallFacts? = nil,
                agentCall: AgentCallFacts? = nil, field: FieldVisitFacts? = nil) {
        self.sessionType = sessionType
        self.description = description
        self.expectedDuration = expectedDuration
        self.feedback = feedback
        self.processing = processing
        self.retries = retries
        self.liveState = liveState
        self.call = call
        self.agentCall = agentCall
        self.field = field
    }

    enum CodingKeys: String, CodingKey {
        case sessionType, description, expectedDuration, feedback, processing, retries, liveState, call, agentCall, field
    }

    /// Keys details were stored with before they were typed.
    enum LegacyKeys: String, CodingKey {
        case session_type, user_feedback, engine, coach
    }

    /// The rep's feedback as the Sales Trainer stored it before.
    struct LegacyFeedback: Decodable {
        var rating: Int
        var feedback: String?
        var difficulty_rating: Int?
        var technical_issues: Bool?
        var submitted_at: String?
    }

    public init(from decoder: any Decoder) throws {
        let typed = try decoder.container(keyedBy: CodingKeys.self)
        let legacy = try decoder.container(keyedBy: LegacyKeys.self)
        sessionType = try typed.decodeIfPresent(String.self, forKey: .sessionType) ?? legacy.decodeIfPresent(String.self, forKey: .session_type)
        description = try typed.decodeIfPresent(String.self, forKey: .description)
        expectedDuration = try typed.decodeIfPresent(Double.self, forKey: .expectedDuration)
        processing = try typed.decodeIfPresent(ProcessingState.self, forKey: .processing)
        retries = try typed.decodeIfPresent(Int.self, forKey: .retries)
        call = try typed.decodeIfPresent(CallFacts.self, forKey: .call)
        agentCall = try typed.decodeIfPresent(AgentCallFacts.self, forKey: .agentCall)
        field = try typed.decodeIfPresent(FieldVisitFacts.self, forKey: .field)
        if let feedback = try typed.decodeIfPresent(ConversationFeedback.self, forKey: .feedback) {
            self.feedback = feedback
        } else if let old = try legacy.decodeIfPresent(LegacyFeedback.self, forKey: .user_feedback) {
            let submitted = old.submitted_at.flatMap { ISO8601DateFormatter().date(from: $0) } ?? Date(timeIntervalSince1970: 0)
            feedback = ConversationFeedback(rating: old.rating, comment: old.feedback, difficultyRating: old.difficulty_rating,
                                            technicalIssues: old.technical_issues ?? false, submittedAt: submitted)
        }
        var state = try typed.decodeIfPresent([String: JSONValue].self, forKey: .liveState) ?? [:]
        if let engine = try legacy.decodeIfPresent(JSONValue.self, forKey: .engine) { state["engine"] = engine }
        if let coach = try legacy.decodeIfPresent(JSONValue.self, forKey: .coach) { state["coach"] = coach }
        liveState = state
    }
}

/// What an AI call to a lead is about, kept with the call's conversation: who is called, on which
/// number, why, in which voice, and whether the lead has been told about its end yet.
public struct CallFacts: Sendable, Codable, Hashable {
    public var leadID: UUID
    /// The lead's id as the Leads surface shows it (also the conversation's `category`, so calls list by lead).
    public var leadPublicID: String
    public var phoneNumber: String?
    /// `outbound` or `inbound`.
    public var callType: String
    public var purpose: String?
    public var voiceID: String?
    public var speed: Double?
    public var language: String?
    /// Why the call ended, as the client or the caller said.
    public var endReason: String?
    /// When the lead's score, status and activities took the call's end in, and its webhooks were queued; set once.
    public var settledAt: Date?

    public init(leadID: UUID, leadPublicID: String, phoneNumber: String?, callType: String, purpose: String?, voiceID: String? = nil,
                speed: Double? = nil, language: String? = nil, endReason: String? = nil, settledAt: Date? = nil) {
        self.leadID = leadID
        self.leadPublicID = leadPublicID
        self.phoneNumber = phoneNumber
        self.callType = callType
        self.purpose = purpose
        self.voiceID = voiceID
        self.speed = speed
        self.language = language
        self.endReason = endReason
        self.settledAt = settledAt
    }
}

/// Where a voice agent's call stands, as call logs show it.
public enum CallLogStatus: String, Sendable, Codable, CaseIterable {
    case queued, ringing
    case inProgress = "in_progress"
    case completed
    case noAnswer = "no_answer"
    case busy, failed, voicemail
}

/// How long one agent turn took: from the end of the callee's speech to the recognised text,
/// to the reply's text, and to the reply's first audio (seconds).
public struct TurnLatency: Sendable, Codable, Hashable {
    public var turn: Int
    public var recognition: Double
    public var reply: Double
    public var firstAudio: Double

    public init(turn: Int, recognition: Double, reply: Double, firstAudio: Double) {
        self.turn = turn
        self.recognition = recognition
        self.reply = reply
        self.firstAudio = firstAudio
    }
}

/// What a voice agent's call was, kept with its conversation: the campaign and number, the
/// telephony that placed it, how it ended, the engines that ran, per-turn delays and the recording.
public struct AgentCallFacts: Sendable, Codable, Hashable {
    public var agentID: UUID
    public var campaignID: UUID?
    public var phoneNumber: String
    public var attempt: Int
    /// `simulated` (the embedded callee) or `twilio`.
    public var telephony: String
    public var status: CallLogStatus
    public var endReason: String?
    /// Engines that ran instead of the ones the agent names, in words.
    public var engineNotes: [String]
    public var latencies: [TurnLatency]
    /// The recording, under the media folder (two channels: callee left, agent right).
    public var recordingPath: String?
    public var recordingSeconds: Double?
    public var summary: String?
    /// `positive`, `neutral` or `negative`.
    public var sentiment: String?
    public var emotions: [String]
    public var keyPhrases: [String]
    public var cost: Double
    /// The agent's extraction schema read from the call: a value (or null) per field.
    public var extracted: [String: JSONValue]?
    /// What read it: `rules`, or `model` when the configured language model did.
    public var extractionSource: String?

    public init(agentID: UUID, campaignID: UUID?, phoneNumber: String, attempt: Int, telephony: String, status: CallLogStatus,
                endReason: String? = nil, engineNotes: [String] = [], latencies: [TurnLatency] = [], recordingPath: String? = nil,
                recordingSeconds: Double? = nil, summary: String? = nil, sentiment: String? = nil, emotions: [String] = [],
                keyPhrases: [String] = [], cost: Double = 0) {
        self.agentID = agentID
        self.campaignID = campaignID
        self.phoneNumber = phoneNumber
        self.attempt = attempt
        self.telephony = telephony
        self.status = status
        self.endReason = endReason
        self.engineNotes = engineNotes
        self.latencies = latencies
        self.recordingPath = recordingPath
        self.recordingSeconds = recordingSeconds
        self.summary = summary
        self.sentiment = sentiment
        self.emotions = emotions
        self.keyPhrases = keyPhrases
        self.cost = cost
    }
}
