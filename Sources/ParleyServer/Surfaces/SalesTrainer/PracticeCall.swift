import Foundation
import ParleyAudio
import ParleyDomain
import ParleyIntelligence
import ParleySpeech
import Vapor

/// What a live practice call tells its client; the surface turns these into its protocol.
enum PracticeCallEvent: Sendable {
    case started(resumed: Bool)
    case transcript(text: String, isFinal: Bool)
    case reply(ProspectReply, audio: Data?)
    case interrupted
    case coaching(CoachingNudge)
    case paused
    case resumed
    case ended(reason: String, conversation: Conversation)
    case failure(code: String, message: String, retryAllowed: Bool)
}

/// One connected Sales Trainer practice session: rep turns in (typed, or spoken and
/// recognised), prospect replies out (text and synthesised audio), coaching nudges, and the
/// score at the end. It is this surface's own live pipeline; a `LiveConversation` shared by
/// the other surfaces can grow out of it.
/// Every turn is stored as it happens and the engine's state travels with the session, so a
/// dropped connection loses nothing and reconnecting carries on where the call was.
actor PracticeCall {
    private let app: Application
    private var conversation: Conversation
    private var engine: ProspectEngine
    private var coach: LiveCoach
    private var nextSequence: Int
    private let emit: @Sendable (PracticeCallEvent) async -> Void
    private var activeSince: Date?
    private var audioInput: AsyncStream<PCMAudio>.Continuation?
    private var recognition: Task<Void, Never>?
    private var deadline: Task<Void, Never>?
    private var aiSpeakingUntil = Date.distantPast
    /// Set once the client reports its playback (`playback` messages, like a telephony media
    /// stream's marks): from then on its word, not the clock, says whether the prospect is heard.
    private var clientPlayback: Bool?

    /// True while the prospect's audio plays at the client: as the client reports it, or else
    /// for the audio's length from when it was sent.
    private var prospectAudible: Bool { clientPlayback ?? (Date() < aiSpeakingUntil) }

    /// The client started or stopped playing the prospect's audio.
    func playback(playing: Bool) {
        clientPlayback = playing
    }

    private func prospectCutOff() {
        aiSpeakingUntil = .distantPast
        if clientPlayback != nil { clientPlayback = false }
    }
    /// Listens for the rep starting to talk while the prospect's audio plays.
    private var onset = SpeechOnsetDetector()
    private(set) var configured = false

    var status: ConversationStatus { conversation.status }
    var settings: SessionConfigurationDTO { SessionConfigurationDTO(conversation.configuration) }

    /// Opens a session for live use; the engine is restored from the session when it has one.
    static func open(app: Application, conversation: Conversation, emit: @escaping @Sendable (PracticeCallEvent) async -> Void) async throws -> PracticeCall {
        let log = app.parley.core.conversations
        guard let scenarioID = conversation.scenarioID,
              let scenario = try await app.parley.core.scenarios.scenario(id: scenarioID, visibleTo: conversation.organizationID)
        else { throw APIError.notFound("SCENARIO_NOT_FOUND", "The session's scenario no longer exists") }
        let turns = try await log.turns(conversationID: conversation.id)
        let decoder = JSONDecoder()
        var engine: ProspectEngine
        if let saved = conversation.details["engine"], let restored = try? decoder.decode(ProspectEngine.self, from: JSONEncoder().encode(saved)) {
            engine = restored
        } else {
            let difficulty = Difficulty(rawValue: SessionConfigurationDTO(conversation.configuration).difficulty_level) ?? scenario.difficulty
            engine = try ProspectEngine(scenario: scenario, difficulty: difficulty, seed: Self.seed(for: conversation.id))
        }
        let coach = conversation.details["coach"].flatMap { try? decoder.decode(LiveCoach.self, from: JSONEncoder().encode($0)) } ?? LiveCoach()
        return PracticeCall(app: app, conversation: conversation, engine: engine, coach: coach,
                            nextSequence: (turns.last?.sequence ?? 0) + 1, emit: emit)
    }

    private init(app: Application, conversation: Conversation, engine: ProspectEngine, coach: LiveCoach, nextSequence: Int,
                 emit: @escaping @Sendable (PracticeCallEvent) async -> Void) {
        self.app = app
        self.conversation = conversation
        self.engine = engine
        self.coach = coach
        self.nextSequence = nextSequence
        self.emit = emit
    }

    // MARK: control

    /// Accepts the client's configuration and starts (or resumes) the call. Partial transcripts
    /// are sent only when the client asks (`interim_results`): each is a recognition of its own,
    /// about four per spoken line, which would cut how many role-plays a server holds.
    func configure(audio: Bool, partials: Bool = false) async throws {
        let resuming = nextSequence > 1
        configured = true
        if audio { startRecognition(partials: partials) }
        conversation.status = .active
        if conversation.startedAt == nil { conversation.startedAt = Date() }
        activeSince = Date()
        try await save()
        armDeadline()
        await emit(.started(resumed: resuming))
        if !resuming { try await prospectSpeaks(engine.opening()) }
    }

    func pause() async throws {
        guard conversation.status == .active else { return }
        accumulate()
        conversation.status = .paused
        deadline?.cancel()
        try await save()
        await emit(.paused)
    }

    func resume() async throws {
        guard conversation.status == .paused else { return }
        conversation.status = .active
        activeSince = Date()
        try await save()
        armDeadline()
        await emit(.resumed)
    }

    /// Ends the call: scores it, stores the outcome and tells the client.
    func end(reason: String) async throws {
        guard !conversation.status.isFinal else { return }
        accumulate()
        stopInput()
        let outcome = PracticeScorer().score(engine)
        let turns = try await app.parley.core.conversations.turns(conversationID: conversation.id)
        conversation.analysis = .practice(outcome, turns: turns.map(\.segment))
        conversation.status = .completed
        conversation.completedAt = Date()
        try await save()
        await emit(.ended(reason: reason, conversation: conversation))
    }

    /// The client went away without ending: the session is abandoned but can be resumed.
    func disconnected() async {
        stopInput()
        guard !conversation.status.isFinal else { return }
        accumulate()
        conversation.status = .abandoned
        try? await save()
    }

    // MARK: input

    /// A typed rep turn.
    func repSaid(_ text: String, words: [Word] = []) async throws {
        guard !engine.isEnded else { return }
        let reply = engine.respond(to: text)
        try await store(TranscriptSegment(id: nextSequence, speaker: .rep, speakerLabel: "user", text: text, words: words),
                        sentiment: nil, intent: nil)
        try await prospectSpeaks(reply)
        if settings.coaching_enabled, let nudge = coach.nudge(after: engine) {
            await emit(.coaching(nudge))
        }
        try await save()
        if reply.endsCall {
            try await end(reason: reply.outcome.map { "call_\($0.rawValue)" } ?? "call_ended")
        }
    }

    /// Spoken audio: 16 kHz mono samples for the recogniser. A rep who talks over the prospect
    /// (300 ms of speech while its audio plays) interrupts it at once (barge-in); what they say is
    /// heard and answered as usual when they stop.
    func hear(_ samples: [Float]) async {
        audioInput?.yield(PCMAudio(samples: samples, sampleRate: PCMAudio.analysisSampleRate))
        guard prospectAudible else { return }
        if onset.hearsSpeech(in: samples) {
            prospectCutOff()
            await emit(.interrupted)
        }
    }

    /// What the recogniser heard: partials are shown, finals are the rep's turn. Words heard while
    /// the prospect's audio still plays interrupt it too (barge-in), if the onset did not already.
    func recognized(_ event: RecognitionEvent) async throws {
        let text = event.segment.text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { return }
        if prospectAudible {
            prospectCutOff()
            await emit(.interrupted)
        }
        await emit(.transcript(text: text, isFinal: event.isFinal))
        if event.isFinal { try await repSaid(text, words: event.segment.words) }
    }

    /// True once the session's time limit has passed.
    var timeIsUp: Bool {
        let spent = (conversation.duration ?? 0) + (activeSince.map { Date().timeIntervalSince($0) } ?? 0)
        return spent >= Double(settings.max_duration)
    }

    // MARK: internals

    private func prospectSpeaks(_ template: ProspectReply) async throws {
        // A configured model may word the line; the engine's decision never changes.
        let reply = await engine.reword(template, using: app.parley.prospectWording)
        try await store(TranscriptSegment(id: nextSequence, speaker: .counterpart, speakerLabel: "ai", text: reply.text),
                        sentiment: reply.sentiment.rawValue, intent: reply.intent.rawValue)
        var audio: Data?
        var playing: TimeInterval?
        do {
            let speech = try await app.parley.speech.synthesizer.synthesize(SpeechRequest(text: reply.text, voiceID: settings.voice_id))
            audio = WAVFile.encode(speech.audio)
            playing = speech.audio.duration
        } catch {
            // The words still reach the rep; the client is told audio is missing.
            app.logger.warning("prospect audio failed", metadata: ["error": "\(error)"])
            await emit(.failure(code: "VOICE_SERVICE_UNAVAILABLE", message: "The prospect's voice is unavailable: \(error)", retryAllowed: true))
        }
        await emit(.reply(reply, audio: audio))
        // The client plays the audio once it has it: it is heard until its length after sending.
        if let playing {
            aiSpeakingUntil = Date().addingTimeInterval(playing)
            onset = SpeechOnsetDetector()
        }
    }

    private func store(_ segment: TranscriptSegment, sentiment: String?, intent: String?) async throws {
        let turn = StoredTurn(sequence: nextSequence, segment: segment, spokenAt: Date(), sentiment: sentiment, intent: intent)
        try await app.parley.core.conversations.append(turn, to: conversation.id)
        nextSequence += 1
    }

    private func save() async throws {
        var details = conversation.details.objectValue
        let encoder = JSONEncoder()
        details["engine"] = try JSONDecoder().decode(JSONValue.self, from: encoder.encode(engine))
        details["coach"] = try JSONDecoder().decode(JSONValue.self, from: encoder.encode(coach))
        conversation.details = .object(details)
        try await app.parley.core.conversations.updateConversation(conversation)
    }

    private func accumulate() {
        if let since = activeSince {
            conversation.duration = (conversation.duration ?? 0) + Date().timeIntervalSince(since)
            activeSince = nil
        }
    }

    private func startRecognition(partials: Bool) {
        guard audioInput == nil else { return }
        let (stream, continuation) = AsyncStream<PCMAudio>.makeStream(bufferingPolicy: .bufferingNewest(500))
        audioInput = continuation
        let recognizer = app.parley.speech.liveRecognizer
        recognition = Task { [weak self] in
            do {
                for try await event in recognizer.recognize(stream, partials: partials) {
                    try await self?.recognized(event)
                }
            } catch {
                await self?.emit(.failure(code: "VOICE_SERVICE_UNAVAILABLE",
                                          message: "Speech recognition is unavailable (\(error)); typed text still works", retryAllowed: true))
            }
        }
    }

    private func stopInput() {
        audioInput?.finish()
        audioInput = nil
        recognition?.cancel()
        recognition = nil
        deadline?.cancel()
        deadline = nil
    }

    /// Ends the call at its time limit even if the client sends nothing more.
    private func armDeadline() {
        deadline?.cancel()
        let remaining = Double(settings.max_duration) - (conversation.duration ?? 0)
        deadline = Task { [weak self] in
            try? await Task.sleep(for: .seconds(max(0, remaining)))
            guard !Task.isCancelled else { return }
            try? await self?.end(reason: "time_limit")
        }
    }

    /// A stable seed per session (FNV-1a of its id), so a session's prospect is reproducible.
    static func seed(for id: UUID) -> UInt64 {
        id.uuidString.utf8.reduce(14_695_981_039_346_656_037 as UInt64) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 }
    }
}
