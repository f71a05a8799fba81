import Foundation

/// Everything the audio engine measures about a recording; field names follow the `metrics`
/// object of the speech-coaching API (`wpm`, `pitch`, `volume`, `pauses`, `timeline`).
public struct AudioAnalysis: Sendable, Codable, Hashable {
    /// Length of the analysed audio in seconds.
    public var duration: Double
    /// Speaking rate in words per minute, nil when nobody spoke.
    public var wpm: Double?
    public var speakingRate: SpeakingRate
    public var pitch: PitchSummary
    public var volume: VolumeSummary
    /// Silences between stretches of speech, in order.
    public var pauses: [Pause]
    public var totalPauses: Int
    /// Sum of the pauses' durations in seconds.
    public var pauseTime: Double
    /// Stretches of speech found by voice activity detection, in order.
    public var speech: [SpeechSegment]
    /// Sum of the speech segments' durations in seconds.
    public var speechTime: Double
    /// One point per second; `timeline(_:)` aggregates to coarser granularities.
    public var timeline: [TimelinePoint]
    /// Per-frame values (10 ms hop) when `AnalysisOptions.keepsFrames` is set.
    public var frames: FrameTrack?

    /// The timeline at a documented granularity (`second`, `5second`, `10second`, `minute`).
    public func timeline(_ granularity: TimelineGranularity) -> [TimelinePoint] {
        TimelinePoint.aggregate(timeline, every: granularity.seconds)
    }

    public init(duration: Double, wpm: Double?, speakingRate: SpeakingRate, pitch: PitchSummary, volume: VolumeSummary, pauses: [Pause], totalPauses: Int, pauseTime: Double, speech: [SpeechSegment], speechTime: Double, timeline: [TimelinePoint], frames: FrameTrack?) {
        self.duration = duration
        self.wpm = wpm
        self.speakingRate = speakingRate
        self.pitch = pitch
        self.volume = volume
        self.pauses = pauses
        self.totalPauses = totalPauses
        self.pauseTime = pauseTime
        self.speech = speech
        self.speechTime = speechTime
        self.timeline = timeline
        self.frames = frames
    }
}

/// Whether a quantity rose, fell or held steady over the recording.
public enum Trend: String, Sendable, Codable, Equatable {
    case increasing
    case decreasing
    case stable
}

/// Fundamental-frequency statistics over voiced frames, in Hz.
public struct PitchSummary: Sendable, Codable, Hashable {
    public var mean: Double?
    public var std: Double?
    /// Robust extremes: the 5th and 95th percentiles, so octave slips do not set the range.
    public var min: Double?
    public var max: Double?
    /// `[min, max]`, as the API documents it.
    public var range: [Double]?
    public var median: Double?
    public var trend: Trend
    /// Change across the recording in semitones, from a least-squares line through voiced frames.
    public var change: Double?
    public var voicedFrames: Int
    /// Share of speech frames that are voiced.
    public var voicedRatio: Double

    public init(mean: Double?, std: Double?, min: Double?, max: Double?, range: [Double]?, median: Double?, trend: Trend, change: Double?, voicedFrames: Int, voicedRatio: Double) {
        self.mean = mean
        self.std = std
        self.min = min
        self.max = max
        self.range = range
        self.median = median
        self.trend = trend
        self.change = change
        self.voicedFrames = voicedFrames
        self.voicedRatio = voicedRatio
    }
}

/// Loudness of speech frames in dBFS (a full-scale sine reads -3.01), plus whole-file level and clipping.
public struct VolumeSummary: Sendable, Codable, Hashable {
    public var mean: Double?
    public var std: Double?
    /// Robust extremes: the 5th and 95th percentiles of frame loudness.
    public var min: Double?
    public var max: Double?
    public var range: [Double]?
    public var trend: Trend
    /// Change across the recording in dB, from a least-squares line through speech frames.
    public var change: Double?
    /// Level of the whole file (all samples) in dBFS.
    public var rms: Double
    /// Largest sample magnitude in dBFS.
    public var peak: Double
    public var clipping: Clipping

    public init(mean: Double?, std: Double?, min: Double?, max: Double?, range: [Double]?, trend: Trend, change: Double?, rms: Double, peak: Double, clipping: Clipping) {
        self.mean = mean
        self.std = std
        self.min = min
        self.max = max
        self.range = range
        self.trend = trend
        self.change = change
        self.rms = rms
        self.peak = peak
        self.clipping = clipping
    }
}

/// Samples stuck at full scale: runs of three or more consecutive samples at |x| ≥ 0.999.
public struct Clipping: Sendable, Codable, Hashable {
    public var clippedSamples: Int
    /// Clipped samples as a share of all samples.
    public var ratio: Double
    /// Number of separate clipped runs.
    public var events: Int
    /// True when more than 0.1% of samples are clipped, which is audible.
    public var detected: Bool

    public init(clippedSamples: Int, ratio: Double, events: Int, detected: Bool) {
        self.clippedSamples = clippedSamples
        self.ratio = ratio
        self.events = events
        self.detected = detected
    }
}

/// How a pause reads to a listener.
public enum PauseType: String, Sendable, Codable, Equatable {
    /// A breath or a boundary between sentences.
    case natural
    /// A pause mid-phrase or beside a filler ("um"), or one of a second or more.
    case hesitation
    /// Two seconds or more: the listener notices the silence.
    case long
}

/// A silence between two stretches of speech.
public struct Pause: Sendable, Codable, Hashable {
    public var start: Double
    public var end: Double
    public var duration: Double
    public var type: PauseType

    public init(start: Double, end: Double, type: PauseType) {
        self.start = start
        self.end = end
        duration = end - start
        self.type = type
    }
}

/// A stretch of speech found by voice activity detection.
public struct SpeechSegment: Sendable, Codable, Hashable {
    public var start: Double
    public var end: Double
    public var duration: Double

    public init(start: Double, end: Double) {
        self.start = start
        self.end = end
        duration = end - start
    }
}

/// Words per minute and what they were computed from.
public struct SpeakingRate: Sendable, Codable, Hashable {
    /// Where the rate came from: recognised word timings, or syllable nuclei in the audio.
    public enum Source: String, Sendable, Codable, Equatable {
        case words
        case syllables
    }

    public var wpm: Double?
    public var source: Source
    /// Words counted (timings) or estimated (syllables ÷ syllables per word).
    public var words: Double
    /// Syllable nuclei found in the audio.
    public var syllables: Int
    /// Seconds from the first word (or speech) to the last: the denominator of `wpm`.
    public var span: Double
    /// Syllables per second of speech, pauses excluded.
    public var articulationRate: Double?
    /// Words per minute estimated from syllable nuclei alone, whatever `source` is.
    public var syllableEstimate: Double?

    public init(wpm: Double?, source: Source, words: Double, syllables: Int, span: Double, articulationRate: Double?, syllableEstimate: Double?) {
        self.wpm = wpm
        self.source = source
        self.words = words
        self.syllables = syllables
        self.span = span
        self.articulationRate = articulationRate
        self.syllableEstimate = syllableEstimate
    }
}

/// Granularities of `AudioAnalysis.timeline(_:)`, named as the API names them.
public enum TimelineGranularity: String, Sendable, Codable, CaseIterable {
    case second
    case fiveSeconds = "5second"
    case tenSeconds = "10second"
    case minute

    /// Bucket length in seconds.
    public var seconds: Int {
        switch self {
        case .second: 1
        case .fiveSeconds: 5
        case .tenSeconds: 10
        case .minute: 60
        }
    }
}

/// The metrics of one time bucket.
public struct TimelinePoint: Sendable, Codable, Hashable {
    /// Start of the bucket in seconds.
    public var timestamp: Double
    public var duration: Double
    /// Speaking rate inside the bucket.
    public var wpm: Double
    /// Mean pitch of the bucket's voiced frames in Hz, nil when none were voiced.
    public var pitch: Double?
    /// Mean loudness of the bucket's speech frames in dBFS, nil when nobody spoke.
    public var volume: Double?
    /// Pauses that start inside the bucket.
    public var pauses: [Pause]
    /// Words counted or estimated inside the bucket (what `wpm` is made of).
    public var words: Double
    public var voicedFrames: Int
    public var speechFrames: Int

    /// Merges consecutive points into buckets of `seconds`, weighting means by their frame counts.
    public static func aggregate(_ points: [TimelinePoint], every seconds: Int) -> [TimelinePoint] {
        guard seconds > 1 else { return points }
        var result: [TimelinePoint] = []
        var index = 0
        while index < points.count {
            let group = points[index..<min(points.count, index + seconds)]
            let voiced = group.reduce(0) { $0 + $1.voicedFrames }
            let speech = group.reduce(0) { $0 + $1.speechFrames }
            let words = group.reduce(0) { $0 + $1.words }
            let duration = group.reduce(0) { $0 + $1.duration }
            let pitchSum = group.reduce(0.0) { $0 + ($1.pitch ?? 0) * Double($1.voicedFrames) }
            let volumeSum = group.reduce(0.0) { $0 + ($1.volume ?? 0) * Double($1.speechFrames) }
            result.append(
                TimelinePoint(
                    timestamp: group.first!.timestamp, duration: duration,
                    wpm: duration > 0 ? words / duration * 60 : 0,
                    pitch: voiced > 0 ? pitchSum / Double(voiced) : nil,
                    volume: speech > 0 ? volumeSum / Double(speech) : nil,
                    pauses: group.flatMap(\.pauses), words: words, voicedFrames: voiced, speechFrames: speech))
            index += seconds
        }
        return result
    }

    public init(timestamp: Double, duration: Double, wpm: Double, pitch: Double?, volume: Double?, pauses: [Pause], words: Double, voicedFrames: Int, speechFrames: Int) {
        self.timestamp = timestamp
        self.duration = duration
        self.wpm = wpm
        self.pitch = pitch
        self.volume = volume
        self.pauses = pauses
        self.words = words
        self.voicedFrames = voicedFrames
        self.speechFrames = speechFrames
    }
}

/// Per-frame measurements every `hop` seconds; frame `i` covers `[i * hop, (i + 1) * hop)`.
public struct FrameTrack: Sendable, Codable, Hashable {
    public var hop: Double
    /// Pitch in Hz, 0 for unvoiced frames.
    public var pitch: [Float]
    /// Loudness in dBFS over a 30 ms window centred on the frame.
    public var loudness: [Float]
    /// Voice activity decision.
    public var speech: [Bool]

    public init(hop: Double, pitch: [Float], loudness: [Float], speech: [Bool]) {
        self.hop = hop
        self.pitch = pitch
        self.loudness = loudness
        self.speech = speech
    }
}
