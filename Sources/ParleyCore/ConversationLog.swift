import Foundation
import ParleyDomain

/// Conversations of every surface: created, listed, searched, read, and as a live channel
/// keeps them (turns appended as they are said, each committed on its own, so a dropped
/// connection loses nothing said).
public struct ConversationLog: Sendable {
    let stores: any StoreAccess

    public init(stores: any StoreAccess) {
        self.stores = stores
    }

    public func createConversation(_ conversation: Conversation) async throws -> Conversation {
        try await stores.conversations.createConversation(conversation)
    }

    public func conversation(publicID: String, organizationID: UUID) async throws -> Conversation? {
        try await stores.conversations.conversation(publicID: publicID, organizationID: organizationID)
    }

    public func conversations(_ query: ConversationQuery) async throws -> [Conversation] {
        try await stores.conversations.conversations(query)
    }

    public func countConversations(_ query: ConversationQuery) async throws -> Int {
        try await stores.conversations.countConversations(query)
    }

    /// How many of a user's conversations of one kind are in these states (open-session limits).
    public func countConversations(userID: Int, kind: ConversationKind, statuses: [ConversationStatus]) async throws -> Int {
        try await stores.conversations.countConversations(userID: userID, kind: kind, statuses: statuses)
    }

    public func search(_ query: ConversationSearchQuery) async throws -> (hits: [ConversationSearchHit], total: Int) {
        try await stores.conversations.search(query)
    }

    public func deleteConversation(id: UUID, organizationID: UUID) async throws {
        try await stores.conversations.deleteConversation(id: id, organizationID: organizationID)
    }

    public func turns(conversationID: UUID) async throws -> [StoredTurn] {
        try await stores.conversations.turns(conversationID: conversationID)
    }

    public func append(_ turn: StoredTurn, to conversationID: UUID) async throws {
        try await stores.conversations.appendTurn(turn, conversationID: conversationID)
    }

    public func updateConversation(_ conversation: Conversation) async throws {
        try await stores.conversations.updateConversation(conversation)
    }

    /// Saves the final results (analysis, transcript turns, search text and status) together.
    public func saveResults(_ conversation: Conversation, turns: [StoredTurn]) async throws {
        try await stores.conversations.saveResults(conversation, turns: turns)
    }

    // MARK: comments pinned to moments

    /// Pins `text` to a moment of `conversation` (a time from its start, a turn, or both); the
    /// caller has checked that `author` may read it. A turn pins the comment to that turn's time.
    public func comment(on conversation: Conversation, by author: User, text: String, atSeconds: Double?, turn: Int?,
                        at now: Date = Date()) async throws -> ConversationComment {
        let said = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...2000).contains(said.count), !AccountRules.containsControlCharacters(said) else {
            throw DomainError.validation(field: "text", message: "must be 1 to 2000 characters of text")
        }
        var moment = atSeconds
        if let seconds = atSeconds {
            guard seconds.isFinite, seconds >= 0 else { throw DomainError.validation(field: "at_seconds", message: "must be a number of seconds, 0 or more") }
            if let duration = conversation.duration, seconds > duration + 1 {
                throw DomainError.validation(field: "at_seconds", message: "is past the end of the conversation (\(Int(duration.rounded())) s)")
            }
        }
        if let turn {
            let turns = try await stores.conversations.turns(conversationID: conversation.id)
            guard let pinned = turns.first(where: { $0.sequence == turn }) else {
                throw DomainError.validation(field: "turn", message: "no turn \(turn) in this conversation (it has \(turns.count))")
            }
            if moment == nil { moment = pinned.segment.start ?? pinned.spokenAt.timeIntervalSince(conversation.startedAt ?? conversation.createdAt) }
        }
        let comment = ConversationComment(conversationID: conversation.id, organizationID: conversation.organizationID, authorID: author.id,
                                          atSeconds: moment.map { max(0, $0) }, turn: turn, text: said, createdAt: now)
        try await stores.conversations.addComment(comment)
        return comment
    }

    public func comments(of conversation: Conversation) async throws -> [ConversationComment] {
        try await stores.conversations.comments(conversationID: conversation.id, organizationID: conversation.organizationID)
    }
}

/// The scenario catalogue: built-in scenarios plus each organization's own.
public struct ScenarioCatalogue: Sendable {
    let stores: any StoreAccess

    public init(stores: any StoreAccess) {
        self.stores = stores
    }

    public func scenarios(_ query: ScenarioQuery) async throws -> [Scenario] {
        try await stores.scenarios.scenarios(query)
    }

    public func scenario(id: Int, visibleTo organizationID: UUID) async throws -> Scenario? {
        try await stores.scenarios.scenario(id: id, visibleTo: organizationID)
    }

    public func createScenario(_ scenario: Scenario) async throws -> Scenario {
        try await stores.scenarios.createScenario(scenario)
    }

    public func updateScenario(_ scenario: Scenario) async throws -> Scenario {
        try await stores.scenarios.updateScenario(scenario)
    }
}

/// Generated reports kept for download, and a user's settings.
public struct UserArchive: Sendable {
    let stores: any StoreAccess

    public init(stores: any StoreAccess) {
        self.stores = stores
    }

    public func keep(report record: CoachingRecord) async throws {
        try await stores.records.create(record, kind: .report)
    }

    public func report(publicID: String, organizationID: UUID) async throws -> CoachingRecord? {
        try await stores.records.record(.report, publicID: publicID, organizationID: organizationID)
    }

    public func preferences(of userID: Int) async throws -> JSONValue? {
        try await stores.preferences.preferences(userID: userID)
    }

    public func setPreferences(_ preferences: JSONValue, of userID: Int) async throws {
        try await stores.preferences.setPreferences(preferences, userID: userID)
    }
}
