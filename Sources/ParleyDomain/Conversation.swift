import Foundation

/// Which product flow a conversation belongs to; every surface's "session", "call",
/// "call log" and "conversation" is one of these.
public enum ConversationKind: String, Sendable, Codable, CaseIterable {
    /// A Sales Trainer role-play against the AI prospect.
    case practice
    /// A Leads & Voice Calls call with a lead.
    case call
    /// A Speech Coaching session (uploaded or live).
    case coaching
    /// A call placed or answered by a voice agent.
    case agentCall = "agent_call"
    /// A Field Intelligence conversation between a technician and a customer.
    case field
}

/// Where a conversation is in its life.
public enum ConversationStatus: String, Sendable, Codable, CaseIterable {
    case created
    case active
    case paused
    case processing
    case completed
    case abandoned
    case failed

    /// True once nothing more can be added.
    public var isFinal: Bool { self == .completed || self == .abandoned || self == .failed }
}

/// One conversation between a rep and a counterpart, with its analysis once available.
public struct Conversation: Sendable, Codable, Hashable, Identifiable {
    public var id: UUID
    /// The id the owning surface shows (`session_…`, `CONV-…`, …).
    public var publicID: String
    public var organizationID: UUID
    public var userID: Int
    public var kind: ConversationKind
    public var scenarioID: Int?
    public var title: String?
    /// A surface-specific category that lists filter on (a coaching session's `type`, ...).
    public var category: String?
    public var status: ConversationStatus
    /// How it is set up (coaching, difficulty, time limit, voice).
    public var configuration: ConversationSettings
    /// What it keeps besides its analysis (description, feedback, processing, live state).
    public var details: ConversationDetails
    /// What was learned from it (metrics, scores, coaching, …), filled in as it is analysed.
    public var analysis: ConversationAnalysis?
    public var createdAt: Date
    public var startedAt: Date?
    public var completedAt: Date?
    /// Seconds of conversation, pauses excluded.
    public var duration: Double?
    /// The overall score (0–100) once analysed, for sorting, filters and reports.
    public var score: Double?

    public init(
        id: UUID, publicID: String, organizationID: UUID, userID: Int, kind: ConversationKind, scenarioID: Int?,
        title: String?, status: ConversationStatus, configuration: ConversationSettings, details: ConversationDetails, analysis: ConversationAnalysis?,
        createdAt: Date, startedAt: Date?, completedAt: Date?, duration: Double?, category: String? = nil, score: Double? = nil
    ) {
        self.id = id
        self.publicID = publicID
        self.organizationID = organizationID
        self.userID = userID
        self.kind = kind
        self.scenarioID = scenarioID
        self.title = title
        self.category = category
        self.status = status
        self.configuration = configuration
        self.details = details
        self.analysis = analysis
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.completedAt = completedAt
        self.duration = duration
        self.score = score
    }
}

/// A transcript turn as stored: the segment plus when it was spoken and what was read from it.
public struct StoredTurn: Sendable, Codable, Hashable {
    public var sequence: Int
    public var segment: TranscriptSegment
    public var spokenAt: Date
    public var sentiment: String?
    public var intent: String?

    public init(sequence: Int, segment: TranscriptSegment, spokenAt: Date, sentiment: String?, intent: String?) {
        self.sequence = sequence
        self.segment = segment
        self.spokenAt = spokenAt
        self.sentiment = sentiment
        self.intent = intent
    }
}
