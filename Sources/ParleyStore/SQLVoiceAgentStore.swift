import Fluent
import Foundation
import ParleyDomain
import SQLKit

/// Voice agents, campaigns, their numbers and the do-not-call list in SQL (the same statements
/// on SQLite and PostgreSQL).
public struct SQLVoiceAgentStore: VoiceAgentStore, SQLStore {
    let database: any Database

    public init(database: any Database) {
        self.database = database
    }

    // MARK: agents

    public func createAgent(_ agent: VoiceAgent) async throws {
        do {
            try await sql.raw("""
                INSERT INTO voice_agents (id, organization_id, owner_id, name, name_key, description, llm_provider, llm_model,
                    stt_provider, tts_provider, system_prompt, language, voice_parameters, status, playbook, extraction_schema, call_control, created_at, updated_at)
                VALUES (\(bind: agent.id), \(bind: agent.organizationID), \(bind: agent.ownerID), \(bind: agent.name),
                    \(bind: Self.nameKey(agent.name)), \(bind: agent.description), \(bind: agent.llmProvider), \(bind: agent.llmModel),
                    \(bind: agent.sttProvider), \(bind: agent.ttsProvider), \(bind: agent.systemPrompt), \(bind: agent.language),
                    \(bind: try JSONColumn.encode(agent.voiceParameters)), \(bind: agent.status.rawValue),
                    \(bind: try agent.playbook.map { try JSONColumn.encode($0) }),
                    \(bind: agent.extractionSchema.isEmpty ? nil : try JSONColumn.encode(agent.extractionSchema)),
                    \(bind: try JSONColumn.encode(agent.callControl)), \(bind: agent.createdAt.timeIntervalSince1970),
                    \(bind: agent.updatedAt.timeIntervalSince1970))
                """).run()
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw DomainError.conflict("You already have an agent named '\(agent.name)'")
        }
    }

    public func updateAgent(_ agent: VoiceAgent) async throws {
        do {
            try await sql.raw("""
                UPDATE voice_agents SET name = \(bind: agent.name), name_key = \(bind: Self.nameKey(agent.name)),
                    description = \(bind: agent.description), llm_provider = \(bind: agent.llmProvider), llm_model = \(bind: agent.llmModel),
                    stt_provider = \(bind: agent.sttProvider), tts_provider = \(bind: agent.ttsProvider),
                    system_prompt = \(bind: agent.systemPrompt), language = \(bind: agent.language),
                    voice_parameters = \(bind: try JSONColumn.encode(agent.voiceParameters)), status = \(bind: agent.status.rawValue),
                    playbook = \(bind: try agent.playbook.map { try JSONColumn.encode($0) }),
                    extraction_schema = \(bind: agent.extractionSchema.isEmpty ? nil : try JSONColumn.encode(agent.extractionSchema)),
                    call_control = \(bind: try JSONColumn.encode(agent.callControl)),
                    updated_at = \(bind: agent.updatedAt.timeIntervalSince1970)
                WHERE id = \(bind: agent.id) AND organization_id = \(bind: agent.organizationID)
                """).run()
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw DomainError.conflict("You already have an agent named '\(agent.name)'")
        }
    }

    public func agent(id: UUID, organizationID: UUID) async throws -> VoiceAgent? {
        try await sql.raw("SELECT * FROM voice_agents WHERE id = \(bind: id) AND organization_id = \(bind: organizationID)")
            .first().map(Self.agent(from:))
    }

    public func agents(_ query: AgentQuery) async throws -> [VoiceAgent] {
        try await sql.raw("""
            SELECT * FROM voice_agents WHERE \(Self.filter(query))
            ORDER BY created_at DESC, id DESC LIMIT \(bind: query.limit) OFFSET \(bind: query.offset)
            """).all().map(Self.agent(from:))
    }

    public func countAgents(_ query: AgentQuery) async throws -> Int {
        try await sql.raw("SELECT COUNT(*) AS total FROM voice_agents WHERE \(Self.filter(query))").first()?.decode(column: "total", as: Int.self) ?? 0
    }

    public func deleteAgent(id: UUID, organizationID: UUID) async throws -> Bool {
        // Campaigns and their numbers go with the agent (foreign keys cascade on both databases).
        try await sql.raw("""
            DELETE FROM campaign_numbers WHERE campaign_id IN (SELECT id FROM campaigns WHERE agent_id = \(bind: id) AND organization_id = \(bind: organizationID))
            """).run()
        try await sql.raw("DELETE FROM campaigns WHERE agent_id = \(bind: id) AND organization_id = \(bind: organizationID)").run()
        return !(try await sql.raw("DELETE FROM voice_agents WHERE id = \(bind: id) AND organization_id = \(bind: organizationID) RETURNING id").all()).isEmpty
    }

    /// Names are unique per owner without regard to case or surrounding spaces.
    static func nameKey(_ name: String) -> String {
        name.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }

    static func filter(_ query: AgentQuery) -> SQLQueryString {
        var clause: SQLQueryString = "organization_id = \(bind: query.organizationID) AND owner_id = \(bind: query.ownerID)"
        if let status = query.status { clause = "\(clause) AND status = \(bind: status.rawValue)" }
        if let search = query.search?.lowercased(), !search.isEmpty {
            // An owner has tens of agents, not thousands: a substring match on name and description is enough.
            let pattern = "%" + search.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
                .replacingOccurrences(of: "_", with: "\\_") + "%"
            clause = "\(clause) AND (name_key LIKE \(bind: pattern) ESCAPE '\\' OR LOWER(COALESCE(description, '')) LIKE \(bind: pattern) ESCAPE '\\')"
        }
        return clause
    }

    static func agent(from row: any SQLRow) throws -> VoiceAgent {
        var agent = VoiceAgent(
            id: try row.decode(column: "id", as: UUID.self), organizationID: try row.decode(column: "organization_id", as: UUID.self),
            ownerID: try row.decode(column: "owner_id", as: Int.self), name: try row.decode(column: "name", as: String.self),
            description: try row.decode(column: "description", as: String?.self),
            llmProvider: try row.decode(column: "llm_provider", as: String.self), llmModel: try row.decode(column: "llm_model", as: String?.self),
            sttProvider: try row.decode(column: "stt_provider", as: String.self), ttsProvider: try row.decode(column: "tts_provider", as: String.self),
            systemPrompt: try row.decode(column: "system_prompt", as: String?.self), language: try row.decode(column: "language", as: String.self),
            voiceParameters: try JSONColumn.decode(JSONValue.self, try row.decode(column: "voice_parameters", as: String.self)) ?? .object([:]),
            status: AgentStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .inactive,
            playbook: try JSONColumn.decode(AgentPlaybook.self, try row.decode(column: "playbook", as: String?.self)),
            createdAt: Date(timeIntervalSince1970: try row.decode(column: "created_at", as: Double.self)),
            updatedAt: Date(timeIntervalSince1970: try row.decode(column: "updated_at", as: Double.self)))
        agent.extractionSchema = try JSONColumn.decode([ExtractionField].self, try row.decode(column: "extraction_schema", as: String?.self)) ?? []
        agent.callControl = try JSONColumn.decode(AgentCallControl.self, try row.decode(column: "call_control", as: String?.self)) ?? AgentCallControl()
        return agent
    }

    // MARK: campaigns

    public func createCampaign(_ campaign: Campaign, numbers: [String]) async throws {
        try await sql.raw("""
            INSERT INTO campaigns (id, organization_id, owner_id, agent_id, name, status, start_time, end_time, max_concurrent_calls,
                calling_hours, max_attempts, retry_delay, voicemail, lead_list_query, number_count, launched_at, paused_at, completed_at,
                created_at, updated_at)
            VALUES (\(bind: campaign.id), \(bind: campaign.organizationID), \(bind: campaign.ownerID), \(bind: campaign.agentID),
                \(bind: campaign.name), \(bind: campaign.status.rawValue), \(bind: campaign.startTime?.timeIntervalSince1970),
                \(bind: campaign.endTime?.timeIntervalSince1970), \(bind: campaign.maxConcurrentCalls),
                \(bind: try campaign.callingHours.map { try JSONColumn.encode($0) }), \(bind: campaign.maxAttempts),
                \(bind: campaign.retryDelay), \(bind: campaign.voicemail.rawValue), \(bind: campaign.leadListQuery),
                \(bind: numbers.count), \(bind: campaign.launchedAt?.timeIntervalSince1970), \(bind: campaign.pausedAt?.timeIntervalSince1970),
                \(bind: campaign.completedAt?.timeIntervalSince1970), \(bind: campaign.createdAt.timeIntervalSince1970),
                \(bind: campaign.updatedAt.timeIntervalSince1970))
            """).run()
        // Four parameters a number: 1,000 a statement stays under SQLite's limit.
        for start in stride(from: 0, to: numbers.count, by: 1_000) {
            let rows = numbers[start..<min(start + 1_000, numbers.count)].enumerated().map { offset, number -> SQLQueryString in
                "(\(bind: campaign.id), \(bind: start + offset), \(bind: number), 'pending', 0)"
            }
            try await sql.raw("""
                INSERT INTO campaign_numbers (campaign_id, position, phone_number, status, attempts) VALUES \(SQLList(rows))
                """).run()
        }
    }

    public func updateCampaign(_ campaign: Campaign) async throws {
        try await sql.raw("""
            UPDATE campaigns SET name = \(bind: campaign.name), status = \(bind: campaign.status.rawValue),
                start_time = \(bind: campaign.startTime?.timeIntervalSince1970), end_time = \(bind: campaign.endTime?.timeIntervalSince1970),
                max_concurrent_calls = \(bind: campaign.maxConcurrentCalls),
                calling_hours = \(bind: try campaign.callingHours.map { try JSONColumn.encode($0) }), max_attempts = \(bind: campaign.maxAttempts),
                retry_delay = \(bind: campaign.retryDelay), voicemail = \(bind: campaign.voicemail.rawValue),
                launched_at = \(bind: campaign.launchedAt?.timeIntervalSince1970), paused_at = \(bind: campaign.pausedAt?.timeIntervalSince1970),
                completed_at = \(bind: campaign.completedAt?.timeIntervalSince1970), updated_at = \(bind: campaign.updatedAt.timeIntervalSince1970)
            WHERE id = \(bind: campaign.id) AND organization_id = \(bind: campaign.organizationID)
            """).run()
    }

    public func campaign(id: UUID, organizationID: UUID) async throws -> Campaign? {
        try await sql.raw("SELECT * FROM campaigns WHERE id = \(bind: id) AND organization_id = \(bind: organizationID)")
            .first().map(Self.campaign(from:))
    }

    public func lockCampaign(id: UUID) async throws -> Campaign? {
        let lock: SQLQueryString = (try? sql.dialect.name) == "postgresql" ? " FOR UPDATE" : ""
        return try await sql.raw("SELECT * FROM campaigns WHERE id = \(bind: id)\(lock)").first().map(Self.campaign(from:))
    }

    public func campaigns(_ query: CampaignQuery) async throws -> [Campaign] {
        try await sql.raw("""
            SELECT * FROM campaigns WHERE \(Self.filter(query))
            ORDER BY created_at DESC, id DESC LIMIT \(bind: query.limit) OFFSET \(bind: query.offset)
            """).all().map(Self.campaign(from:))
    }

    public func countCampaigns(_ query: CampaignQuery) async throws -> Int {
        try await sql.raw("SELECT COUNT(*) AS total FROM campaigns WHERE \(Self.filter(query))").first()?.decode(column: "total", as: Int.self) ?? 0
    }

    static func filter(_ query: CampaignQuery) -> SQLQueryString {
        var clause: SQLQueryString = "organization_id = \(bind: query.organizationID) AND owner_id = \(bind: query.ownerID)"
        if let agent = query.agentID { clause = "\(clause) AND agent_id = \(bind: agent)" }
        if let status = query.status { clause = "\(clause) AND status = \(bind: status.rawValue)" }
        return clause
    }

    static func campaign(from row: any SQLRow) throws -> Campaign {
        func date(_ column: String) throws -> Date? { try row.decode(column: column, as: Double?.self).map(Date.init(timeIntervalSince1970:)) }
        return Campaign(
            id: try row.decode(column: "id", as: UUID.self), organizationID: try row.decode(column: "organization_id", as: UUID.self),
            ownerID: try row.decode(column: "owner_id", as: Int.self), agentID: try row.decode(column: "agent_id", as: UUID.self),
            name: try row.decode(column: "name", as: String.self),
            status: CampaignStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .draft,
            startTime: try date("start_time"), endTime: try date("end_time"),
            maxConcurrentCalls: try row.decode(column: "max_concurrent_calls", as: Int.self),
            callingHours: try JSONColumn.decode(CallingHours.self, try row.decode(column: "calling_hours", as: String?.self)),
            maxAttempts: try row.decode(column: "max_attempts", as: Int.self), retryDelay: try row.decode(column: "retry_delay", as: Double.self),
            voicemail: VoicemailAction(rawValue: try row.decode(column: "voicemail", as: String.self)) ?? .hangUp,
            leadListQuery: try row.decode(column: "lead_list_query", as: String?.self),
            numberCount: try row.decode(column: "number_count", as: Int.self),
            launchedAt: try date("launched_at"), pausedAt: try date("paused_at"), completedAt: try date("completed_at"),
            createdAt: try date("created_at") ?? Date(), updatedAt: try date("updated_at") ?? Date())
    }

    // MARK: numbers

    public func numbers(campaignID: UUID, limit: Int) async throws -> [CampaignNumber] {
        try await sql.raw("""
            SELECT * FROM campaign_numbers WHERE campaign_id = \(bind: campaignID) ORDER BY position LIMIT \(bind: limit)
            """).all().map(Self.number(from:))
    }

    public func number(campaignID: UUID, phoneNumber: String) async throws -> CampaignNumber? {
        try await sql.raw("""
            SELECT * FROM campaign_numbers WHERE campaign_id = \(bind: campaignID) AND phone_number = \(bind: phoneNumber)
            """).first().map(Self.number(from:))
    }

    public func dialCounts(campaignID: UUID) async throws -> [DialStatus: Int] {
        var counts: [DialStatus: Int] = [:]
        for row in try await sql.raw("""
            SELECT status, COUNT(*) AS total FROM campaign_numbers WHERE campaign_id = \(bind: campaignID) GROUP BY status
            """).all() {
            if let status = DialStatus(rawValue: try row.decode(column: "status", as: String.self)) {
                counts[status] = try row.decode(column: "total", as: Int.self)
            }
        }
        return counts
    }

    public func claimDueNumbers(campaignID: UUID, now: Date, limit: Int) async throws -> [CampaignNumber] {
        guard limit > 0 else { return [] }
        // A conditional update: a number another claimer took first is no longer pending.
        return try await sql.raw("""
            UPDATE campaign_numbers SET status = 'dialling', attempts = attempts + 1
            WHERE campaign_id = \(bind: campaignID) AND status = 'pending' AND phone_number IN (
                SELECT phone_number FROM campaign_numbers
                WHERE campaign_id = \(bind: campaignID) AND status = 'pending'
                    AND (next_attempt_at IS NULL OR next_attempt_at <= \(bind: now.timeIntervalSince1970))
                ORDER BY position LIMIT \(bind: limit))
            RETURNING *
            """).all().map(Self.number(from:))
    }

    public func updateNumber(_ number: CampaignNumber) async throws {
        try await sql.raw("""
            UPDATE campaign_numbers SET status = \(bind: number.status.rawValue), attempts = \(bind: number.attempts),
                next_attempt_at = \(bind: number.nextAttemptAt?.timeIntervalSince1970), last_call_id = \(bind: number.lastCallID)
            WHERE campaign_id = \(bind: number.campaignID) AND phone_number = \(bind: number.phoneNumber)
            """).run()
    }

    static func number(from row: any SQLRow) throws -> CampaignNumber {
        CampaignNumber(
            campaignID: try row.decode(column: "campaign_id", as: UUID.self), phoneNumber: try row.decode(column: "phone_number", as: String.self),
            status: DialStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .failed,
            attempts: try row.decode(column: "attempts", as: Int.self),
            nextAttemptAt: try row.decode(column: "next_attempt_at", as: Double?.self).map(Date.init(timeIntervalSince1970:)),
            lastCallID: try row.decode(column: "last_call_id", as: UUID?.self))
    }

    // MARK: do not call

    public func block(_ numbers: [BlockedNumber]) async throws {
        for start in stride(from: 0, to: numbers.count, by: 1_000) {
            let rows = numbers[start..<min(start + 1_000, numbers.count)].map { number -> SQLQueryString in
                "(\(bind: number.organizationID), \(bind: number.phoneNumber), \(bind: number.reason), \(bind: number.createdAt.timeIntervalSince1970))"
            }
            try await sql.raw("""
                INSERT INTO do_not_call_numbers (organization_id, phone_number, reason, created_at) VALUES \(SQLList(rows))
                ON CONFLICT (organization_id, phone_number) DO NOTHING
                """).run()
        }
    }

    public func unblock(phoneNumber: String, organizationID: UUID) async throws -> Bool {
        !(try await sql.raw("""
            DELETE FROM do_not_call_numbers WHERE organization_id = \(bind: organizationID) AND phone_number = \(bind: phoneNumber) RETURNING phone_number
            """).all()).isEmpty
    }

    public func blockedNumbers(organizationID: UUID, offset: Int, limit: Int) async throws -> [BlockedNumber] {
        try await sql.raw("""
            SELECT * FROM do_not_call_numbers WHERE organization_id = \(bind: organizationID)
            ORDER BY created_at DESC, phone_number LIMIT \(bind: limit) OFFSET \(bind: offset)
            """).all().map { row in
            BlockedNumber(
                organizationID: try row.decode(column: "organization_id", as: UUID.self),
                phoneNumber: try row.decode(column: "phone_number", as: String.self), reason: try row.decode(column: "reason", as: String?.self),
                createdAt: Date(timeIntervalSince1970: try row.decode(column: "created_at", as: Double.self)))
        }
    }

    public func countBlockedNumbers(organizationID: UUID) async throws -> Int {
        try await sql.raw("SELECT COUNT(*) AS total FROM do_not_call_numbers WHERE organization_id = \(bind: organizationID)")
            .first()?.decode(column: "total", as: Int.self) ?? 0
    }

    public func blocked(_ numbers: [String], organizationID: UUID) async throws -> Set<String> {
        var found = Set<String>()
        for start in stride(from: 0, to: numbers.count, by: 500) {
            let slice = Array(numbers[start..<min(start + 500, numbers.count)])
            for row in try await sql.raw("""
                SELECT phone_number FROM do_not_call_numbers WHERE organization_id = \(bind: organizationID) AND phone_number IN (\(binds: slice))
                """).all() {
                found.insert(try row.decode(column: "phone_number", as: String.self))
            }
        }
        return found
    }

    // MARK: call logs

    public func saveCallLog(_ entry: CallLogEntry) async throws {
        try await sql.raw("DELETE FROM call_log_phrases WHERE conversation_id = \(bind: entry.conversationID)").run()
        try await sql.raw("""
            INSERT INTO call_logs (conversation_id, organization_id, owner_id, agent_id, campaign_id, phone_number, status,
                duration_seconds, sentiment, cost, created_at)
            VALUES (\(bind: entry.conversationID), \(bind: entry.organizationID), \(bind: entry.ownerID), \(bind: entry.agentID),
                \(bind: entry.campaignID), \(bind: entry.phoneNumber), \(bind: entry.status.rawValue), \(bind: entry.durationSeconds),
                \(bind: entry.sentiment), \(bind: entry.cost), \(bind: entry.createdAt.timeIntervalSince1970))
            ON CONFLICT (conversation_id) DO UPDATE SET status = EXCLUDED.status, duration_seconds = EXCLUDED.duration_seconds,
                sentiment = EXCLUDED.sentiment, cost = EXCLUDED.cost
            """).run()
        let phrases = Array(Set(entry.keyPhrases.map { $0.lowercased() })).sorted()
        if !phrases.isEmpty {
            let rows = phrases.map { "(\(bind: entry.conversationID), \(bind: entry.organizationID), \(bind: $0))" as SQLQueryString }
            try await sql.raw("INSERT INTO call_log_phrases (conversation_id, organization_id, phrase) VALUES \(SQLList(rows))").run()
        }
    }

    public func callLogs(_ query: CallLogQuery) async throws -> [CallLogEntry] {
        let rows = try await sql.raw("""
            SELECT * FROM call_logs WHERE \(Self.filter(query))
            ORDER BY created_at DESC, conversation_id DESC LIMIT \(bind: query.limit) OFFSET \(bind: query.offset)
            """).all()
        return try rows.map { row in
            CallLogEntry(
                conversationID: try row.decode(column: "conversation_id", as: UUID.self),
                organizationID: try row.decode(column: "organization_id", as: UUID.self), ownerID: try row.decode(column: "owner_id", as: Int.self),
                agentID: try row.decode(column: "agent_id", as: UUID.self), campaignID: try row.decode(column: "campaign_id", as: UUID?.self),
                phoneNumber: try row.decode(column: "phone_number", as: String.self),
                status: CallLogStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .failed,
                durationSeconds: try row.decode(column: "duration_seconds", as: Double.self),
                sentiment: try row.decode(column: "sentiment", as: String?.self), cost: try row.decode(column: "cost", as: Double.self),
                createdAt: Date(timeIntervalSince1970: try row.decode(column: "created_at", as: Double.self)))
        }
    }

    public func countCallLogs(_ query: CallLogQuery) async throws -> Int {
        try await sql.raw("SELECT COUNT(*) AS total FROM call_logs WHERE \(Self.filter(query))").first()?.decode(column: "total", as: Int.self) ?? 0
    }

    public func callStatistics(_ query: CallLogQuery) async throws -> CallStatistics {
        let totals = try await sql.raw("""
            SELECT COUNT(*) AS total,
                COALESCE(SUM(CASE WHEN status IN ('completed', 'voicemail') THEN 1 ELSE 0 END), 0) AS completed,
                COALESCE(SUM(CASE WHEN status IN ('failed', 'busy', 'no_answer') THEN 1 ELSE 0 END), 0) AS failed,
                COALESCE(AVG(CASE WHEN status = 'completed' THEN duration_seconds END), 0) AS average,
                COALESCE(SUM(cost), 0) AS cost
            FROM call_logs WHERE \(Self.filter(query))
            """).first()
        var sentiments: [String: Int] = [:]
        for row in try await sql.raw("""
            SELECT sentiment, COUNT(*) AS total FROM call_logs WHERE \(Self.filter(query)) AND sentiment IS NOT NULL GROUP BY sentiment
            """).all() {
            sentiments[try row.decode(column: "sentiment", as: String.self)] = try row.decode(column: "total", as: Int.self)
        }
        return CallStatistics(
            total: try totals?.decode(column: "total", as: Int.self) ?? 0, completed: try totals?.decode(column: "completed", as: Int.self) ?? 0,
            failed: try totals?.decode(column: "failed", as: Int.self) ?? 0, averageDuration: try totals?.decode(column: "average", as: Double.self) ?? 0,
            totalCost: try totals?.decode(column: "cost", as: Double.self) ?? 0, sentiments: sentiments)
    }

    public func topPhrases(_ query: CallLogQuery, limit: Int) async throws -> [(phrase: String, calls: Int)] {
        try await sql.raw("""
            SELECT p.phrase AS phrase, COUNT(*) AS calls FROM call_log_phrases p JOIN call_logs l ON l.conversation_id = p.conversation_id
            WHERE \(Self.filter(query, table: "l"))
            GROUP BY p.phrase ORDER BY calls DESC, p.phrase ASC LIMIT \(bind: limit)
            """).all().map { (try $0.decode(column: "phrase", as: String.self), try $0.decode(column: "calls", as: Int.self)) }
    }

    static func filter(_ query: CallLogQuery, table: String? = nil) -> SQLQueryString {
        func column(_ name: String) -> SQLQueryString { table.map { "\(unsafeRaw: $0).\(ident: name)" } ?? "\(ident: name)" }
        var clause: SQLQueryString = "\(column("organization_id")) = \(bind: query.organizationID) AND \(column("owner_id")) = \(bind: query.ownerID)"
        if let agent = query.agentID { clause = "\(clause) AND \(column("agent_id")) = \(bind: agent)" }
        if let campaign = query.campaignID { clause = "\(clause) AND \(column("campaign_id")) = \(bind: campaign)" }
        if let status = query.status { clause = "\(clause) AND \(column("status")) = \(bind: status.rawValue)" }
        if let phone = query.phoneNumber { clause = "\(clause) AND \(column("phone_number")) = \(bind: phone)" }
        if let from = query.from { clause = "\(clause) AND \(column("created_at")) >= \(bind: from.timeIntervalSince1970)" }
        if let until = query.until { clause = "\(clause) AND \(column("created_at")) < \(bind: until.timeIntervalSince1970)" }
        return clause
    }
}
