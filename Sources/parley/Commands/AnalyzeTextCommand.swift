import ArgumentParser
import Foundation
import ParleyDomain
import ParleyIntelligence
import ParleySpeech

/// A problem with the input, printed as one line without the usage text.
struct InputProblem: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// `parley analyze-text`: the explainable text analysis of a transcript as JSON.
struct AnalyzeTextCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze-text",
        abstract: "Analyse a transcript (plain lines, 'speaker: text' lines, or JSON segments) and print JSON.",
        discussion: """
            Reads FILE, or standard input when FILE is omitted or '-'. Without --lines, prints the full
            conversation analysis. With --lines, prints one JSON object per input line (or JSON segment)
            with the keys text, speaker, fillers, question, sentiment, tones, intents, objections,
            interest_signals and upsells. A language model configured through ANTHROPIC_API_KEY or
            OPENAI_API_KEY/OPENAI_BASE_URL writes the summary; without one, or when it fails, the
            summary is extractive. The embedded sentence encoder is started for the run, so its model
            decides the signals; the analysis's `understanding` says which path did.
            """)

    @Argument(help: "Transcript file; '-' or nothing reads standard input.")
    var file: String?

    @Flag(help: "One JSON object per line instead of the whole analysis.")
    var lines = false

    @Option(help: "Input format: auto, json, speaker or plain.")
    var format: String = "auto"

    @Option(help: "Upsell catalogue JSON file (default: the built-in field-service catalogue).")
    var catalogue: String?

    @Option(help: "A speaker label to treat as the rep (repeatable).")
    var rep: [String] = []

    @Option(help: "A speaker label to treat as the counterpart (repeatable).")
    var counterpart: [String] = []

    @Option(help: "Sentence encoder under the learned model: embedded (the local all-MiniLM-L6-v2 service) or none (rules and term model).")
    var encoder = "embedded"

    @Flag(help: "Never call a language model, even when one is configured.")
    var deterministic = false

    @Flag(help: "Indent the JSON.")
    var pretty = false

    func run() async throws {
        guard let chosenFormat = TranscriptReader.Format(rawValue: format) else {
            throw ValidationError("unknown --format '\(format)'; use auto, json, speaker or plain")
        }
        let data: Data
        if let file, file != "-" {
            guard let contents = FileManager.default.contents(atPath: file) else { throw InputProblem("cannot read '\(file)'") }
            data = contents
        } else {
            data = FileHandle.standardInput.readDataToEndOfFile()
        }
        var reader = TranscriptReader()
        reader.repLabels.formUnion(rep.map { $0.lowercased() })
        reader.counterpartLabels.formUnion(counterpart.map { $0.lowercased() })
        let analyzer: TextAnalyzer
        let transcript: Transcript
        do {
            if let catalogue {
                guard let contents = FileManager.default.contents(atPath: catalogue) else { throw InputProblem("cannot read catalogue '\(catalogue)'") }
                analyzer = TextAnalyzer(catalogue: try UpsellCatalogue.load(from: contents))
            } else {
                analyzer = TextAnalyzer()
            }
            transcript = try reader.read(data, format: chosenFormat)
        } catch let error as DomainError {
            if case .validation(let field, let message) = error { throw InputProblem("\(field): \(message)") }
            throw InputProblem("\(error)")
        }

        guard ["embedded", "none"].contains(encoder) else { throw ValidationError("--encoder must be embedded or none") }
        var service: LocalSpeechService?
        var missing: String?
        if encoder == "embedded" {
            do { service = LocalSpeechService(command: try EmbeddedSentenceEncoder.locate()) } catch { missing = error.description }
        }
        defer { Task { [service] in await service?.stop() } }
        let understanding = TextUnderstanding(analyzer: analyzer, encoder: service.map(EmbeddedSentenceEncoder.init(service:)))
        var (vectors, path) = await understanding.encodings(transcript.segments.map(\.text))
        if let missing { path = "\(analyzer.withoutEncoder) (encoder unavailable: \(missing))" }

        let json = JSONEncoder()
        json.keyEncodingStrategy = .convertToSnakeCase
        json.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        if lines {
            let lineEncoder = JSONEncoder()
            lineEncoder.outputFormatting = json.outputFormatting
            for (index, segment) in transcript.segments.enumerated() {
                let report = LineReport(analyzer.analyze(segment: segment, encoding: vectors?[index]))
                print(String(decoding: try lineEncoder.encode(report), as: UTF8.self))
            }
            return
        }
        var analysis = analyzer.analyze(transcript, encodings: vectors, understanding: path)
        if !deterministic, let model = LanguageModelConfiguration.fromEnvironment() {
            analysis.summary = await SummaryWriter(model: model).summary(for: analysis, transcript: transcript)
        }
        print(String(decoding: try json.encode(analysis), as: UTF8.self))
    }
}
