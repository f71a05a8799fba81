import ParleyDomain

/// What the user gave for one exercise: typed text, or what the recogniser heard in their audio
/// (with word timings and the recording's length).
public struct DrillResponse: Sendable, Hashable {
    public var text: String
    /// Recognised words with timings; empty for typed responses.
    public var words: [Word]
    /// Length of the recording in seconds; nil for typed responses.
    public var audioDuration: Double?

    /// A typed response.
    public init(typed text: String) {
        self.text = text
        self.words = []
        self.audioDuration = nil
    }

    /// A spoken response as recognised.
    public init(recognised transcript: Transcript, audioDuration: Double) {
        self.text = transcript.segments.map(\.text).joined(separator: " ")
        self.words = transcript.segments.flatMap(\.words)
        self.audioDuration = audioDuration
    }

    public var isSpoken: Bool { audioDuration != nil }

    /// Seconds from the first recognised word's start to the last one's end (the recording's
    /// length when there are no timings): pace is measured over speech, not leading silence.
    var speakingSeconds: Double? {
        if let first = words.first, let last = words.last, last.end - first.start > 0.5 { return last.end - first.start }
        return audioDuration
    }
}

/// Phonemes of a word or phrase (IPA symbols, one per element); ParleySpeech's `Phonemizer`
/// provides this from espeak-ng without ParleyIntelligence depending on it.
public typealias PhonemeLookup = @Sendable (String) async throws -> [String]
