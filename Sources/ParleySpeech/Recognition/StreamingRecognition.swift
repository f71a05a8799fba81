import Foundation
import ParleyAudio
import ParleyDomain

/// When streaming recognition decides an utterance has ended, and how often it shows partials.
public struct StreamingPolicy: Sendable, Hashable {
    /// Silence after speech that ends an utterance.
    public var endpointSilence: Duration = .milliseconds(300)
    /// Silence after which the utterance is recognised speculatively, so the final words are
    /// ready (or nearly) when `endpointSilence` is reached; discarded if speech resumes.
    /// Measured (`parley bench live`): at 100 ms, pauses inside a line started speculations that
    /// speech then overtook (1.45 recognitions per turn instead of 1.00); 150 ms wastes none there
    /// and the single-session delay stays the same (the final still waits for `endpointSilence`).
    public var speculationDelay: Duration = .milliseconds(150)
    /// New speech between partial results (skipped while the recogniser is busy); nil: no partials.
    public var partialInterval: Duration? = .milliseconds(1000)
    /// Audio kept before the detected start of speech, so soft onsets are not clipped.
    public var preRoll: Duration = .milliseconds(200)
    /// Utterances longer than this are cut and finalised, keeping latency and memory bounded.
    public var maxUtterance: Duration = .seconds(25)

    public init() {}
}

extension SpeechRecognizer {
    /// Streaming built on batch recognition: voice activity finds utterances, which are
    /// recognised as they grow (partials, when asked for) and once more when they end (final).
    public func recognize(_ chunks: AsyncStream<PCMAudio>, partials: Bool) -> AsyncThrowingStream<RecognitionEvent, any Error> {
        var policy = StreamingPolicy()
        if !partials { policy.partialInterval = nil }
        return UtteranceStreamer(recognizer: self, policy: policy).recognize(chunks)
    }
}

/// Streaming recognition over any batch recogniser; see `SpeechRecognizer.recognize(_:)`.
public struct UtteranceStreamer: Sendable {
    public var recognizer: any SpeechRecognizer
    public var policy: StreamingPolicy

    public init(recognizer: any SpeechRecognizer, policy: StreamingPolicy) {
        self.recognizer = recognizer
        self.policy = policy
    }

    public func recognize(_ chunks: AsyncStream<PCMAudio>) -> AsyncThrowingStream<RecognitionEvent, any Error> {
        AsyncThrowingStream { continuation in
            let session = StreamingSession(recognizer: recognizer, policy: policy, continuation: continuation)
            let task = Task {
                do {
                    for await chunk in chunks {
                        try Task.checkCancellation()
                        try await session.ingest(chunk)
                    }
                    try await session.finish()
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}

/// The state of one live stream: the open utterance, voice activity, and the recognitions in
/// flight, run one at a time in order so events come out in order.
actor StreamingSession {
    private let recognizer: any SpeechRecognizer
    private let policy: StreamingPolicy
    private let continuation: AsyncThrowingStream<RecognitionEvent, any Error>.Continuation
    private let rate = PCMAudio.analysisSampleRate
    private let frameLength = PCMAudio.analysisSampleRate / 50

    private var gate = EnergyGate()
    /// Samples from `bufferStart` on: pre-roll plus the open utterance.
    private var buffer: [Float] = []
    private var bufferStart = 0
    private var pending: [Float] = []
    private var position = 0

    private var utteranceID = 0
    private var utteranceStart: Int?
    private var speechFrames = 0
    private var lastSpeechEnd = 0
    private var lastPartialAt = 0

    /// Each utterance's latest speculative recognition: the sample it ends at, and its result.
    private var speculations: [Int: (end: Int, result: Result<Transcript, any Error>?)] = [:]
    /// Ended utterances waiting for their speculation before their final is emitted.
    private var awaitingFinal: [Int: Int] = [:]
    /// The utterance whose final is emitted next (finals leave in order).
    private var nextFinal = 0

    private var queue: Task<Void, Never>?
    private var busy = 0
    private var failure: (any Error)?

    init(
        recognizer: any SpeechRecognizer, policy: StreamingPolicy,
        continuation: AsyncThrowingStream<RecognitionEvent, any Error>.Continuation
    ) {
        self.recognizer = recognizer
        self.policy = policy
        self.continuation = continuation
    }

    func ingest(_ chunk: PCMAudio) throws {
        if let failure { throw failure }
        guard chunk.sampleRate == rate else {
            throw SpeechError.invalidRequest("streaming recognition takes \(rate) Hz audio, got \(chunk.sampleRate) Hz")
        }
        pending += chunk.samples
        var offset = 0
        while pending.count - offset >= frameLength {
            frame(Array(pending[offset..<(offset + frameLength)]))
            offset += frameLength
        }
        pending.removeFirst(offset)
    }

    func finish() async throws {
        if !pending.isEmpty { frame(pending + Array(repeating: 0, count: frameLength - pending.count)) }
        pending = []
        if let start = utteranceStart {
            endUtterance(start: start, end: position, speculate: true)
        }
        await queue?.value
        if let failure { throw failure }
    }

    private func samples(_ duration: Duration) -> Int {
        Int((Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18) * Double(rate))
    }

    private func frame(_ samples: [Float]) {
        let speech = gate.isSpeech(samples)
        buffer += samples
        position += samples.count
        if speech {
            speechFrames += 1
            lastSpeechEnd = position
            if utteranceStart == nil, speechFrames >= EnergyGate.onsetFrames {
                utteranceStart = max(bufferStart, position - speechFrames * frameLength - self.samples(policy.preRoll))
                lastPartialAt = position
            }
        } else {
            speechFrames = 0
        }
        guard let start = utteranceStart else {
            trimPreRoll()
            return
        }
        let silence = position - lastSpeechEnd
        if speech {
            if let interval = policy.partialInterval, position - lastPartialAt >= self.samples(interval), busy == 0 {
                lastPartialAt = position
                run(start: start, end: position, utterance: utteranceID, kind: .partial)
            }
            if position - start >= self.samples(policy.maxUtterance) {
                endUtterance(start: start, end: position, speculate: true)
            }
        } else if silence >= self.samples(policy.endpointSilence) {
            endUtterance(start: start, end: position, speculate: false)
        } else if silence >= self.samples(policy.speculationDelay), !speculationCoversSpeech {
            speculations[utteranceID] = (end: position, result: nil)
            run(start: start, end: position, utterance: utteranceID, kind: .speculative)
        }
    }

    /// Whether the open utterance's latest speculation began after its last speech.
    private var speculationCoversSpeech: Bool {
        guard let speculation = speculations[utteranceID] else { return false }
        return speculation.end >= lastSpeechEnd
    }

    /// Closes the open utterance: its final comes from the speculation when that covered all
    /// of its speech, otherwise (or when `speculate` forces it) from a recognition started now.
    private func endUtterance(start: Int, end: Int, speculate: Bool) {
        let utterance = utteranceID
        if speculate || !speculationCoversSpeech {
            speculations[utterance] = (end: end, result: nil)
            run(start: start, end: end, utterance: utterance, kind: .speculative)
        }
        awaitingFinal[utterance] = start
        emitFinals()
        utteranceID += 1
        utteranceStart = nil
        speechFrames = 0
        let keep = samples(policy.preRoll)
        buffer = Array(buffer.suffix(keep))
        bufferStart = position - buffer.count
    }

    private func trimPreRoll() {
        let keep = samples(policy.preRoll)
        if buffer.count > keep * 4 {
            buffer.removeFirst(buffer.count - keep)
            bufferStart = position - buffer.count
        }
    }

    private enum Kind { case partial, speculative }

    private func run(start: Int, end: Int, utterance: Int, kind: Kind) {
        let audio = PCMAudio(samples: Array(buffer[(start - bufferStart)..<(end - bufferStart)]), sampleRate: rate)
        let previous = queue
        let recognizer = recognizer
        busy += 1
        queue = Task {
            await previous?.value
            // A speculation overtaken while it waited (speech resumed) is not worth the recogniser's time.
            if kind == .speculative, speculations[utterance]?.end != end {
                busy -= 1
                return
            }
            let result: Result<Transcript, any Error>
            do {
                result = .success(try await recognizer.transcribe(audio))
            } catch {
                result = .failure(error)
            }
            self.completed(kind: kind, utterance: utterance, start: start, end: end, result: result)
        }
    }

    private func completed(kind: Kind, utterance: Int, start: Int, end: Int, result: Result<Transcript, any Error>) {
        busy -= 1
        switch kind {
        case .partial:
            // Still worth showing until the utterance's final has gone out.
            guard utterance >= nextFinal, case .success(let transcript) = result else { return }
            continuation.yield(.partial(segment(transcript, utterance: utterance, start: start, end: end)))
        case .speculative:
            guard speculations[utterance]?.end == end else { return }
            speculations[utterance]?.result = result
            emitFinals()
        }
    }

    /// Emits, in order, the finals of ended utterances whose recognition has finished.
    private func emitFinals() {
        while let start = awaitingFinal[nextFinal], let speculation = speculations[nextFinal],
              let result = speculation.result {
            awaitingFinal[nextFinal] = nil
            speculations[nextFinal] = nil
            switch result {
            case .success(let transcript):
                continuation.yield(.final(segment(transcript, utterance: nextFinal, start: start, end: speculation.end)))
            case .failure(let error):
                failure = error
            }
            nextFinal += 1
        }
    }

    /// One segment for the utterance, its word times moved from utterance to stream time.
    private func segment(_ transcript: Transcript, utterance: Int, start: Int, end: Int) -> TranscriptSegment {
        let offset = Double(start) / Double(rate)
        let words = transcript.segments.flatMap(\.words).map {
            Word(text: $0.text, start: $0.start + offset, end: $0.end + offset, confidence: $0.confidence)
        }
        let confidences = transcript.segments.compactMap(\.confidence)
        return TranscriptSegment(
            id: utterance, speaker: .unknown,
            text: transcript.segments.map(\.text).joined(separator: " "),
            start: offset, end: Double(end) / Double(rate), words: words,
            confidence: confidences.isEmpty ? nil : confidences.reduce(0, +) / Double(confidences.count)
        )
    }
}

/// Notices someone starting to talk in a live stream, for barge-in: true once speech has lasted
/// `minimumSpeech` (short gaps between words allowed), so a click or a cough does not count.
public struct SpeechOnsetDetector: Sendable {
    public var minimumSpeech: Duration
    private var gate = EnergyGate()
    private var pending: [Float] = []
    private var speechFrames = 0
    private var silentFrames = 0
    private let frameLength = PCMAudio.analysisSampleRate / 50

    public init(minimumSpeech: Duration = .milliseconds(300)) {
        self.minimumSpeech = minimumSpeech
    }

    /// Takes the next 16 kHz samples; true when they complete an onset (then counting starts over).
    public mutating func hearsSpeech(in samples: [Float]) -> Bool {
        pending += samples
        let needed = Int(minimumSpeech / .milliseconds(20))
        var offset = 0
        var heard = false
        while pending.count - offset >= frameLength {
            if gate.isSpeech(Array(pending[offset..<(offset + frameLength)])) {
                speechFrames += 1
                silentFrames = 0
            } else {
                silentFrames += 1
                // More than 100 ms of quiet: whatever came before was not a sustained start.
                if silentFrames > 5 { speechFrames = 0 }
            }
            offset += frameLength
            if speechFrames >= max(1, needed) {
                heard = true
                speechFrames = 0
            }
        }
        pending.removeFirst(offset)
        return heard
    }
}

/// Low-latency voice activity for endpointing: frame energy against an adaptive noise floor.
/// ParleyAudio's detector is more robust but decides 0.5 s late (its floor looks ahead), which
/// would put every final at least 0.5 s after the end of speech; live endpointing needs a
/// decision per 20 ms frame. TODO: share one detector once ParleyAudio offers a causal mode.
struct EnergyGate: Sendable {
    /// Consecutive speech frames (20 ms) that start an utterance.
    static let onsetFrames = 3
    private var noiseFloor: Float = -60

    mutating func isSpeech(_ frame: [Float]) -> Bool {
        let energy = frame.reduce(Float(0)) { $0 + $1 * $1 } / Float(max(frame.count, 1))
        let level = 10 * log10(max(energy, 1e-10))
        let speech = level > max(noiseFloor + 12, -50)
        // The floor follows quiet frames quickly and loud ones slowly, so speech does not raise it.
        noiseFloor += (level - noiseFloor) * (level < noiseFloor ? 0.2 : (speech ? 0.0005 : 0.02))
        return speech
    }
}
