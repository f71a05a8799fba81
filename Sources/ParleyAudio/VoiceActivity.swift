import Foundation
import ParleyDomain

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
/// For each frame the detector looks at the speech-band energies from 1 s before to 0.5 s after
/// it. Their minimum is the floor: speech dips to the background between syllables within that
/// time, background noise never stays above it. The frames within 6 dB of the floor are taken as
/// background; their mean and spread set the threshold, so steady noise (narrow spread) gets a
/// tight threshold and fluctuating babble a wider one. Decisions therefore come 0.5 s late,
/// identically in batch and streaming.
struct VoiceActivityDetector: Sendable {
    /// Frames after the decided one the floor looks at.
    static let lookahead = 50
    /// Frames before the decided one the floor looks at.
    static let lookback = 100
    /// Frames within this of the floor count as background.
    let backgroundBand: Float = 6
    /// Speech lies at least this far above the background mean…
    let margin: Float = 3
    /// …or this many background standard deviations above it, whichever is more.
    let spreadFactor: Float = 3
    /// Voiced frames need only this share of the margin.
    let voicedShare: Float = 0.5
    /// Nothing quieter than this is speech, however quiet the background.
    let absoluteGate: Float = -60

    /// Frames from `lookback` before the next decision onwards.
    private var pending: [FrameFeatures] = []
    private var pendingHead = 0
    /// Scratch for the pitch plausibility check, kept to avoid an allocation per frame.
    private var neighbourPitches: [Float] = []
    private var nextDecision = 0

    /// Adds a frame; returns the frames now decided, each with its decision.
    mutating func push(_ frame: FrameFeatures) -> [(FrameFeatures, Bool)] {
        pending.append(frame)
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
        var frame = pending[pendingHead]
        if frame.pitch.frequency > 0 && !isPlausiblePitch(at: pendingHead) { frame.pitch.frequency = 0 }
        let threshold = backgroundThreshold(at: pendingHead)
        pendingHead += 1
        nextDecision += 1
        let energy = frame.speechBand
        let voiced = frame.pitch.frequency > 0
        // Voicing lowers only the fixed part of the margin: babble is voiced too.
        let voicedMargin = max(margin * voicedShare, threshold.spreadMargin)
        let active =
            energy > absoluteGate
            && (energy >= threshold.background + max(margin, threshold.spreadMargin)
                || (voiced && energy >= threshold.background + voicedMargin))
        return (frame, active)
    }

    /// The background level (mean of the frames near the floor) and how much it fluctuates.
    private func backgroundThreshold(at position: Int) -> (background: Float, spreadMargin: Float) {
        let window = pending[max(0, position - Self.lookback)..<min(pending.count, position + Self.lookahead + 1)]
        var floor = Float.infinity
        for neighbour in window { floor = min(floor, neighbour.speechBand) }
        var count: Float = 0
        var sum: Float = 0
        var sumSquares: Float = 0
        for neighbour in window where neighbour.speechBand <= floor + backgroundBand {
            let level = neighbour.speechBand - floor
            count += 1
            sum += level
            sumSquares += level * level
        }
        let mean = sum / count
        let spread = max(0, sumSquares / count - mean * mean).squareRoot()
        return (floor + mean, spreadFactor * spread)
    }

    /// Octave jumps and voiced fricatives show as a pitch far from its neighbours: a frame more
    /// than 9 semitones from the median of the voiced frames within ±0.25 s is not trusted.
    private mutating func isPlausiblePitch(at position: Int) -> Bool {
        let lower = max(0, position - Self.pitchContext)
        let upper = min(pending.count, position + Self.pitchContext + 1)
        neighbourPitches.removeAll(keepingCapacity: true)
        for neighbour in pending[lower..<upper] where neighbour.pitch.frequency > 0 {
            neighbourPitches.append(neighbour.pitch.frequency)
        }
        guard neighbourPitches.count >= 5 else { return true }
        neighbourPitches.sort()
        let median = neighbourPitches[neighbourPitches.count / 2]
        let distance = abs(12 * log2(pending[position].pitch.frequency / median))
        return distance <= 9
    }

    /// Frames either side the pitch plausibility check looks at.
    static let pitchContext = 25

    private mutating func compact() {
        if pendingHead > 512 {
            // Keep the frames the floor still looks back at.
            let drop = pendingHead - Self.lookback
            pending.removeFirst(drop)
            pendingHead -= drop
        }
    }
}

/// Joins frame decisions into speech segments: silences shorter than the minimum pause are
/// bridged (the hangover), runs of fewer than three active frames (a click, a noise burst) are
/// ignored, and segments with too little active speech are dropped. A segment ends where its
/// last active frame ends, not where the hangover ran out.
struct SpeechSegmenter: Sendable {
    let bridgeFrames: Int
    let minimumRun = 3
    let minimumActiveFrames = 5

    private var start: Int?
    private var lastActive = 0
    private var activeCount = 0
    private var runStart = 0
    private var runLength = 0

    init(minimumPause: Double, hop: Double) {
        bridgeFrames = max(1, Int((minimumPause / hop).rounded()))
    }

    /// Whether a segment is open (someone is speaking or just stopped).
    var isSpeaking: Bool { start != nil }

    /// Feeds one decision; returns a segment (in frames, end exclusive) when one closes.
    mutating func push(index: Int, active: Bool) -> Range<Int>? {
        var closed: Range<Int>?
        if active {
            if runLength == 0 { runStart = index }
            runLength += 1
            if runLength == minimumRun {
                if start != nil, runStart - lastActive - 1 >= bridgeFrames { closed = close() }
                if start == nil { start = runStart }
                activeCount += runLength
                lastActive = index
            } else if runLength > minimumRun {
                activeCount += 1
                lastActive = index
            }
        } else {
            runLength = 0
            if start != nil, index - lastActive >= bridgeFrames { closed = close() }
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

/// Finds held vowels ("uhhh", "ummm"): voiced stretches of at least 350 ms whose pitch stays
/// within 1.5 semitones and loudness within 6 dB. A pause right after one is a hesitation even
/// without a transcript.
struct HeldVowelDetector: Sendable {
    let minimumFrames = 35
    let pitchSpread = 1.5
    let loudnessSpread: Float = 6

    private var runStart = 0
    private var runLength = 0
    private var pitchRange = 0.0...0.0
    private var loudnessRange: ClosedRange<Float> = 0...0
    /// The latest held vowel (frames, end exclusive), which may still be growing.
    private(set) var latest: Range<Int>?

    /// A frame that is not speech ends any run.
    mutating func interrupt() { runLength = 0 }

    mutating func push(_ frame: FrameFeatures) {
        guard frame.pitch.frequency > 0 else {
            runLength = 0
            return
        }
        let pitch = 12 * log2(Double(frame.pitch.frequency))
        let loudness = frame.loudness
        let pitches = min(pitchRange.lowerBound, pitch)...max(pitchRange.upperBound, pitch)
        let levels = min(loudnessRange.lowerBound, loudness)...max(loudnessRange.upperBound, loudness)
        if runLength > 0 && pitches.upperBound - pitches.lowerBound <= pitchSpread
            && levels.upperBound - levels.lowerBound <= loudnessSpread
        {
            runLength += 1
            pitchRange = pitches
            loudnessRange = levels
        } else {
            runStart = frame.index
            runLength = 1
            pitchRange = pitch...pitch
            loudnessRange = loudness...loudness
        }
        if runLength >= minimumFrames { latest = runStart..<(frame.index + 1) }
    }
}
