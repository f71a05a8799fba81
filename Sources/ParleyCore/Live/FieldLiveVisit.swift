import Foundation
import ParleyAudio
import ParleyDomain
import ParleyIntelligence
import ParleySpeech

/// A field conversation heard while it is recorded: chunks go to streaming recognition in
/// their sequence order (a late chunk waits for its turn; a gap is skipped once two later
/// chunks are in), each utterance is told apart by voice (technician or customer), partial and
/// final segments are told to watchers, finals are kept as turns, and the nudge rules read
/// each final. The batch analysis at stop supersedes what was heard live.
public actor FieldLiveVisit {
    /// Later chunks held before a missing one is given up on.
    static let gapPatience = 2
    /// Seconds of heard audio kept to cut each utterance's samples from and to diarise.
    static let keptSeconds = 60.0

    let conversation: Conversation
    let visits: FieldVisits
    let log: ConversationLog
    let emit: @Sendable (ConversationEvent) -> Void
    private var labeller: LiveSpeakerLabeller
    private var rules: FieldNudgeRules
    private var next: Int?
    private var waiting: [Int: PCMAudio] = [:]
    private var input: AsyncStream<PCMAudio>.Continuation?
    private var recognition: Task<Void, Never>?
    /// Samples heard, from `keptFrom` (a sample index of the stream) on.
    private var kept: [Float] = []
    private var keptFrom = 0
    private var finals = 0
    /// Chunk sequences skipped because they never came in time.
    public private(set) var skipped: [Int] = []

    /// Diarises heard audio off the cooperative pool (the caller decides where).
    public typealias Diarize = @Sendable (PCMAudio, Voiceprint?) async -> [SpeakerTurn]
    let diarize: Diarize
    private let enrolled: Voiceprint?
    /// The technician's voice learned from the first minutes, for when the opening is no longer kept.
    private var learned: Voiceprint?

    /// Reads each final utterance's sentence vector for the nudges, when an encoder runs.
    private let understanding: TextUnderstanding

    public init(conversation: Conversation, recognizer: any SpeechRecognizer, encoder: (any SentenceEncoder)? = nil, reference: Voiceprint?,
                catalogue: UpsellCatalogue, visits: FieldVisits, log: ConversationLog, diarize: @escaping Diarize,
                emit: @escaping @Sendable (ConversationEvent) -> Void) {
        self.conversation = conversation
        understanding = TextUnderstanding(analyzer: TextAnalyzer(catalogue: catalogue), encoder: encoder)
        self.diarize = diarize
        enrolled = reference
        self.visits = visits
        self.log = log
        self.emit = emit
        labeller = LiveSpeakerLabeller(reference: reference)
        rules = FieldNudgeRules(catalogue: catalogue)
        let (stream, continuation) = AsyncStream<PCMAudio>.makeStream()
        input = continuation
        pending = (recognizer, stream)
    }

    /// Recognition not started yet: it starts with the first chunk (an actor's initializer cannot start it).
    private var pending: (recognizer: any SpeechRecognizer, stream: AsyncStream<PCMAudio>)?

    private func startRecognition() {
        guard let (recognizer, stream) = pending else { return }
        pending = nil
        let emit = self.emit
        recognition = Task { [weak self] in
            do {
                for try await event in recognizer.recognize(stream, partials: true) {
                    await self?.recognized(event)
                }
            } catch {
                emit(.failure(code: "TRANSCRIPTION_UNAVAILABLE", message: "Live transcription stopped (\(error)); the recording is still analysed at stop",
                              retryAllowed: false))
            }
        }
    }

    /// Takes a chunk's decoded audio (16 kHz mono); feeds it and any chunks it was holding up.
    public func receive(sequence: Int, audio: PCMAudio) {
        startRecognition()
        if next == nil { next = sequence }
        guard let expected = next, sequence >= expected, waiting[sequence] == nil else { return }
        waiting[sequence] = audio
        drain(force: false)
    }

    /// Feeds whatever is still held (skipping gaps), ends recognition and waits for its last results.
    public func finish() async {
        drain(force: true)
        input?.finish()
        input = nil
        await recognition?.value
        recognition = nil
    }

    /// Stops hearing at once: nothing more is told or kept (the batch analysis at stop covers
    /// what live hearing had not reached).
    public func abandon() {
        abandoned = true
        input?.finish()
        input = nil
        recognition?.cancel()
    }

    private var abandoned = false

    private func drain(force: Bool) {
        while let expected = next {
            if let audio = waiting.removeValue(forKey: expected) {
                feed(audio)
                next = expected + 1
            } else if let later = waiting.keys.min(), force || waiting.count >= Self.gapPatience {
                skipped += Array(expected..<later)
                next = later
            } else {
                return
            }
        }
    }

    private func feed(_ audio: PCMAudio) {
        kept += audio.samples
        let limit = Int(Self.keptSeconds) * PCMAudio.analysisSampleRate
        if kept.count > limit + PCMAudio.analysisSampleRate * 10 {
            let drop = kept.count - limit
            kept.removeFirst(drop)
            keptFrom += drop
        }
        // In half-second pieces, as a microphone would send them: utterance ends are found inside a chunk.
        let piece = PCMAudio.analysisSampleRate / 2
        var start = 0
        while start < audio.samples.count {
            let end = min(audio.samples.count, start + piece)
            input?.yield(PCMAudio(samples: Array(audio.samples[start..<end]), sampleRate: audio.sampleRate))
            start = end
        }
    }

    /// The heard samples of [start, end) seconds, as far as they are still kept.
    private func samples(from start: Double, to end: Double) -> PCMAudio {
        let rate = Double(PCMAudio.analysisSampleRate)
        let first = max(0, Int(start * rate) - keptFrom)
        let last = min(kept.count, Int(end * rate) - keptFrom)
        return PCMAudio(samples: first < last ? Array(kept[first..<last]) : [], sampleRate: PCMAudio.analysisSampleRate)
    }

    private func recognized(_ event: RecognitionEvent) async {
        var segment = event.segment
        guard !abandoned, !segment.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return }
        let audio = samples(from: segment.start ?? 0, to: segment.end ?? 0)
        if event.isFinal {
            segment.speaker = FieldSpeakers.role(await speaker(of: segment, audio: audio))
            guard !abandoned else { return }
            segment.id = finals
            finals += 1
            emit(.heard(segment, isFinal: true))
            let turn = StoredTurn(sequence: segment.id, segment: segment,
                                  spokenAt: conversation.createdAt.addingTimeInterval(segment.start ?? 0), sentiment: nil, intent: nil)
            try? await log.append(turn, to: conversation.id)
            let encoding = await understanding.encodings([segment.text]).vectors?.first
            for suggestion in rules.consider(segment, encoding: encoding) {
                let nudge = FieldNudge(
                    organizationID: conversation.organizationID, conversationID: conversation.id, userID: conversation.userID,
                    type: suggestion.type, key: suggestion.key, title: suggestion.title, message: suggestion.message,
                    suggestedResponse: suggestion.suggestedResponse, confidence: suggestion.confidence, triggeredAt: suggestion.at)
                guard let stored = try? await visits.nudge(nudge) else { continue }
                emit(.nudge(LiveNudge(stored)))
            }
        } else {
            // A partial's speaker is a guess from what the labeller knows, not yet learned from.
            var guess = labeller
            segment.speaker = FieldSpeakers.role(guess.label(audio))
            segment.id = finals
            emit(.heard(segment, isFinal: false))
        }
    }

    /// A final utterance's speaker: from diarising everything still kept (two voices found in
    /// the context of the whole stretch beat one utterance compared alone), else the running labeller.
    private func speaker(of segment: TranscriptSegment, audio: PCMAudio) async -> Int {
        let running = labeller.label(audio)
        let rate = Double(PCMAudio.analysisSampleRate)
        let offset = Double(keptFrom) / rate
        let heard = PCMAudio(samples: kept, sampleRate: PCMAudio.analysisSampleRate)
        // While the opening is kept, the first voice is the technician's; after, their voice as learned (or enrolled).
        let reference = enrolled ?? (keptFrom > 0 ? learned : nil)
        let turns = await diarize(heard, reference)
        guard turns.contains(where: { $0.speaker == 1 }),
              let found = turns.speaker(from: (segment.start ?? 0) - offset, to: (segment.end ?? 0) - offset) else { return running }
        if enrolled == nil, keptFrom == 0, heard.duration >= 30 {
            let technician = turns.filter { $0.speaker == 0 }.flatMap { turn in
                kept[max(0, Int(turn.start * rate))..<min(kept.count, Int(turn.end * rate))]
            }
            learned = SpeakerDiarizer.voiceprint(of: PCMAudio(samples: Array(technician), sampleRate: PCMAudio.analysisSampleRate)) ?? learned
        }
        return found
    }
}

/// The field conversations heard live in this process, one `FieldLiveVisit` each.
public actor FieldLiveVisits {
    private var visits: [UUID: FieldLiveVisit] = [:]

    public init() {}

    /// The conversation's live visit, made by `make` the first time.
    public func visit(of conversationID: UUID, make: @Sendable () -> FieldLiveVisit) -> FieldLiveVisit {
        if let existing = visits[conversationID] { return existing }
        let made = make()
        visits[conversationID] = made
        return made
    }

    /// Ends a conversation's live visit, waiting for its last results at most `patience` (a
    /// recogniser behind on a loaded machine is abandoned then: stop does not wait on it); the
    /// chunks it skipped.
    public func finish(_ conversationID: UUID, patience: Duration = .seconds(10)) async -> [Int] {
        guard let visit = visits.removeValue(forKey: conversationID) else { return [] }
        let deadline = Task {
            try await Task.sleep(for: patience)
            await visit.abandon()
        }
        await visit.finish()
        deadline.cancel()
        return await visit.skipped
    }

    public var count: Int { visits.count }
}

extension LiveNudge {
    /// A stored field nudge as the live channel carries it.
    public init(_ nudge: FieldNudge) {
        self.init(message: nudge.message, category: nudge.type, urgency: nudge.confidence >= 0.85 ? "high" : "medium")
        id = nudge.id
        title = nudge.title
        suggestedResponse = nudge.suggestedResponse
        confidence = nudge.confidence
        triggeredAt = nudge.triggeredAt
    }
}
