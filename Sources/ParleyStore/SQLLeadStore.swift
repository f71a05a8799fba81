import Fluent
import Foundation
import ParleyDomain
import SQLKit

/// Leads in SQL. The SQL that differs between SQLite (FTS5) and PostgreSQL (tsvector) is the
/// search index, kept in `index(_:)` and `searchClause(_:)`; every aggregate is plain SQL that
/// both databases run.
public struct SQLLeadStore: LeadStore, SQLStore {
    let database: any Database

    public init(database: any Database) {
        self.database = database
    }

    private var postgres: Bool { (try? sql.dialect.name) == "postgresql" }

    // MARK: leads

    public func createLead(_ lead: Lead) async throws {
        try await WriteTransaction.run(on: database) { database in
            let store = SQLLeadStore(database: database)
            do {
                try await store.sql.raw("""
                    INSERT INTO leads (id, public_id, organization_id, created_by, assigned_to, first_name, last_name, email, email_key,
                        phone, company, title, industry, source, notes, company_size, status, deal_value, do_not_call, score_overall, score,
                        created_at, updated_at)
                    VALUES (\(bind: lead.id), \(bind: lead.publicID), \(bind: lead.organizationID), \(bind: lead.createdBy),
                        \(bind: lead.assignedTo), \(bind: lead.firstName), \(bind: lead.lastName), \(bind: lead.email),
                        \(bind: lead.email?.lowercased()), \(bind: lead.phone), \(bind: lead.company), \(bind: lead.title),
                        \(bind: lead.industry), \(bind: lead.source), \(bind: lead.notes), \(bind: lead.companySize),
                        \(bind: lead.status.rawValue), \(bind: lead.dealValue), \(bind: lead.doNotCall), \(bind: lead.score?.overall),
                        \(bind: try lead.score.map { try JSONColumn.encode($0) }), \(bind: lead.createdAt.timeIntervalSince1970),
                        \(bind: lead.updatedAt.timeIntervalSince1970))
                    """).run()
            } catch let error as any DatabaseError where error.isConstraintFailure {
                throw DomainError.conflict("A lead with email \(lead.email ?? "") already exists in this organization")
            }
            try await store.index(lead)
            try await store.blockOptedOut([lead])
        }
    }

    public func createLeads(_ leads: [Lead], reason: String) async throws {
        guard !leads.isEmpty else { return }
        try await WriteTransaction.run(on: database) { database in
            let sql = try SQLLeadStore(database: database).sql
            let postgres = sql.dialect.name == "postgresql"
            // 23 parameters a lead: 200 leads stay well under SQLite's limit of 32,766.
            for start in stride(from: 0, to: leads.count, by: 200) {
                let chunk = leads[start..<min(start + 200, leads.count)]
                let rows = try chunk.map { lead -> SQLQueryString in
                    """
                    (\(bind: lead.id), \(bind: lead.publicID), \(bind: lead.organizationID), \(bind: lead.createdBy),
                    \(bind: lead.assignedTo), \(bind: lead.firstName), \(bind: lead.lastName), \(bind: lead.email),
                    \(bind: lead.email?.lowercased()), \(bind: lead.phone), \(bind: lead.company), \(bind: lead.title),
                    \(bind: lead.industry), \(bind: lead.source), \(bind: lead.notes), \(bind: lead.companySize),
                    \(bind: lead.status.rawValue), \(bind: lead.dealValue), \(bind: lead.doNotCall), \(bind: lead.score?.overall),
                    \(bind: try lead.score.map { try JSONColumn.encode($0) }), \(bind: lead.createdAt.timeIntervalSince1970),
                    \(bind: lead.updatedAt.timeIntervalSince1970))
                    """
                }
                do {
                    try await sql.raw("""
                        INSERT INTO leads (id, public_id, organization_id, created_by, assigned_to, first_name, last_name, email, email_key,
                            phone, company, title, industry, source, notes, company_size, status, deal_value, do_not_call, score_overall, score,
                            created_at, updated_at)
                        VALUES \(SQLList(rows))
                        """).run()
                } catch let error as any DatabaseError where error.isConstraintFailure {
                    throw DomainError.conflict("A lead of this batch has an email already used in this organization")
                }
                let search = chunk.map { lead -> SQLQueryString in
                    postgres ? "(\(bind: lead.id), to_tsvector('simple', \(bind: Self.searchText(lead))))" : "(\(bind: lead.id), \(bind: Self.searchText(lead)))"
                }
                try await sql.raw(postgres
                    ? "INSERT INTO lead_search (lead_id, document) VALUES \(SQLList(search))"
                    : "INSERT INTO lead_search (lead_id, body) VALUES \(SQLList(search))").run()
                let history = chunk.compactMap { lead -> SQLQueryString? in
                    guard let score = lead.score else { return nil }
                    return "(\(bind: UUID()), \(bind: lead.id), \(bind: score.overall), \(bind: score.conversionProbability), \(bind: score.band.rawValue), \(bind: reason), \(bind: score.scoredAt.timeIntervalSince1970))"
                }
                if !history.isEmpty {
                    try await sql.raw("""
                        INSERT INTO lead_score_history (id, lead_id, overall, conversion_probability, band, reason, scored_at) VALUES \(SQLList(history))
                        """).run()
                }
                try await SQLLeadStore(database: database).blockOptedOut(Array(chunk))
            }
        }
    }

    public func updateLead(_ lead: Lead) async throws {
        try await WriteTransaction.run(on: database) { database in
            let store = SQLLeadStore(database: database)
            do {
                try await store.sql.raw("""
                    UPDATE leads SET assigned_to = \(bind: lead.assignedTo), first_name = \(bind: lead.firstName),
                        last_name = \(bind: lead.lastName), email = \(bind: lead.email), email_key = \(bind: lead.email?.lowercased()),
                        phone = \(bind: lead.phone), company = \(bind: lead.company), title = \(bind: lead.title),
                        industry = \(bind: lead.industry), source = \(bind: lead.source), notes = \(bind: lead.notes),
                        company_size = \(bind: lead.companySize), status = \(bind: lead.status.rawValue), deal_value = \(bind: lead.dealValue),
                        do_not_call = \(bind: lead.doNotCall), score_overall = \(bind: lead.score?.overall),
                        score = \(bind: try lead.score.map { try JSONColumn.encode($0) }), updated_at = \(bind: lead.updatedAt.timeIntervalSince1970)
                    WHERE id = \(bind: lead.id) AND organization_id = \(bind: lead.organizationID)
                    """).run()
            } catch let error as any DatabaseError where error.isConstraintFailure {
                throw DomainError.conflict("A lead with email \(lead.email ?? "") already exists in this organization")
            }
            try await store.index(lead)
            try await store.blockOptedOut([lead])
        }
    }

    /// A lead who asked not to be called puts their number on the organization's do-not-call
    /// list, so no surface (campaigns included) dials it again; the list keeps it.
    func blockOptedOut(_ leads: [Lead]) async throws {
        let blocked = leads.compactMap { lead -> BlockedNumber? in
            guard lead.doNotCall, let phone = lead.phone.flatMap(PhoneNumber.e164) else { return nil }
            return BlockedNumber(organizationID: lead.organizationID, phoneNumber: phone, reason: "lead \(lead.publicID) opted out")
        }
        if !blocked.isEmpty { try await SQLVoiceAgentStore(database: database).block(blocked) }
    }

    public func lead(publicID: String, organizationID: UUID) async throws -> Lead? {
        try await sql.raw("SELECT * FROM leads WHERE public_id = \(bind: publicID) AND organization_id = \(bind: organizationID)")
            .first().map(Self.lead(from:))
    }

    public func lead(email: String, organizationID: UUID) async throws -> Lead? {
        try await sql.raw("SELECT * FROM leads WHERE email_key = \(bind: email.lowercased()) AND organization_id = \(bind: organizationID)")
            .first().map(Self.lead(from:))
    }

    public func leads(emails: [String], organizationID: UUID) async throws -> [String: Lead] {
        guard !emails.isEmpty else { return [:] }
        var found: [String: Lead] = [:]
        // Bounded IN lists: SQLite allows at most 32,766 parameters in a statement.
        for start in stride(from: 0, to: emails.count, by: 500) {
            let slice = Array(emails[start..<min(start + 500, emails.count)])
            for row in try await sql.raw("""
                SELECT * FROM leads WHERE organization_id = \(bind: organizationID) AND email_key IN (\(binds: slice))
                """).all() {
                let lead = try Self.lead(from: row)
                if let key = lead.email?.lowercased() { found[key] = lead }
            }
        }
        return found
    }

    public func deleteLead(id: UUID, organizationID: UUID) async throws -> Bool {
        try await WriteTransaction.run(on: database) { database in
            let sql = try SQLLeadStore(database: database).sql
            try await sql.raw("DELETE FROM lead_search WHERE lead_id = \(bind: id)").run()
            let rows = try await sql.raw("DELETE FROM leads WHERE id = \(bind: id) AND organization_id = \(bind: organizationID) RETURNING id").all()
            return !rows.isEmpty
        }
    }

    public func leads(_ query: LeadQuery) async throws -> [Lead] {
        try await sql.raw("""
            SELECT l.* \(try from(query))
            ORDER BY l.created_at DESC, l.public_id DESC LIMIT \(bind: query.limit) OFFSET \(bind: query.offset)
            """).all().map(Self.lead(from:))
    }

    public func countLeads(_ query: LeadQuery) async throws -> Int {
        try await sql.raw("SELECT COUNT(*) AS total \(try from(query))").first()?.decode(column: "total", as: Int.self) ?? 0
    }

    public func isMember(userID: Int, organizationID: UUID) async throws -> Bool {
        try await sql.raw("SELECT 1 AS one FROM users WHERE id = \(bind: userID) AND organization_id = \(bind: organizationID)").first() != nil
    }

    /// The FROM and WHERE of a list. A search starts from the full-text index's matches and
    /// joins their leads (on SQLite a CROSS JOIN keeps that order: the planner would otherwise
    /// walk every lead of the organization and look each up among the matches).
    private func from(_ query: LeadQuery) throws -> SQLQueryString {
        var clause: SQLQueryString = "l.organization_id = \(bind: query.organizationID)"
        if let status = query.status { clause = "\(clause) AND l.status = \(bind: status.rawValue)" }
        if let source = query.source { clause = "\(clause) AND l.source = \(bind: source)" }
        if let assignee = query.assignedTo { clause = "\(clause) AND l.assigned_to = \(bind: assignee)" }
        if let minimum = query.minimumScore { clause = "\(clause) AND l.score_overall >= \(bind: minimum)" }
        let terms = Self.terms(query.search)
        guard !terms.isEmpty else { return "FROM leads l WHERE \(clause)" }
        if postgres {
            let tsquery = terms.map { "\($0):*" }.joined(separator: " & ")
            return "FROM lead_search s JOIN leads l ON l.id = s.lead_id WHERE s.document @@ to_tsquery('simple', \(bind: tsquery)) AND \(clause)"
        }
        let expression = terms.map { "\"\($0)\"*" }.joined(separator: " ")
        return "FROM lead_search CROSS JOIN leads l ON l.id = lead_search.lead_id WHERE lead_search MATCH \(bind: expression) AND \(clause)"
    }

    /// Search words as both indexes tokenise them: lower-case letters and digits.
    static func terms(_ words: [String]) -> [String] {
        words.flatMap { $0.lowercased().split { !($0.isLetter || $0.isNumber) }.map(String.init) }.filter { !$0.isEmpty }.prefix(8).map { $0 }
    }

    /// Replaces the lead's entry in the search index: its name, its e-mail (whole and in parts)
    /// and its company.
    func index(_ lead: Lead) async throws {
        let body = Self.searchText(lead)
        if postgres {
            try await sql.raw("""
                INSERT INTO lead_search (lead_id, document) VALUES (\(bind: lead.id), to_tsvector('simple', \(bind: body)))
                ON CONFLICT (lead_id) DO UPDATE SET document = EXCLUDED.document
                """).run()
        } else {
            try await sql.raw("DELETE FROM lead_search WHERE lead_id = \(bind: lead.id)").run()
            try await sql.raw("INSERT INTO lead_search (lead_id, body) VALUES (\(bind: lead.id), \(bind: body))").run()
        }
    }

    /// What search finds a lead by: its name, its e-mail (whole and in parts) and its company.
    static func searchText(_ lead: Lead) -> String {
        let email = lead.email ?? ""
        let parts = email.lowercased().split { !($0.isLetter || $0.isNumber) }.joined(separator: " ")
        return [lead.firstName, lead.lastName, email, parts, lead.company ?? ""].joined(separator: " ")
    }

    static func lead(from row: any SQLRow) throws -> Lead {
        Lead(
            id: try row.decode(column: "id", as: UUID.self), publicID: try row.decode(column: "public_id", as: String.self),
            organizationID: try row.decode(column: "organization_id", as: UUID.self),
            createdBy: try row.decode(column: "created_by", as: Int?.self), assignedTo: try row.decode(column: "assigned_to", as: Int?.self),
            firstName: try row.decode(column: "first_name", as: String.self), lastName: try row.decode(column: "last_name", as: String.self),
            email: try row.decode(column: "email", as: String?.self), phone: try row.decode(column: "phone", as: String?.self),
            company: try row.decode(column: "company", as: String?.self), title: try row.decode(column: "title", as: String?.self),
            industry: try row.decode(column: "industry", as: String?.self), source: try row.decode(column: "source", as: String?.self),
            notes: try row.decode(column: "notes", as: String?.self), companySize: try row.decode(column: "company_size", as: Int?.self),
            status: LeadStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .new,
            dealValue: try row.decode(column: "deal_value", as: Double?.self), doNotCall: try row.decode(column: "do_not_call", as: Bool.self),
            score: try JSONColumn.decode(LeadScoreCard.self, try row.decode(column: "score", as: String?.self)),
            createdAt: Date(timeIntervalSince1970: try row.decode(column: "created_at", as: Double.self)),
            updatedAt: Date(timeIntervalSince1970: try row.decode(column: "updated_at", as: Double.self)))
    }

    // MARK: activities, history, factors

    public func addActivity(_ activity: LeadActivityRecord) async throws {
        try await sql.raw("""
            INSERT INTO lead_activities (id, lead_id, organization_id, user_id, type, custom_type, description, metadata, occurred_at)
            VALUES (\(bind: activity.id), \(bind: activity.leadID), \(bind: activity.organizationID), \(bind: activity.userID),
                \(bind: activity.type.rawValue), \(bind: activity.customType), \(bind: activity.description),
                \(bind: try JSONColumn.encode(activity.metadata)), \(bind: activity.occurredAt.timeIntervalSince1970))
            """).run()
    }

    public func activities(leadID: UUID, limit: Int) async throws -> [LeadActivityRecord] {
        try await sql.raw("""
            SELECT * FROM lead_activities WHERE lead_id = \(bind: leadID) ORDER BY occurred_at DESC LIMIT \(bind: limit)
            """).all().map { row in
            LeadActivityRecord(
                id: try row.decode(column: "id", as: UUID.self), leadID: try row.decode(column: "lead_id", as: UUID.self),
                organizationID: try row.decode(column: "organization_id", as: UUID.self), userID: try row.decode(column: "user_id", as: Int?.self),
                type: LeadActivityType(rawValue: try row.decode(column: "type", as: String.self)) ?? .custom,
                customType: try row.decode(column: "custom_type", as: String?.self),
                description: try row.decode(column: "description", as: String?.self),
                metadata: try JSONColumn.decode(JSONValue.self, try row.decode(column: "metadata", as: String.self)) ?? .object([:]),
                occurredAt: Date(timeIntervalSince1970: try row.decode(column: "occurred_at", as: Double.self)))
        }
    }

    public func addScoreEntry(_ entry: LeadScoreEntry, leadID: UUID) async throws {
        try await sql.raw("""
            INSERT INTO lead_score_history (id, lead_id, overall, conversion_probability, band, reason, scored_at)
            VALUES (\(bind: UUID()), \(bind: leadID), \(bind: entry.overall), \(bind: entry.conversionProbability),
                \(bind: entry.band.rawValue), \(bind: entry.reason), \(bind: entry.scoredAt.timeIntervalSince1970))
            """).run()
    }

    public func scoreHistory(leadID: UUID, limit: Int) async throws -> [LeadScoreEntry] {
        try await sql.raw("""
            SELECT * FROM (SELECT * FROM lead_score_history WHERE lead_id = \(bind: leadID) ORDER BY scored_at DESC LIMIT \(bind: limit)) recent
            ORDER BY scored_at ASC
            """).all().map { row in
            LeadScoreEntry(
                overall: try row.decode(column: "overall", as: Double.self),
                conversionProbability: try row.decode(column: "conversion_probability", as: Double.self),
                band: LeadBand(rawValue: try row.decode(column: "band", as: String.self)) ?? .d,
                reason: try row.decode(column: "reason", as: String.self),
                scoredAt: Date(timeIntervalSince1970: try row.decode(column: "scored_at", as: Double.self)))
        }
    }

    public func adjustFactors(organizationID: UUID, by changes: [LeadFactorKey: Int]) async throws {
        let rows = changes.filter { $0.value != 0 }.map { key, delta -> SQLQueryString in
            "(\(bind: organizationID), \(bind: key.positive), \(bind: key.factor), \(bind: delta))"
        }
        // Four parameters a factor; an organization's factors are a few dozen sentences.
        for start in stride(from: 0, to: rows.count, by: 1_000) {
            try await sql.raw("""
                INSERT INTO lead_factor_counts (organization_id, positive, factor, leads) VALUES \(SQLList(Array(rows[start..<min(start + 1_000, rows.count)])))
                ON CONFLICT (organization_id, positive, factor) DO UPDATE SET leads = lead_factor_counts.leads + EXCLUDED.leads
                """).run()
        }
    }

    public func topFactors(organizationID: UUID, positive: Bool, limit: Int) async throws -> [LeadFactorCount] {
        try await sql.raw("""
            SELECT factor, leads FROM lead_factor_counts
            WHERE organization_id = \(bind: organizationID) AND positive = \(bind: positive) AND leads > 0
            ORDER BY leads DESC, factor ASC LIMIT \(bind: limit)
            """).all().map { LeadFactorCount(factor: try $0.decode(column: "factor", as: String.self), leads: try $0.decode(column: "leads", as: Int.self)) }
    }

    // MARK: calibration

    public func closedOutcomes(organizationID: UUID, limit: Int) async throws -> [(components: [Double], won: Bool)] {
        try await sql.raw("""
            SELECT status, score FROM leads WHERE organization_id = \(bind: organizationID)
                AND status IN ('closed_won', 'closed_lost') AND score IS NOT NULL
            ORDER BY updated_at DESC LIMIT \(bind: limit)
            """).all().compactMap { row in
            guard let card = try JSONColumn.decode(LeadScoreCard.self, try row.decode(column: "score", as: String?.self)) else { return nil }
            return (card.components, try row.decode(column: "status", as: String.self) == LeadStatus.closedWon.rawValue)
        }
    }

    public func calibration(organizationID: UUID) async throws -> LeadCalibration? {
        try JSONColumn.decode(LeadCalibration.self, try await sql.raw("""
            SELECT model FROM lead_calibrations WHERE organization_id = \(bind: organizationID)
            """).first()?.decode(column: "model", as: String.self))
    }

    public func saveCalibration(_ calibration: LeadCalibration, organizationID: UUID) async throws {
        try await sql.raw("""
            INSERT INTO lead_calibrations (organization_id, model) VALUES (\(bind: organizationID), \(bind: try JSONColumn.encode(calibration)))
            ON CONFLICT (organization_id) DO UPDATE SET model = EXCLUDED.model
            """).run()
    }

    // MARK: analytics

    public func overview(organizationID: UUID, since: Date) async throws -> LeadOverview {
        let sinceSeconds = since.timeIntervalSince1970
        let totals = try await sql.raw("""
            SELECT COUNT(*) AS total,
                COALESCE(SUM(CASE WHEN created_at >= \(bind: sinceSeconds) THEN 1 ELSE 0 END), 0) AS fresh,
                COALESCE(SUM(CASE WHEN status = 'qualified' THEN 1 ELSE 0 END), 0) AS qualified,
                COALESCE(SUM(CASE WHEN status = 'closed_won' THEN 1 ELSE 0 END), 0) AS won,
                COALESCE(SUM(CASE WHEN status IN ('closed_won', 'closed_lost') THEN 1 ELSE 0 END), 0) AS closed,
                COALESCE(AVG(score_overall), 0) AS average
            FROM leads WHERE organization_id = \(bind: organizationID)
            """).first()
        func counts(_ column: String) async throws -> [String: Int] {
            var result: [String: Int] = [:]
            for row in try await sql.raw("""
                SELECT \(ident: column) AS name, COUNT(*) AS total FROM leads
                WHERE organization_id = \(bind: organizationID) AND \(ident: column) IS NOT NULL AND \(ident: column) <> ''
                GROUP BY \(ident: column)
                """).all() {
                result[try row.decode(column: "name", as: String.self)] = try row.decode(column: "total", as: Int.self)
            }
            return result
        }
        return LeadOverview(
            totalLeads: try totals?.decode(column: "total", as: Int.self) ?? 0, newLeads: try totals?.decode(column: "fresh", as: Int.self) ?? 0,
            qualifiedLeads: try totals?.decode(column: "qualified", as: Int.self) ?? 0,
            convertedLeads: try totals?.decode(column: "won", as: Int.self) ?? 0,
            closedLeads: try totals?.decode(column: "closed", as: Int.self) ?? 0,
            averageScore: try totals?.decode(column: "average", as: Double.self) ?? 0,
            bySource: try await counts("source"), byStatus: try await counts("status"), byIndustry: try await counts("industry"))
    }

    public func dashboard(organizationID: UUID, since: Date, today: Date) async throws -> LeadDashboard {
        let leads = try await sql.raw("""
            SELECT COUNT(*) AS total,
                COALESCE(SUM(CASE WHEN created_at >= \(bind: today.timeIntervalSince1970) THEN 1 ELSE 0 END), 0) AS today,
                COALESCE(SUM(CASE WHEN status = 'closed_won' AND updated_at >= \(bind: since.timeIntervalSince1970) THEN 1 ELSE 0 END), 0) AS won,
                COALESCE(SUM(CASE WHEN status IN ('closed_won', 'closed_lost') AND updated_at >= \(bind: since.timeIntervalSince1970) THEN 1 ELSE 0 END), 0) AS closed,
                COALESCE(SUM(CASE WHEN status = 'closed_won' AND updated_at >= \(bind: since.timeIntervalSince1970) THEN deal_value ELSE 0 END), 0) AS revenue,
                COALESCE(AVG(score_overall), 0) AS average
            FROM leads WHERE organization_id = \(bind: organizationID)
            """).first()
        // Calls are conversations of kind `call`; one in progress is `active`.
        let calls = try await sql.raw("""
            SELECT COALESCE(SUM(CASE WHEN created_at >= \(bind: since) THEN 1 ELSE 0 END), 0) AS total,
                COALESCE(SUM(CASE WHEN created_at >= \(bind: today) THEN 1 ELSE 0 END), 0) AS today,
                COALESCE(SUM(CASE WHEN status = 'active' THEN 1 ELSE 0 END), 0) AS active
            FROM conversations WHERE organization_id = \(bind: organizationID) AND kind = 'call'
            """).first()
        return LeadDashboard(
            totalLeads: try leads?.decode(column: "total", as: Int.self) ?? 0, newLeadsToday: try leads?.decode(column: "today", as: Int.self) ?? 0,
            totalCalls: try calls?.decode(column: "total", as: Int.self) ?? 0, callsToday: try calls?.decode(column: "today", as: Int.self) ?? 0,
            wonLeads: try leads?.decode(column: "won", as: Int.self) ?? 0, closedLeads: try leads?.decode(column: "closed", as: Int.self) ?? 0,
            averageScore: try leads?.decode(column: "average", as: Double.self) ?? 0,
            revenue: try leads?.decode(column: "revenue", as: Double.self) ?? 0,
            activeCalls: try calls?.decode(column: "active", as: Int.self) ?? 0)
    }

    // MARK: imports

    public func refreshStatistics() async throws {
        if postgres {
            // VACUUM also marks the pages all-visible, so counting a list reads the index alone.
            try await sql.raw("VACUUM (ANALYZE) leads").run()
            try await sql.raw("VACUUM (ANALYZE) lead_search").run()
        } else {
            try await sql.raw("PRAGMA optimize").run()
        }
    }

    public func createImport(_ record: LeadImportRecord) async throws {
        try await sql.raw("""
            INSERT INTO lead_imports (id, public_id, organization_id, user_id, status, path, on_duplicate, processed_rows, report, created_at, completed_at)
            VALUES (\(bind: record.id), \(bind: record.publicID), \(bind: record.organizationID), \(bind: record.userID),
                \(bind: record.status.rawValue), \(bind: record.path), \(bind: record.onDuplicate), \(bind: record.processedRows),
                \(bind: try JSONColumn.encode(record.report)), \(bind: record.createdAt.timeIntervalSince1970),
                \(bind: record.completedAt?.timeIntervalSince1970))
            """).run()
    }

    public func updateImport(_ record: LeadImportRecord) async throws {
        try await sql.raw("""
            UPDATE lead_imports SET status = \(bind: record.status.rawValue), processed_rows = \(bind: record.processedRows),
                report = \(bind: try JSONColumn.encode(record.report)), completed_at = \(bind: record.completedAt?.timeIntervalSince1970)
            WHERE id = \(bind: record.id)
            """).run()
    }

    public func leadImport(publicID: String, organizationID: UUID) async throws -> LeadImportRecord? {
        try await sql.raw("""
            SELECT * FROM lead_imports WHERE public_id = \(bind: publicID) AND organization_id = \(bind: organizationID)
            """).first().map { row in
            LeadImportRecord(
                id: try row.decode(column: "id", as: UUID.self), publicID: try row.decode(column: "public_id", as: String.self),
                organizationID: try row.decode(column: "organization_id", as: UUID.self), userID: try row.decode(column: "user_id", as: Int.self),
                status: LeadImportRecord.Status(rawValue: try row.decode(column: "status", as: String.self)) ?? .failed,
                path: try row.decode(column: "path", as: String.self), onDuplicate: try row.decode(column: "on_duplicate", as: String.self),
                processedRows: try row.decode(column: "processed_rows", as: Int.self),
                report: try JSONColumn.decode(JSONValue.self, try row.decode(column: "report", as: String.self)) ?? .null,
                createdAt: Date(timeIntervalSince1970: try row.decode(column: "created_at", as: Double.self)),
                completedAt: try row.decode(column: "completed_at", as: Double?.self).map(Date.init(timeIntervalSince1970:)))
        }
    }
}
