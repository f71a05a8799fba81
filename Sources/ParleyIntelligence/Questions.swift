import Foundation
import ParleyDomain

/// Whether a question invites a story (`open`) or a short answer (`closed`).
public enum QuestionKind: String, Sendable, Codable, Hashable, CaseIterable {
    case open
    case closed
}

/// One question found in a segment.
public struct Question: Sendable, Codable, Hashable {
    public var kind: QuestionKind
    public var speaker: SpeakerRole
    public var evidence: Evidence
}

/// Questions across a conversation: counts per kind and per speaker, and rates.
public struct QuestionReport: Sendable, Codable, Hashable {
    public var questions: [Question]
    public var total: Int
    public var open: Int
    public var closed: Int
    public var repQuestions: Int
    public var counterpartQuestions: Int
    /// Questions per minute of conversation, when timings are known.
    public var questionsPerMinute: Double?
    /// Questions per 100 words.
    public var ratePer100Words: Double
}

/// Finds questions with or without question marks and tells open from closed.
enum Questions {
    static let wh: Set<String> = ["what", "how", "why", "when", "where", "who", "which", "whom", "whose"]
    static let aux: Set<String> = [
        "do", "does", "did", "are", "is", "was", "were", "can", "could", "would", "will", "should", "shall", "may",
        "might", "have", "has", "had", "am", "must",
    ]
    static let subjects: Set<String> = [
        "you", "we", "i", "they", "it", "he", "she", "there", "that", "this", "the", "your", "anyone", "anybody",
        "someone", "somebody", "everyone", "everything", "those", "these", "our", "any", "a", "an", "my", "their", "his", "her", "its",
        "one", "all", "tomorrow", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "next", "price", "pricing",
    ]
    /// Openers skipped before looking at the first real word.
    static let leading: Set<String> = [
        "so", "and", "but", "okay", "ok", "um", "uh", "well", "also", "just", "now", "then", "alright", "yeah", "right",
        "oh", "great", "sure", "hi", "hello", "perfect", "gotcha", "cool", "actually", "hey", "out", "of", "curiosity",
        "quick", "question", "one", "more", "thing", "last", "first", "off", "mm-hmm", "understood", "thanks", "thank",
        "good", "fair", "enough", "fine", "interesting", "wow", "ah", "ballpark", "roughly", "honestly", "seriously", "realistically",
        "approximately",
    ]
    static let pronouns: Set<String> = ["i", "we", "you", "they", "he", "she", "it", "that", "this", "there"]
    static let closedWhModifiers: Set<String> = ["many", "much", "long", "often", "soon", "old", "big", "far", "quickly", "fast", "late", "early"]
    static let closedWhatNouns: Set<String> = ["time", "day", "date", "year", "size", "model", "brand", "number", "percentage", "zip"]

    /// The question kind of a sentence (a range of terms), or nil if it is not a question.
    static func classify(_ terms: [Term], _ range: Range<Int>) -> QuestionKind? {
        let words = range.filter { !terms[$0].isPunctuation }.map { terms[$0].text }
        guard !words.isEmpty else { return nil }
        let marked = range.contains { terms[$0].text == "?" }
        let text = " " + words.joined(separator: " ") + " "

        // Requests for information phrased as statements.
        let openRequests = [
            " tell me about ", " tell me more ", " walk me through ", " help me understand ", " i am curious what ",
            " i am curious how ", " i am curious why ", " i would love to hear ", " i would love to know how ",
            " i would love to know what ", " describe ", " explain to me ", " talk me through ", " tell me how ",
            " tell me what ", " i wonder how ", " i wonder what ", " i am wondering how ", " i was wondering how ",
            " i was wondering what ", " share with me ", " curious how ", " curious what ", " give me a sense of ",
        ]
        let closedRequests = [
            " i was wondering if ", " i am wondering if ", " i wonder if ", " i was wondering whether ", " i am curious if ",
            " i am curious whether ", " curious if ", " wondering if ", " let me know if you ", " do you happen to ",
            " is it possible ", " any chance ", " i wonder whether ",
        ]
        // Skip openers ("so", "okay", "got it,") before the first real word.
        var start = 0
        while start < words.count {
            if leading.contains(words[start]) { start += 1; continue }
            if words[start] == "got", start + 1 < words.count, words[start + 1] == "it" { start += 2; continue }
            break
        }
        if start == words.count { start = 0 }
        let head = words[start...]
        if let first = head.first {
            if wh.contains(first) {
                let second = head.dropFirst().first
                // "What we do is…", "When the unit fails, we…": wh + subject without inversion is a clause.
                var k = head.startIndex + 1
                if first == "how" || first == "what" || first == "which" {
                    while k < head.endIndex && (closedWhModifiers.contains(head[k]) || closedWhatNouns.contains(head[k])
                        || ["kind", "type", "sort", "of", "else", "about", "if", "exactly", "sorts", "kinds", "types"].contains(head[k]))
                    {
                        k += 1
                    }
                    if k < head.endIndex, !aux.contains(head[k]), !pronouns.contains(head[k]), k + 1 < head.endIndex, aux.contains(head[k + 1]) {
                        k += 1  // "what system do you use", "which vendor are you with"
                    }
                }
                // "how many square feet are we cooling": up to three nouns before the auxiliary.
                if first == "how" || first == "what", k < head.endIndex, !aux.contains(head[k]), !pronouns.contains(head[k]) {
                    if let auxAt = (k..<min(head.endIndex, k + 3)).first(where: { aux.contains(head[$0]) }), auxAt + 1 < head.endIndex, !aux.contains(head[auxAt + 1]) {
                        k = auxAt
                    }
                }
                let pivot = k < head.endIndex ? head[k] : nil
                // "what made you switch", "who else uses you": the wh-word is the subject.
                let subjectQuestion = pivot.map { !aux.contains($0) && !pronouns.contains($0) } ?? false
                    && k + 1 < head.endIndex && ["you", "your", "us", "them", "it", "him", "her"].contains(head[k + 1])
                let inverted = (pivot.map { aux.contains($0) } ?? true) || subjectQuestion
                let isAbout = second == "about" || second == "if" || second == "else"
                if marked || inverted || isAbout || head.count <= 2 {
                    return kind(wh: first, second: second)
                }
            } else if aux.contains(first) {
                let next = head.dropFirst().first
                if marked { return .closed }
                if let next, subjects.contains(next) || next == "not" && head.dropFirst(2).first.map(subjects.contains) == true {
                    return .closed
                }
            }
        }
        if openRequests.contains(where: text.contains) { return .open }
        if closedRequests.contains(where: text.contains) { return .closed }
        if marked { return .closed }
        // Tag questions without a mark are indistinguishable from statements in text; leave them.
        return nil
    }

    private static func kind(wh first: String, second: String?) -> QuestionKind {
        switch first {
        case "why": return .open
        case "how":
            if let second, closedWhModifiers.contains(second) { return .closed }
            return .open
        case "what":
            if let second, closedWhatNouns.contains(second) { return .closed }
            return .open
        default: return .closed
        }
    }

    /// Questions in a segment with evidence.
    static func find(in text: SegmentText) -> [Question] {
        text.sentences.compactMap { range in
            // "Oh that's neat, how does it work": the question may be the last clause.
            var range = range
            var kind = classify(text.terms, range)
            if kind == nil, range.contains(where: { text.terms[$0].text == "?" }), let comma = range.last(where: { text.terms[$0].text == "," }), comma + 1 < range.upperBound {
                kind = classify(text.terms, (comma + 1)..<range.upperBound)
                if kind != nil { range = (comma + 1)..<range.upperBound }
            }
            guard let kind else { return nil }
            let words = range.filter { !text.terms[$0].isPunctuation }
            guard let first = words.first, let last = words.last else { return nil }
            return Question(kind: kind, speaker: text.speaker, evidence: text.evidence(terms: first, last + 1))
        }
    }

    /// The one kind reported for a line: `open` when any of its questions is open.
    static func lineKind(_ questions: [Question]) -> QuestionKind? {
        if questions.isEmpty { return nil }
        return questions.contains { $0.kind == .open } ? .open : .closed
    }

    static func report(_ questions: [Question], words: Int, minutes: Double?) -> QuestionReport {
        let open = questions.filter { $0.kind == .open }.count
        return QuestionReport(
            questions: questions, total: questions.count, open: open, closed: questions.count - open,
            repQuestions: questions.filter { $0.speaker == .rep }.count,
            counterpartQuestions: questions.filter { $0.speaker == .counterpart }.count,
            questionsPerMinute: minutes.flatMap { $0 > 0 ? rounded(Double(questions.count) / $0) : nil },
            ratePer100Words: words > 0 ? rounded(Double(questions.count) * 100 / Double(words)) : 0)
    }
}
