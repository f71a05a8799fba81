import Foundation
import ParleyDomain

/// One token of spoken text as written: a word, a number or a punctuation mark, with its
/// position (Unicode scalar offsets) in the text it came from.
public struct Token: Sendable, Hashable, Codable {
    /// What a token is.
    public enum Kind: String, Sendable, Codable {
        case word
        case number
        case punctuation
    }

    public var text: String
    public var kind: Kind
    public var offset: Int
    public var length: Int
}

/// A normalised unit used for matching: lower-cased, contractions expanded ("isn't" becomes
/// "is" + "not"), possessive "'s" dropped. Each term points back at the token it came from.
struct Term: Sendable, Hashable {
    var text: String
    var token: Int
    /// Punctuation terms are kept only for boundaries (`.`, `?`, `!`, `;`, `,`, `:`, dashes).
    var isPunctuation: Bool
}

/// Splits spoken text into tokens and terms. Fast, allocation-light, no regular expressions:
/// a one-hour transcript must analyse in well under 200 ms.
enum Tokenizer {
    static func tokens(_ text: String) -> [Token] {
        var result: [Token] = []
        result.reserveCapacity(text.utf8.count / 4)
        var current = String.UnicodeScalarView()
        var currentStart = 0
        var currentKind: Token.Kind = .word
        var offset = 0
        let scalars = Array(text.unicodeScalars)

        func flush() {
            if !current.isEmpty {
                result.append(Token(text: String(current), kind: currentKind, offset: currentStart, length: current.count))
                current = String.UnicodeScalarView()
            }
        }

        for (i, raw) in scalars.enumerated() {
            let scalar: Unicode.Scalar = (raw == "\u{2019}" || raw == "\u{2018}") ? "'" : raw
            defer { offset += 1 }
            let isLetter = scalar.properties.isAlphabetic
            let isDigit = ("0"..."9").contains(scalar)
            if isLetter || isDigit {
                if current.isEmpty {
                    currentStart = offset
                    currentKind = isDigit ? .number : .word
                } else if isLetter && currentKind == .number {
                    // "15th", "3pm": keep them as one word-like token.
                    currentKind = .word
                }
                current.append(scalar)
                continue
            }
            let next: Unicode.Scalar? = i + 1 < scalars.count ? scalars[i + 1] : nil
            let nextIsLetter = next.map { $0.properties.isAlphabetic } ?? false
            let nextIsDigit = next.map { ("0"..."9").contains($0) } ?? false
            if !current.isEmpty {
                // Apostrophes and hyphens inside words, separators inside numbers.
                if (scalar == "'" || scalar == "-") && currentKind == .word && nextIsLetter {
                    current.append(scalar)
                    continue
                }
                if (scalar == "." || scalar == ",") && currentKind == .number && nextIsDigit {
                    current.append(scalar)
                    continue
                }
            }
            flush()
            if scalar.properties.isWhitespace { continue }
            if scalar == "'" && nextIsLetter && !result.isEmpty { continue }
            result.append(Token(text: String(Character(scalar)), kind: .punctuation, offset: offset, length: 1))
        }
        flush()
        return result
    }

    /// Contractions that expand to several terms; "n't" and "'re" etc. are handled generally.
    private static let irregular: [String: [String]] = [
        "won't": ["will", "not"], "can't": ["can", "not"], "cannot": ["can", "not"], "shan't": ["shall", "not"],
        "ain't": ["is", "not"], "let's": ["let", "us"], "y'all": ["you", "all"], "gonna": ["going", "to"],
        "wanna": ["want", "to"], "gotta": ["got", "to"], "kinda": ["kind", "of"], "sorta": ["sort", "of"],
        "dunno": ["do", "not", "know"], "o'clock": ["o'clock"],
    ]
    /// Words whose "'s" means "is" rather than a possessive.
    private static let isContractions: Set<String> = [
        "it", "that", "there", "what", "he", "she", "who", "where", "how", "here", "this", "everything",
        "nothing", "something", "why", "when", "which", "everyone", "someone", "one", "today", "price", "cost",
        "money", "budget", "time", "timing", "cash", "business", "pricing", "unit", "system", "pump", "weather", "traffic",
        "boiler", "furnace", "compressor", "thing", "roof", "bill", "schedule", "team", "boss", "owner", "plan", "warranty",
    ]

    static func terms(_ tokens: [Token]) -> [Term] {
        var result: [Term] = []
        result.reserveCapacity(tokens.count + 8)
        for (index, token) in tokens.enumerated() {
            if token.kind == .punctuation {
                if boundaryMarks.contains(token.text) {
                    result.append(Term(text: token.text, token: index, isPunctuation: true))
                }
                continue
            }
            let lower = token.text.lowercased()
            if token.kind == .number {
                result.append(Term(text: lower.replacingOccurrences(of: ",", with: ""), token: index, isPunctuation: false))
                continue
            }
            guard lower.contains("'") else {
                if let parts = irregular[lower] {
                    for part in parts { result.append(Term(text: part, token: index, isPunctuation: false)) }
                } else {
                    result.append(Term(text: lower, token: index, isPunctuation: false))
                }
                continue
            }
            for part in expand(lower) { result.append(Term(text: part, token: index, isPunctuation: false)) }
        }
        return result
    }

    static let boundaryMarks: Set<String> = [".", "?", "!", ";", ",", ":", "-", "\u{2014}", "\u{2013}", "\u{2026}"]

    static func expand(_ lower: String) -> [String] {
        if let parts = irregular[lower] { return parts }
        if lower.hasSuffix("n't") {
            return [String(lower.dropLast(3)), "not"]
        }
        let suffixes: [(String, String)] = [("'re", "are"), ("'ll", "will"), ("'ve", "have"), ("'d", "would"), ("'m", "am")]
        for (suffix, word) in suffixes where lower.hasSuffix(suffix) {
            return [String(lower.dropLast(suffix.count)), word]
        }
        if lower.hasSuffix("'s") {
            let stem = String(lower.dropLast(2))
            return isContractions.contains(stem) ? [stem, "is"] : [stem]
        }
        if lower.hasSuffix("'") { return [String(lower.dropLast())] }
        return [lower]
    }
}

/// Spelled-out and written numbers ("fifteen", "twenty five", "3", "1,200") as values.
enum NumberWords {
    static let units: [String: Double] = [
        "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
        "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
        "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "a": 1, "once": 1, "twice": 2,
        "couple": 2, "few": 3, "several": 3, "dozen": 12,
    ]
    static let tens: [String: Double] = [
        "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
    ]

    /// The value of the number starting at `terms[index]`, and how many terms it used.
    static func value(in terms: [Term], at index: Int) -> (value: Double, length: Int)? {
        let first = terms[index].text
        if let digits = Double(first) { return (digits, 1) }
        // "twenty-two" arrives as one hyphenated word.
        if first.contains("-") {
            let parts = first.split(separator: "-").map(String.init)
            if parts.count == 2, let t = tens[parts[0]], let u = units[parts[1]], u < 10 { return (t + u, 1) }
        }
        if first == "a" || first == "once" || first == "twice" || first == "few" || first == "several" || first == "couple" {
            return nil  // only meaningful inside phrases; callers handle "a couple of", "twice"
        }
        var total: Double = 0
        var length = 0
        var i = index
        while i < terms.count {
            let word = terms[i].text
            if let t = tens[word] {
                total += t
            } else if let u = units[word], word != "a" {
                total += u
            } else if word == "hundred" && length > 0 {
                total *= 100
            } else if word == "thousand" && length > 0 {
                total *= 1000
            } else {
                break
            }
            length += 1
            i += 1
        }
        return length > 0 ? (total, length) : nil
    }

    static func isNumber(_ text: String) -> Bool {
        if Double(text) != nil || units[text] != nil && text != "a" || tens[text] != nil { return true }
        let parts = text.split(separator: "-")
        return parts.count == 2 && tens[String(parts[0])] != nil && units[String(parts[1])] != nil
    }
}

/// A compiled phrase pattern over terms. Syntax, space-separated elements:
/// `word`, `a|b` (alternatives), `word?` (optional), `*` (any one term), `#` (a number), `~` (0–3 terms, same clause).
struct PhrasePattern: Sendable, Hashable {
    enum Element: Sendable, Hashable {
        case word(Set<String>, optional: Bool)
        case any
        case number
        case gap(Int)
    }

    let source: String
    let elements: [Element]

    init(_ source: String) {
        self.source = source
        var elements: [Element] = []
        for part in source.lowercased().split(separator: " ") {
            if part == "*" {
                elements.append(.any)
            } else if part == "#" {
                elements.append(.number)
            } else if part == "~" {
                elements.append(.gap(3))
            } else {
                let optional = part.hasSuffix("?")
                let body = optional ? part.dropLast() : part[...]
                elements.append(.word(Set(body.split(separator: "|").map(String.init)), optional: optional))
            }
        }
        self.elements = elements
    }

    /// Words that can start a match (for indexing); nil when the pattern starts with a wildcard.
    var firstWords: Set<String>? {
        var words: Set<String> = []
        for element in elements {
            switch element {
            case .word(let set, let optional):
                words.formUnion(set)
                if !optional { return words }
            case .any, .number, .gap: return nil
            }
        }
        return nil
    }

    /// The end index (exclusive) of a match starting at `start`, or nil.
    func match(_ terms: [Term], at start: Int) -> Int? {
        match(terms, element: 0, position: start)
    }

    private func match(_ terms: [Term], element: Int, position: Int) -> Int? {
        if element == elements.count { return position }
        switch elements[element] {
        case .word(let set, let optional):
            if position < terms.count, !terms[position].isPunctuation, set.contains(terms[position].text),
                let end = match(terms, element: element + 1, position: position + 1)
            {
                return end
            }
            return optional ? match(terms, element: element + 1, position: position) : nil
        case .any:
            guard position < terms.count, !terms[position].isPunctuation else { return nil }
            return match(terms, element: element + 1, position: position + 1)
        case .number:
            guard position < terms.count, NumberWords.isNumber(terms[position].text) || terms[position].text.first?.isNumber == true else { return nil }
            return match(terms, element: element + 1, position: position + 1)
        case .gap(let maximum):
            var p = position
            for _ in 0...maximum {
                if let end = match(terms, element: element + 1, position: p) { return end }
                // A gap never skips punctuation or a negator: "is not that expensive" is no match for "is ~ expensive".
                guard p < terms.count, !terms[p].isPunctuation, !Negation.negators.contains(terms[p].text) else { return nil }
                p += 1
            }
            return nil
        }
    }
}

/// A set of labelled patterns indexed by first word so matching stays linear in the text.
struct PatternSet<Label: Sendable & Hashable>: Sendable {
    struct Hit: Sendable {
        var label: Label
        var pattern: String
        var start: Int
        var end: Int
    }

    private var byFirst: [String: [(PhrasePattern, Label)]] = [:]
    private var unanchored: [(PhrasePattern, Label)] = []

    init(_ entries: [(Label, [String])]) {
        for (label, sources) in entries {
            for source in sources {
                for expanded in PatternSet.expand(source) { add(PhrasePattern(expanded), label) }
            }
        }
    }

    /// Expands multi-word alternatives written with underscores ("talk_to|check_with ~ boss")
    /// into one pattern per alternative.
    static func expand(_ source: String) -> [String] {
        var results = [""]
        for element in source.split(separator: " ") {
            let options: [String] = element.contains("_")
                ? element.split(separator: "|").map { $0.replacingOccurrences(of: "_", with: " ") }
                : [String(element)]
            results = results.flatMap { prefix in options.map { prefix.isEmpty ? $0 : prefix + " " + $0 } }
        }
        return results
    }

    mutating func add(_ pattern: PhrasePattern, _ label: Label) {
        if let first = pattern.firstWords {
            for word in first { byFirst[word, default: []].append((pattern, label)) }
        } else {
            unanchored.append((pattern, label))
        }
    }

    /// Every match, longest first at each start position, without overlaps of the same label.
    func hits(in terms: [Term]) -> [Hit] {
        var result: [Hit] = []
        func attempt(_ candidates: [(PhrasePattern, Label)], at start: Int) {
            for (pattern, label) in candidates {
                if let end = pattern.match(terms, at: start), end > start {
                    if let last = result.last(where: { $0.label == label }), last.end > start { continue }
                    result.append(Hit(label: label, pattern: pattern.source, start: start, end: end))
                }
            }
        }
        for start in terms.indices where !terms[start].isPunctuation {
            if let anchored = byFirst[terms[start].text] { attempt(anchored, at: start) }
            if !unanchored.isEmpty { attempt(unanchored, at: start) }
        }
        return result
    }
}

/// Negation: words that flip the meaning of what follows within the same clause.
enum Negation {
    static let negators: Set<String> = [
        "not", "no", "never", "nothing", "nobody", "none", "neither", "nor", "without", "hardly", "barely",
    ]

    /// True when a negator sits within `window` terms before `index` in the same clause.
    static func isNegated(_ terms: [Term], before index: Int, window: Int = 3, possessionKeeps: Bool = true) -> Bool {
        var i = index - 1
        var seen = 0
        while i >= 0 && seen < window {
            let term = terms[i]
            if term.isPunctuation || term.text == "but" { return false }
            // "we do not have that kind of money": negated possession keeps what follows.
            if negators.contains(term.text) { return !(possessionKeeps && i + 1 < index && ["have", "got", "enough"].contains(terms[i + 1].text)) }
            i -= 1
            seen += 1
        }
        return false
    }
}
