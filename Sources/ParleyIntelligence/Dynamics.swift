import Foundation
import ParleyDomain

/// One speaker cutting in before the other finished.
public struct Interruption: Sendable, Codable, Hashable {
    /// Who interrupted.
    public var by: SpeakerRole
    /// How far the new turn overlapped the old one, in seconds.
    public var overlapSeconds: Double
    public var evidence: Evidence
}

/// The longest uninterrupted stretch of one speaker.
public struct Monologue: Sendable, Codable, Hashable {
    public var speaker: SpeakerRole
    public var seconds: Double
    public var words: Int
    public var segmentIDs: [Int]
    public var start: Double?

    enum CodingKeys: String, CodingKey {
        case speaker, seconds, words, start
        case segmentIDs = "segment_ids"
    }
}

/// Who talked how much, how often the floor changed, and how patiently the rep answered.
public struct TalkDynamics: Sendable, Codable, Hashable {
    /// Seconds of speech per speaker role (estimated at 150 words a minute when untimed).
    public var talkSeconds: [String: Double]
    /// Rep talk time over counterpart talk time.
    public var talkToListenRatio: Double?
    /// Rep share of all talk time (0…1), the Sales Trainer `talk_time_ratio`.
    public var repTalkShare: Double?
    public var longestMonologue: Monologue?
    public var longestRepMonologue: Monologue?
    /// Speaker switches per minute.
    public var interactivity: Double?
    /// Mean pause (seconds) between the counterpart finishing and the rep starting.
    public var patience: Double?
    /// Mean seconds the counterpart waited for the rep's answer, including overlaps as 0.
    public var averageResponseSeconds: Double?
    public var interruptions: [Interruption]
    public var speakerSwitches: Int
    /// True when times were estimated from word counts because segments carried none.
    public var estimated: Bool

    static let wordsPerSecond = 2.5
    /// Overlap needed to call a turn change an interruption, in seconds.
    static let interruptionOverlap = 0.3
    /// Longest silence (seconds) inside one speaker's continuous run.
    static let maximumRunGap = 3.0

    static func measure(_ texts: [SegmentText]) -> TalkDynamics {
        var timed: [(text: SegmentText, start: Double, end: Double)] = []
        var clock = 0.0
        var estimated = false
        for text in texts {
            if let start = text.segment.start ?? text.segment.words.first?.start, let end = text.segment.end ?? text.segment.words.last?.end, end >= start {
                timed.append((text, start, end))
                clock = end
            } else {
                estimated = true
                let length = Double(text.wordCount) / wordsPerSecond
                timed.append((text, clock, clock + length))
                clock += length + 0.5
            }
        }
        var talk: [String: Double] = [:]
        for item in timed { talk[item.text.speaker.rawValue, default: 0] += item.end - item.start }
        let rep = talk[SpeakerRole.rep.rawValue] ?? 0
        let counterpart = talk[SpeakerRole.counterpart.rawValue] ?? 0
        var switches = 0
        var pauses: [Double] = []
        var responses: [Double] = []
        var interruptions: [Interruption] = []
        var runs: [Monologue] = []
        for (i, item) in timed.enumerated() {
            let speaker = item.text.speaker
            if i > 0 {
                let previous = timed[i - 1]
                if previous.text.speaker != speaker {
                    switches += 1
                    let gap = item.start - previous.end
                    if previous.text.speaker == .counterpart && speaker == .rep {
                        if gap >= 0 { pauses.append(gap) }
                        responses.append(max(0, gap))
                    }
                    if !estimated && gap < -interruptionOverlap && speaker != .unknown {
                        interruptions.append(Interruption(by: speaker, overlapSeconds: rounded(-gap), evidence: item.text.wholeEvidence))
                    }
                }
            }
            // A run continues across short gaps only: a long silence ends the monologue.
            let gap = i > 0 ? item.start - timed[i - 1].end : 0
            if let last = runs.last, last.speaker == speaker, speaker != .unknown, gap <= maximumRunGap {
                runs[runs.count - 1].seconds += item.end - item.start + max(0, gap)
                runs[runs.count - 1].words += item.text.wordCount
                runs[runs.count - 1].segmentIDs.append(item.text.id)
            } else {
                runs.append(Monologue(speaker: speaker, seconds: item.end - item.start, words: item.text.wordCount, segmentIDs: [item.text.id], start: item.start))
            }
        }
        func finish(_ run: Monologue?) -> Monologue? {
            guard var run else { return nil }
            run.seconds = rounded(run.seconds)
            if estimated { run.start = nil }
            return run
        }
        let total = (timed.last?.end ?? 0) - (timed.first?.start ?? 0)
        return TalkDynamics(
            talkSeconds: talk.mapValues { rounded($0) },
            talkToListenRatio: counterpart > 0 ? rounded(rep / counterpart) : nil,
            repTalkShare: rep + counterpart > 0 ? rounded(rep / (rep + counterpart)) : nil,
            longestMonologue: finish(runs.max { $0.seconds < $1.seconds }),
            longestRepMonologue: finish(runs.filter { $0.speaker == .rep }.max { $0.seconds < $1.seconds }),
            interactivity: total > 0 ? rounded(Double(switches) / (total / 60)) : nil,
            patience: pauses.isEmpty ? nil : rounded(pauses.reduce(0, +) / Double(pauses.count)),
            averageResponseSeconds: responses.isEmpty ? nil : rounded(responses.reduce(0, +) / Double(responses.count)),
            interruptions: interruptions, speakerSwitches: switches, estimated: estimated)
    }
}
