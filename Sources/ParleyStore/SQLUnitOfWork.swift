import Fluent
import Foundation
import ParleyDomain

/// The unit of work on the SQL database: one `WriteTransaction`, with stores bound to it.
public struct SQLUnitOfWork: UnitOfWork {
    let database: @Sendable () -> any Database

    /// `database` hands out the database to use (Vapor's `app.db` is a fresh handle per call).
    public init(database: @escaping @Sendable () -> any Database) {
        self.database = database
    }

    public func run<T: Sendable>(_ work: @escaping @Sendable (TransactionStores) async throws -> T) async throws -> T {
        try await WriteTransaction.run(on: database()) { transaction in
            try await work(TransactionStores(
                conversations: FluentConversationStore(database: transaction),
                uploads: SQLMediaUploadStore(database: transaction),
                jobs: SQLJobQueue(database: transaction),
                records: SQLCoachingRecordStore(database: transaction),
                webhooks: SQLWebhookStore(database: transaction),
                leads: SQLLeadStore(database: transaction),
                agents: SQLVoiceAgentStore(database: transaction),
                field: SQLFieldStore(database: transaction)))
        }
    }
}

/// The SQL stores, each on a fresh database handle.
public struct SQLStoreAccess: StoreAccess {
    let database: @Sendable () -> any Database

    public init(database: @escaping @Sendable () -> any Database) {
        self.database = database
    }

    public var conversations: any ConversationStore { FluentConversationStore(database: database()) }
    public var scenarios: any ScenarioStore { FluentConversationStore(database: database()) }
    public var uploads: any MediaUploadStore { SQLMediaUploadStore(database: database()) }
    public var records: any CoachingRecordStore { SQLCoachingRecordStore(database: database()) }
    public var preferences: any PreferenceStore { SQLPreferenceStore(database: database()) }
    public var webhooks: any WebhookStore { SQLWebhookStore(database: database()) }
    public var leads: any LeadStore { SQLLeadStore(database: database()) }
    public var agents: any VoiceAgentStore { SQLVoiceAgentStore(database: database()) }
    public var field: any FieldStore { SQLFieldStore(database: database()) }
    public var identity: any IdentityStore { FluentIdentityStore(database: database()) }
}
