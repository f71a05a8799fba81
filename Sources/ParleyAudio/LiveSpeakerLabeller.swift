import Foundation
import ParleyDomain

/// Live: labels utterances as they are recognised, one at a time, keeping what it learned of both voices.
public struct LiveSpeakerLabeller: Sendable {
    // An utterance is the mean of its voiced frames' MFCCs and log pitch (like a diarisation
    // window), compared with a running centroid per speaker. Without the whole recording there is
    // nothing to z-score against, so distances are in fixed units: the spread of one voice's
    // utterance means. The second speaker opens when an utterance lies far from the first; after
    // that each utterance goes to the nearer centroid, which then moves towards it.

    /// Spread of one speaker's utterance means per feature (MFCC 1–12, log pitch), measured on
    /// espeak-ng and piper voices; log pitch is widened from the measured 0.036 to 0.08
    /// (1.4 semitones) because people vary their pitch more than synthetic voices do.
    static let spread: [Double] = [1.22, 0.66, 1.06, 0.83, 0.66, 0.92, 0.51, 0.54, 0.44, 0.29, 0.33, 0.26, 0.08]
    /// Distance (in `spread` units) from the first speaker beyond which an utterance opens the
    /// second. Same voice measured up to 7, different voices from 10.4.
    static let openingDistance = 8.5
    /// Utterances with fewer voiced frames (a short "mm") keep the previous utterance's speaker.
    static let minimumFrames = 10
    /// A centroid weighs at most this many voiced frames (30 s), so it keeps following the voice.
    static let memoryFrames = 3_000.0

    private var centroids: [[Double]] = []
    private var weights: [Double] = []
    private var previous = 0

    public init(reference: Voiceprint?) {
        if let reference, reference.isComparable {
            centroids = [reference.features]
            weights = [Swift.min(reference.voicedSeconds * Double(AudioAnalyzer.framesPerSecond), Self.memoryFrames)]
        }
    }

    /// The speaker (0 or 1) of one utterance's audio (16 kHz, or resampled to it); the first utterance is speaker 0 without a reference.
    public mutating func label(_ utterance: PCMAudio) -> Int {
        let speech = VoicedSpeech(utterance)
        let count = speech.frames.count
        guard count >= Self.minimumFrames else { return previous }
        let mean = speech.mean(of: 0..<count)
        var speaker = 0
        if !centroids.isEmpty {
            let distances = centroids.map { Self.distance(mean, $0) }
            speaker = distances.count > 1 && distances[1] < distances[0] ? 1 : 0
            if centroids.count == 1 && distances[0] > Self.openingDistance { speaker = 1 }
        }
        if speaker == centroids.count {
            centroids.append(mean)
            weights.append(Swift.min(Double(count), Self.memoryFrames))
        } else {
            let share = Double(count) / (weights[speaker] + Double(count))
            centroids[speaker] = zip(centroids[speaker], mean).map { $0 + share * ($1 - $0) }
            weights[speaker] = Swift.min(weights[speaker] + Double(count), Self.memoryFrames)
        }
        previous = speaker
        return speaker
    }

    static func distance(_ a: [Double], _ b: [Double]) -> Double {
        var sum = 0.0
        for index in a.indices {
            let scaled = (a[index] - b[index]) / spread[index]
            sum += scaled * scaled
        }
        return sum.squareRoot()
    }
}
