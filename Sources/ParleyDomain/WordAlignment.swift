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
    /// The words of `text` as compared: lower case, letters, digits and apostrophes only, with
    /// numbers spelled out ("18%" → "eighteen percent", "$4.2 million" → "four point two million
    /// dollars", "12,000" → "twelve thousand") because recognisers write digits where people say words.
    public static func words(_ text: String) -> [String] {
        var result: [String] = []
        var pendingDollars = false
        for raw in text.lowercased().replacingOccurrences(of: "-", with: " ").split(whereSeparator: { $0.isWhitespace }) {
            var token = Substring(raw)
            while let last = token.last, [".", ",", "!", "?", ";", ":", ")", "\""].contains(last) { token.removeLast() }
            let dollars = token.hasPrefix("$")
            if dollars { token.removeFirst() }
            let percent = token.hasSuffix("%")
            if percent { token.removeLast() }
            if let spelled = NumberWords.spell(String(token)) {
                if pendingDollars { result.append("dollars") }
                result += spelled
                if percent { result.append("percent") }
                pendingDollars = dollars
                continue
            }
            let word = token.filter { $0.isLetter || $0.isNumber || $0 == "'" }
            guard !word.isEmpty else { continue }
            result.append(word)
            // "$4.2 million": the currency is said after the scale word.
            if pendingDollars, !["thousand", "million", "billion"].contains(word) { result.insert("dollars", at: result.count - 1) }
            else if pendingDollars { result.append("dollars") }
            pendingDollars = false
        }
        if pendingDollars { result.append("dollars") }
        return result
    }

    /// Aligns two texts' words.
    public init(reference: String, hypothesis: String) {
        self.init(reference: Self.words(reference), hypothesis: Self.words(hypothesis))
    }
}

/// English words for written numbers, as speech is transcribed.
enum NumberWords {
    static let ones = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
                       "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
    static let tens = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]

    /// "1,250" → one thousand two hundred fifty; "4.2" → four point two; nil when not a plain number.
    static func spell(_ token: String) -> [String]? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = parts.first, !whole.isEmpty else { return nil }
        let digits = whole.replacingOccurrences(of: ",", with: "")
        guard digits.count <= 9, digits.allSatisfy(\.isASCII), let value = Int(digits), value >= 0 else { return nil }
        var words = integer(value)
        if parts.count == 2 {
            let fraction = parts[1]
            guard !fraction.isEmpty, fraction.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            words.append("point")
            words += fraction.compactMap { Int(String($0)).map { ones[$0] } }
        }
        return words
    }

    static func integer(_ value: Int) -> [String] {
        if value < 20 { return [ones[value]] }
        if value < 100 { return [tens[value / 10]] + (value % 10 == 0 ? [] : [ones[value % 10]]) }
        if value < 1000 { return [ones[value / 100], "hundred"] + (value % 100 == 0 ? [] : integer(value % 100)) }
        for (size, name) in [(1_000_000, "million"), (1000, "thousand")] where value >= size {
            return integer(value / size) + [name] + (value % size == 0 ? [] : integer(value % size))
        }
        return []
    }
}
