import Foundation
import ParleyDomain

/// What a client sends to create a lead (or one row of an import).
public struct LeadDraft: Sendable, Hashable {
    public var firstName: String = ""
    public var lastName: String = ""
    public var email: String?
    public var phone: String?
    public var company: String?
    public var title: String?
    public var industry: String?
    public var source: String?
    public var notes: String?
    public var companySize: Int?
    public var status: LeadStatus = .new
    public var dealValue: Double?
    public var assignedTo: Int?
    public var doNotCall: Bool = false

    public init() {}
}

/// A partial change to a lead: nil leaves a field as it is; `.some(nil)` clears it.
public struct LeadChanges: Sendable, Hashable {
    public var firstName: String?
    public var lastName: String?
    public var email: String??
    public var phone: String??
    public var company: String??
    public var title: String??
    public var industry: String??
    public var source: String??
    public var notes: String??
    public var companySize: Int??
    public var status: LeadStatus?
    public var dealValue: Double??
    public var assignedTo: Int??
    public var doNotCall: Bool?

    public init() {}
}

/// What a client sends to record an activity.
public struct LeadActivityDraft: Sendable, Hashable {
    /// Any name; the known ones are typed, others are kept as `custom`.
    public var type: String
    public var description: String?
    public var metadata: JSONValue
    public var occurredAt: Date?

    public init(type: String, description: String? = nil, metadata: JSONValue = .object([:]), occurredAt: Date? = nil) {
        self.type = type
        self.description = description
        self.metadata = metadata
        self.occurredAt = occurredAt
    }
}

/// A lead's score as it changed: before (nil for a new lead) and after.
public struct LeadRescoring: Sendable {
    public var lead: Lead
    public var previous: LeadScoreCard?

    public var changed: Bool {
        guard let previous, let now = lead.score else { return false }
        return abs(previous.overall - now.overall) >= 0.0005 || previous.band != now.band
            || abs(previous.conversionProbability - now.conversionProbability) >= 0.0005
    }
}

/// The organization's leads: kept, changed, scored with reasons on every change and
/// activity, listed and searched, and announced to webhook subscribers (`lead.created`,
/// `lead.updated`, `lead.score_changed`). Leads belong to the organization: every member
/// may read and work them; removing one takes an admin, a supervisor, its creator or its assignee.
public struct LeadBook: Sendable {
    /// The full lead object as the Leads surface shows it, for webhook payloads.
    public typealias Rendering = @Sendable (Lead) -> JSONValue

    /// The most activities a score reads (the newest).
    static let scoredActivities = 500
    public static let maxPerPage = 100

    let work: any UnitOfWork
    let stores: any StoreAccess
    let render: Rendering

    public init(work: any UnitOfWork, stores: any StoreAccess, render: @escaping Rendering) {
        self.work = work
        self.stores = stores
        self.render = render
    }

    // MARK: reading

    /// The organization's lead; `DomainError.notFound` for an unknown id or another organization's.
    public func lead(publicID: String, organizationID: UUID) async throws -> Lead {
        guard let lead = try await stores.leads.lead(publicID: publicID, organizationID: organizationID) else {
            throw DomainError.notFound(entity: "lead")
        }
        return lead
    }

    public func leads(_ query: LeadQuery) async throws -> (leads: [Lead], total: Int) {
        var query = query
        query.limit = min(max(query.limit, 1), Self.maxPerPage)
        async let page = stores.leads.leads(query)
        async let total = stores.leads.countLeads(query)
        return (try await page, try await total)
    }

    /// Every lead matching the filters, page by page (for export), newest first.
    public func eachPage(_ query: LeadQuery, pageSize: Int = 500, _ body: ([Lead]) async throws -> Void) async throws {
        var query = query
        query.limit = pageSize
        query.offset = 0
        while true {
            let page = try await stores.leads.leads(query)
            if !page.isEmpty { try await body(page) }
            if page.count < pageSize { return }
            query.offset += pageSize
        }
    }

    public func activities(of lead: Lead, limit: Int) async throws -> [LeadActivityRecord] {
        try await stores.leads.activities(leadID: lead.id, limit: limit)
    }

    public func scoreHistory(of lead: Lead, limit: Int) async throws -> [LeadScoreEntry] {
        try await stores.leads.scoreHistory(leadID: lead.id, limit: limit)
    }

    /// The factors most of the organization's leads share, positive and negative.
    public func topFactors(organizationID: UUID, limit: Int) async throws -> (positive: [LeadFactorCount], negative: [LeadFactorCount]) {
        (try await stores.leads.topFactors(organizationID: organizationID, positive: true, limit: limit),
         try await stores.leads.topFactors(organizationID: organizationID, positive: false, limit: limit))
    }

    public func calibration(organizationID: UUID) async throws -> LeadCalibration? {
        try await stores.leads.calibration(organizationID: organizationID)
    }

    public func overview(organizationID: UUID, days: Int, now: Date = Date()) async throws -> LeadOverview {
        try await stores.leads.overview(organizationID: organizationID, since: now.addingTimeInterval(-Double(days) * 86_400))
    }

    public func dashboard(organizationID: UUID, days: Int, now: Date = Date()) async throws -> LeadDashboard {
        let today = Calendar(identifier: .gregorian).startOfDay(for: now)
        return try await stores.leads.dashboard(
            organizationID: organizationID, since: now.addingTimeInterval(-Double(days) * 86_400), today: today)
    }

    // MARK: writing

    /// Validates and stores a new lead, scores it and announces `lead.created`, together.
    public func create(_ draft: LeadDraft, by user: User) async throws -> Lead {
        var lead = Lead(
            organizationID: user.organizationID, createdBy: user.id, assignedTo: draft.assignedTo, firstName: draft.firstName,
            lastName: draft.lastName, email: draft.email, phone: draft.phone, company: draft.company, title: draft.title,
            industry: draft.industry, source: draft.source, notes: draft.notes, companySize: draft.companySize, status: draft.status,
            dealValue: draft.dealValue, doNotCall: draft.doNotCall)
        lead = try LeadRules.cleaned(lead)
        try await checkAssignee(lead)
        let fresh = lead
        let render = self.render
        let created = try await work.run { stores in
            if let email = fresh.email, let existing = try await stores.leads.lead(email: email, organizationID: fresh.organizationID) {
                throw DomainError.conflict("A lead with email \(email) already exists in this organization (\(existing.publicID))")
            }
            let calibration = try await stores.leads.calibration(organizationID: fresh.organizationID)
            var lead = fresh
            lead.score = LeadScoring.card(for: lead, activities: [], calibration: calibration)
            try await stores.leads.createLead(lead)
            try await Self.recordScore(lead, previous: nil, reason: "created", in: stores)
            try await LeadEvents.queue(LeadEvents.created, data: .object(["lead": render(lead)]), organizationID: lead.organizationID,
                                       occurrence: "\(lead.id)", in: stores)
            return lead
        }
        return created
    }

    /// Applies a partial change, rescores, and announces `lead.updated` (and
    /// `lead.score_changed` when the score moved), together.
    public func update(publicID: String, with changes: LeadChanges, by user: User) async throws -> Lead {
        let current = try await lead(publicID: publicID, organizationID: user.organizationID)
        var lead = LeadRules.applying(changes, to: current)
        lead.updatedAt = Date()
        lead = try LeadRules.cleaned(lead)
        if lead.assignedTo != current.assignedTo { try await checkAssignee(lead) }
        let changed = lead
        let render = self.render
        let rescored = try await work.run { stores in
            if let email = changed.email, email.lowercased() != current.email?.lowercased(),
               let existing = try await stores.leads.lead(email: email, organizationID: changed.organizationID), existing.id != changed.id {
                throw DomainError.conflict("A lead with email \(email) already exists in this organization (\(existing.publicID))")
            }
            let rescored = try await Self.rescore(changed, reason: "updated", in: stores)
            try await stores.leads.updateLead(rescored.lead)
            try await LeadEvents.queue(LeadEvents.updated, data: .object(["lead": render(rescored.lead)]),
                                       organizationID: changed.organizationID, occurrence: "\(changed.id):\(UUID())", in: stores)
            try await Self.announceScoreChange(rescored, render: render, in: stores)
            return rescored
        }
        if current.status != rescored.lead.status, rescored.lead.status.isClosed {
            try await recalibrate(organizationID: user.organizationID)
        }
        return rescored.lead
    }

    /// Rescores on request (`POST …/score`): the score is computed afresh and kept.
    public func rescore(publicID: String, organizationID: UUID) async throws -> Lead {
        let current = try await lead(publicID: publicID, organizationID: organizationID)
        let render = self.render
        return try await work.run { stores in
            let rescored = try await Self.rescore(current, reason: "requested", in: stores)
            try await stores.leads.updateLead(rescored.lead)
            try await Self.announceScoreChange(rescored, render: render, in: stores)
            return rescored.lead
        }
    }

    /// Records an activity and rescores the lead with it, together.
    public func record(_ draft: LeadActivityDraft, on publicID: String, by user: User?, organizationID: UUID) async throws -> (LeadActivityRecord, Lead) {
        let current = try await lead(publicID: publicID, organizationID: organizationID)
        let activity = try LeadRules.activity(draft, lead: current, userID: user?.id)
        let render = self.render
        return try await work.run { stores in
            try await stores.leads.addActivity(activity)
            var lead = current
            if activity.type == .doNotCall { lead.doNotCall = true }
            lead.updatedAt = Date()
            let rescored = try await Self.rescore(lead, reason: "activity:\(activity.typeName)", in: stores)
            try await stores.leads.updateLead(rescored.lead)
            if lead.doNotCall != current.doNotCall {
                // An opt-out changes the lead itself, not only its score.
                try await LeadEvents.queue(LeadEvents.updated, data: .object(["lead": render(rescored.lead)]),
                                           organizationID: lead.organizationID, occurrence: "\(lead.id):\(activity.id)", in: stores)
            }
            try await Self.announceScoreChange(rescored, render: render, in: stores)
            return (activity, rescored.lead)
        }
    }

    /// Removes a lead with its activities and history; refused (403) to members who neither
    /// created nor are assigned it.
    public func delete(publicID: String, by user: User) async throws {
        let lead = try await lead(publicID: publicID, organizationID: user.organizationID)
        guard user.role != .user || lead.createdBy == user.id || lead.assignedTo == user.id else {
            throw DomainError.forbidden("Lead \(publicID) was created by and is assigned to someone else; ask them or an admin")
        }
        try await work.run { stores in
            guard try await stores.leads.deleteLead(id: lead.id, organizationID: lead.organizationID) else { return }
            let changes = LeadFactorKey.changes(from: lead.score, to: nil)
            if !changes.isEmpty { try await stores.leads.adjustFactors(organizationID: lead.organizationID, by: changes) }
        }
    }

    /// Fits the organization's calibration again from its closed leads (kept only once there are enough).
    @discardableResult
    public func recalibrate(organizationID: UUID) async throws -> LeadCalibration? {
        let outcomes = try await stores.leads.closedOutcomes(organizationID: organizationID, limit: LeadScoring.calibrationSample)
        guard let calibration = LeadScoring.calibrate(outcomes) else { return nil }
        try await stores.leads.saveCalibration(calibration, organizationID: organizationID)
        return calibration
    }

    // MARK: inside a transaction

    /// Scores `lead` afresh from its stored activities; records history and factors when it moved.
    static func rescore(_ lead: Lead, reason: String, in stores: TransactionStores) async throws -> LeadRescoring {
        var lead = lead
        let previous = lead.score
        let activities = try await stores.leads.activities(leadID: lead.id, limit: scoredActivities)
        let calibration = try await stores.leads.calibration(organizationID: lead.organizationID)
        lead.score = LeadScoring.card(for: lead, activities: activities, calibration: calibration)
        let rescoring = LeadRescoring(lead: lead, previous: previous)
        if previous == nil || rescoring.changed || previous?.positiveFactors != lead.score?.positiveFactors
            || previous?.negativeFactors != lead.score?.negativeFactors {
            try await recordScore(lead, previous: previous, reason: reason, in: stores)
        }
        return rescoring
    }

    /// Keeps the new score in the history and moves the organization's factor counts from the
    /// previous score's factors to the new one's.
    static func recordScore(_ lead: Lead, previous: LeadScoreCard?, reason: String, in stores: TransactionStores) async throws {
        guard let score = lead.score else { return }
        try await stores.leads.addScoreEntry(LeadScoreEntry(
            overall: score.overall, conversionProbability: score.conversionProbability, band: score.band, reason: reason,
            scoredAt: score.scoredAt), leadID: lead.id)
        let changes = LeadFactorKey.changes(from: previous, to: score)
        if !changes.isEmpty { try await stores.leads.adjustFactors(organizationID: lead.organizationID, by: changes) }
    }

    static func announceScoreChange(_ rescoring: LeadRescoring, render: Rendering, in stores: TransactionStores) async throws {
        guard rescoring.changed, let previous = rescoring.previous, let now = rescoring.lead.score else { return }
        func summary(_ card: LeadScoreCard) -> JSONValue {
            .object(["overall_score": .number(card.overall), "conversion_probability": .number(card.conversionProbability),
                     "band": .string(card.band.rawValue)])
        }
        try await LeadEvents.queue(
            LeadEvents.scoreChanged,
            data: .object(["lead": render(rescoring.lead), "old_score": summary(previous), "new_score": summary(now)]),
            organizationID: rescoring.lead.organizationID, occurrence: "\(rescoring.lead.id):\(UUID())", in: stores)
    }

    private func checkAssignee(_ lead: Lead) async throws {
        guard let assignee = lead.assignedTo else { return }
        guard try await stores.leads.isMember(userID: assignee, organizationID: lead.organizationID) else {
            throw DomainError.validation(field: "assigned_to", message: "must be a user of your organization")
        }
    }
}
