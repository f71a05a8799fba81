import Fluent
import SQLKit
import Foundation
import ParleyDomain

/// Scenarios and conversations on Fluent.
public struct FluentConversationStore: ScenarioStore, ConversationStore {
    let database: any Database

    public init(database: any Database) {
        self.database = database
    }

    // MARK: scenarios

    public func scenarios(_ query: ScenarioQuery) async throws -> [Scenario] {
        let builder = ScenarioModel.query(on: database)
            .group(.or) { $0.filter(\.$organizationID == nil).filter(\.$organizationID == query.organizationID) }
        if let category = query.category { builder.filter(\.$category == category.rawValue) }
        if let difficulty = query.difficulty { builder.filter(\.$difficulty == difficulty.rawValue) }
        if !query.includeInactive { builder.filter(\.$isActive == true) }
        return try await builder.sort(\.$id).offset(query.offset).limit(query.limit).all().map { try $0.domain() }
    }

    public func scenario(id: Int, visibleTo organizationID: UUID) async throws -> Scenario? {
        try await ScenarioModel.query(on: database)
            .filter(\.$id == id)
            .group(.or) { $0.filter(\.$organizationID == nil).filter(\.$organizationID == organizationID) }
            .first()?.domain()
    }

    public func createScenario(_ scenario: Scenario) async throws -> Scenario {
        let model = try ScenarioModel(scenario)
        try await model.create(on: database)
        return try model.domain()
    }

    public func updateScenario(_ scenario: Scenario) async throws -> Scenario {
        guard let organizationID = scenario.organizationID,
              let model = try await ScenarioModel.query(on: database)
                .filter(\.$id == scenario.id).filter(\.$organizationID == organizationID).first()
        else { throw DomainError.forbidden("built-in scenarios cannot be changed; create your own instead") }
        try model.apply(scenario)
        try await model.save(on: database)
        return try model.domain()
    }

    // MARK: conversations

    public func createConversation(_ conversation: Conversation) async throws -> Conversation {
        let model = try ConversationModel(conversation)
        try await model.create(on: database)
        return try model.domain()
    }

    public func conversation(publicID: String, organizationID: UUID) async throws -> Conversation? {
        try await ConversationModel.query(on: database)
            .filter(\.$publicID == publicID).filter(\.$organizationID == organizationID)
            .first()?.domain()
    }

    public func conversations(_ query: ConversationQuery) async throws -> [Conversation] {
        try await filtered(query).sort(\.$createdAt, .descending).offset(query.offset).limit(query.limit)
            .all().map { try $0.domain() }
    }

    public func countConversations(_ query: ConversationQuery) async throws -> Int {
        try await filtered(query).count()
    }

    private func filtered(_ query: ConversationQuery) -> QueryBuilder<ConversationModel> {
        let builder = ConversationModel.query(on: database).filter(\.$organizationID == query.organizationID)
        if let userID = query.userID { builder.filter(\.$userID == userID) }
        if let kind = query.kind { builder.filter(\.$kind == kind.rawValue) }
        if let status = query.status { builder.filter(\.$status == status.rawValue) }
        if let scenarioID = query.scenarioID { builder.filter(\.$scenarioID == scenarioID) }
        if let category = query.category { builder.filter(\.$category == category) }
        if let after = query.createdAfter { builder.filter(\.$createdAt >= after) }
        if let before = query.createdBefore { builder.filter(\.$createdAt < before) }
        return builder
    }

    public func updateConversation(_ conversation: Conversation) async throws {
        guard let model = try await ConversationModel.query(on: database)
            .filter(\.$id == conversation.id).filter(\.$organizationID == conversation.organizationID).first()
        else { throw DomainError.notFound(entity: "conversation") }
        try model.apply(conversation)
        try await model.save(on: database)
    }

    public func updateConversation(_ conversation: Conversation, ifStatusIn expected: [ConversationStatus]) async throws -> Bool {
        try await WriteTransaction.run(on: database) { database in
            guard let sql = database as? any SQLDatabase else {
                throw DomainError.serviceUnavailable(service: "database", reason: "not an SQL database")
            }
            // The conditional UPDATE is the claim: PostgreSQL locks the row and re-checks the
            // condition for a second writer; SQLite's immediate transaction serialises writers.
            let claimed = try await sql.raw("""
                UPDATE conversations SET status = \(bind: conversation.status.rawValue)
                WHERE id = \(bind: conversation.id) AND organization_id = \(bind: conversation.organizationID)
                AND status IN (\(binds: expected.map(\.rawValue)))
                RETURNING id
                """).all()
            guard !claimed.isEmpty else { return false }
            try await FluentConversationStore(database: database).updateConversation(conversation)
            return true
        }
    }

    public func appendTurn(_ turn: StoredTurn, conversationID: UUID) async throws {
        try await TranscriptTurnModel(turn, conversationID: conversationID).create(on: database)
    }

    public func turns(conversationID: UUID) async throws -> [StoredTurn] {
        try await TranscriptTurnModel.query(on: database).filter(\.$conversationID == conversationID)
            .sort(\.$sequence).all().map { try $0.domain() }
    }

    public func countConversations(userID: Int, kind: ConversationKind, statuses: [ConversationStatus]) async throws -> Int {
        try await ConversationModel.query(on: database)
            .filter(\.$userID == userID).filter(\.$kind == kind.rawValue)
            .filter(\.$status ~~ statuses.map(\.rawValue)).count()
    }
}
