import Foundation
import ParleyDomain

/// A speaker's voice in numbers: what diarisation compares turns with.
public struct Voiceprint: Sendable, Codable, Equatable {
    /// The feature recipe it was made with; a voiceprint of another recipe is not compared (as if none were given).
    public var version: Int
    /// Means over the voiced speech of MFCCs 1–12 and of the natural log of pitch in Hz.
    public var features: [Double]
    /// Seconds of voiced speech averaged.
    public var voicedSeconds: Double

    /// The recipe `SpeakerDiarizer` makes and compares now.
    public static let currentVersion = 1

    public init(version: Int = Voiceprint.currentVersion, features: [Double], voicedSeconds: Double) {
        self.version = version
        self.features = features
        self.voicedSeconds = voicedSeconds
    }

    /// Whether diarisation can compare it with this version's features.
    var isComparable: Bool {
        version == Self.currentVersion && features.count == VoicedSpeech.dimensions && features.allSatisfy(\.isFinite)
    }
}

/// One stretch of speech by one speaker (seconds from the recording's start).
public struct SpeakerTurn: Sendable, Equatable, Codable {
    public var start: Double
    public var end: Double
    /// 0: the reference speaker (the enrolled voice, or whoever speaks first); 1: the other speaker.
    public var speaker: Int

    public init(start: Double, end: Double, speaker: Int) {
        self.start = start
        self.end = end
        self.speaker = speaker
    }
}

extension Array where Element == SpeakerTurn {
    /// The speaker who holds most of [start, end), nil when no turn overlaps it.
    public func speaker(from start: Double, to end: Double) -> Int? {
        // An empty range (a word without duration) belongs to the turn it falls in.
        guard end > start else { return first { $0.start <= start && start < $0.end }?.speaker }
        var held: [Int: Double] = [:]
        for turn in self {
            let overlap = Swift.min(end, turn.end) - Swift.max(start, turn.start)
            if overlap > 0 { held[turn.speaker, default: 0] += overlap }
        }
        return held.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }?.key
    }
}

/// Two-speaker diarisation: who spoke when in a recording, from the voices alone.
public enum SpeakerDiarizer {
    // Every speech segment is cut into windows of about a second of voiced speech; a window is the
    // mean of its frames' MFCCs and log pitch. The windows, z-scored, are split in two by 2-means.
    // The split counts as two speakers only when the clusters stand clearly apart (Fisher ratio on
    // the line through their centroids); otherwise everything is one speaker. A turn change is
    // only found at a pause or a window edge, so inside a long segment it can come up to a window late.

    /// Voiced frames (10 ms each) per window: about a second of voice, 1.5–2 s of speech.
    static let windowFrames = 100
    /// Windows with at least this many voiced frames take part in clustering…
    static let clusteredFrames = windowFrames / 2
    /// …windows with fewer but at least this many are only labelled; fewer still (a cough, "mm")
    /// take the label of the nearest window in time.
    static let labelledFrames = 10
    /// Fisher ratio from which two clusters are two speakers. One voice split in two measured
    /// 4–11 (espeak-ng and piper voices, 27–56 windows), two clearly different voices 17–113.
    static let separation = 12.0
    /// Below this many windows a split of one voice looks cleaner than it is (with few points in
    /// 13 dimensions 2-means always finds a gap), so the bar is multiplied by (this / windows)².
    static let fewWindows = 16.0
    /// Fewer clustered windows than this (about 15 s of conversation) is always one speaker.
    static let minimumWindows = 8
    /// The smaller cluster must hold this share of the windows (and two at least), so that an
    /// odd window or two (a laugh, a cough) is not taken for a second person.
    static let minimumShare = 0.1
    /// An enrolment sample needs 2 s of voiced speech.
    static let enrolmentFrames = 200

    /// The voiceprint of a sample of one speaker (enrolment), nil when it holds too little speech (under 2 s voiced).
    public static func voiceprint(of audio: PCMAudio) -> Voiceprint? {
        let speech = VoicedSpeech(audio)
        guard speech.frames.count >= enrolmentFrames else { return nil }
        return Voiceprint(
            features: speech.mean(of: 0..<speech.frames.count),
            voicedSeconds: Double(speech.frames.count) / Double(AudioAnalyzer.framesPerSecond))
    }

    /// Batch: who spoke when in a whole recording; turns cover speech only, sorted, non-overlapping; speaker 0 is the reference speaker.
    public static func diarize(_ audio: PCMAudio, reference: Voiceprint?) -> [SpeakerTurn] {
        let speech = VoicedSpeech(audio)
        let windows = Self.windows(of: speech)
        guard !windows.isEmpty else { return [] }
        let labels = Self.labels(of: windows, in: speech, reference: reference?.isComparable == true ? reference : nil)
        var turns: [SpeakerTurn] = []
        for (index, (window, label)) in zip(windows, labels).enumerated() {
            // Windows of one segment share their edges; a new segment (after a pause) starts a new turn.
            if index > 0, windows[index - 1].segment == window.segment, turns[turns.count - 1].speaker == label {
                turns[turns.count - 1].end = window.end
            } else {
                turns.append(SpeakerTurn(start: window.start, end: window.end, speaker: label))
            }
        }
        return turns
    }

    /// A piece of a speech segment (seconds) and its voiced frames (indices into `VoicedSpeech.frames`).
    struct Window {
        var start: Double
        var end: Double
        var frames: Range<Int>
        var segment: Int
    }

    /// Each segment cut into equal shares of its voiced frames, about `windowFrames` each; the
    /// cuts fall midway between the voiced frames either side, so the windows tile the segment.
    static func windows(of speech: VoicedSpeech) -> [Window] {
        let hop = 1 / Double(AudioAnalyzer.framesPerSecond)
        var windows: [Window] = []
        for (index, (segment, voiced)) in zip(speech.segments, speech.segmentFrames).enumerated() {
            let count = Swift.max(1, Int(Double(voiced.count) / Double(windowFrames) + 0.5))
            let bounds = (0...count).map { voiced.lowerBound + voiced.count * $0 / count }
            for piece in 0..<count {
                let (lower, upper) = (bounds[piece], bounds[piece + 1])
                let start =
                    piece == 0
                    ? Double(segment.lowerBound) * hop
                    : Double(speech.frames[lower - 1] + 1 + speech.frames[lower]) * hop / 2
                let end =
                    piece == count - 1
                    ? Double(segment.upperBound) * hop
                    : Double(speech.frames[upper - 1] + 1 + speech.frames[upper]) * hop / 2
                windows.append(Window(start: start, end: end, frames: lower..<upper, segment: index))
            }
        }
        return windows
    }

    /// 0 or 1 for every window; all 0 when the voices do not separate.
    static func labels(of windows: [Window], in speech: VoicedSpeech, reference: Voiceprint?) -> [Int] {
        var labels = [Int](repeating: 0, count: windows.count)
        let means = windows.map { $0.frames.count >= labelledFrames ? speech.mean(of: $0.frames) : nil }
        let clustered = windows.indices.filter { windows[$0].frames.count >= clusteredFrames }
        guard clustered.count >= minimumWindows else { return labels }

        // z-scores over the clustered windows, so every feature weighs the same whatever its units.
        let dimensions = VoicedSpeech.dimensions
        var centre = [Double](repeating: 0, count: dimensions)
        var spread = [Double](repeating: 0, count: dimensions)
        for index in clustered { for d in 0..<dimensions { centre[d] += means[index]![d] } }
        centre = centre.map { $0 / Double(clustered.count) }
        for index in clustered {
            for d in 0..<dimensions { spread[d] += pow(means[index]![d] - centre[d], 2) }
        }
        spread = spread.map { ($0 / Double(clustered.count)).squareRoot() + 1e-9 }
        func standardised(_ vector: [Double]) -> [Double] { (0..<dimensions).map { (vector[$0] - centre[$0]) / spread[$0] } }

        let points = clustered.map { standardised(means[$0]!) }
        guard let split = TwoMeans.split(points) else { return labels }
        let count = Double(points.count)
        let smaller = Swift.min(split.labels.filter { $0 == 0 }.count, split.labels.filter { $0 == 1 }.count)
        let bar = separation * Swift.max(1, pow(fewWindows / count, 2))
        guard smaller >= Swift.max(2, Int((minimumShare * count).rounded(.up))),
            TwoMeans.fisherRatio(points, labels: split.labels, centroids: split.centroids) >= bar
        else { return labels }

        // Every window with enough voice goes to the nearer centroid, the rest follow their nearest neighbour in time.
        let known = windows.indices.filter { means[$0] != nil }
        for index in known { labels[index] = TwoMeans.nearest(standardised(means[index]!), split.centroids) }
        for index in windows.indices where means[index] == nil {
            let neighbour = known.min { abs($0 - index) < abs($1 - index) || (abs($0 - index) == abs($1 - index) && $0 < $1) }!
            labels[index] = labels[neighbour]
        }
        // Median of three inside a segment: one odd window in a monologue is noise, not a turn.
        var smoothed = labels
        for index in windows.indices.dropFirst().dropLast()
        where windows[index - 1].segment == windows[index].segment && windows[index + 1].segment == windows[index].segment {
            smoothed[index] = labels[index - 1] + labels[index] + labels[index + 1] >= 2 ? 1 : 0
        }
        labels = smoothed

        let referenceCluster =
            reference.map { TwoMeans.nearest(standardised($0.features), split.centroids) } ?? labels[0]
        return referenceCluster == 0 ? labels : labels.map { 1 - $0 }
    }
}

/// 2-means clustering and the measure of how far apart its two clusters stand.
enum TwoMeans {
    static let iterations = 30

    /// Lloyd's algorithm from two starts, the farthest pair of points and a cut through the mean
    /// across the first principal axis; the tighter result wins. Nil for fewer than two points.
    static func split(_ points: [[Double]]) -> (labels: [Int], centroids: [[Double]])? {
        guard points.count >= 2, let dimensions = points.first?.count else { return nil }
        var starts: [[[Double]]] = []

        var farthest = (0, 1, -1.0)
        for i in points.indices {
            for j in (i + 1)..<points.count {
                let distance = squaredDistance(points[i], points[j])
                if distance > farthest.2 { farthest = (i, j, distance) }
            }
        }
        starts.append([points[farthest.0], points[farthest.1]])

        let mean = (0..<dimensions).map { d in points.reduce(0) { $0 + $1[d] } / Double(points.count) }
        let centred = points.map { point in (0..<dimensions).map { point[$0] - mean[$0] } }
        var axis = [Double](repeating: 1, count: dimensions)
        for _ in 0..<50 {  // power iteration on the scatter matrix
            var next = [Double](repeating: 0, count: dimensions)
            for point in centred {
                let projection = dot(point, axis)
                for d in 0..<dimensions { next[d] += projection * point[d] }
            }
            let norm = dot(next, next).squareRoot()
            guard norm > 0 else { break }
            axis = next.map { $0 / norm }
        }
        let side = centred.map { dot($0, axis) > 0 }
        if side.contains(true) && side.contains(false) {
            starts.append([centroid(points, where: side.map { !$0 }), centroid(points, where: side)])
        }

        var best: (inertia: Double, labels: [Int], centroids: [[Double]])?
        for start in starts {
            guard let result = lloyd(points, from: start) else { continue }
            if best == nil || result.inertia < best!.inertia { best = result }
        }
        return best.map { ($0.labels, $0.centroids) }
    }

    private static func lloyd(_ points: [[Double]], from start: [[Double]]) -> (inertia: Double, labels: [Int], centroids: [[Double]])? {
        var centroids = start
        var labels: [Int] = []
        for _ in 0..<iterations {
            let next = points.map { nearest($0, centroids) }
            guard next.contains(0) && next.contains(1) else { return nil }
            if next == labels { break }
            labels = next
            centroids = [centroid(points, where: labels.map { $0 == 0 }), centroid(points, where: labels.map { $0 == 1 })]
        }
        let inertia = zip(points, labels).reduce(0) { $0 + squaredDistance($1.0, centroids[$1.1]) }
        return (inertia, labels, centroids)
    }

    /// (Distance between the cluster means)² over the sum of the clusters' variances, all along
    /// the line through the centroids: about 3.5 for one Gaussian cut in two, far more for two.
    static func fisherRatio(_ points: [[Double]], labels: [Int], centroids: [[Double]]) -> Double {
        let difference = zip(centroids[1], centroids[0]).map { $0 - $1 }
        let length = dot(difference, difference).squareRoot()
        guard length > 0 else { return 0 }
        let axis = difference.map { $0 / length }
        var variance = 0.0
        var means = [0.0, 0.0]
        for cluster in 0...1 {
            let projections = zip(points, labels).filter { $0.1 == cluster }.map { dot($0.0, axis) }
            let mean = projections.reduce(0, +) / Double(projections.count)
            means[cluster] = mean
            variance += projections.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(projections.count)
        }
        return pow(means[1] - means[0], 2) / (variance + 1e-12)
    }

    /// The index (0 or 1) of the nearer centroid; 0 on a tie.
    static func nearest(_ point: [Double], _ centroids: [[Double]]) -> Int {
        squaredDistance(point, centroids[1]) < squaredDistance(point, centroids[0]) ? 1 : 0
    }

    private static func centroid(_ points: [[Double]], where included: [Bool]) -> [Double] {
        var sum = [Double](repeating: 0, count: points[0].count)
        var count = 0.0
        for (point, isIncluded) in zip(points, included) where isIncluded {
            for d in sum.indices { sum[d] += point[d] }
            count += 1
        }
        return sum.map { $0 / Swift.max(count, 1) }
    }

    static func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }

    static func squaredDistance(_ a: [Double], _ b: [Double]) -> Double {
        zip(a, b).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
    }
}
