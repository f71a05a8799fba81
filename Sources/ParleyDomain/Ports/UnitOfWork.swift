import Foundation

/// The stores of one transaction: whatever is written through them is kept together or not at all.
public struct TransactionStores: Sendable {
    public var conversations: any ConversationStore
    public var uploads: any MediaUploadStore
    public var jobs: any JobQueue
    public var records: any CoachingRecordStore
    public var webhooks: any WebhookStore
    public var leads: any LeadStore
    public var agents: any VoiceAgentStore
    public var field: any FieldStore

    public init(
        conversations: any ConversationStore, uploads: any MediaUploadStore, jobs: any JobQueue,
        records: any CoachingRecordStore, webhooks: any WebhookStore, leads: any LeadStore, agents: any VoiceAgentStore,
        field: any FieldStore
    ) {
        self.conversations = conversations
        self.uploads = uploads
        self.jobs = jobs
        self.records = records
        self.webhooks = webhooks
        self.leads = leads
        self.agents = agents
        self.field = field
    }
}

/// Runs a use case's writes in one transaction (`ParleyStore` implements it on SQL).
public protocol UnitOfWork: Sendable {
    func run<T: Sendable>(_ work: @escaping @Sendable (TransactionStores) async throws -> T) async throws -> T
}

/// The stores outside a transaction, for use cases that read or write one row at a time
/// (`ParleyStore` implements it on SQL; the composition root hands it to `ParleyCore`).
public protocol StoreAccess: Sendable {
    var conversations: any ConversationStore { get }
    var scenarios: any ScenarioStore { get }
    var uploads: any MediaUploadStore { get }
    var records: any CoachingRecordStore { get }
    var preferences: any PreferenceStore { get }
    var webhooks: any WebhookStore { get }
    var leads: any LeadStore { get }
    var agents: any VoiceAgentStore { get }
    var field: any FieldStore { get }
    /// Organizations and people, for use cases that speak for an organization by name.
    var identity: any IdentityStore { get }
}
