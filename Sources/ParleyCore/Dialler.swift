import Foundation
import ParleyDomain
import ParleyIntelligence

/// Runs campaigns through the durable job queue. A `CampaignTick` claims as many due numbers
/// as the campaign's limit leaves free (inside a transaction that holds the campaign's row, so
/// several instances never dial past the limit together) and queues one `DialAttempt` each. An
/// attempt first stores its call log (the mark that the number was dialled), then places the
/// call; an attempt that runs again after a crash finds its call log and settles it without
/// dialling a second time. When every number is settled the campaign completes.
public struct Dialler: Sendable {
    let work: any UnitOfWork
    let stores: any StoreAccess
    let agents: VoiceAgentBook
    let telephony: any Telephony
    let speech: LiveSpeech
    let wording: (any LanguageModel)?
    /// Where recordings are kept (`<media>/recordings`).
    let recordings: URL

    public init(work: any UnitOfWork, stores: any StoreAccess, agents: VoiceAgentBook, telephony: any Telephony, speech: LiveSpeech,
                wording: (any LanguageModel)?, recordings: URL) {
        self.work = work
        self.stores = stores
        self.agents = agents
        self.telephony = telephony
        self.speech = speech
        self.wording = wording
        self.recordings = recordings
    }

    // MARK: the tick

    /// Looks at a campaign once: dials what its limit allows, completes it when nothing is left,
    /// and schedules the next look.
    public func tick(_ job: CampaignTick, now: Date = Date()) async throws {
        try await work.run { stores in
            guard var campaign = try await stores.agents.lockCampaign(id: job.campaignId), campaign.status == .active else { return }
            if let end = campaign.endTime, end <= now {
                // The window is over: numbers not reached stay pending, the campaign is done.
                campaign.status = .completed
                campaign.completedAt = now
                campaign.updatedAt = now
                try await stores.agents.updateCampaign(campaign)
                return
            }
            if let start = campaign.startTime, start > now {
                _ = try await stores.jobs.enqueue(CampaignBook.tick(campaign.id, at: start))
                return
            }
            if let hours = campaign.callingHours, !hours.contains(now) {
                if let opening = hours.nextOpening(after: now) { _ = try await stores.jobs.enqueue(CampaignBook.tick(campaign.id, at: opening)) }
                return
            }
            var counts = try await stores.agents.dialCounts(campaignID: campaign.id)
            let free = campaign.maxConcurrentCalls - (counts[.dialling] ?? 0)
            let claimed = try await stores.agents.claimDueNumbers(campaignID: campaign.id, now: now, limit: free)
            let blocked = try await stores.agents.blocked(claimed.map(\.phoneNumber), organizationID: campaign.organizationID)
            for var number in claimed {
                if blocked.contains(number.phoneNumber) {
                    // On the do-not-call list since the campaign was made: settled without a call.
                    number.status = .doNotCall
                    number.attempts -= 1
                    try await stores.agents.updateNumber(number)
                    continue
                }
                // No deduplication key: the claim above is what makes this attempt one job (a number
                // put back by a pause is claimed again with the same attempt number, and needs a new job).
                _ = try await stores.jobs.enqueue(NewJob(
                    kind: DialAttempt.kind,
                    payload: try JSONValue(encoding: DialAttempt(campaignId: campaign.id, phoneNumber: number.phoneNumber, attempt: number.attempts)),
                    maxAttempts: 3))
            }
            counts = try await stores.agents.dialCounts(campaignID: campaign.id)
            if (counts[.pending] ?? 0) == 0 && (counts[.dialling] ?? 0) == 0 {
                campaign.status = .completed
                campaign.completedAt = now
                campaign.updatedAt = now
                try await stores.agents.updateCampaign(campaign)
                return
            }
            // Attempts wake the campaign when they end; this look is for retries that come due.
            _ = try await stores.jobs.enqueue(CampaignBook.tick(campaign.id, at: now.addingTimeInterval(CampaignBook.tickInterval)))
        }
    }

    // MARK: one attempt

    /// Places one attempt (or settles one a crash interrupted) and wakes the campaign.
    public func dial(_ job: DialAttempt, now: Date = Date()) async throws {
        guard let start = try await prepare(job, now: now) else { return }
        let (campaign, agent, callLog) = start
        let organization = try await stores.identity.organization(id: campaign.organizationID)?.name ?? "our company"
        let playbook = VoiceAgentBook.playbook(for: agent, organization: organization)
        let recording = recordings.appendingPathComponent(campaign.organizationID.uuidString.lowercased())
            .appendingPathComponent("\(callLog.publicID).wav")
        let outbound = OutboundCall(agent: agent, playbook: playbook, phoneNumber: job.phoneNumber, voicemail: campaign.voicemail, recording: recording,
                                    maxDuration: agent.callControl.maxDuration, callID: callLog.id, organizationID: campaign.organizationID)
        let log = ConversationLog(stores: stores)
        let sequence = Counter()
        let conversationID = callLog.id
        let result: CallResult
        do {
            result = try await telephony.place(outbound, speech: speech, wording: wording) { speaker, text in
                let turn = StoredTurn(sequence: await sequence.next(), segment: TranscriptSegment(id: 0, speaker: speaker,
                                      speakerLabel: speaker == .rep ? "agent" : "user", text: text), spokenAt: Date(), sentiment: nil, intent: nil)
                try await log.append(turn, to: conversationID)
            }
        } catch {
            result = CallResult(status: .failed, endReason: "failed: \(error)")
        }
        let cost = agents.supply.cost(of: agent, seconds: result.recordingSeconds, telephony: telephony.name)
        try await finish(callLog, campaign: campaign, agent: agent, result: result, cost: cost, recording: recording, now: Date())
    }

    /// Checks the attempt is still to be made and stores its call log; nil when there is
    /// nothing to dial (already done, held by a pause, or interrupted before and now settled).
    private func prepare(_ job: DialAttempt, now: Date) async throws -> (Campaign, VoiceAgent, Conversation)? {
        let supply = agents.supply
        let telephonyName = telephony.name
        return try await work.run { stores -> (Campaign, VoiceAgent, Conversation)? in
            guard let campaign = try await stores.agents.lockCampaign(id: job.campaignId),
                  var number = try await stores.agents.number(campaignID: job.campaignId, phoneNumber: job.phoneNumber),
                  number.status == .dialling, number.attempts == job.attempt
            else { return nil }
            if let placed = number.lastCallID,
               let existing = try await stores.conversations.conversation(publicID: placed.uuidString.lowercased(), organizationID: campaign.organizationID),
               existing.details.agentCall?.attempt == job.attempt {
                // Dialled before the process died: the call is over; settle it, never dial again.
                var interrupted = existing
                interrupted.status = .failed
                interrupted.completedAt = now
                interrupted.details.agentCall?.status = .failed
                interrupted.details.agentCall?.endReason = "interrupted: the server stopped during the call"
                try await stores.conversations.updateConversation(interrupted)
                try await stores.agents.saveCallLog(CallLogEntry(
                    conversationID: existing.id, organizationID: existing.organizationID, ownerID: campaign.ownerID, agentID: campaign.agentID,
                    campaignID: campaign.id, phoneNumber: number.phoneNumber, status: .failed, createdAt: existing.createdAt))
                number.status = .failed
                try await stores.agents.updateNumber(number)
                _ = try await stores.jobs.enqueue(CampaignBook.tick(campaign.id, at: now))
                return nil
            }
            guard campaign.status == .active else {
                // Paused (or finished) before this number was dialled: it goes back in line.
                number.status = .pending
                number.attempts -= 1
                try await stores.agents.updateNumber(number)
                return nil
            }
            guard let agent = try await stores.agents.agent(id: campaign.agentID, organizationID: campaign.organizationID) else {
                number.status = .failed
                try await stores.agents.updateNumber(number)
                return nil
            }
            let notes = supply.engines(of: agent).compactMap(\.note)
            let facts = AgentCallFacts(agentID: agent.id, campaignID: campaign.id, phoneNumber: number.phoneNumber, attempt: job.attempt,
                                       telephony: telephonyName, status: .ringing, engineNotes: notes)
            // The call log's public id is its key, as the document's UUID ids show it.
            let id = UUID()
            let callLog = try await stores.conversations.createConversation(Conversation(
                id: id, publicID: id.uuidString.lowercased(), organizationID: campaign.organizationID, userID: campaign.ownerID,
                kind: .agentCall, scenarioID: nil, title: "\(agent.name) → \(number.phoneNumber)", status: .active,
                configuration: ConversationSettings(), details: ConversationDetails(agentCall: facts), analysis: nil,
                createdAt: now, startedAt: now, completedAt: nil, duration: nil, category: campaign.id.uuidString.lowercased()))
            number.lastCallID = callLog.id
            try await stores.agents.updateNumber(number)
            try await stores.agents.saveCallLog(CallLogEntry(
                conversationID: callLog.id, organizationID: campaign.organizationID, ownerID: campaign.ownerID, agentID: agent.id,
                campaignID: campaign.id, phoneNumber: number.phoneNumber, status: .ringing, createdAt: now))
            return (campaign, agent, callLog)
        }
    }

    /// Stores how the call went (transcript analysis included), settles the number (or puts it
    /// back for a retry) and wakes the campaign, together.
    private func finish(_ callLog: Conversation, campaign: Campaign, agent: VoiceAgent, result: CallResult, cost: Double, recording: URL,
                        now: Date) async throws {
        let turns = try await stores.conversations.turns(conversationID: callLog.id)
        let transcript = Transcript(segments: turns.map(\.segment))
        let reading = await CallReading.read(transcript, summary: result.summary, agent: agent, wording: wording)
        try await work.run { stores in
            guard let call = try await stores.conversations.conversation(publicID: callLog.publicID, organizationID: callLog.organizationID),
                  var number = try await stores.agents.number(campaignID: campaign.id, phoneNumber: callLog.details.agentCall?.phoneNumber ?? "")
            else { return }
            _ = try await AgentCallRecord.close(call, result: result, reading: reading, cost: cost, recording: recording, at: now, in: stores)
            // A callee who asked not to be called again goes on the organization's list.
            if result.summary?.doNotCall == true {
                try await stores.agents.block([BlockedNumber(organizationID: campaign.organizationID, phoneNumber: number.phoneNumber,
                                                             reason: "opted out on a call from agent \(campaign.agentID.uuidString.lowercased())")])
            }
            // Only the attempt that holds the number settles it.
            guard number.status == .dialling, number.lastCallID == call.id else { return }
            switch result.status {
            case .completed, .voicemail, .inProgress, .queued, .ringing:
                number.status = result.status == .voicemail ? .voicemail : .completed
            case .busy, .noAnswer, .failed:
                if number.attempts < campaign.maxAttempts {
                    number.status = .pending
                    number.nextAttemptAt = now.addingTimeInterval(campaign.retryDelay)
                } else {
                    number.status = result.status == .busy ? .busy : result.status == .noAnswer ? .noAnswer : .failed
                }
            }
            try await stores.agents.updateNumber(number)
            _ = try await stores.jobs.enqueue(CampaignBook.tick(campaign.id, at: now))
        }
    }
}

/// The end of a voice agent's call, written once for campaign calls and web calls alike: the
/// conversation with how it went, and its call-log row.
enum AgentCallRecord {
    static func close(_ call: Conversation, result: CallResult, reading: CallReading, cost: Double, recording: URL?, at now: Date,
                      in stores: TransactionStores) async throws -> Conversation {
        var call = call
        call.status = result.status == .failed ? .failed : .completed
        call.completedAt = now
        call.duration = result.recordingSeconds
        var facts = call.details.agentCall
        facts?.status = result.status
        facts?.endReason = result.endReason
        if !result.latencies.isEmpty { facts?.latencies = result.latencies }
        facts?.recordingSeconds = result.recordingSeconds > 0 ? result.recordingSeconds : nil
        facts?.recordingPath = result.recordingSeconds > 0 ? recording?.path : nil
        facts?.summary = reading.summary
        facts?.sentiment = reading.sentiment
        facts?.emotions = reading.emotions
        facts?.keyPhrases = reading.keyPhrases
        facts?.cost = cost
        facts?.extracted = reading.extracted
        facts?.extractionSource = reading.extractionSource
        call.details.agentCall = facts
        try await stores.conversations.updateConversation(call)
        if let facts {
            try await stores.agents.saveCallLog(CallLogEntry(
                conversationID: call.id, organizationID: call.organizationID, ownerID: call.userID, agentID: facts.agentID,
                campaignID: facts.campaignID, phoneNumber: facts.phoneNumber, status: result.status, durationSeconds: result.recordingSeconds,
                sentiment: reading.sentiment, cost: facts.cost, keyPhrases: reading.keyPhrases, createdAt: call.createdAt))
        }
        return call
    }
}

/// What a finished call says, read from its transcript: a summary sentence, the callee's
/// sentiment as a word, their tones and the key phrases.
struct CallReading {
    var summary: String?
    var sentiment: String?
    var emotions: [String]
    var keyPhrases: [String]
    /// The agent's extraction schema read from the call, and what read it (`rules`, `model`).
    var extracted: [String: JSONValue]?
    var extractionSource: String?

    /// The reading with the agent's extraction schema read too (by `wording` when one is configured).
    static func read(_ transcript: Transcript, summary: CallSummary?, agent: VoiceAgent?, wording: (any LanguageModel)?) async -> CallReading {
        var reading = CallReading(transcript: transcript, summary: summary)
        guard let schema = agent?.extractionSchema, !schema.isEmpty else { return reading }
        let lines = transcript.segments.map { CallExtractor.Line(isAgent: $0.isAgentLine, text: $0.text) }
        let (values, source) = await CallExtractor().read(schema, from: lines, using: wording)
        reading.extracted = values
        reading.extractionSource = source
        return reading
    }

    init(transcript: Transcript, summary: CallSummary?) {
        guard !transcript.segments.isEmpty else {
            self.summary = nil
            sentiment = nil
            emotions = []
            keyPhrases = []
            return
        }
        // The agent as the rep and the callee as the counterpart, whichever pipeline carried the call.
        let sides = Transcript(segments: transcript.segments.map { segment in
            var side = segment
            side.speaker = segment.isAgentLine ? .rep : .counterpart
            return side
        })
        let analysis = TextAnalyzer().analyze(sides)
        let callee = analysis.sentimentBySpeaker[SpeakerRole.counterpart.rawValue] ?? analysis.sentiment
        sentiment = callee.score > 0.15 ? "positive" : callee.score < -0.15 ? "negative" : "neutral"
        emotions = analysis.tones.sorted { $0.value == $1.value ? $0.key < $1.key : $0.value > $1.value }.prefix(3).map(\.key)
        keyPhrases = analysis.keyPhrases.prefix(8).map(\.phrase)
        if let summary {
            let outcome = summary.outcome.rawValue.replacingOccurrences(of: "_", with: " ")
            let points = summary.keyPoints.prefix(2).joined(separator: " ")
            self.summary = "Outcome: \(outcome). \(points) \(summary.recommendation)".trimmingCharacters(in: .whitespaces)
        } else {
            self.summary = analysis.summary.text
        }
    }
}

/// Numbers turns of one call in order (lines arrive one at a time, but from an escaping closure).
actor Counter {
    private var value = 0
    func next() -> Int {
        value += 1
        return value
    }
}
