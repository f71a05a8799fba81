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
    public var createdAfter: Date?
    public var createdBefore: Date?
    public var offset: Int
    public var limit: Int

    public init(organizationID: UUID, userID: Int? = nil, kind: ConversationKind? = nil, status: ConversationStatus? = nil,
                scenarioID: Int? = nil, createdAfter: Date? = nil, createdBefore: Date? = nil, offset: Int = 0, limit: Int = 50) {
        self.organizationID = organizationID
        self.userID = userID
        self.kind = kind
        self.status = status
        self.scenarioID = scenarioID
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
    /// Appends a turn; each turn is committed on its own so a dropped connection loses nothing said.
    func appendTurn(_ turn: StoredTurn, conversationID: UUID) async throws
    func turns(conversationID: UUID) async throws -> [StoredTurn]
    /// How many of a user's conversations of a kind are in one of the given statuses.
    func countConversations(userID: Int, kind: ConversationKind, statuses: [ConversationStatus]) async throws -> Int
}
