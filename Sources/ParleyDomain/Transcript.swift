import Foundation

/// Which side of a conversation spoke: the rep (trainee, technician, speaker, voice agent)
/// or the counterpart (AI prospect, lead, customer, audience).
public enum SpeakerRole: String, Sendable, Codable, Hashable, CaseIterable {
    case rep
    case counterpart
    case unknown
}

/// One recognised word with its timing in seconds from the start of the recording.
public struct Word: Sendable, Codable, Hashable {
    public var text: String
    public var start: Double
    public var end: Double
    /// Recogniser confidence in 0...1, when the recogniser reports one.
    public var confidence: Double?

    public init(text: String, start: Double, end: Double, confidence: Double? = nil) {
        self.text = text
        self.start = start
        self.end = end
        self.confidence = confidence
    }
}

/// One turn or utterance of a transcript: who said what, when, and the words with timings.
public struct TranscriptSegment: Sendable, Codable, Hashable, Identifiable {
    public var id: Int
    public var speaker: SpeakerRole
    /// Free-form speaker label as the source gave it ("technician", "Speaker 2", "ai").
    public var speakerLabel: String?
    public var text: String
    public var start: Double?
    public var end: Double?
    public var words: [Word]
    public var confidence: Double?

    public init(
        id: Int, speaker: SpeakerRole, speakerLabel: String? = nil, text: String,
        start: Double? = nil, end: Double? = nil, words: [Word] = [], confidence: Double? = nil
    ) {
        self.id = id
        self.speaker = speaker
        self.speakerLabel = speakerLabel
        self.text = text
        self.start = start
        self.end = end
        self.words = words
        self.confidence = confidence
    }
}

/// The ordered text of a conversation, the input every text analysis reads.
public struct Transcript: Sendable, Codable, Hashable {
    public var segments: [TranscriptSegment]
    public var language: String?

    public init(segments: [TranscriptSegment], language: String? = nil) {
        self.segments = segments
        self.language = language
    }

    /// The whole text, segments joined by newlines.
    public var text: String { segments.map(\.text).joined(separator: "\n") }
}

extension TranscriptSegment {
    /// Whether a voice agent said it. Agent calls label their sides `agent` and `user`; the roles
    /// differ by pipeline (the simulated line speaks as the rep, a live line hears the callee as
    /// the rep), so the label decides.
    public var isAgentLine: Bool { speakerLabel.map { $0 == "agent" } ?? (speaker == .rep) }
}
