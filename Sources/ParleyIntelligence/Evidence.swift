import Foundation
import ParleyDomain

/// A segment prepared for analysis: its tokens, normalised terms and per-token times.
/// Times come from the recogniser's word timings when present, otherwise they are spread
/// evenly over the segment's span, otherwise absent.
struct SegmentText: Sendable {
    let segment: TranscriptSegment
    let tokens: [Token]
    let terms: [Term]
    /// Start and end time of each token, when known.
    let times: [(start: Double, end: Double)?]
    /// Word tokens only, in order (indices into `tokens`).
    let wordTokens: [Int]
    /// Sentences as term ranges, split at `.`, `?`, `!` (and `;`).
    let sentences: [Range<Int>]

    init(_ segment: TranscriptSegment) {
        self.segment = segment
        let tokens = Tokenizer.tokens(segment.text)
        self.tokens = tokens
        self.terms = Tokenizer.terms(tokens)
        let words = tokens.indices.filter { tokens[$0].kind != .punctuation }
        self.wordTokens = words
        self.times = SegmentText.align(tokens: tokens, words: words, segment: segment)
        self.sentences = SegmentText.split(terms)
    }

    var id: Int { segment.id }
    var speaker: SpeakerRole { segment.speaker }
    var wordCount: Int { wordTokens.count }

    /// Greedy alignment of text tokens to recognised words by normalised spelling; tokens the
    /// recogniser split or merged take the time of their neighbours.
    private static func align(tokens: [Token], words: [Int], segment: TranscriptSegment) -> [(start: Double, end: Double)?] {
        var times = [(start: Double, end: Double)?](repeating: nil, count: tokens.count)
        if !segment.words.isEmpty {
            let recognised = segment.words.map { normalise($0.text) }
            var cursor = 0
            for index in words {
                let key = normalise(tokens[index].text)
                var found: Int?
                var probe = cursor
                while probe < recognised.count && probe < cursor + 4 {
                    if recognised[probe] == key { found = probe; break }
                    probe += 1
                }
                if let found {
                    times[index] = (segment.words[found].start, segment.words[found].end)
                    cursor = found + 1
                } else if cursor < segment.words.count, words.count == segment.words.count {
                    times[index] = (segment.words[cursor].start, segment.words[cursor].end)
                    cursor += 1
                }
            }
            // Fill gaps from neighbours so every token has a time inside the segment.
            var last: (start: Double, end: Double)? = segment.words.first.map { ($0.start, $0.start) }
            for i in times.indices {
                if let t = times[i] { last = t } else { times[i] = last.map { ($0.end, $0.end) } }
            }
            return times
        }
        guard let start = segment.start, let end = segment.end, end > start else { return times }
        let length = max(1, segment.text.unicodeScalars.count)
        let scale = (end - start) / Double(length)
        for (i, token) in tokens.enumerated() {
            times[i] = (start + Double(token.offset) * scale, start + Double(token.offset + token.length) * scale)
        }
        return times
    }

    static func normalise(_ word: String) -> String {
        String(word.lowercased().unicodeScalars.filter { $0.properties.isAlphabetic || ("0"..."9").contains($0) })
    }

    /// The text covered by terms `start..<end` exactly as spoken.
    func phrase(terms start: Int, _ end: Int) -> String {
        guard start < end, start < terms.count else { return "" }
        return phrase(tokens: terms[start].token, terms[min(end, terms.count) - 1].token)
    }

    /// The text from token `first` through token `last` as spoken.
    func phrase(tokens first: Int, _ last: Int) -> String {
        let scalars = segment.text.unicodeScalars
        let from = tokens[first].offset
        let to = tokens[last].offset + tokens[last].length
        let lower = scalars.index(scalars.startIndex, offsetBy: from)
        let upper = scalars.index(lower, offsetBy: to - from)
        return String(scalars[lower..<upper])
    }

    /// Evidence for terms `start..<end`.
    func evidence(terms start: Int, _ end: Int) -> Evidence {
        guard start < end, start < terms.count else { return wholeEvidence }
        let firstToken = terms[start].token
        let lastToken = terms[min(end, terms.count) - 1].token
        return Evidence(
            segmentID: id, start: times[firstToken]?.start ?? segment.start, end: times[lastToken]?.end ?? segment.end,
            phrase: phrase(tokens: firstToken, lastToken))
    }

    /// Evidence covering the whole segment.
    var wholeEvidence: Evidence {
        Evidence(segmentID: id, start: segment.start ?? times.first??.start, end: segment.end ?? times.last??.end, phrase: segment.text)
    }

    private static func split(_ terms: [Term]) -> [Range<Int>] {
        var result: [Range<Int>] = []
        var start = 0
        for (i, term) in terms.enumerated() where term.isPunctuation && (term.text == "." || term.text == "?" || term.text == "!" || term.text == ";") {
            if i > start { result.append(start..<(i + 1)) }
            start = i + 1
        }
        if start < terms.count, terms[start...].contains(where: { !$0.isPunctuation }) { result.append(start..<terms.count) }
        return result
    }
}
