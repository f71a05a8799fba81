import Foundation

/// Where a recording's processing is: kept with the conversation and told to its watchers.
public struct ProcessingState: Sendable, Codable, Hashable {
    public var uploadId: String
    /// `queued`, `decoding`, `prosody`, `transcription`, `analysis`, `scoring`, `completed`, or `live`.
    public var stage: String
    public var progress: Int
    /// `queued`, `processing`, `completed`, `failed`, or `degraded` (live recognition lost).
    public var status: String
    public var error: String?
    public var estimatedTime: Int?
    public var updatedAt: Date

    public init(uploadId: String, stage: String, progress: Int, status: String, error: String? = nil, estimatedTime: Int?, updatedAt: Date) {
        self.uploadId = uploadId
        self.stage = stage
        self.progress = progress
        self.status = status
        self.error = error
        self.estimatedTime = estimatedTime
        self.updatedAt = updatedAt
    }
}

/// One point of delivery measured as a conversation goes: pace, pitch, volume and its pauses.
public struct DeliveryPoint: Sendable, Codable, Hashable {
    /// A pause inside the point's span.
    public struct Gap: Sendable, Codable, Hashable {
        public var start: Double
        public var end: Double
        public var duration: Double

        public init(start: Double, end: Double, duration: Double) {
            self.start = start
            self.end = end
            self.duration = duration
        }
    }

    public var timestamp: Double
    public var wpm: Double
    public var pitch: Double?
    public var volume: Double?
    public var pauses: [Gap]

    public init(timestamp: Double, wpm: Double, pitch: Double?, volume: Double?, pauses: [Gap]) {
        self.timestamp = timestamp
        self.wpm = wpm
        self.pitch = pitch
        self.volume = volume
        self.pauses = pauses
    }

    /// A second of a recording's timeline.
    public init(_ point: TimelinePoint) {
        self.init(timestamp: point.timestamp, wpm: point.wpm, pitch: point.pitch, volume: point.volume,
                  pauses: point.pauses.map { Gap(start: $0.start, end: $0.end, duration: $0.duration) })
    }
}

/// What a conversation engine says next (the AI prospect, the AI caller, a voice agent), in no surface's words.
public struct CounterpartLine: Sendable, Codable, Hashable {
    public var text: String
    public var sentiment: String?
    public var intent: String?
    /// Where the engine is in its conversation (`opening`, `discovery`, `closing`, …).
    public var stage: String?
    /// The engine ends the conversation with this line.
    public var endsConversation: Bool
    /// Why it ends (`meeting_booked`, `hung_up`, `opted_out`, …), when it does.
    public var outcome: String?
    /// How the engine read the turn this line answers, when it reads turns (the AI caller does).
    public var reading: TurnReading?

    public init(text: String, sentiment: String? = nil, intent: String? = nil, stage: String? = nil, endsConversation: Bool = false, outcome: String? = nil,
                reading: TurnReading? = nil) {
        self.text = text
        self.sentiment = sentiment
        self.intent = intent
        self.stage = stage
        self.endsConversation = endsConversation
        self.outcome = outcome
        self.reading = reading
    }
}

/// How a conversation engine read the other person's turn: sentiment −1…1, what the turn was
/// doing, the objections raised and the interest shown (the Leads `analysis` object).
public struct TurnReading: Sendable, Codable, Hashable {
    public var sentiment: Double
    public var intent: String
    public var objections: [String]
    public var interestSignals: [String]

    public init(sentiment: Double, intent: String, objections: [String], interestSignals: [String]) {
        self.sentiment = sentiment
        self.intent = intent
        self.objections = objections
        self.interestSignals = interestSignals
    }
}

/// A coaching moment shown to the rep while the conversation goes on.
public struct LiveNudge: Sendable, Codable, Hashable {
    public var message: String
    public var category: String
    /// `low`, `medium` or `high`.
    public var urgency: String
    /// A stored nudge's id, title, suggested words, confidence and moment (seconds), for surfaces that show them.
    public var id: Int?
    public var title: String?
    public var suggestedResponse: String?
    public var confidence: Double?
    public var triggeredAt: Double?

    public init(message: String, category: String, urgency: String) {
        self.message = message
        self.category = category
        self.urgency = urgency
    }
}

/// What happens in a conversation as it goes, live or while its recording is processed. Every
/// surface renders these in its own protocol (the Sales Trainer's `ai_response`, Speech
/// Coaching's `asr:token`, …); nothing here is any surface's wording.
public enum ConversationEvent: Sendable, Codable, Equatable {
    /// The live conversation started, or carried on after a reconnection.
    case started(resumed: Bool)
    /// Speech was recognised (partial while the speaker goes on, final at the end of a turn).
    case heard(TranscriptSegment, isFinal: Bool)
    /// The counterpart spoke: its line and, when synthesis worked, its audio as WAV.
    case said(CounterpartLine, audio: Data?)
    /// The rep talked over the counterpart, which stopped (barge-in).
    case interrupted
    case nudge(LiveNudge)
    case delivery(DeliveryPoint)
    /// A recording's processing moved on; `score` once it is scored.
    case processing(ProcessingState, score: Double?)
    case paused
    case resumed
    case ended(reason: String, conversation: Conversation)
    case failure(code: String, message: String, retryAllowed: Bool)
}

/// Carries events between processes (several `serve` instances and `parley worker`s on one
/// database), so a socket held by one instance hears what another one did.
public protocol EventRelay: Sendable {
    /// Sends an event to every other process; never blocks the caller for long.
    func send(_ event: ConversationEvent, to topic: String) async
    /// Delivers the other processes' events until cancelled (reconnecting when needed).
    func receive(_ deliver: @escaping @Sendable (ConversationEvent, String) -> Void) async
}
