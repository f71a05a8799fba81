import Foundation
import ParleyDomain

/// A conversation as a live channel keeps it: read, turns appended as they are said (each
/// committed on its own, so a dropped connection loses nothing said), state saved.
public struct ConversationLog: Sendable {
    let stores: any StoreAccess

    public init(stores: any StoreAccess) {
        self.stores = stores
    }

    public func conversation(publicID: String, organizationID: UUID) async throws -> Conversation? {
        try await stores.conversations.conversation(publicID: publicID, organizationID: organizationID)
    }

    public func scenario(id: Int, visibleTo organizationID: UUID) async throws -> Scenario? {
        try await stores.scenarios.scenario(id: id, visibleTo: organizationID)
    }

    public func turns(of conversationID: UUID) async throws -> [StoredTurn] {
        try await stores.conversations.turns(conversationID: conversationID)
    }

    public func append(_ turn: StoredTurn, to conversationID: UUID) async throws {
        try await stores.conversations.appendTurn(turn, conversationID: conversationID)
    }

    public func save(_ conversation: Conversation) async throws {
        try await stores.conversations.updateConversation(conversation)
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
