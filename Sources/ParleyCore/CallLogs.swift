import Foundation
import ParleyDomain

/// A voice-agent call as a call log shows it: its row, its conversation and what was said.
public struct CallLog: Sendable {
    public var entry: CallLogEntry
    public var conversation: Conversation
    public var turns: [StoredTurn]

    public var facts: AgentCallFacts? { conversation.details.agentCall }

    /// "User: … Agent: …", one line a turn, as the document prints transcripts.
    public var transcript: String {
        turns.map { "\($0.segment.isAgentLine ? "Agent" : "User"): \($0.segment.text)" }.joined(separator: "\n")
    }
}

/// Reading voice agents' call logs, recordings and statistics; each user sees their own.
public struct CallLogs: Sendable {
    public static let maxPerPage = 100
    let stores: any StoreAccess

    public init(stores: any StoreAccess) {
        self.stores = stores
    }

    public func list(_ query: CallLogQuery) async throws -> (logs: [CallLog], total: Int) {
        var query = query
        query.limit = min(max(query.limit, 1), Self.maxPerPage)
        query.offset = max(0, query.offset)
        async let entries = stores.agents.callLogs(query)
        async let total = stores.agents.countCallLogs(query)
        var logs: [CallLog] = []
        for entry in try await entries {
            guard let conversation = try await stores.conversations.conversation(publicID: entry.conversationID.uuidString.lowercased(),
                                                                               organizationID: entry.organizationID) else { continue }
            logs.append(CallLog(entry: entry, conversation: conversation, turns: try await stores.conversations.turns(conversationID: conversation.id)))
        }
        return (logs, try await total)
    }

    /// The user's call; `DomainError.notFound` (entity `call`) for an unknown id or someone else's.
    public func call(id: UUID, of user: User) async throws -> CallLog {
        guard let conversation = try await stores.conversations.conversation(publicID: id.uuidString.lowercased(), organizationID: user.organizationID),
              conversation.kind == .agentCall, conversation.userID == user.id, let entry = Self.entry(of: conversation)
        else { throw DomainError.notFound(entity: "call") }
        return CallLog(entry: entry, conversation: conversation, turns: try await stores.conversations.turns(conversationID: conversation.id))
    }

    /// A call of an organization, for a signed download link (which names its organization).
    public func call(id: UUID, organizationID: UUID) async throws -> CallLog {
        guard let conversation = try await stores.conversations.conversation(publicID: id.uuidString.lowercased(), organizationID: organizationID),
              conversation.kind == .agentCall, let entry = Self.entry(of: conversation)
        else { throw DomainError.notFound(entity: "call") }
        return CallLog(entry: entry, conversation: conversation, turns: try await stores.conversations.turns(conversationID: conversation.id))
    }

    static func entry(of conversation: Conversation) -> CallLogEntry? {
        guard let facts = conversation.details.agentCall else { return nil }
        return CallLogEntry(conversationID: conversation.id, organizationID: conversation.organizationID, ownerID: conversation.userID,
                            agentID: facts.agentID, campaignID: facts.campaignID, phoneNumber: facts.phoneNumber, status: facts.status,
                            durationSeconds: facts.recordingSeconds ?? 0, sentiment: facts.sentiment, cost: facts.cost,
                            keyPhrases: facts.keyPhrases, createdAt: conversation.createdAt)
    }

    public func statistics(_ query: CallLogQuery) async throws -> CallStatistics {
        try await stores.agents.callStatistics(query)
    }

    public func topPhrases(_ query: CallLogQuery, limit: Int) async throws -> [(phrase: String, calls: Int)] {
        try await stores.agents.topPhrases(query, limit: min(max(limit, 1), 100))
    }
}
