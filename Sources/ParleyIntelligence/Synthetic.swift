import Foundation
import ParleyDomain

/// Deterministic synthetic conversations for benchmarks and load tests: a rep and a customer
/// alternating realistic lines with word timings at a natural speaking rate.
public enum SyntheticConversation {
    static let repLines = [
        "Hi, this is Dana from Northwind Climate, thanks for taking my call.",
        "So what made you reach out to us this week?",
        "Um, so basically we offer a few different maintenance plans for buildings like yours.",
        "How often has the unit needed repairs over the last year?",
        "Our maintenance plan cuts emergency repairs by about forty percent.",
        "I totally understand, budget is a real concern for a lot of our customers.",
        "What if we spread the cost over twelve months so it fits the budget?",
        "Walk me through what happens when a unit goes down after hours.",
        "You know, the new units are like way more efficient than the old ones.",
        "Would you like to move forward with the installation next Tuesday?",
        "I'll send you the detailed quote by tomorrow afternoon.",
        "Does Thursday at two work for a follow-up call with your manager?",
    ]
    static let customerLines = [
        "Um, our AC unit is like fifteen years old and it's been acting up.",
        "We've had to fix this pump three times this year.",
        "Honestly it's just too expensive for us right now.",
        "How much would something like that cost?",
        "I'd have to run it by my boss first.",
        "That sounds really interesting, tell me more.",
        "We're pretty happy with our current provider, to be honest.",
        "The upstairs is always hot, the system just can't keep up.",
        "Our energy bills are through the roof this winter.",
        "Okay, that makes sense. Friday afternoon works for me.",
        "I'm really frustrated, this is the third time this month.",
        "Can you send me a quote for the replacement?",
    ]

    /// A two-speaker transcript of about `minutes` minutes at 150 words a minute.
    public static func transcript(minutes: Double, seed: UInt64 = 42) -> Transcript {
        var state = seed
        func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(bound))
        }
        var segments: [TranscriptSegment] = []
        var clock = 0.0
        var id = 1
        let secondsPerWord = 60.0 / 150.0
        while clock < minutes * 60 {
            let isRep = segments.count % 2 == 0
            let line = isRep ? repLines[next(repLines.count)] : customerLines[next(customerLines.count)]
            var words: [Word] = []
            let start = clock
            for raw in line.split(separator: " ") {
                words.append(Word(text: String(raw), start: clock, end: clock + secondsPerWord * 0.85, confidence: 0.9))
                clock += secondsPerWord
            }
            segments.append(TranscriptSegment(id: id, speaker: isRep ? .rep : .counterpart, text: line, start: start, end: clock, words: words))
            id += 1
            clock += 0.3 + Double(next(10)) / 10
        }
        return Transcript(segments: segments, language: "en")
    }
}
