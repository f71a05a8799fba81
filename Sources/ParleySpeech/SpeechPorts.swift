import Foundation
import ParleyAudio
import ParleyDomain

// The ports live here rather than in ParleyDomain because they speak PCMAudio (ParleyAudio),
// and ParleyDomain stays Foundation-only.

/// Turns speech audio into a transcript with word timings and confidences.
public protocol SpeechRecognizer: Sendable {
    /// A short name for logs and benchmarks ("whisper tiny.en", "deepgram").
    var name: String { get }

    /// Recognises a whole recording (any sample rate; engines resample to 16 kHz as they need).
    func transcribe(_ audio: PCMAudio) async throws -> Transcript

    /// Recognises a live stream of 16 kHz mono chunks: a final result per utterance soon after
    /// the speaker stops and, when `partials` is true, partial results while they speak (each a
    /// recognition of its own for batch engines, so only ask when someone shows them).
    func recognize(_ chunks: AsyncStream<PCMAudio>, partials: Bool) -> AsyncThrowingStream<RecognitionEvent, any Error>
}

extension SpeechRecognizer {
    /// Live recognition with partial results.
    public func recognize(_ chunks: AsyncStream<PCMAudio>) -> AsyncThrowingStream<RecognitionEvent, any Error> {
        recognize(chunks, partials: true)
    }
}

/// One result of streaming recognition; times are seconds from the start of the stream.
public enum RecognitionEvent: Sendable, Equatable {
    /// The words so far of an utterance still being spoken; later events replace it.
    case partial(TranscriptSegment)
    /// The settled words of an utterance that has ended; `segment.id` numbers utterances from 0.
    case final(TranscriptSegment)

    /// The segment either case carries.
    public var segment: TranscriptSegment {
        switch self {
        case .partial(let segment), .final(let segment): segment
        }
    }

    /// Whether this is an utterance's settled result.
    public var isFinal: Bool {
        if case .final = self { return true }
        return false
    }
}

/// What to say and how: the voice is one of the documented ids (`professional_female`, `bella`, ...).
public struct SpeechRequest: Sendable, Hashable {
    public var text: String
    public var voiceID: String
    /// Speaking-rate factor: 1 is normal, 0.5 half as fast, 2 twice as fast.
    public var speed: Double
    /// Voice steadiness in 0...1 for providers that have it (ElevenLabs); others ignore it.
    public var stability: Double?

    public init(text: String, voiceID: String, speed: Double = 1, stability: Double? = nil) {
        self.text = text
        self.voiceID = voiceID
        self.speed = speed
        self.stability = stability
    }
}

/// Where a spoken word lies in synthesised audio.
public struct WordBoundary: Sendable, Hashable, Codable {
    /// The word as written in the request.
    public var text: String
    /// Seconds from the start of the audio it belongs to.
    public var start: Double
    /// Character offset of the word in the request text.
    public var textOffset: Int

    public init(text: String, start: Double, textOffset: Int) {
        self.text = text
        self.start = start
        self.textOffset = textOffset
    }
}

/// Synthesised speech: audio at the engine's own sample rate and where each word starts.
public struct SynthesizedSpeech: Sendable, Equatable {
    public var audio: PCMAudio
    /// Word starts; empty when the provider does not report them.
    public var words: [WordBoundary]

    public init(audio: PCMAudio, words: [WordBoundary]) {
        self.audio = audio
        self.words = words
    }
}

/// Turns text into speech with a documented voice id.
public protocol SpeechSynthesizer: Sendable {
    /// A short name for logs and benchmarks.
    var name: String { get }

    /// The documented voice ids this synthesiser accepts.
    var voiceIDs: [String] { get }

    /// Synthesises the whole request into one piece of audio.
    func synthesize(_ request: SpeechRequest) async throws -> SynthesizedSpeech
}

extension SpeechSynthesizer {
    /// Synthesises sentence by sentence so the first audio can leave before the rest is made.
    /// Each piece's word times are relative to that piece; offsets index the whole request text.
    public func stream(_ request: SpeechRequest) -> AsyncThrowingStream<SynthesizedSpeech, any Error> {
        let sentences = Sentences.split(request.text)
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    for sentence in sentences {
                        try Task.checkCancellation()
                        var piece = request
                        piece.text = sentence.text
                        var speech = try await synthesize(piece)
                        for index in speech.words.indices {
                            speech.words[index].textOffset += sentence.offset
                        }
                        continuation.yield(speech)
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// Checks a voice id before any work, with the valid ones in the error.
    public func validate(voiceID: String) throws(SpeechError) {
        guard voiceIDs.contains(voiceID) else {
            throw .unknownVoice(voiceID, valid: voiceIDs.sorted())
        }
    }
}
