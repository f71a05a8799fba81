import Foundation
import ParleyDomain

/// A campaign as a client describes it on creation.
public struct CampaignDraft: Sendable {
    public var name: String
    public var agentID: UUID
    /// As typed; each is checked and normalised to E.164, repeats dropped.
    public var phoneNumbers: [String]
    /// Instead of numbers: the phones of the organization's leads, optionally of one status.
    public var leadStatus: LeadStatus?
    public var useLeads = false
    public var startTime: Date?
    public var endTime: Date?
    public var maxConcurrentCalls: Int?
    public var callingHours: CallingHours?
    public var maxAttempts: Int?
    public var retryDelay: TimeInterval?
    public var voicemail: VoicemailAction?

    public init(name: String, agentID: UUID, phoneNumbers: [String]) {
        self.name = name
        self.agentID = agentID
        self.phoneNumbers = phoneNumbers
    }
}

/// A campaign with where its numbers stand.
public struct CampaignProgress: Sendable {
    public var campaign: Campaign
    public var counts: [DialStatus: Int]

    /// Numbers that need nothing more.
    public var settled: Int { counts.filter { $0.key.isSettled }.values.reduce(0, +) }
    public var inProgress: Int { counts[.dialling] ?? 0 }
}

/// Why a campaign cannot be launched or resumed (the document's `CAMPAIGN_002`).
public struct CampaignRefusal: Error, Sendable, Equatable {
    public var message: String
}

/// The durable job that looks at a running campaign: dials what its limit allows, settles it
/// when every number is, and looks again later.
public struct CampaignTick: Codable, Sendable, Equatable {
    public static let kind = "campaign.tick"
    public var campaignId: UUID
    public init(campaignId: UUID) { self.campaignId = campaignId }
}

/// The durable job of one attempt on one number (one job per attempt: a job that runs again
/// after a crash finds its attempt already placed and does not dial twice).
public struct DialAttempt: Codable, Sendable, Equatable {
    public static let kind = "campaign.dial"
    public var campaignId: UUID
    public var phoneNumber: String
    public var attempt: Int
    public init(campaignId: UUID, phoneNumber: String, attempt: Int) {
        self.campaignId = campaignId
        self.phoneNumber = phoneNumber
        self.attempt = attempt
    }
}

/// Campaigns: created as drafts with checked numbers, launched, paused, resumed and finished;
/// and each organization's do-not-call list, which no campaign dials.
public struct CampaignBook: Sendable {
    public static let maxNumbers = 100_000
    public static let maxConcurrentCalls = 100
    public static let maxPerPage = 100
    /// How often a running campaign is looked at when nothing else wakes it.
    public static let tickInterval: TimeInterval = 5

    let work: any UnitOfWork
    let stores: any StoreAccess
    let agents: VoiceAgentBook

    public init(work: any UnitOfWork, stores: any StoreAccess, agents: VoiceAgentBook) {
        self.work = work
        self.stores = stores
        self.agents = agents
    }

    // MARK: reading

    /// The user's campaign; `DomainError.notFound` for an unknown id or someone else's.
    public func campaign(id: UUID, of user: User) async throws -> Campaign {
        guard let campaign = try await stores.agents.campaign(id: id, organizationID: user.organizationID), campaign.ownerID == user.id else {
            throw DomainError.notFound(entity: "campaign")
        }
        return campaign
    }

    public func progress(of campaign: Campaign) async throws -> CampaignProgress {
        CampaignProgress(campaign: campaign, counts: try await stores.agents.dialCounts(campaignID: campaign.id))
    }

    public func campaigns(of user: User, agentID: UUID?, status: CampaignStatus?, offset: Int, limit: Int) async throws -> (campaigns: [Campaign], total: Int) {
        let query = CampaignQuery(organizationID: user.organizationID, ownerID: user.id, agentID: agentID, status: status,
                                  offset: max(0, offset), limit: min(max(limit, 1), Self.maxPerPage))
        async let page = stores.agents.campaigns(query)
        async let total = stores.agents.countCampaigns(query)
        return (try await page, try await total)
    }

    public func numbers(of campaign: Campaign, limit: Int) async throws -> [CampaignNumber] {
        try await stores.agents.numbers(campaignID: campaign.id, limit: limit)
    }

    // MARK: writing

    /// A draft campaign on one of the user's agents (someone else's agent is not found).
    public func create(_ draft: CampaignDraft, by user: User) async throws -> Campaign {
        _ = try await agents.agent(id: draft.agentID, of: user)
        let name = draft.name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, name.count <= 200 else { throw DomainError.validation(field: "name", message: "must be 1 to 200 characters") }
        var numbers = try Self.normalised(draft.phoneNumbers)
        if draft.useLeads {
            numbers = try await leadNumbers(organizationID: user.organizationID, status: draft.leadStatus, adding: numbers)
        }
        guard !numbers.isEmpty || !draft.phoneNumbers.isEmpty || draft.useLeads else {
            throw DomainError.validation(field: "phone_numbers", message: "give at least one number, or lead_list to call the organization's leads")
        }
        if let start = draft.startTime, let end = draft.endTime, end <= start {
            throw DomainError.validation(field: "end_time", message: "must be after start_time")
        }
        let concurrent = draft.maxConcurrentCalls ?? 5
        guard (1...Self.maxConcurrentCalls).contains(concurrent) else {
            throw DomainError.validation(field: "max_concurrent_calls", message: "must be 1 to \(Self.maxConcurrentCalls)")
        }
        let attempts = draft.maxAttempts ?? 3
        guard (1...10).contains(attempts) else { throw DomainError.validation(field: "max_attempts", message: "must be 1 to 10") }
        let delay = draft.retryDelay ?? 3_600
        guard (0...(7 * 86_400)).contains(delay) else { throw DomainError.validation(field: "retry_delay_seconds", message: "must be 0 to 604800") }
        if let hours = draft.callingHours { try Self.check(hours) }
        let campaign = Campaign(
            organizationID: user.organizationID, ownerID: user.id, agentID: draft.agentID, name: name, startTime: draft.startTime,
            endTime: draft.endTime, maxConcurrentCalls: concurrent, callingHours: draft.callingHours, maxAttempts: attempts,
            retryDelay: delay, voicemail: draft.voicemail ?? .hangUp, leadListQuery: draft.useLeads ? (draft.leadStatus?.rawValue ?? "all") : nil,
            numberCount: numbers.count)
        let list = numbers
        try await work.run { stores in try await stores.agents.createCampaign(campaign, numbers: list) }
        return campaign
    }

    /// Starts dialling: refused (`CampaignRefusal`) when it has no numbers, its window is over,
    /// its agent is inactive, or it is already running or finished.
    public func launch(id: UUID, by user: User, now: Date = Date()) async throws -> Campaign {
        let campaign = try await self.campaign(id: id, of: user)
        switch campaign.status {
        case .active: throw CampaignRefusal(message: "Campaign is already running")
        case .paused: throw CampaignRefusal(message: "Campaign is paused; resume it instead")
        case .completed, .cancelled: throw CampaignRefusal(message: "Campaign has finished (\(campaign.status.rawValue)); create a new one")
        case .draft: break
        }
        return try await start(campaign, by: user, now: now) { $0.launchedAt = now }
    }

    public func resume(id: UUID, by user: User, now: Date = Date()) async throws -> Campaign {
        let campaign = try await self.campaign(id: id, of: user)
        guard campaign.status == .paused else { throw CampaignRefusal(message: "Only a paused campaign can be resumed; it is \(campaign.status.rawValue)") }
        return try await start(campaign, by: user, now: now) { $0.pausedAt = nil }
    }

    private func start(_ campaign: Campaign, by user: User, now: Date, change: @escaping @Sendable (inout Campaign) -> Void) async throws -> Campaign {
        guard campaign.numberCount > 0 else { throw CampaignRefusal(message: "Campaign has no phone numbers to call") }
        if let end = campaign.endTime, end <= now { throw CampaignRefusal(message: "Campaign window ended at \(end.formatted(.iso8601))") }
        let agent = try await agents.agent(id: campaign.agentID, of: user)
        guard agent.status == .active else { throw CampaignRefusal(message: "Agent '\(agent.name)' is inactive; activate it first") }
        return try await work.run { stores in
            // Checked again inside the transaction: of two launches at once, one wins.
            guard var current = try await stores.agents.lockCampaign(id: campaign.id), current.status == campaign.status else {
                throw CampaignRefusal(message: "Campaign changed meanwhile; reload it")
            }
            current.status = .active
            change(&current)
            current.updatedAt = now
            try await stores.agents.updateCampaign(current)
            _ = try await stores.jobs.enqueue(Self.tick(current.id, at: max(now, current.startTime ?? now)))
            return current
        }
    }

    /// Holds new dials; calls in progress finish.
    public func pause(id: UUID, by user: User, now: Date = Date()) async throws -> Campaign {
        let campaign = try await self.campaign(id: id, of: user)
        guard campaign.status == .active else { throw CampaignRefusal(message: "Only a running campaign can be paused; it is \(campaign.status.rawValue)") }
        return try await work.run { stores in
            guard var current = try await stores.agents.lockCampaign(id: campaign.id), current.status == .active else {
                throw CampaignRefusal(message: "Campaign changed meanwhile; reload it")
            }
            current.status = .paused
            current.pausedAt = now
            current.updatedAt = now
            try await stores.agents.updateCampaign(current)
            return current
        }
    }

    /// The job that looks at `campaign` at `date` (ticks due in the same second are one job).
    static func tick(_ campaign: UUID, at date: Date) throws -> NewJob {
        NewJob(kind: CampaignTick.kind, payload: try JSONValue(encoding: CampaignTick(campaignId: campaign)), maxAttempts: 5, runAt: date,
               dedupeKey: "\(CampaignTick.kind):\(campaign.uuidString):\(Int(date.timeIntervalSince1970))")
    }

    // MARK: do not call

    public func blockedNumbers(of user: User, offset: Int, limit: Int) async throws -> (numbers: [BlockedNumber], total: Int) {
        async let page = stores.agents.blockedNumbers(organizationID: user.organizationID, offset: max(0, offset), limit: min(max(limit, 1), 1_000))
        async let total = stores.agents.countBlockedNumbers(organizationID: user.organizationID)
        return (try await page, try await total)
    }

    /// Puts numbers on the organization's list; returns them normalised.
    public func block(_ numbers: [String], reason: String?, by user: User) async throws -> [String] {
        let normalised = try Self.normalised(numbers, field: "phone_numbers")
        guard !normalised.isEmpty else { throw DomainError.validation(field: "phone_numbers", message: "give at least one number") }
        if let reason, reason.count > 500 { throw DomainError.validation(field: "reason", message: "must be at most 500 characters") }
        try await stores.agents.block(normalised.map { BlockedNumber(organizationID: user.organizationID, phoneNumber: $0, reason: reason) })
        return normalised
    }

    public func unblock(_ number: String, by user: User) async throws {
        guard let phone = PhoneNumber.e164(number) else { throw DomainError.validation(field: "phone_number", message: "'\(number)' is not an E.164 number") }
        guard try await stores.agents.unblock(phoneNumber: phone, organizationID: user.organizationID) else {
            throw DomainError.notFound(entity: "number on the do-not-call list")
        }
    }

    // MARK: rules

    /// Numbers in E.164, first occurrence kept; the first bad one is named by its position.
    static func normalised(_ numbers: [String], field: String = "phone_numbers") throws -> [String] {
        guard numbers.count <= maxNumbers else {
            throw DomainError.validation(field: field, message: "at most \(maxNumbers) numbers a campaign; split the list")
        }
        var seen = Set<String>()
        var result: [String] = []
        result.reserveCapacity(numbers.count)
        for (index, raw) in numbers.enumerated() {
            guard let number = PhoneNumber.e164(raw) else {
                throw DomainError.validation(field: "\(field)[\(index)]", message: "'\(raw.prefix(40))' is not a phone number in E.164 form (+ country code and number, e.g. +14155550123)")
            }
            if seen.insert(number).inserted { result.append(number) }
        }
        return result
    }

    static func check(_ hours: CallingHours) throws {
        guard TimeZone(identifier: hours.timeZone) != nil else {
            throw DomainError.validation(field: "calling_hours.timezone", message: "'\(hours.timeZone)' is not a time zone (use an IANA name such as America/New_York)")
        }
        guard (0..<1_440).contains(hours.start), (0...1_440).contains(hours.end), hours.start != hours.end else {
            throw DomainError.validation(field: "calling_hours", message: "start and end must be different times of day (HH:MM)")
        }
        guard !hours.weekdays.isEmpty, hours.weekdays.allSatisfy({ (1...7).contains($0) }) else {
            throw DomainError.validation(field: "calling_hours.days", message: "give at least one day")
        }
    }

    /// The phones of the organization's leads (of one status), after `numbers`, in E.164; leads
    /// whose phone is not a full international number are passed over.
    private func leadNumbers(organizationID: UUID, status: LeadStatus?, adding numbers: [String]) async throws -> [String] {
        var result = numbers
        var seen = Set(numbers)
        var offset = 0
        while result.count <= Self.maxNumbers {
            let page = try await stores.leads.leads(LeadQuery(organizationID: organizationID, status: status, offset: offset, limit: 1_000))
            if page.isEmpty { break }
            for lead in page where !lead.doNotCall {
                if let phone = lead.phone.flatMap(PhoneNumber.e164), seen.insert(phone).inserted { result.append(phone) }
            }
            offset += page.count
        }
        guard result.count <= Self.maxNumbers else {
            throw DomainError.validation(field: "lead_list", message: "the leads give more than \(Self.maxNumbers) numbers; narrow them by status")
        }
        return result
    }
}
