import Foundation
import ParleyDomain
import ParleyIntelligence

/// What a client asks for when it creates a call.
public struct CallDraft: Sendable, Hashable {
    public var leadPublicID: String
    public var phoneNumber: String?
    public var callType: String
    public var purpose: String?
    public var voiceID: String?
    public var speed: Double?
    public var language: String?

    public init(leadPublicID: String, phoneNumber: String?, callType: String, purpose: String?, voiceID: String?, speed: Double?, language: String?) {
        self.leadPublicID = leadPublicID
        self.phoneNumber = phoneNumber
        self.callType = callType
        self.purpose = purpose
        self.voiceID = voiceID
        self.speed = speed
        self.language = language
    }
}

/// Why a call cannot do what was asked; each surface words it in its own dialect.
public enum CallRefusal: Error, Equatable {
    /// The lead asked not to be called.
    case doNotCall(lead: String)
    case notStarted(call: String)
    case alreadyStarted(call: String)
    case ended(call: String)
}

/// AI calls to the organization's leads: each a core `Conversation` of kind `call` whose live
/// side runs on the one `LiveConversation` with the AI caller as counterpart. When a call ends,
/// the lead takes it in (a `call_completed` activity, its status, do-not-call after an opt-out,
/// a fresh score) and `call.completed` (or `call.failed`) goes to webhook subscribers, together.
/// Calls belong to the organization, as its leads do: every member may read and work them.
public struct LeadCalls: Sendable {
    public static let maxPerPage = 100
    /// End reasons that announce `call.failed` instead of `call.completed`.
    public static let failureReasons: Set<String> = ["failed", "error", "no_answer", "busy"]

    let work: any UnitOfWork
    let stores: any StoreAccess
    let leads: LeadBook

    public init(work: any UnitOfWork, stores: any StoreAccess, leads: LeadBook) {
        self.work = work
        self.stores = stores
        self.leads = leads
    }

    // MARK: reading

    /// The organization's call; `DomainError.notFound` for an unknown id or another organization's.
    public func call(publicID: String, organizationID: UUID) async throws -> Conversation {
        guard let call = try await stores.conversations.conversation(publicID: publicID, organizationID: organizationID), call.kind == .call,
              call.details.call != nil
        else { throw DomainError.notFound(entity: "call") }
        return call
    }

    /// A page of the organization's calls, newest first; `leadPublicID` narrows to one lead's.
    public func calls(organizationID: UUID, leadPublicID: String?, status: ConversationStatus?, offset: Int, limit: Int) async throws
        -> (calls: [Conversation], total: Int) {
        let query = ConversationQuery(organizationID: organizationID, kind: .call, status: status, category: leadPublicID, offset: offset,
                                      limit: min(max(limit, 1), Self.maxPerPage))
        async let page = stores.conversations.conversations(query)
        async let total = stores.conversations.countConversations(query)
        return (try await page, try await total)
    }

    public func turns(of call: Conversation) async throws -> [StoredTurn] {
        try await stores.conversations.turns(conversationID: call.id)
    }

    /// The AI caller as the call left it (nil before it started).
    public func caller(of call: Conversation) -> AICaller? {
        AICallerCounterpart.storedCaller(of: call)
    }

    // MARK: writing

    /// Creates a call to one of the organization's leads; refused for a lead on the do-not-call list.
    public func create(_ draft: CallDraft, by user: User) async throws -> Conversation {
        let lead = try await leads.lead(publicID: draft.leadPublicID, organizationID: user.organizationID)
        guard !lead.doNotCall else { throw CallRefusal.doNotCall(lead: lead.publicID) }
        let facts = CallFacts(
            leadID: lead.id, leadPublicID: lead.publicID, phoneNumber: draft.phoneNumber ?? lead.phone, callType: draft.callType,
            purpose: draft.purpose, voiceID: draft.voiceID, speed: draft.speed, language: draft.language)
        let call = Conversation(
            id: UUID(), publicID: Self.newPublicID(), organizationID: user.organizationID, userID: user.id, kind: .call, scenarioID: nil,
            title: draft.purpose ?? "Call with \(lead.displayName)", status: .created,
            configuration: ConversationSettings(voiceID: draft.voiceID), details: ConversationDetails(call: facts), analysis: nil,
            createdAt: Date(), startedAt: nil, completedAt: nil, duration: nil, category: lead.publicID)
        return try await stores.conversations.createConversation(call)
    }

    /// The lead being called, checked once more before the line opens (it may have opted out since).
    public func callableLead(of call: Conversation) async throws -> Lead {
        guard let facts = call.details.call else { throw DomainError.notFound(entity: "call") }
        let lead = try await leads.lead(publicID: facts.leadPublicID, organizationID: call.organizationID)
        guard !lead.doNotCall else { throw CallRefusal.doNotCall(lead: lead.publicID) }
        return lead
    }

    /// A call's live pipeline: the AI caller (restored from the call when it has started) speaking
    /// to the lead through the shared `LiveConversation`. When the call ends, its end is settled
    /// (`settle`) before the event reaches `emit`, so whoever renders `ended` sees the lead updated.
    public func live(_ call: Conversation, lead: Lead, speech: LiveSpeech, wording: (any LanguageModel)?,
                     emit: @escaping @Sendable (ConversationEvent) async -> Void) async throws -> LiveConversation {
        var call = call
        // A dropped connection left the call abandoned; whoever picks it up carries it on.
        if call.status == .abandoned { call.status = .active }
        // The caller speaks for the organization whose lead this is.
        let organization = try await stores.identity.organization(id: call.organizationID)
        let pitch = CallPitch(organization: organization?.name ?? CallPitch().organization)
        let counterpart = AICallerCounterpart.resume(call, lead: Self.callLead(lead), pitch: pitch, wording: wording)
        let turns = try await stores.conversations.turns(conversationID: call.id)
        let calls = self
        let facts = call.details.call
        return LiveConversation(
            conversation: call, counterpart: counterpart, turnsSoFar: turns.last?.sequence ?? 0, log: ConversationLog(stores: stores),
            speech: speech,
            settings: LiveSettings(voiceID: facts?.voiceID ?? "professional_female", repLabel: "customer", counterpartLabel: "ai"),
            emit: { event in
                if case .ended(let reason, let ended) = event {
                    let settled = (try? await calls.settle(ended, reason: reason)) ?? ended
                    await emit(.ended(reason: reason, conversation: settled))
                } else {
                    await emit(event)
                }
            })
    }

    /// Takes a finished call into its lead, once: a `call_completed` activity with the summary,
    /// do-not-call after an opt-out, status (new → contacted; a booked next step → qualified), a
    /// fresh score, and the `call.completed`/`call.failed`, `lead.updated` and
    /// `lead.score_changed` webhooks, all in one transaction. Returns the call as stored.
    @discardableResult
    public func settle(_ ended: Conversation, reason: String) async throws -> Conversation {
        let render = leads.render
        let settled = try await work.run { stores -> (Conversation, Bool) in
            guard var call = try await stores.conversations.conversation(publicID: ended.publicID, organizationID: ended.organizationID),
                  var facts = call.details.call, call.status.isFinal
            else { return (ended, false) }
            guard facts.settledAt == nil else { return (call, false) }
            facts.settledAt = Date()
            facts.endReason = facts.endReason ?? reason
            call.details.call = facts
            // A call driven over HTTP has no connection whose open time is counted: it lasted from start to end.
            if (call.duration ?? 0) == 0, let started = call.startedAt {
                call.duration = max(0, (call.completedAt ?? Date()).timeIntervalSince(started))
            }
            try await stores.conversations.updateConversation(call)
            let summary = AICallerCounterpart.storedCaller(of: call)?.summary
            let failed = Self.failureReasons.contains(reason)
            let callJSON = Self.webhookJSON(call, summary: summary)
            var data: [String: JSONValue] = ["call": callJSON]
            if var lead = try await stores.leads.lead(publicID: facts.leadPublicID, organizationID: call.organizationID) {
                let previous = lead
                let activity = LeadActivityRecord(
                    leadID: lead.id, organizationID: lead.organizationID, userID: call.userID, type: .callCompleted,
                    description: summary.map { "AI call: \($0.outcome.rawValue.replacingOccurrences(of: "_", with: " ")). \($0.recommendation)" } ?? "AI call ended",
                    metadata: Self.activityMetadata(callJSON, summary: summary), occurredAt: call.completedAt ?? Date())
                try await stores.leads.addActivity(activity)
                if summary?.doNotCall == true { lead.doNotCall = true }
                if lead.status == .new { lead.status = .contacted }
                if summary?.outcome == .nextStepBooked, lead.status == .contacted { lead.status = .qualified }
                lead.updatedAt = Date()
                let rescored = try await LeadBook.rescore(lead, reason: "activity:call_completed", in: stores)
                try await stores.leads.updateLead(rescored.lead)
                data["lead"] = render(rescored.lead)
                if rescored.lead.status != previous.status || rescored.lead.doNotCall != previous.doNotCall {
                    try await LeadEvents.queue(LeadEvents.updated, data: .object(["lead": render(rescored.lead)]),
                                               organizationID: lead.organizationID, occurrence: "\(lead.id):call:\(call.id)", in: stores)
                }
                try await LeadBook.announceScoreChange(rescored, render: render, in: stores)
            }
            try await LeadEvents.queue(failed ? LeadEvents.callFailed : LeadEvents.callCompleted, data: .object(data),
                                       organizationID: call.organizationID, occurrence: "\(call.id)", in: stores)
            return (call, true)
        }
        return settled.0
    }

    /// Announces `call.started` with the call and its lead.
    public func announceStart(_ call: Conversation, lead: Lead) async throws {
        let render = leads.render
        _ = try await work.run { stores in
            try await LeadEvents.queue(LeadEvents.callStarted, data: .object(["call": Self.webhookJSON(call, summary: nil), "lead": render(lead)]),
                                       organizationID: call.organizationID, occurrence: "\(call.id)", in: stores)
        }
    }

    /// The lead as the caller knows them.
    public static func callLead(_ lead: Lead) -> CallLead {
        let name = [lead.firstName, lead.lastName].filter { !$0.isEmpty }.joined(separator: " ")
        return CallLead(name: name.isEmpty ? nil : name, company: lead.company, title: lead.title, industry: lead.industry)
    }

    /// `call_` and 12 hex digits, as the document shows (`call_xyz789`).
    public static func newPublicID() -> String { PublicID.make("call") }

    /// The call activity's metadata: the call as webhooks carry it, and what the lead voiced
    /// (interests, objections, mood) for the intent score.
    static func activityMetadata(_ call: JSONValue, summary: CallSummary?) -> JSONValue {
        guard case .object(var object) = call, let summary, let evidence = try? JSONValue(encoding: CallEvidence(summary)) else { return call }
        object["evidence"] = evidence
        return .object(object)
    }

    /// What webhook payloads and the call activity carry about a call.
    static func webhookJSON(_ call: Conversation, summary: CallSummary?) -> JSONValue {
        var object: [String: JSONValue] = [
            "id": .string(call.publicID), "lead_id": .string(call.details.call?.leadPublicID ?? ""),
            "status": .string(call.status.rawValue),
            "duration_seconds": call.duration.map { .number($0.rounded()) } ?? .null,
        ]
        if let summary {
            object["outcome"] = .string(summary.outcome.rawValue)
            object["conversation_state"] = .string(summary.conversationState.rawValue)
            object["overall_sentiment"] = .number(summary.overallSentiment)
            object["conversion_probability"] = .number(summary.conversionProbability)
            object["recommendation"] = .string(summary.recommendation)
            object["do_not_call"] = .bool(summary.doNotCall)
        }
        return .object(object)
    }
}
