import Foundation
import ParleyDomain

/// Reads transcripts as people have them: plain lines, `speaker: text` lines, or JSON segments
/// (an array, or an object with `segments`) with optional timings and words.
public struct TranscriptReader: Sendable {
    /// Which shape the input has.
    public enum Format: String, Sendable, CaseIterable {
        case auto
        case json
        case speakerLines = "speaker"
        case plain
    }

    /// Speaker labels that mean the rep, and those that mean the counterpart (lower-cased).
    public var repLabels: Set<String>
    public var counterpartLabels: Set<String>

    public static let defaultRepLabels: Set<String> = [
        "rep", "agent", "sales", "salesperson", "sales rep", "seller", "technician", "tech", "trainee", "presenter", "speaker",
        "host", "advisor", "representative", "voice agent", "assistant", "bot", "me",
    ]
    public static let defaultCounterpartLabels: Set<String> = [
        "customer", "client", "prospect", "lead", "ai", "ai prospect", "buyer", "counterpart", "audience", "homeowner", "caller",
        "contact", "guest",
    ]

    public init(repLabels: Set<String> = defaultRepLabels, counterpartLabels: Set<String> = defaultCounterpartLabels) {
        self.repLabels = repLabels
        self.counterpartLabels = counterpartLabels
    }

    /// Parses `data` in `format`; `auto` picks JSON when the text starts with `[` or `{`, speaker
    /// lines when most lines look like `Name: text`, plain lines otherwise.
    public func read(_ data: Data, format: Format = .auto) throws -> Transcript {
        guard let text = String(data: data, encoding: .utf8) else {
            throw DomainError.validation(field: "input", message: "the transcript is not UTF-8 text")
        }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw DomainError.validation(field: "input", message: "the transcript is empty") }
        var chosen = format
        if chosen == .auto {
            if trimmed.hasPrefix("[") || trimmed.hasPrefix("{") {
                chosen = .json
            } else {
                let lines = trimmed.split(whereSeparator: \.isNewline).filter { !$0.allSatisfy(\.isWhitespace) }
                let labelled = lines.filter { splitSpeaker(String($0)) != nil }.count
                chosen = labelled * 2 > lines.count ? .speakerLines : .plain
            }
        }
        let transcript: Transcript
        switch chosen {
        case .json: transcript = try readJSON(Data(trimmed.utf8))
        case .speakerLines, .plain: transcript = readLines(trimmed, labelled: chosen == .speakerLines)
        case .auto: fatalError("resolved above")
        }
        guard !transcript.segments.isEmpty else { throw DomainError.validation(field: "input", message: "the transcript has no text to analyse") }
        return transcript
    }

    /// `Name: text` → (name, text), for names up to four words.
    func splitSpeaker(_ line: String) -> (String, String)? {
        guard let colon = line.firstIndex(of: ":") else { return nil }
        let name = line[..<colon].trimmingCharacters(in: .whitespaces)
        let rest = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.count <= 32, name.split(separator: " ").count <= 4, !rest.isEmpty,
            name.first?.isLetter == true, !name.contains(where: { $0.isNumber && name.count < 3 })
        else { return nil }
        // "Note: ..." and times ("10:30") are not speakers.
        if name.allSatisfy(\.isNumber) { return nil }
        return (name, rest)
    }

    func role(for label: String?) -> SpeakerRole {
        guard let label = label?.lowercased().trimmingCharacters(in: .whitespaces), !label.isEmpty else { return .unknown }
        if let role = SpeakerRole(rawValue: label) { return role }
        if repLabels.contains(label) { return .rep }
        if counterpartLabels.contains(label) { return .counterpart }
        return .unknown
    }

    /// Two labels where one is known: the other is the other side.
    private func completeRoles(_ segments: inout [TranscriptSegment]) {
        let labels = Array(Set(segments.compactMap { $0.speakerLabel?.lowercased() }))
        guard labels.count == 2 else { return }
        let roles = labels.map { role(for: $0) }
        for (index, label) in labels.enumerated() where roles[index] == .unknown {
            let other = roles[1 - index]
            guard other != .unknown else { continue }
            let inferred: SpeakerRole = other == .rep ? .counterpart : .rep
            for i in segments.indices where segments[i].speakerLabel?.lowercased() == label { segments[i].speaker = inferred }
        }
    }

    private func readLines(_ text: String, labelled: Bool) -> Transcript {
        var segments: [TranscriptSegment] = []
        for line in text.split(whereSeparator: \.isNewline) {
            let content = line.trimmingCharacters(in: .whitespaces)
            guard !content.isEmpty else { continue }
            if labelled, let (name, rest) = splitSpeaker(content) {
                segments.append(TranscriptSegment(id: segments.count + 1, speaker: role(for: name), speakerLabel: name, text: rest))
            } else {
                segments.append(TranscriptSegment(id: segments.count + 1, speaker: .unknown, text: content))
            }
        }
        completeRoles(&segments)
        return Transcript(segments: segments)
    }

    private struct JSONSegment: Decodable {
        struct JSONWord: Decodable {
            var word: String?
            var text: String?
            var token: String?
            var start: Double?
            var end: Double?
            var confidence: Double?
        }

        var id: Int?
        var segmentId: Int?
        var speaker: String?
        var speakerType: String?
        var role: String?
        var text: String?
        var start: Double?
        var startTime: Double?
        var end: Double?
        var endTime: Double?
        var words: [JSONWord]?
        var wordTimings: [JSONWord]?
        var confidence: Double?
    }

    private struct JSONEnvelope: Decodable {
        var segments: [JSONSegment]
        var language: String?
    }

    private func readJSON(_ data: Data) throws -> Transcript {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let raw: [JSONSegment]
        var language: String?
        do {
            if let array = try? decoder.decode([JSONSegment].self, from: data) {
                raw = array
            } else {
                let envelope = try decoder.decode(JSONEnvelope.self, from: data)
                raw = envelope.segments
                language = envelope.language
            }
        } catch {
            throw DomainError.validation(field: "input", message: "JSON input must be an array of segments or an object with \"segments\" (each with \"text\")")
        }
        var segments: [TranscriptSegment] = []
        for (index, item) in raw.enumerated() {
            let words = (item.words ?? item.wordTimings ?? []).compactMap { word -> Word? in
                guard let text = word.word ?? word.text ?? word.token, let start = word.start, let end = word.end else { return nil }
                return Word(text: text, start: start, end: end, confidence: word.confidence)
            }
            let text = item.text ?? words.map(\.text).joined(separator: " ")
            guard !text.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
            let label = item.speaker ?? item.speakerType ?? item.role
            segments.append(TranscriptSegment(
                id: item.id ?? item.segmentId ?? index + 1, speaker: role(for: label), speakerLabel: label, text: text,
                start: item.start ?? item.startTime ?? words.first?.start, end: item.end ?? item.endTime ?? words.last?.end,
                words: words, confidence: item.confidence))
        }
        completeRoles(&segments)
        return Transcript(segments: segments, language: language)
    }
}
