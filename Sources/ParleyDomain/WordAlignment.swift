/// Levenshtein alignment of a hypothesis against a reference with a backtrace: the basis of word
/// error rate, read-aloud scoring (words) and pronunciation feedback (phonemes).
public struct SequenceAlignment<Element: Hashable & Sendable>: Sendable, Hashable {
    /// One step of the alignment.
    public enum Step: Sendable, Hashable {
        case match(Element)
        case substitution(reference: Element, hypothesis: Element)
        /// A reference element that is missing from the hypothesis.
        case deletion(Element)
        /// An element of the hypothesis that is not in the reference.
        case insertion(Element)
    }

    public var reference: [Element]
    public var hypothesis: [Element]
    public var steps: [Step]

    public init(reference: [Element], hypothesis: [Element]) {
        self.reference = reference
        self.hypothesis = hypothesis
        let n = reference.count, m = hypothesis.count
        // Full table for the backtrace; passages are short (hundreds of words at most).
        var cost = Array(repeating: Array(repeating: 0, count: m + 1), count: n + 1)
        for i in 0...n { cost[i][0] = i }
        for j in 0...m { cost[0][j] = j }
        if n > 0 && m > 0 {
            for i in 1...n {
                for j in 1...m {
                    cost[i][j] = min(
                        cost[i - 1][j - 1] + (reference[i - 1] == hypothesis[j - 1] ? 0 : 1),
                        cost[i - 1][j] + 1, cost[i][j - 1] + 1)
                }
            }
        }
        var steps: [Step] = []
        var i = n, j = m
        while i > 0 || j > 0 {
            if i > 0, j > 0, cost[i][j] == cost[i - 1][j - 1] + (reference[i - 1] == hypothesis[j - 1] ? 0 : 1) {
                steps.append(reference[i - 1] == hypothesis[j - 1]
                    ? .match(reference[i - 1]) : .substitution(reference: reference[i - 1], hypothesis: hypothesis[j - 1]))
                i -= 1; j -= 1
            } else if i > 0, cost[i][j] == cost[i - 1][j] + 1 {
                steps.append(.deletion(reference[i - 1]))
                i -= 1
            } else {
                steps.append(.insertion(hypothesis[j - 1]))
                j -= 1
            }
        }
        self.steps = steps.reversed()
    }

    /// Substitutions + deletions + insertions.
    public var errors: Int { steps.count - matches }
    public var matches: Int { steps.filter { if case .match = $0 { true } else { false } }.count }

    /// errors / reference length (the word error rate, for words).
    public var errorRate: Double { Double(errors) / Double(max(reference.count, 1)) }
}

/// Words aligned after lower-casing and dropping punctuation, so "Pricing." and "pricing" match.
public typealias WordAlignment = SequenceAlignment<String>

extension SequenceAlignment where Element == String {
    /// The words of `text` as compared: lower case, letters, digits and apostrophes only.
    public static func words(_ text: String) -> [String] {
        text.lowercased()
            .replacingOccurrences(of: "-", with: " ")
            .split(whereSeparator: { $0.isWhitespace })
            .map { $0.filter { $0.isLetter || $0.isNumber || $0 == "'" } }
            .filter { !$0.isEmpty }
    }

    /// Aligns two texts' words.
    public init(reference: String, hypothesis: String) {
        self.init(reference: Self.words(reference), hypothesis: Self.words(hypothesis))
    }
}
