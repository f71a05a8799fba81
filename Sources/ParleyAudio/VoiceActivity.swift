import Foundation

/// The measurements of one 10 ms frame that the later stages read.
struct FrameFeatures: Sendable, Equatable {
    var index: Int
    /// Full-band loudness in dBFS (30 ms window).
    var loudness: Float
    /// Energy of the 200–4000 Hz speech band in dB, what voice activity is decided on.
    var speechBand: Float
    /// Energy of the low (below 1.5 kHz) band in dB, where vowels carry their energy.
    var vowelBand: Float
    var pitch: PitchTracker.Estimate
}

/// Frame-level voice activity against an adaptive noise floor.
///
/// The floor is the minimum speech-band energy over a window from 1 s before to 0.5 s after the
/// frame: speech always dips to the background between syllables within that time, steady noise
/// never rises above it. Decisions therefore come 0.5 s late, identically in batch and streaming.
struct VoiceActivityDetector: Sendable {
    /// Frames after the decided one the floor looks at.
    static let lookahead = 50
    /// Frames before the decided one the floor looks at.
    static let lookback = 100
    /// Energy above the floor that is speech on its own.
    let margin: Float = 4.5
    /// Energy above the floor that is speech when the frame is also voiced.
    let voicedMargin: Float = 2.5
    /// Nothing quieter than this is speech, however quiet the background.
    let absoluteGate: Float = -60

    private var pending: [FrameFeatures] = []
    private var pendingHead = 0
    /// Monotonic queue of (frame index, energy) for the sliding minimum.
    private var minima: [(index: Int, energy: Float)] = []
    private var minimaHead = 0
    private var nextDecision = 0

    /// Adds a frame; returns the frames now decided, each with its decision.
    mutating func push(_ frame: FrameFeatures) -> [(FrameFeatures, Bool)] {
        pending.append(frame)
        while minima.count > minimaHead, minima[minima.count - 1].energy >= frame.speechBand {
            minima.removeLast()
        }
        minima.append((frame.index, frame.speechBand))
        var decided: [(FrameFeatures, Bool)] = []
        while nextDecision + Self.lookahead <= frame.index {
            decided.append(decideNext())
        }
        compact()
        return decided
    }

    /// Decides every remaining frame with the frames that exist.
    mutating func finish() -> [(FrameFeatures, Bool)] {
        var decided: [(FrameFeatures, Bool)] = []
        while pendingHead < pending.count { decided.append(decideNext()) }
        compact()
        return decided
    }

    private mutating func decideNext() -> (FrameFeatures, Bool) {
        let frame = pending[pendingHead]
        pendingHead += 1
        nextDecision += 1
        while minima[minimaHead].index < frame.index - Self.lookback { minimaHead += 1 }
        let floor = minima[minimaHead].energy
        let energy = frame.speechBand
        let voiced = frame.pitch.frequency > 0
        let active =
            energy > absoluteGate && (energy >= floor + margin || (voiced && energy >= floor + voicedMargin))
        return (frame, active)
    }

    private mutating func compact() {
        if pendingHead > 512 {
            pending.removeFirst(pendingHead)
            pendingHead = 0
        }
        if minimaHead > 512 {
            minima.removeFirst(minimaHead)
            minimaHead = 0
        }
    }
}

/// Joins frame decisions into speech segments: silences shorter than the minimum pause are
/// bridged (the hangover), and segments with too little active speech (clicks) are dropped.
/// A segment ends where its last active frame ends, not where the hangover ran out.
struct SpeechSegmenter: Sendable {
    let bridgeFrames: Int
    let minimumActiveFrames = 5

    private var start: Int?
    private var lastActive = 0
    private var activeCount = 0

    init(minimumPause: Double, hop: Double) {
        bridgeFrames = max(1, Int((minimumPause / hop).rounded()))
    }

    /// Whether a segment is open (someone is speaking or just stopped).
    var isSpeaking: Bool { start != nil }

    /// Feeds one decision; returns a segment (in frames, end exclusive) when one closes.
    mutating func push(index: Int, active: Bool) -> Range<Int>? {
        var closed: Range<Int>?
        if active {
            if start != nil, index - lastActive - 1 >= bridgeFrames { closed = close() }
            if start == nil { start = index }
            lastActive = index
            activeCount += 1
        } else if start != nil, index - lastActive >= bridgeFrames {
            closed = close()
        }
        return closed
    }

    /// Closes the open segment at the end of the audio.
    mutating func finish() -> Range<Int>? { start != nil ? close() : nil }

    private mutating func close() -> Range<Int>? {
        defer {
            start = nil
            activeCount = 0
        }
        guard let start, activeCount >= minimumActiveFrames else { return nil }
        return start..<(lastActive + 1)
    }
}

/// Counts syllable nuclei: peaks of vowel-band energy that rise and fall by at least 2 dB
/// around them, are voiced, in speech, and within 25 dB of the loudest peak so far
/// (after de Jong & Wempe, 2009, "Praat script to detect syllable nuclei").
struct SyllableNuclei: Sendable {
    let prominence: Float = 2
    let dynamicRange: Float = 25

    private var seekingPeak = true
    private var dip: Float = .infinity
    private var peak: Float = -.infinity
    private var peakCounts = false
    private var peakIndex = 0
    private var loudest: Float = -.infinity
    private var smoothed: Float?

    /// Feeds one decided frame; returns the index of a nucleus when one is confirmed.
    mutating func push(_ frame: FrameFeatures, active: Bool) -> Int? {
        if smoothed == nil { dip = frame.vowelBand }
        let value = smoothed.map { 0.5 * $0 + 0.5 * frame.vowelBand } ?? frame.vowelBand
        smoothed = value
        let qualifies = active && frame.pitch.frequency > 0
        if qualifies { loudest = max(loudest, value) }
        if seekingPeak {
            if value > peak {
                peak = value
                peakIndex = frame.index
                peakCounts = qualifies
            } else if value < peak - prominence {
                let found = peakCounts && peak - dip >= prominence && peak >= loudest - dynamicRange
                seekingPeak = false
                dip = value
                if found { return peakIndex }
            }
        } else if value < dip {
            dip = value
        } else if value > dip + prominence {
            seekingPeak = true
            peak = value
            peakIndex = frame.index
            peakCounts = qualifies
        }
        return nil
    }
}
