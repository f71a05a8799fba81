import Foundation

/// Settings of the analysis; the defaults suit adult speech.
public struct AnalysisOptions: Sendable, Equatable {
    public var minimumPitch: Double = 60
    public var maximumPitch: Double = 500
    /// Frames whose YIN aperiodicity exceeds this are unvoiced.
    public var voicingThreshold: Float = 0.35
    /// Silences shorter than this stay inside a speech segment (the VAD's hangover).
    public var minimumPause: Double = 0.25
    /// Pauses from this long are hesitations when no punctuation says otherwise.
    public var hesitationPause: Double = 1.0
    /// Pauses from this long are long.
    public var longPause: Double = 2.0
    /// Average syllables per English word, to turn syllable nuclei into words: about 1.5 for
    /// prose (conversation runs lower, technical talk higher), so the estimate follows vocabulary.
    public var syllablesPerWord: Double = 1.5
    /// Keep the per-frame track in the result (memory grows with length; off for long live sessions).
    public var keepsFrames: Bool = true

    public init() {}
}
