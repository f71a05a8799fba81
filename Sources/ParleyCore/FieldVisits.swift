import Foundation
import ParleyDomain

/// What a technician says when starting a conversation.
public struct FieldVisitStart: Sendable {
    public var jobID: String?
    public var jobTitle: String?
    public var customerName: String?
    public var customerPhone: String?
    public var locationAddress: String?
    public var consent: [RecordingConsent]

    public init(jobID: String?, jobTitle: String?, customerName: String?, customerPhone: String?, locationAddress: String?,
                consent: [RecordingConsent]) {
        self.jobID = jobID
        self.jobTitle = jobTitle
        self.customerName = customerName
        self.customerPhone = customerPhone
        self.locationAddress = locationAddress
        self.consent = consent
    }
}

/// Field Intelligence conversations: started by a technician, recorded in chunks, stopped into
/// one recording whose processing is a durable job, then reviewed by their supervisor (feedback,
/// upsells moving through the sale). Who may do what follows the access policy: the technician
/// owns the conversation; their supervisor and admins read and coach it.
public struct FieldVisits: Sendable {
    /// The largest chunk sequence accepted (a visit of days in 5-second chunks fits).
    public static let maxSequence = 1_000_000
    let work: any UnitOfWork
    let stores: any StoreAccess

    public init(work: any UnitOfWork, stores: any StoreAccess) {
        self.work = work
        self.stores = stores
    }

    // MARK: the conversation

    /// Starts a conversation numbered `CONV-YYYYMMDD-NNN` in the technician's organization and
    /// the UTC day; the number and the conversation are written together.
    public func start(by technician: User, _ visit: FieldVisitStart, at now: Date = Date()) async throws -> Conversation {
        let day = FieldVisitID.dayKey(now)
        return try await work.run { stores in
            let number = try await stores.field.nextConversationNumber(organizationID: technician.organizationID, day: day)
            let id = FieldVisitID(day: now, number: number, organizationID: technician.organizationID)
            let facts = FieldVisitFacts(
                jobID: visit.jobID, jobTitle: visit.jobTitle, customerName: visit.customerName, customerPhone: visit.customerPhone,
                locationAddress: visit.locationAddress, consent: visit.consent)
            let conversation = Conversation(
                id: UUID(), publicID: id.stored, organizationID: technician.organizationID, userID: technician.id, kind: .field, scenarioID: nil,
                title: visit.jobTitle ?? visit.customerName, status: .active, configuration: ConversationSettings(),
                details: ConversationDetails(field: facts), analysis: nil, createdAt: now, startedAt: now, completedAt: nil, duration: nil,
                category: "unrecorded")
            return try await stores.conversations.createConversation(conversation)
        }
    }

    /// A field conversation `viewer` may read, with its technician; unknown ids and other
    /// organizations' are not found, a colleague's that is not theirs to see is forbidden.
    public func visit(_ clientID: String, visibleTo viewer: User) async throws -> (Conversation, User) {
        guard let id = FieldVisitID(client: clientID, organizationID: viewer.organizationID),
              let conversation = try await stores.conversations.conversation(publicID: id.stored, organizationID: viewer.organizationID),
              conversation.kind == .field,
              let technician = try await stores.identity.user(id: conversation.userID, organizationID: viewer.organizationID)
        else { throw DomainError.notFound(entity: "conversation") }
        guard AccessPolicy.allows(viewer, .read, toWhatIsOwnedBy: technician) else {
            throw DomainError.forbidden("Conversation \(clientID) belongs to another technician")
        }
        return (conversation, technician)
    }

    /// The conversation for its own technician to record into; anyone else is forbidden.
    public func recording(_ clientID: String, by technician: User) async throws -> Conversation {
        let (conversation, owner) = try await visit(clientID, visibleTo: technician)
        guard owner.id == technician.id else { throw DomainError.forbidden("Only the technician who started \(clientID) can record it") }
        return conversation
    }

    /// Keeps an uploaded chunk of a conversation still in progress. A sequence already stored
    /// is not stored again: the stored chunk comes back with `duplicate` true.
    public func addChunk(_ chunk: FieldChunk, to conversation: Conversation) async throws -> (chunk: FieldChunk, duplicate: Bool) {
        guard (0...Self.maxSequence).contains(chunk.sequence) else {
            throw DomainError.validation(field: "sequence", message: "must be a whole number from 0 to \(Self.maxSequence)")
        }
        return try await work.run { stores in
            guard let current = try await stores.conversations.conversation(publicID: conversation.publicID, organizationID: conversation.organizationID),
                  current.status == .active
            else {
                throw DomainError.validation(field: "conversation_id", message: "the conversation has been stopped; start a new one to record more")
            }
            if try await stores.field.addChunk(chunk) {
                if current.category != "recorded" {
                    var recorded = current
                    recorded.category = "recorded"
                    try await stores.conversations.updateConversation(recorded)
                }
                return (chunk, false)
            }
            guard let stored = try await stores.field.chunk(conversationID: chunk.conversationID, sequence: chunk.sequence) else {
                throw DomainError.conflict("chunk \(chunk.sequence) was being stored by another request; send it again")
            }
            return (stored, true)
        }
    }

    /// The chunk of a sequence, when it was received.
    public func chunk(_ sequence: Int, of conversation: Conversation) async throws -> FieldChunk? {
        try await stores.field.chunk(conversationID: conversation.id, sequence: sequence)
    }

    public func chunks(of conversation: Conversation) async throws -> [FieldChunk] {
        try await stores.field.chunks(conversationID: conversation.id)
    }

    /// Sequences missing below the highest one received (the first chunk is 0 or 1, whichever the client began with).
    public static func missingSequences(_ received: [Int]) -> [Int] {
        guard let last = received.max(), let first = received.min() else { return [] }
        let start = min(first, 1)
        let have = Set(received)
        return (start...last).filter { !have.contains($0) && $0 >= (first == 0 ? 0 : 1) }
    }

    /// Stops a conversation: `conversation` carries its end (time, duration, recording, missing
    /// chunks). With a recording and the consent the organization requires, it moves to
    /// processing with its job (through `intake`, so of two stops one wins); without consent it
    /// waits (`paused`, the reason kept); without any recording it is over (`completed`, nothing
    /// to analyse). False when it had already been stopped.
    public func stop(_ conversation: Conversation, recording: MediaUpload?, intake: RecordingIntake) async throws -> (Conversation, Bool) {
        var stopped = conversation
        let settings = try await stores.field.settings(organizationID: conversation.organizationID)
        if let reason = Self.consentMissing(conversation.details.field, settings: settings), recording != nil {
            stopped.details.field?.analysisHeld = reason
            stopped.status = .paused
        } else if let recording {
            stopped.status = .processing
            stopped.details.processing = ProcessingState(
                uploadId: recording.publicID, stage: "queued", progress: 0, status: "queued", estimatedTime: nil, updatedAt: Date())
            let won = try await intake.accept(recording, isNew: true, into: stopped, expected: [.active])
            return (stopped, won)
        } else {
            stopped.status = .completed
            stopped.completedAt = stopped.details.field?.endedAt ?? Date()
        }
        let final = stopped
        let won = try await work.run { stores in
            guard try await stores.conversations.updateConversation(final, ifStatusIn: [.active]) else { return false }
            if let recording { try await stores.uploads.createUpload(recording) }
            return true
        }
        return (stopped, won)
    }

    /// Why the organization's consent rule holds analysis back, nil when it does not.
    public static func consentMissing(_ facts: FieldVisitFacts?, settings: FieldSettings) -> String? {
        guard settings.requireAllPartyConsent else { return nil }
        let parties = Set((facts?.consent ?? []).map(\.party))
        let missing = ["technician", "customer"].filter { !parties.contains($0) }
        return missing.isEmpty ? nil : "the organization requires every party's consent before analysis; missing: \(missing.joined(separator: ", "))"
    }

    /// Records a party's consent. A conversation held for consent goes on to processing once
    /// everyone required has agreed (`resume` queues it); returns the conversation as saved.
    public func consent(_ consent: RecordingConsent, to conversation: Conversation, by technician: User,
                        resume: (Conversation) async throws -> Conversation) async throws -> Conversation {
        guard conversation.userID == technician.id else { throw DomainError.forbidden("Only the conversation's technician records consent") }
        guard ["technician", "customer"].contains(consent.party) else {
            throw DomainError.validation(field: "party", message: "must be technician or customer")
        }
        var updated = conversation
        var facts = updated.details.field ?? FieldVisitFacts()
        facts.consent.removeAll { $0.party == consent.party && $0.name == consent.name }
        facts.consent.append(consent)
        updated.details.field = facts
        let settings = try await stores.field.settings(organizationID: conversation.organizationID)
        let complete = Self.consentMissing(facts, settings: settings) == nil
        if conversation.status == .paused, complete { updated.details.field?.analysisHeld = nil }
        // The consent is kept first; a held conversation then goes on from `paused`, so of two consents one resumes it.
        try await stores.conversations.updateConversation(updated)
        return conversation.status == .paused && complete ? try await resume(updated) : updated
    }

    /// A technician's conversations, newest first, for someone allowed to read them.
    public func history(of technicianID: Int, visibleTo viewer: User, status: ConversationStatus?, limit: Int, offset: Int)
        async throws -> (conversations: [Conversation], total: Int) {
        guard let technician = try await stores.identity.user(id: technicianID, organizationID: viewer.organizationID) else {
            throw DomainError.notFound(entity: "technician")
        }
        guard AccessPolicy.allows(viewer, .read, toWhatIsOwnedBy: technician) else {
            throw DomainError.forbidden("That technician's conversations are not yours to see")
        }
        let query = ConversationQuery(organizationID: viewer.organizationID, userID: technicianID, kind: .field, status: status,
                                      offset: offset, limit: limit)
        return (try await stores.conversations.conversations(query), try await stores.conversations.countConversations(query))
    }

    // MARK: what the analysis found

    /// Keeps what the analysis of a conversation found beside it; returns the upsells that are new.
    public func keepFindings(of conversation: Conversation, upsells: [FieldUpsell], moments: [FieldCoachingMoment]) async throws -> [FieldUpsell] {
        try await work.run { stores in
            let before = Set(try await stores.field.upsells(conversationID: conversation.id, organizationID: conversation.organizationID).map(\.type))
            let stored = try await stores.field.replaceUpsells(conversationID: conversation.id, organizationID: conversation.organizationID, with: upsells)
            _ = try await stores.field.replaceCoachingMoments(
                conversationID: conversation.id, organizationID: conversation.organizationID, userID: conversation.userID, with: moments)
            return stored.filter { !before.contains($0.type) }
        }
    }

    public func upsells(of conversation: Conversation) async throws -> [FieldUpsell] {
        try await stores.field.upsells(conversationID: conversation.id, organizationID: conversation.organizationID)
    }

    public func coachingMoments(of conversation: Conversation) async throws -> [FieldCoachingMoment] {
        try await stores.field.coachingMoments(conversationID: conversation.id, organizationID: conversation.organizationID)
    }

    // MARK: nudges

    /// Keeps a nudge unless the conversation already had the same one; nil then (it is not sent again).
    public func nudge(_ nudge: FieldNudge) async throws -> FieldNudge? {
        try await stores.field.addNudge(nudge)
    }

    /// A technician's `dismissed` or `accepted` on a nudge of their conversation.
    public func act(on nudgeID: Int, in conversation: Conversation, action: String, at now: Date = Date()) async throws {
        guard ["dismissed", "accepted"].contains(action) else {
            throw DomainError.validation(field: "action", message: "must be dismissed or accepted")
        }
        guard try await stores.field.actOnNudge(id: nudgeID, conversationID: conversation.id, action: action, at: now) else {
            throw DomainError.validation(field: "nudge_id", message: "no nudge \(nudgeID) in this conversation")
        }
    }

    public func nudges(of conversation: Conversation) async throws -> [FieldNudge] {
        try await stores.field.nudges(conversationID: conversation.id, organizationID: conversation.organizationID)
    }

    // MARK: the supervisor's side

    /// Checks that `viewer` coaches the technician: their supervisor (or of their team) or an admin.
    public static func requireCoach(_ viewer: User, of technician: User) throws {
        guard viewer.role != .user else { throw DomainError.forbidden("Only supervisors and admins use the coach platform") }
        guard AccessPolicy.allows(viewer, .read, toWhatIsOwnedBy: technician) else {
            throw DomainError.forbidden("That technician is not on your team")
        }
    }

    /// Keeps a supervisor's feedback on a conversation they coach; ratings are 1–5.
    public func feedback(on conversation: Conversation, of technician: User, by supervisor: User, ratings: [String: Int?],
                         strengths: String?, improvements: String?, trainingExample: Bool, at now: Date = Date()) async throws -> FieldFeedback {
        try Self.requireCoach(supervisor, of: technician)
        for (field, rating) in ratings.sorted(by: { $0.key < $1.key }) {
            if let rating, !(1...5).contains(rating) { throw DomainError.validation(field: field, message: "must be a whole number from 1 to 5") }
        }
        guard let overall = ratings["overall_rating"] ?? nil else {
            throw DomainError.validation(field: "overall_rating", message: "is required (1 to 5)")
        }
        for (field, text) in [("strengths", strengths), ("areas_for_improvement", improvements)] {
            if let text, text.count > 4000 || AccountRules.containsControlCharacters(text) {
                throw DomainError.validation(field: field, message: "must be at most 4000 characters of text")
            }
        }
        return try await stores.field.addFeedback(FieldFeedback(
            organizationID: conversation.organizationID, conversationID: conversation.id, supervisorID: supervisor.id, technicianID: technician.id,
            overallRating: overall, rapportRating: ratings["rapport_rating"] ?? nil, technicalRating: ratings["technical_rating"] ?? nil,
            upsellRating: ratings["upsell_rating"] ?? nil, strengths: strengths, areasForImprovement: improvements,
            isTrainingExample: trainingExample, createdAt: now))
    }

    public func feedback(of conversation: Conversation) async throws -> [FieldFeedback] {
        try await stores.field.feedback(conversationID: conversation.id, organizationID: conversation.organizationID)
    }

    /// Moves an upsell along the sale for a supervisor who coaches its technician; `closed_won`
    /// takes its actual value (what revenue counts).
    public func updateUpsell(id: Int, to status: UpsellStatus, actualValue: Double?, notes: String?, by supervisor: User,
                             at now: Date = Date()) async throws -> FieldUpsell {
        guard var upsell = try await stores.field.upsell(id: id, organizationID: supervisor.organizationID),
              let technician = try await stores.identity.user(id: upsell.userID, organizationID: supervisor.organizationID)
        else { throw DomainError.notFound(entity: "upsell opportunity") }
        try Self.requireCoach(supervisor, of: technician)
        if let actualValue, !(actualValue.isFinite && actualValue >= 0 && actualValue < 1e12) {
            throw DomainError.validation(field: "actual_value", message: "must be an amount, 0 or more")
        }
        if let notes, notes.count > 4000 || AccountRules.containsControlCharacters(notes) {
            throw DomainError.validation(field: "notes", message: "must be at most 4000 characters of text")
        }
        let previous = upsell.status
        if status != previous {
            guard previous.next.contains(status) else {
                throw DomainError.validation(field: "status", message: "cannot go from \(previous.rawValue) to \(status.rawValue)"
                    + (previous.next.isEmpty ? " (it is decided)" : "; next: \(previous.next.map(\.rawValue).joined(separator: ", "))"))
            }
        }
        if status == .closedWon, actualValue == nil, upsell.actualValue == nil {
            throw DomainError.validation(field: "actual_value", message: "is required to close an opportunity as won")
        }
        upsell.status = status
        if let actualValue { upsell.actualValue = actualValue }
        if let notes { upsell.notes = notes }
        upsell.updatedAt = now
        guard try await stores.field.updateUpsell(upsell, expected: previous) else {
            throw DomainError.conflict("The opportunity changed meanwhile; read it again")
        }
        return upsell
    }

    // MARK: settings

    public func settings(of organizationID: UUID) async throws -> FieldSettings {
        try await stores.field.settings(organizationID: organizationID)
    }

    public func saveSettings(_ settings: FieldSettings, for admin: User) async throws {
        guard admin.role == .admin else { throw DomainError.forbidden("Only admins change Field Intelligence settings") }
        try await stores.field.saveSettings(settings, organizationID: admin.organizationID)
    }
}
