import Foundation
import ParleyAudio
import ParleyDomain
import ParleyIntelligence
import ParleySpeech

/// The other side of a live conversation that talks back: the AI prospect (Sales Trainer), the
/// AI caller (Leads & Voice Calls), a voice agent. A value: its state is saved with the
/// conversation after every turn, so a dropped connection carries on where it was.
public protocol ConversationCounterpart: Sendable {
    /// What it says first, if it speaks first.
    mutating func opening() -> CounterpartLine?
    /// Its answer to what the other person just said.
    mutating func respond(to text: String) -> CounterpartLine
    /// A coaching moment for the rep after the last exchange, if any.
    mutating func nudge() -> LiveNudge?
    /// The line as spoken: a configured language model may word it; what was decided stays.
    func word(_ line: CounterpartLine) async -> CounterpartLine
    /// What the finished conversation amounted to, from the engine's view and the turns said.
    func analysis(of turns: [TranscriptSegment]) -> ConversationAnalysis?
    /// Its state, kept in the conversation's live state under these keys.
    func snapshot() throws -> [String: JSONValue]
    var isFinished: Bool { get }
}

/// The speech engines a live conversation uses.
public struct LiveSpeech: Sendable {
    public var recognizer: any SpeechRecognizer
    public var synthesizer: any SpeechSynthesizer

    public init(recognizer: any SpeechRecognizer, synthesizer: any SpeechSynthesizer) {
        self.recognizer = recognizer
        self.synthesizer = synthesizer
    }
}

/// How one live conversation runs.
public struct LiveSettings: Sendable {
    /// The counterpart's voice.
    public var voiceID: String
    /// Seconds of conversation (pauses excluded) before it ends on its own; nil: no limit.
    public var timeLimit: TimeInterval?
    /// Speaker labels stored on the turns (`user`/`ai` on the Sales Trainer).
    public var repLabel: String
    public var counterpartLabel: String
    /// Whether coaching nudges are given.
    public var coaching: Bool
    /// Whether delivery (pace, pitch, volume, pauses) is measured as the audio comes.
    public var measuresDelivery: Bool
    /// Whether finished turns of the rep are stored (a recorded talk is processed as a whole instead).
    public var storesTurns: Bool
    /// Re-prompts when the rep stays silent after the counterpart spoke; nil: never.
    public var silence: SilencePolicy?
    /// Ends the conversation with `transfer_requested` when the rep asks for a person, after this
    /// line; nil: the counterpart answers such a request as any other.
    public var handOffLine: String?

    public init(voiceID: String = "professional_female", timeLimit: TimeInterval? = nil, repLabel: String = "rep", counterpartLabel: String = "counterpart",
                coaching: Bool = false, measuresDelivery: Bool = false, storesTurns: Bool = true) {
        self.voiceID = voiceID
        self.timeLimit = timeLimit
        self.repLabel = repLabel
        self.counterpartLabel = counterpartLabel
        self.coaching = coaching
        self.measuresDelivery = measuresDelivery
        self.storesTurns = storesTurns
    }
}

/// What the counterpart does when nobody answers it: after `timeout` seconds of silence following
/// its line it says `line`; after `maxReprompts` of those the conversation ends (`silence`).
public struct SilencePolicy: Sendable {
    public var timeout: TimeInterval
    public var maxReprompts: Int
    public var line: String

    public init(timeout: TimeInterval, maxReprompts: Int, line: String = "Sorry, I didn't catch that. Are you still there?") {
        self.timeout = timeout
        self.maxReprompts = maxReprompts
        self.line = line
    }
}

/// One live conversation, the pipeline every live surface runs on: audio frames in → voice
/// activity (barge-in) → recognition → the counterpart's reply, when there is one → synthesis
/// → audio out; delivery measured as it goes; pause, resume and a time limit. It tells what
/// happens as neutral `ConversationEvent`s, which the surface renders. Every turn is stored
/// as it is said and the counterpart's state travels with the conversation, so a dropped
/// connection loses nothing and reconnecting carries on.
public actor LiveConversation {
    private let log: ConversationLog
    private let speech: LiveSpeech
    private let settings: LiveSettings
    private var conversation: Conversation
    private var counterpart: (any ConversationCounterpart)?
    private var nextSequence: Int
    private let emit: @Sendable (ConversationEvent) async -> Void
    private var activeSince: Date?
    private var audioInput: AsyncStream<PCMAudio>.Continuation?
    private var recognition: Task<Void, Never>?
    private var deadline: Task<Void, Never>?
    private var delivery: AudioAnalyzer?
    private var counterpartSpeakingUntil = Date.distantPast
    /// Set once the client reports its playback (like a telephony media stream's marks): from
    /// then on its word, not the clock, says whether the counterpart is heard.
    private var clientPlayback: Bool?
    /// Listens for the rep starting to talk while the counterpart's audio plays.
    private var onset = SpeechOnsetDetector()
    /// Waits out the silence after the counterpart's line (when the settings ask for re-prompts).
    private var silenceWatch: Task<Void, Never>?
    /// Set when `end` begins: nothing after it changes the conversation.
    private var closing = false
    private var reprompts = 0
    private var lastRepSound = Date.distantPast
    public private(set) var started = false

    /// `turnsSoFar`: turns already stored (a resumed conversation continues after them).
    public init(
        conversation: Conversation, counterpart: (any ConversationCounterpart)?, turnsSoFar: Int, log: ConversationLog,
        speech: LiveSpeech, settings: LiveSettings, emit: @escaping @Sendable (ConversationEvent) async -> Void
    ) {
        self.conversation = conversation
        self.counterpart = counterpart
        self.nextSequence = turnsSoFar + 1
        self.log = log
        self.speech = speech
        self.settings = settings
        self.emit = emit
    }

    public var status: ConversationStatus { conversation.status }

    /// True once the conversation's time limit has passed.
    public var timeIsUp: Bool {
        guard let limit = settings.timeLimit else { return false }
        let spent = (conversation.duration ?? 0) + (activeSince.map { Date().timeIntervalSince($0) } ?? 0)
        return spent >= limit
    }

    /// True while the counterpart's audio plays at the client: as the client reports it, or
    /// else for the audio's length from when it was sent.
    private var counterpartAudible: Bool { clientPlayback ?? (Date() < counterpartSpeakingUntil) }

    // MARK: control

    /// Starts (or resumes) the conversation. With `listening`, audio is recognised as it comes;
    /// `partials` asks for interim recognitions too (each is a recognition of its own, so only
    /// on request).
    public func start(listening: Bool, partials: Bool = false) async throws {
        let resuming = nextSequence > 1
        started = true
        if listening { listen(partials: partials) } else { startMeasuring() }
        conversation.status = .active
        if conversation.startedAt == nil { conversation.startedAt = Date() }
        activeSince = Date()
        try await save()
        armDeadline()
        await emit(.started(resumed: resuming))
        if !resuming, let opening = counterpart?.opening() {
            try await counterpartSays(opening)
            // The counterpart's state after its opening is kept too (the AI caller counts its lines).
            try await save()
        }
    }

    /// Listens only: recognition (and delivery, when measured) told as they come, no turns
    /// taken (a talk recorded live).
    public func listen(partials: Bool) {
        startRecognition(partials: partials)
        startMeasuring()
    }

    public func pause() async throws {
        guard conversation.status == .active else { return }
        accumulate()
        conversation.status = .paused
        deadline?.cancel()
        silenceWatch?.cancel()
        try await save()
        await emit(.paused)
    }

    public func resume() async throws {
        guard conversation.status == .paused else { return }
        conversation.status = .active
        activeSince = Date()
        try await save()
        armDeadline()
        await emit(.resumed)
    }

    /// Ends the conversation: the counterpart's analysis is stored and the client told.
    public func end(reason: String) async throws {
        // Marked before the first suspension: a turn recognised meanwhile is not answered, and no
        // later save overwrites what others record about the ended conversation (a call's log).
        guard !conversation.status.isFinal, !closing else { return }
        closing = true
        accumulate()
        stopInput()
        if let counterpart {
            let turns = try await log.turns(conversationID: conversation.id)
            conversation.analysis = counterpart.analysis(of: turns.map(\.segment))
        }
        conversation.status = .completed
        conversation.completedAt = Date()
        try await save(final: true)
        await emit(.ended(reason: reason, conversation: conversation))
    }

    /// The client went away without ending: the conversation is abandoned but can be resumed.
    public func disconnected() async {
        stopInput()
        guard !conversation.status.isFinal, !closing else { return }
        accumulate()
        conversation.status = .abandoned
        try? await save()
    }

    /// Stops listening; the returned task ends once recognition has told its last words.
    public func finishListening() async -> Task<Void, Never>? {
        audioInput?.finish()
        audioInput = nil
        if var analyzer = delivery {
            delivery = nil
            for point in analyzer.endAndDrain() { await emit(.delivery(point)) }
        }
        deadline?.cancel()
        accumulate()
        return recognition
    }

    // MARK: input

    /// A finished turn of the rep, typed or recognised; the counterpart answers it.
    public func repSaid(_ text: String, words: [Word] = []) async throws {
        guard counterpart?.isFinished != true, !closing else { return }
        silenceWatch?.cancel()
        reprompts = 0
        lastRepSound = Date()
        if settings.storesTurns {
            try await store(TranscriptSegment(id: nextSequence, speaker: .rep, speakerLabel: settings.repLabel, text: text, words: words),
                            sentiment: nil, intent: nil)
        }
        if let handOff = settings.handOffLine, HandOffRequest.asksForPerson(text) {
            try await counterpartSays(CounterpartLine(text: handOff, stage: "transfer"))
            try await save()
            try await end(reason: "transfer_requested")
            return
        }
        guard var engine = counterpart else { return }
        let reply = engine.respond(to: text)
        let nudge = settings.coaching ? engine.nudge() : nil
        counterpart = engine
        try await counterpartSays(reply)
        if let nudge { await emit(.nudge(nudge)) }
        try await save()
        if reply.endsConversation {
            try await end(reason: reply.outcome.map { "call_\($0)" } ?? "call_ended")
        }
    }

    /// Keys the rep pressed on their phone (DTMF): kept in the transcript as `(pressed 5)`; the
    /// counterpart does not answer them.
    public func keypad(_ digits: String) async throws {
        guard !closing else { return }
        lastRepSound = Date()
        try await store(TranscriptSegment(id: nextSequence, speaker: .rep, speakerLabel: settings.repLabel, text: "(pressed \(digits))"),
                        sentiment: nil, intent: nil)
    }

    /// Audio at 16 kHz mono. A rep who talks over the counterpart (300 ms of speech while its
    /// audio plays) interrupts it at once (barge-in); what they say is heard and answered as
    /// usual when they stop.
    public func hear(_ samples: [Float]) async {
        audioInput?.yield(PCMAudio(samples: samples, sampleRate: PCMAudio.analysisSampleRate))
        if settings.silence != nil, PCMAudio.rms(samples) > 0.02 { lastRepSound = Date() }
        if delivery != nil, let updates = delivery?.appendAndDrain(samples) {
            for update in updates { await emit(.delivery(update)) }
        }
        guard counterpartAudible else { return }
        if onset.hearsSpeech(in: samples) {
            counterpartCutOff()
            await emit(.interrupted)
        }
    }

    /// The client started or stopped playing the counterpart's audio.
    public func playback(playing: Bool) {
        clientPlayback = playing
    }

    // MARK: internals

    /// What the recogniser heard: partials are told, finals are the rep's turn. Words heard
    /// while the counterpart's audio still plays interrupt it too, if the onset did not already.
    private func recognized(_ event: RecognitionEvent) async throws {
        let text = event.segment.text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { return }
        if counterpart != nil, counterpartAudible {
            counterpartCutOff()
            await emit(.interrupted)
        }
        var segment = event.segment
        segment.speaker = .rep
        segment.text = text
        await emit(.heard(segment, isFinal: event.isFinal))
        if event.isFinal, counterpart != nil { try await repSaid(text, words: event.segment.words) }
    }

    private func counterpartCutOff() {
        counterpartSpeakingUntil = .distantPast
        if clientPlayback != nil { clientPlayback = false }
    }

    private func counterpartSays(_ decided: CounterpartLine) async throws {
        let line = await counterpart?.word(decided) ?? decided
        try await store(TranscriptSegment(id: nextSequence, speaker: .counterpart, speakerLabel: settings.counterpartLabel, text: line.text),
                        sentiment: line.sentiment, intent: line.intent)
        var audio: Data?
        var playing: TimeInterval?
        do {
            let spoken = try await speech.synthesizer.synthesize(SpeechRequest(text: line.text, voiceID: settings.voiceID))
            audio = WAVFile.encode(spoken.audio)
            playing = spoken.audio.duration
        } catch {
            // The words still reach the client; it is told the audio is missing.
            await emit(.failure(code: "VOICE_SERVICE_UNAVAILABLE", message: "The voice is unavailable: \(error)", retryAllowed: true))
        }
        await emit(.said(line, audio: audio))
        // The client plays the audio once it has it: it is heard until its length after sending.
        if let playing {
            counterpartSpeakingUntil = Date().addingTimeInterval(playing)
            onset = SpeechOnsetDetector()
        }
        if !line.endsConversation { watchSilence(from: Date().addingTimeInterval(playing ?? 0)) }
    }

    /// After the counterpart's line has played, waits for the rep; silence brings a re-prompt, and
    /// too many end the conversation. Any sound from the rep (or a turn) restarts the wait.
    private func watchSilence(from spokenUntil: Date) {
        silenceWatch?.cancel()
        guard let policy = settings.silence else { return }
        silenceWatch = Task { [weak self] in
            var due = spokenUntil.addingTimeInterval(policy.timeout)
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(max(0.05, due.timeIntervalSinceNow)))
                guard !Task.isCancelled, let self else { return }
                guard let next = await self.silenceElapsed(policy, due: due) else { return }
                due = next
            }
        }
    }

    /// The wait ran out at `due`: nil when it is over (re-prompted or ended), or when to look again.
    private func silenceElapsed(_ policy: SilencePolicy, due: Date) async -> Date? {
        guard conversation.status == .active, counterpart?.isFinished != true else { return nil }
        // Still playing at the client, or the rep made a sound meanwhile: wait a full timeout from then.
        if clientPlayback == true { return Date().addingTimeInterval(policy.timeout) }
        if lastRepSound > due.addingTimeInterval(-policy.timeout) { return lastRepSound.addingTimeInterval(policy.timeout) }
        reprompts += 1
        if reprompts > policy.maxReprompts {
            try? await end(reason: "silence")
            return nil
        }
        try? await counterpartSays(CounterpartLine(text: policy.line, stage: "reprompt"))
        return nil
    }


    private func store(_ segment: TranscriptSegment, sentiment: String?, intent: String?) async throws {
        let turn = StoredTurn(sequence: nextSequence, segment: segment, spokenAt: Date(), sentiment: sentiment, intent: intent)
        try await log.append(turn, to: conversation.id)
        nextSequence += 1
    }

    private func save(final: Bool = false) async throws {
        guard final || !closing else { return }
        if let counterpart {
            conversation.details.liveState.merge(try counterpart.snapshot()) { _, new in new }
        }
        try await log.updateConversation(conversation)
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
        let recognizer = speech.recognizer
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

    private func startMeasuring() {
        guard settings.measuresDelivery, delivery == nil else { return }
        var options = AnalysisOptions()
        options.keepsFrames = false
        delivery = AudioAnalyzer(options: options, inputSampleRate: PCMAudio.analysisSampleRate)
    }

    private func stopInput() {
        silenceWatch?.cancel()
        silenceWatch = nil
        audioInput?.finish()
        audioInput = nil
        recognition?.cancel()
        recognition = nil
        deadline?.cancel()
        deadline = nil
    }

    /// Ends the conversation at its time limit even if the client sends nothing more.
    private func armDeadline() {
        deadline?.cancel()
        guard let limit = settings.timeLimit else { return }
        let remaining = limit - (conversation.duration ?? 0)
        deadline = Task { [weak self] in
            try? await Task.sleep(for: .seconds(max(0, remaining)))
            guard !Task.isCancelled else { return }
            try? await self?.end(reason: "time_limit")
        }
    }
}

extension AudioAnalyzer {
    /// Adds samples and returns the delivery points they completed.
    mutating func appendAndDrain(_ samples: [Float]) -> [DeliveryPoint] {
        append(samples).map(DeliveryPoint.init)
    }

    /// Ends the input and returns the last points.
    mutating func endAndDrain() -> [DeliveryPoint] {
        end().map(DeliveryPoint.init)
    }
}

extension DeliveryPoint {
    /// A second of live analysis.
    init(_ update: AudioAnalysisUpdate) {
        self.init(timestamp: update.timestamp, wpm: update.wpm ?? 0, pitch: update.pitch, volume: update.volume,
                  pauses: update.pauses.map { Gap(start: $0.start, end: $0.end, duration: $0.duration) })
    }
}
