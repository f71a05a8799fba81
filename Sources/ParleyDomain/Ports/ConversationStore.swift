import Foundation

/// Filters for listing scenarios visible to an organization (built-in ones included).
public struct ScenarioQuery: Sendable {
    public var organizationID: UUID
    public var category: ScenarioCategory?
    public var difficulty: Difficulty?
    public var includeInactive: Bool
    public var offset: Int
    public var limit: Int

    public init(organizationID: UUID, category: ScenarioCategory? = nil, difficulty: Difficulty? = nil,
                includeInactive: Bool = false, offset: Int = 0, limit: Int = 50) {
        self.organizationID = organizationID
        self.category = category
        self.difficulty = difficulty
        self.includeInactive = includeInactive
        self.offset = offset
        self.limit = limit
    }
}

/// Persistence of practice scenarios.
public protocol ScenarioStore: Sendable {
    func scenarios(_ query: ScenarioQuery) async throws -> [Scenario]
    /// A scenario the organization may see: built-in, or its own.
    func scenario(id: Int, visibleTo organizationID: UUID) async throws -> Scenario?
    /// Stores a new scenario; `id` and `createdAt` of the argument are ignored.
    func createScenario(_ scenario: Scenario) async throws -> Scenario
    /// Saves an organization's own scenario; built-in ones cannot be changed.
    func updateScenario(_ scenario: Scenario) async throws -> Scenario
}

/// Filters for listing one user's conversations.
public struct ConversationQuery: Sendable {
    public var organizationID: UUID
    public var userID: Int?
    public var kind: ConversationKind?
    public var status: ConversationStatus?
    public var scenarioID: Int?
    public var category: String?
    public var createdAfter: Date?
    public var createdBefore: Date?
    public var offset: Int
    public var limit: Int

    public init(organizationID: UUID, userID: Int? = nil, kind: ConversationKind? = nil, status: ConversationStatus? = nil,
                scenarioID: Int? = nil, category: String? = nil, createdAfter: Date? = nil, createdBefore: Date? = nil,
                offset: Int = 0, limit: Int = 50) {
        self.organizationID = organizationID
        self.userID = userID
        self.kind = kind
        self.status = status
        self.scenarioID = scenarioID
        self.category = category
        self.createdAfter = createdAfter
        self.createdBefore = createdBefore
        self.offset = offset
        self.limit = limit
    }
}

/// Persistence of conversations and their transcript turns; every call is scoped to an organization.
public protocol ConversationStore: Sendable {
    func createConversation(_ conversation: Conversation) async throws -> Conversation
    func conversation(publicID: String, organizationID: UUID) async throws -> Conversation?
    func conversations(_ query: ConversationQuery) async throws -> [Conversation]
    /// Saves status, times, configuration, details and analysis.
    func updateConversation(_ conversation: Conversation) async throws
    /// Saves the conversation only while its stored status is one of `expected`, atomically: of
    /// two requests that both saw it so, one wins. False when the status had already moved on.
    func updateConversation(_ conversation: Conversation, ifStatusIn expected: [ConversationStatus]) async throws -> Bool
    /// Appends a turn; each turn is committed on its own so a dropped connection loses nothing said.
    func appendTurn(_ turn: StoredTurn, conversationID: UUID) async throws
    func turns(conversationID: UUID) async throws -> [StoredTurn]
    /// How many of a user's conversations of a kind are in one of the given statuses.
    func countConversations(userID: Int, kind: ConversationKind, statuses: [ConversationStatus]) async throws -> Int
    /// How many conversations match a query (its offset and limit ignored), for pagination.
    func countConversations(_ query: ConversationQuery) async throws -> Int
    /// Saves a conversation and replaces its transcript turns and search text in one transaction,
    /// so a repeated run (a job resumed after a crash) leaves exactly one result.
    func saveResults(_ conversation: Conversation, turns: [StoredTurn]) async throws
    /// Deletes a conversation with its turns and every row derived from it.
    func deleteConversation(id: UUID, organizationID: UUID) async throws
    /// Full-text search over titles and transcripts of one user's conversations of a kind.
    func search(_ query: ConversationSearchQuery) async throws -> (hits: [ConversationSearchHit], total: Int)
    func addComment(_ comment: ConversationComment) async throws
    /// A conversation's comments in the order of the moments they are pinned to.
    func comments(conversationID: UUID, organizationID: UUID) async throws -> [ConversationComment]
}

/// A full-text search over conversations: words to find, scope, order and page.
public struct ConversationSearchQuery: Sendable {
    /// How results are ordered.
    public enum Order: String, Sendable, CaseIterable {
        case relevance, date, score
    }

    public var organizationID: UUID
    public var userID: Int?
    public var kind: ConversationKind
    /// Words the user typed; each must appear (prefix match), in the title or the transcript.
    public var terms: [String]
    public var category: String?
    public var status: ConversationStatus?
    public var createdAfter: Date?
    public var createdBefore: Date?
    public var minimumScore: Double?
    public var order: Order
    public var offset: Int
    public var limit: Int

    public init(organizationID: UUID, userID: Int?, kind: ConversationKind, terms: [String], category: String? = nil,
                status: ConversationStatus? = nil, createdAfter: Date? = nil, createdBefore: Date? = nil,
                minimumScore: Double? = nil, order: Order = .relevance, offset: Int = 0, limit: Int = 20) {
        self.organizationID = organizationID
        self.userID = userID
        self.kind = kind
        self.terms = terms
        self.category = category
        self.status = status
        self.createdAfter = createdAfter
        self.createdBefore = createdBefore
        self.minimumScore = minimumScore
        self.order = order
        self.offset = offset
        self.limit = limit
    }
}

/// One conversation found by a search, with its relevance in 0…1 (1 best).
public struct ConversationSearchHit: Sendable {
    public var conversation: Conversation
    public var relevance: Double

    public init(conversation: Conversation, relevance: Double) {
        self.conversation = conversation
        self.relevance = relevance
    }
}
