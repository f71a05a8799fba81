import Foundation
import ParleyAudio
import ParleyDomain
import ParleyIntelligence
import ParleySpeech

/// One call a voice agent places: who it calls for whom, with what to say and how.
public struct OutboundCall: Sendable {
    public var agent: VoiceAgent
    public var playbook: AgentPlaybook
    public var phoneNumber: String
    public var voicemail: VoicemailAction
    public var recording: URL
    /// The longest the call may last (seconds of audio on the line).
    public var maxDuration: Double
    /// The call log (a conversation) the call is kept in: a carrier whose media arrive on their
    /// own connection runs the live pipeline on it.
    public var callID: UUID?
    public var organizationID: UUID?

    public init(agent: VoiceAgent, playbook: AgentPlaybook, phoneNumber: String, voicemail: VoicemailAction, recording: URL, maxDuration: Double = 600,
                callID: UUID? = nil, organizationID: UUID? = nil) {
        self.agent = agent
        self.playbook = playbook
        self.phoneNumber = phoneNumber
        self.voicemail = voicemail
        self.recording = recording
        self.maxDuration = maxDuration
        self.callID = callID
        self.organizationID = organizationID
    }
}

/// How a placed call went.
public struct CallResult: Sendable {
    public var status: CallLogStatus
    public var endReason: String
    public var latencies: [TurnLatency]
    public var recordingSeconds: Double
    /// The agent's end-of-call reading; nil when nobody answered.
    public var summary: CallSummary?

    public init(status: CallLogStatus, endReason: String, latencies: [TurnLatency] = [], recordingSeconds: Double = 0, summary: CallSummary? = nil) {
        self.status = status
        self.endReason = endReason
        self.latencies = latencies
        self.recordingSeconds = recordingSeconds
        self.summary = summary
    }
}

/// Places calls for voice agents. Chosen once in the composition root: the simulated callee
/// (embedded, offline) or a hosted carrier.
public protocol Telephony: Sendable {
    /// `simulated`, `twilio`: written in each call log.
    var name: String { get }
    /// Places the call and carries it to its end; each line is handed to `heard` as it is said
    /// (the agent's and the callee's), so a call log fills while the call goes on.
    func place(_ call: OutboundCall, speech: LiveSpeech, wording: (any LanguageModel)?,
               heard: @escaping @Sendable (SpeakerRole, String) async throws -> Void) async throws -> CallResult
}

/// The embedded telephony: every number reaches a callee played by the AI prospect engine (a
/// persona and temperament per number, from the number itself, so a campaign replays the
/// same), over the real audio path: the callee's lines are synthesised and go through the
/// agent's recognition; the agent's lines are synthesised; both sides are recorded.
public struct SimulatedTelephony: Telephony {
    public let name = "simulated"
    /// Lines each side may say before the call is cut.
    static let maxTurns = 24
    /// True: each side takes as long to speak as its audio lasts, as on a real line (for
    /// measuring how many calls a machine carries); false: as fast as the engines go.
    public var realTime: Bool

    public init(realTime: Bool = false) {
        self.realTime = realTime
    }

    /// What a number does when the simulated carrier rings it, fixed by the number: about one
    /// in ten is busy, one in ten does not answer, one in ten goes to voicemail, the rest answer.
    public enum Pickup: Sendable, Equatable {
        case busy, noAnswer, voicemail
        case answered(scenario: Int, difficulty: Difficulty, seed: UInt64)
    }

    public static func pickup(of number: String) -> Pickup {
        let hash = stableHash(number)
        switch hash % 10 {
        case 0: return .busy
        case 1: return .noAnswer
        case 2: return .voicemail
        default:
            let difficulties: [Difficulty] = [.beginner, .intermediate, .expert]
            return .answered(scenario: Int((hash / 10) % UInt64(BuiltInScenarios.all.count)),
                             difficulty: difficulties[Int((hash / 1_000) % 3)], seed: hash)
        }
    }

    /// FNV-1a: stable across runs and processes, unlike Swift's hasher.
    static func stableHash(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf29ce484222325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100000001b3 }
        return hash
    }

    public func place(_ call: OutboundCall, speech: LiveSpeech, wording: (any LanguageModel)?,
                      heard: @escaping @Sendable (SpeakerRole, String) async throws -> Void) async throws -> CallResult {
        let pickup = Self.pickup(of: call.phoneNumber)
        switch pickup {
        case .busy: return CallResult(status: .busy, endReason: "busy")
        case .noAnswer: return CallResult(status: .noAnswer, endReason: "no_answer")
        case .voicemail, .answered: break
        }
        let recorder = try CallRecorder(url: call.recording)
        var line = AgentLine(call: call, speech: speech, wording: wording, recorder: recorder, realTime: realTime, heard: heard)
        do {
            let result: CallResult
            if case .answered(let index, let difficulty, let seed) = pickup {
                let scenario = BuiltInScenarios.all[index]
                var callee = try ProspectEngine(scenario: scenario, difficulty: difficulty, seed: seed)
                // Someone picking up the phone says who they are; the persona speaks from the agent's first line on.
                let pickup = scenario.persona.map { "Hello, \($0.name) speaking." } ?? "Hello?"
                result = try await line.converse(opening: pickup) { agentSaid in
                    let reply = callee.respond(to: agentSaid)
                    return (reply.text, reply.endsCall)
                }
            } else {
                result = try await line.converse(opening: "Hi, you've reached the voicemail of this number. I can't take your call right now. Please leave a message after the tone.") { _ in
                    ("", true)
                }
            }
            return result
        } catch {
            _ = try? await recorder.finish()
            throw error
        }
    }
}

/// The agent's side of one call over audio: it hears each callee line through recognition,
/// answers with the AI caller (worded by the language model when one is configured), speaks
/// through synthesis, records both sides and times each turn.
struct AgentLine {
    let call: OutboundCall
    let speech: LiveSpeech
    let wording: (any LanguageModel)?
    let recorder: CallRecorder
    let realTime: Bool
    let heard: @Sendable (SpeakerRole, String) async throws -> Void
    var latencies: [TurnLatency] = []

    init(call: OutboundCall, speech: LiveSpeech, wording: (any LanguageModel)?, recorder: CallRecorder, realTime: Bool = false,
         heard: @escaping @Sendable (SpeakerRole, String) async throws -> Void) {
        self.call = call
        self.speech = speech
        self.wording = wording
        self.recorder = recorder
        self.realTime = realTime
        self.heard = heard
    }

    /// On a real-time line, speaking takes as long as the audio lasts.
    func speak(_ audio: PCMAudio) async throws {
        guard realTime, audio.sampleRate > 0 else { return }
        try await Task.sleep(for: .milliseconds(Int(Double(audio.samples.count) / Double(audio.sampleRate) * 1000)))
    }

    var agentVoice: String { call.agent.voice(among: speech.synthesizer.voiceIDs) }

    var calleeVoice: String {
        let voices = speech.synthesizer.voiceIDs.filter { $0 != agentVoice }.sorted()
        return voices.contains("professional_male") ? "professional_male" : voices.first ?? agentVoice
    }

    /// The callee's line as the agent hears it: synthesised, recorded, recognised.
    mutating func calleeSays(_ text: String) async throws -> (text: String, recognition: Double) {
        let audio = try await speech.synthesizer.synthesize(SpeechRequest(text: text, voiceID: calleeVoice)).audio
        try await recorder.append(audio, from: .callee)
        try await speak(audio)
        let clock = ContinuousClock()
        let start = clock.now
        let transcript = try await speech.recognizer.transcribe(audio)
        let recognition = Self.seconds(clock.now - start)
        let words = transcript.text.trimmingCharacters(in: .whitespacesAndNewlines)
        try await heard(.counterpart, words.isEmpty ? text : words)
        return (words, recognition)
    }

    /// The agent's line: spoken sentence by sentence (the first sentence's synthesis time is the
    /// delay to first audio), recorded, and logged.
    mutating func agentSays(_ text: String) async throws -> Double {
        let clock = ContinuousClock()
        let start = clock.now
        var firstAudio: Double?
        for try await piece in speech.synthesizer.stream(SpeechRequest(text: text, voiceID: agentVoice, speed: speed)) {
            if firstAudio == nil { firstAudio = Self.seconds(clock.now - start) }
            try await recorder.append(piece.audio, from: .agent)
            try await speak(piece.audio)
        }
        try await recorder.pause(seconds: 0.3)
        try await heard(.rep, text)
        return firstAudio ?? 0
    }

    var speed: Double { call.agent.speakingSpeed }

    /// Runs the call from the callee's first words until either side ends it, the turns run
    /// out or the time limit is reached. `callee` answers each agent line.
    mutating func converse(opening: String, callee: (String) async throws -> (text: String, hangsUp: Bool)) async throws -> CallResult {
        let pitch = call.playbook.pitch
        var caller = AICaller(lead: CallLead(), pitch: pitch,
                              limits: CallLimits(discoveryQuestions: max(2, call.playbook.questions.count)),
                              seed: SimulatedTelephony.stableHash(call.phoneNumber))
        let first = try await calleeSays(opening)
        var line = await caller.reword(caller.start(pickup: first.text), using: wording)
        var turn = 0
        var endReason = "completed"
        if line.outcome == .voicemail {
            // An answering machine: leave the agent's message after the greeting, or hang up.
            guard call.voicemail == .leaveMessage else {
                return CallResult(status: .voicemail, endReason: "voicemail_hung_up", latencies: latencies,
                                  recordingSeconds: try await recorder.finish(), summary: caller.finish())
            }
            let message = call.playbook.voicemailMessage ?? "Hi, this is \(pitch.callerName) from \(pitch.organization). I was calling about \(pitch.product). I'll try you again soon, or call us back at your convenience. Thank you!"
            _ = try await agentSays(message)
            return CallResult(status: .voicemail, endReason: "voicemail_message_left", latencies: latencies,
                              recordingSeconds: try await recorder.finish(), summary: caller.finish())
        }
        while true {
            // A server stopping cancels its calls between turns.
            try Task.checkCancellation()
            let firstAudio = try await agentSays(line.text)
            if !latencies.isEmpty { latencies[latencies.count - 1].firstAudio = firstAudio }
            if !line.shouldContinue { endReason = line.outcome.map { "agent_ended:\($0.rawValue)" } ?? "agent_ended"; break }
            turn += 1
            if turn >= SimulatedTelephony.maxTurns { endReason = "turn_limit"; break }
            if await recorder.seconds >= call.maxDuration { endReason = "max_duration"; break }
            let reply = try await callee(line.text)
            if reply.text.isEmpty { endReason = "callee_hung_up"; break }
            let hearing = try await calleeSays(reply.text)
            let clock = ContinuousClock()
            let start = clock.now
            line = await caller.reword(caller.respond(to: hearing.text), using: wording)
            latencies.append(TurnLatency(turn: turn, recognition: hearing.recognition, reply: Self.seconds(clock.now - start), firstAudio: 0))
            if reply.hangsUp && line.shouldContinue {
                // The callee said goodbye and hung up: the agent's answer is not heard.
                endReason = "callee_hung_up"
                break
            }
        }
        return CallResult(status: .completed, endReason: endReason, latencies: latencies, recordingSeconds: try await recorder.finish(),
                          summary: caller.finish())
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

extension VoiceAgent {
    /// The agent's voice (`voice_parameters.voice_id`) when the synthesiser has it, else its default.
    public func voice(among voices: [String]) -> String {
        if case .string(let voice) = voiceParameters["voice_id"] ?? .null, voices.contains(voice) { return voice }
        return voices.contains("professional_female") ? "professional_female" : voices.first ?? "professional_female"
    }

    /// `voice_parameters.speed` when it is a sensible rate (0.5…2), else 1.
    public var speakingSpeed: Double {
        if case .number(let value) = voiceParameters["speed"] ?? .null, (0.5...2).contains(value) { return value }
        return 1
    }
}

extension AgentPlaybook {
    /// The AI caller's pitch for this playbook.
    var pitch: CallPitch {
        CallPitch(organization: organization, callerName: callerName, product: product, valueProposition: valueProposition,
                  meetingKind: goal, questions: questions)
    }
}

/// Web calls: someone talks to an agent from a browser or an app over the live pipeline (the
/// Sales Trainer voice socket's protocol), the agent answering as it does on the phone. Each is
/// a call log with telephony `web`; its end is recorded as a campaign call's is.
public struct AgentWebCalls: Sendable {
    let work: any UnitOfWork
    let stores: any StoreAccess
    let agents: VoiceAgentBook

    public init(work: any UnitOfWork, stores: any StoreAccess, agents: VoiceAgentBook) {
        self.work = work
        self.stores = stores
        self.agents = agents
    }

    /// A new web call to one of the user's active agents.
    public func open(agentID: UUID, by user: User) async throws -> (agent: VoiceAgent, call: Conversation) {
        let agent = try await agents.agent(id: agentID, of: user)
        guard agent.status == .active else { throw DomainError.validation(field: "agent_id", message: "the agent is inactive; activate it first") }
        let notes = agents.supply.engines(of: agent).compactMap(\.note)
        let id = UUID()
        let now = Date()
        let call = Conversation(
            id: id, publicID: id.uuidString.lowercased(), organizationID: user.organizationID, userID: user.id, kind: .agentCall, scenarioID: nil,
            title: "\(agent.name) ← web call", status: .active, configuration: ConversationSettings(),
            details: ConversationDetails(agentCall: AgentCallFacts(agentID: agent.id, campaignID: nil, phoneNumber: "web", attempt: 1,
                                                                   telephony: "web", status: .inProgress, engineNotes: notes)),
            analysis: nil, createdAt: now, startedAt: now, completedAt: nil, duration: nil, category: nil)
        let stored = try await work.run { stores in
            let created = try await stores.conversations.createConversation(call)
            try await stores.agents.saveCallLog(CallLogEntry(
                conversationID: id, organizationID: user.organizationID, ownerID: user.id, agentID: agent.id, campaignID: nil,
                phoneNumber: "web", status: .inProgress, createdAt: now))
            return created
        }
        return (agent, stored)
    }

    /// The call's live pipeline with the agent as counterpart. A web call's end is recorded
    /// (summary, sentiment, key phrases, call log) before `ended` reaches `emit`; a phone call's
    /// (`settles: false`) is recorded by the dialler that placed it.
    /// The agent's call control applies: its longest call, re-prompts after silence, and (with
    /// `transfers`, on a line that can be transferred) a hand-off when the callee asks for a person.
    public func live(_ call: Conversation, agent: VoiceAgent, speech: LiveSpeech, wording: (any LanguageModel)?, settles: Bool = true,
                     transfers: Bool = false, emit: @escaping @Sendable (ConversationEvent) async -> Void) async throws -> LiveConversation {
        let organization = try await stores.identity.organization(id: call.organizationID)?.name ?? "our company"
        let playbook = VoiceAgentBook.playbook(for: agent, organization: organization)
        let counterpart = AICallerCounterpart.resume(call, lead: CallLead(), pitch: playbook.pitch, wording: wording)
        let calls = self
        return LiveConversation(
            conversation: call, counterpart: counterpart, turnsSoFar: 0, log: ConversationLog(stores: stores), speech: speech,
            settings: Self.settings(for: agent, voices: speech.synthesizer.voiceIDs, transfers: transfers),
            emit: { event in
                if settles, case .ended(let reason, let ended) = event {
                    let settled = (try? await calls.settle(ended, agent: agent, wording: wording, reason: reason)) ?? ended
                    await emit(.ended(reason: reason, conversation: settled))
                } else {
                    await emit(event)
                }
            })
    }

    /// The live settings of one of the agent's calls, from its call control.
    static func settings(for agent: VoiceAgent, voices: [String], transfers: Bool) -> LiveSettings {
        let control = agent.callControl
        var settings = LiveSettings(voiceID: agent.voice(among: voices), timeLimit: control.maxDuration, repLabel: "user", counterpartLabel: "agent")
        settings.silence = SilencePolicy(timeout: control.silenceTimeout, maxReprompts: control.maxReprompts)
        if transfers, control.transferNumber != nil {
            settings.handOffLine = "Of course. I'll put you through to a colleague now, please stay on the line."
        }
        return settings
    }

    /// How a call that ran on the live pipeline went, from the conversation it ended with.
    public static func result(of ended: Conversation, reason: String, recordingSeconds: Double, latencies: [TurnLatency] = []) -> CallResult {
        let summary = AICallerCounterpart.storedCaller(of: ended).map { caller in
            var finished = caller
            return finished.finish()
        }
        return CallResult(status: .completed, endReason: reason, latencies: latencies, recordingSeconds: recordingSeconds, summary: summary)
    }

    func settle(_ ended: Conversation, agent: VoiceAgent, wording: (any LanguageModel)?, reason: String) async throws -> Conversation {
        let turns = try await stores.conversations.turns(conversationID: ended.id)
        let result = Self.result(of: ended, reason: reason, recordingSeconds: ended.duration ?? 0)
        let reading = await CallReading.read(Transcript(segments: turns.map(\.segment)), summary: result.summary, agent: agent, wording: wording)
        let cost = agents.supply.cost(of: agent, seconds: result.recordingSeconds, telephony: "web")
        return try await work.run { stores in
            guard let current = try await stores.conversations.conversation(publicID: ended.publicID, organizationID: ended.organizationID) else { return ended }
            return try await AgentCallRecord.close(current, result: result, reading: reading, cost: cost, recording: nil, at: Date(), in: stores)
        }
    }
}
