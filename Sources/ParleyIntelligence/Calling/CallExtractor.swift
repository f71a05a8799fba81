import Foundation
import ParleyDomain

/// Reads an agent's extraction schema out of a finished call. The rules look where a person
/// would: at the callee's answer to the agent's question about the field (its name and
/// description say which), else at callee lines that mention it; e-mail addresses and phone
/// numbers are found by their shape. A configured language model may read the call instead
/// (`read(_:from:using:)`); what it answers is checked against each field's kind, and the rules
/// fill what it leaves out or gets wrong.
public struct CallExtractor: Sendable {
    /// One line of the call: whether the agent said it, and what was said.
    public struct Line: Sendable, Hashable {
        public var isAgent: Bool
        public var text: String

        public init(isAgent: Bool, text: String) {
            self.isAgent = isAgent
            self.text = text
        }
    }

    public init() {}

    // MARK: rules

    /// A value (or null) per field, by the rules.
    public func read(_ schema: [ExtractionField], from lines: [Line]) -> [String: JSONValue] {
        var values: [String: JSONValue] = [:]
        for field in schema { values[field.name] = value(of: field, in: lines) }
        return values
    }

    func value(of field: ExtractionField, in lines: [Line]) -> JSONValue {
        let callee = lines.filter { !$0.isAgent }.map(\.text)
        let topic = Self.keywords(field)
        if field.kind == .text {
            if topic.contains("email") || topic.contains("mail") {
                return Self.first(#"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"#, in: callee).map(JSONValue.string) ?? .null
            }
            if topic.contains("phone") || topic.contains("number") && topic.contains("call") {
                return Self.first(#"\+?\d[\d\s().-]{6,}\d"#, in: callee).map(JSONValue.string) ?? .null
            }
        }
        let candidates = answers(about: topic, in: lines)
        switch field.kind {
        case .text:
            return candidates.first.map { .string($0) } ?? .null
        case .number:
            for line in candidates { if let number = Self.number(in: line) { return .number(number) } }
            return .null
        case .boolean:
            for line in candidates { if let answer = Self.yesOrNo(line) { return .bool(answer) } }
            return .null
        case .choice:
            // The callee's own word for one of the choices, in their answers first, else anywhere they spoke.
            for line in candidates + callee.reversed() {
                if let choice = field.choices.first(where: { Self.mentions(line, $0) }) { return .string(choice) }
            }
            return .null
        }
    }

    /// The callee's lines about a topic: answers to the agent's questions about it, then lines
    /// that mention it themselves (latest first in each group).
    func answers(about topic: Set<String>, in lines: [Line]) -> [String] {
        guard !topic.isEmpty else { return [] }
        var replies: [String] = []
        var mentions: [String] = []
        for (index, line) in lines.enumerated() where !line.isAgent {
            let asked = lines[..<index].last(where: \.isAgent).map { Self.touches($0.text, topic) } ?? false
            if asked, let previous = lines[..<index].last, previous.isAgent { replies.append(line.text) }
            if Self.touches(line.text, topic) { mentions.append(line.text) }
        }
        var seen = Set<String>()
        return (replies.reversed() + mentions.reversed()).filter { seen.insert($0).inserted }
    }

    static let ignored: Set<String> = ["the", "and", "for", "with", "that", "this", "what", "their", "they", "have", "does", "from",
                                       "how", "many", "much", "whether", "are", "any", "our", "your", "you", "which", "who", "when"]

    /// The words a field is about: its name's parts and its description's, stemmed to five letters.
    static func keywords(_ field: ExtractionField) -> Set<String> {
        let text = field.name.replacingOccurrences(of: "_", with: " ") + " " + (field.description ?? "")
        return Set(words(text).filter { $0.count >= 3 && !ignored.contains($0) }.map(stem))
    }

    static func words(_ text: String) -> [String] {
        text.lowercased().split { !$0.isLetter && !$0.isNumber }.map(String.init)
    }

    static func stem(_ word: String) -> String { String(word.prefix(5)) }

    static func touches(_ text: String, _ topic: Set<String>) -> Bool {
        words(text).contains { topic.contains(stem($0)) }
    }

    static func mentions(_ text: String, _ phrase: String) -> Bool {
        let haystack = " " + words(text).joined(separator: " ") + " "
        let needle = " " + words(phrase).joined(separator: " ") + " "
        return needle.count > 2 && haystack.contains(needle)
    }

    static func first(_ pattern: String, in lines: [String]) -> String? {
        guard let expression = try? NSRegularExpression(pattern: pattern) else { return nil }
        for line in lines.reversed() {
            let range = NSRange(line.startIndex..., in: line)
            if let match = expression.firstMatch(in: line, range: range), let found = Range(match.range, in: line) {
                return String(line[found]).trimmingCharacters(in: CharacterSet(charactersIn: ".,; "))
            }
        }
        return nil
    }

    static let smallNumbers: [String: Double] = [
        "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
        "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
        "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
        "dozen": 12, "a dozen": 12,
    ]
    static let scales: [String: Double] = ["hundred": 100, "thousand": 1_000, "k": 1_000, "million": 1_000_000]

    /// The first number said in a line: digits (with thousands separators, decimals, `k`, a
    /// scale word after them) or number words ("twenty five", "three hundred").
    static func number(in line: String) -> Double? {
        let tokens = line.lowercased().replacingOccurrences(of: "$", with: " ")
            .split { $0.isWhitespace || $0 == "-" }
            .map { $0.trimmingCharacters(in: CharacterSet(charactersIn: ".,;:!?()\"'")) }
        var index = 0
        while index < tokens.count {
            let token = tokens[index]
            var digits = token.replacingOccurrences(of: ",", with: "")
            var scale: Double = 1
            if digits.hasSuffix("k"), Double(digits.dropLast()) != nil { digits.removeLast(); scale = 1_000 }
            if let value = Double(digits) {
                if index + 1 < tokens.count, let next = scales[tokens[index + 1]] { scale = next }
                return value * scale
            }
            if let first = smallNumbers[token] {
                var value = first
                var next = index + 1
                if first >= 20, first < 100, next < tokens.count, let unit = smallNumbers[tokens[next]], unit < 10 { value += unit; next += 1 }
                while next < tokens.count, let multiplier = scales[tokens[next]] {
                    value *= multiplier
                    next += 1
                }
                return value
            }
            index += 1
        }
        return nil
    }

    static let noWords: Set<String> = ["no", "nope", "nah", "not", "don't", "dont", "never", "isn't", "aren't", "doesn't", "won't", "can't"]
    static let yesWords: Set<String> = ["yes", "yeah", "yep", "sure", "definitely", "absolutely", "correct", "certainly", "interested", "okay", "ok"]

    /// Yes or no, as the line answers; nil when it does neither.
    static func yesOrNo(_ line: String) -> Bool? {
        let tokens = line.lowercased().split { !$0.isLetter && $0 != "'" }.map(String.init)
        if tokens.contains(where: noWords.contains) { return false }
        if tokens.contains(where: yesWords.contains) || line.lowercased().contains("of course") { return true }
        return nil
    }

    // MARK: a language model

    /// The fields as a configured model reads them, each checked against its kind; the rules
    /// answer for the model when it fails, and fill what it leaves out. Also says which read it.
    public func read(_ schema: [ExtractionField], from lines: [Line], using model: (any LanguageModel)?) async -> (values: [String: JSONValue], source: String) {
        let rules = read(schema, from: lines)
        guard let model, !schema.isEmpty else { return (rules, "rules") }
        let fields = schema.map { field in
            "- \(field.name) (\(field.kind.rawValue)\(field.kind == .choice ? ": one of \(field.choices.joined(separator: ", "))" : ""))"
                + (field.description.map { ": \($0)" } ?? "")
        }.joined(separator: "\n")
        let transcript = lines.map { "\($0.isAgent ? "Agent" : "Callee"): \($0.text)" }.joined(separator: "\n")
        let request = CompletionRequest(
            system: "You read facts out of sales call transcripts. Answer with one JSON object only, with exactly the field names given; "
                + "use null when the call does not say. Numbers are JSON numbers, booleans true or false, choices one of the listed values.",
            messages: [ChatMessage(role: .user, content: "Fields:\n\(fields)\n\nTranscript:\n\(transcript)")], maxTokens: 400, temperature: 0)
        guard let completion = try? await model.complete(request), let object = Self.jsonObject(in: completion.text) else { return (rules, "rules") }
        var values = rules
        for field in schema {
            guard let raw = object[field.name], let checked = Self.checked(raw, as: field) else { continue }
            values[field.name] = checked
        }
        return (values, "model")
    }

    static func jsonObject(in text: String) -> [String: JSONValue]? {
        guard let start = text.firstIndex(of: "{"), let end = text.lastIndex(of: "}"), start < end else { return nil }
        return try? JSONDecoder().decode([String: JSONValue].self, from: Data(text[start...end].utf8))
    }

    /// A model's value when it is of the field's kind; nil (the rules' value stays) otherwise.
    static func checked(_ raw: JSONValue, as field: ExtractionField) -> JSONValue? {
        switch (field.kind, raw) {
        case (_, .null): return .null
        case (.text, .string(let text)) where !text.isEmpty && text.count <= 500: return raw
        case (.number, .number): return raw
        case (.number, .string(let text)): return number(in: text).map(JSONValue.number)
        case (.boolean, .bool): return raw
        case (.choice, .string(let text)): return field.choices.first { $0.caseInsensitiveCompare(text) == .orderedSame }.map(JSONValue.string)
        default: return nil
        }
    }
}
