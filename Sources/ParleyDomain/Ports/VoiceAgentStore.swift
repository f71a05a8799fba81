import Foundation

/// Which agents a list shows: one owner's, by a name search and a status, a page at a time.
public struct AgentQuery: Sendable, Hashable {
    public var organizationID: UUID
    public var ownerID: Int
    public var search: String?
    public var status: AgentStatus?
    public var offset: Int
    public var limit: Int

    public init(organizationID: UUID, ownerID: Int, search: String?, status: AgentStatus?, offset: Int, limit: Int) {
        self.organizationID = organizationID
        self.ownerID = ownerID
        self.search = search
        self.status = status
        self.offset = offset
        self.limit = limit
    }
}

/// Which campaigns a list shows.
public struct CampaignQuery: Sendable, Hashable {
    public var organizationID: UUID
    public var ownerID: Int
    public var agentID: UUID?
    public var status: CampaignStatus?
    public var offset: Int
    public var limit: Int

    public init(organizationID: UUID, ownerID: Int, agentID: UUID?, status: CampaignStatus?, offset: Int, limit: Int) {
        self.organizationID = organizationID
        self.ownerID = ownerID
        self.agentID = agentID
        self.status = status
        self.offset = offset
        self.limit = limit
    }
}

/// Voice agents, their campaigns with each number's attempts, and the do-not-call list.
public protocol VoiceAgentStore: Sendable {
    /// `DomainError.conflict` when the owner already has an agent of that name.
    func createAgent(_ agent: VoiceAgent) async throws
    /// `DomainError.conflict` when the new name is another of the owner's agents'.
    func updateAgent(_ agent: VoiceAgent) async throws
    func agent(id: UUID, organizationID: UUID) async throws -> VoiceAgent?
    func agents(_ query: AgentQuery) async throws -> [VoiceAgent]
    func countAgents(_ query: AgentQuery) async throws -> Int
    /// Deletes the agent with its campaigns; false when there was none.
    func deleteAgent(id: UUID, organizationID: UUID) async throws -> Bool

    /// Stores a campaign with its numbers (normalised, distinct).
    func createCampaign(_ campaign: Campaign, numbers: [String]) async throws
    func updateCampaign(_ campaign: Campaign) async throws
    func campaign(id: UUID, organizationID: UUID) async throws -> Campaign?
    /// The campaign, its row locked until the transaction ends (PostgreSQL; SQLite's writer
    /// lock already serialises), so two instances never dial past its limit together.
    func lockCampaign(id: UUID) async throws -> Campaign?
    func campaigns(_ query: CampaignQuery) async throws -> [Campaign]
    func countCampaigns(_ query: CampaignQuery) async throws -> Int
    /// The first `limit` numbers of a campaign, in the order given.
    func numbers(campaignID: UUID, limit: Int) async throws -> [CampaignNumber]
    func number(campaignID: UUID, phoneNumber: String) async throws -> CampaignNumber?
    func dialCounts(campaignID: UUID) async throws -> [DialStatus: Int]
    /// Marks up to `limit` due pending numbers as dialling (one more attempt each) and returns
    /// them; a number is claimed by one caller only.
    func claimDueNumbers(campaignID: UUID, now: Date, limit: Int) async throws -> [CampaignNumber]
    func updateNumber(_ number: CampaignNumber) async throws

    /// Adds numbers to the organization's do-not-call list (a number already there keeps its first reason).
    func block(_ numbers: [BlockedNumber]) async throws
    func unblock(phoneNumber: String, organizationID: UUID) async throws -> Bool
    func blockedNumbers(organizationID: UUID, offset: Int, limit: Int) async throws -> [BlockedNumber]
    func countBlockedNumbers(organizationID: UUID) async throws -> Int
    /// Which of `numbers` the organization must not call.
    func blocked(_ numbers: [String], organizationID: UUID) async throws -> Set<String>

    /// Adds or replaces a call's log entry (its key phrases with it).
    func saveCallLog(_ entry: CallLogEntry) async throws
    func callLogs(_ query: CallLogQuery) async throws -> [CallLogEntry]
    func countCallLogs(_ query: CallLogQuery) async throws -> Int
    func callStatistics(_ query: CallLogQuery) async throws -> CallStatistics
    /// The most said key phrases over the calls, with the number of calls that said each.
    func topPhrases(_ query: CallLogQuery, limit: Int) async throws -> [(phrase: String, calls: Int)]
}
