import ArgumentParser
import Foundation
import ParleyDomain
import ParleyIntelligence
import ParleySpeech

/// `parley train-signals`: retrains the signal model (objections, sentiment, interest, upsells)
/// from the labelled fixtures and writes the weights the library ships; optionally
/// cross-validates first. With `--encoder embedded` the model also reads every line's sentence
/// vector and is written as the encoder model.
struct TrainSignalsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-signals",
        abstract: "Train the signal model from labelled utterances and write its weights (JSON).")

    @Option(help: "Folder holding the labelled JSON Lines files.")
    var fixtures = "Tests/ParleyIntelligenceTests/Fixtures"

    @Option(parsing: .upToNextOption, help: "Files to train on (never heldout.jsonl).")
    var files = ["tuning.jsonl", "training.jsonl"]

    @Option(help: "Where to write the weights (default: Resources/signal-model.json, or encoder-signal-model.json with --encoder embedded).")
    var output: String?

    @Option(help: "Sentence vectors as inputs: none (terms only) or embedded (the local all-MiniLM-L6-v2 service).")
    var encoder = "none"

    @Option(help: "A term must occur in at least this many utterances to get a weight.")
    var minCount = 2

    @Option(help: "What sentence-vector components are multiplied by as inputs (with --encoder embedded).")
    var vectorScale = 10.0

    @Option(parsing: .upToNextOption, help: "Selection files: the thresholds are chosen on them, after which they are trained on too. Never a set that is reported.")
    var select: [String] = []

    @Option(help: "Cross-validation folds to report before training (0 skips).")
    var folds = 5

    @Option(help: "Probability at which the model adds an objection the rules missed.")
    var threshold = 0.5

    @Option(help: "Print the cross-validation mistakes of this strategy (e.g. rules+model@0.4); never shows held-out lines.")
    var mistakes: String?

    @Option(help: "Training passes over the data.")
    var epochs = 15

    @Flag(help: "Six independent yes/no objection heads instead of one softmax over none + types.")
    var independent = false

    @Option(help: "L2 penalty per update (objection head).")
    var l2 = 0.002

    @Option(help: "L2 penalty per update of the sentiment head.")
    var sentimentL2 = 0.002

    @Option(help: "Probability at which the model's sentiment label replaces the lexicon's.")
    var sentimentConfidence = 0.7

    func run() async throws {
        guard !(files + select).contains(where: { $0.contains("heldout") || $0.contains("independent") }) else {
            throw ValidationError("heldout.jsonl and the independent sets are for measuring only; train on the tuning and training files.")
        }
        guard ["none", "embedded"].contains(encoder) else { throw ValidationError("--encoder must be none or embedded") }
        var items: [LabelledUtterance] = []
        var fresh = Set<String>()
        for file in files {
            let path = URL(fileURLWithPath: fixtures).appendingPathComponent(file).path
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ValidationError("cannot read \(path); run from the repository root or pass --fixtures")
            }
            let loaded = try LabelledUtterance.load(jsonLines: data)
            if file != "tuning.jsonl" { fresh.formUnion(loaded.map(\.id)) }
            items += loaded
            print("\(file): \(loaded.count) utterances")
        }
        let ids = Set(items.map(\.id))
        guard ids.count == items.count else {
            throw ValidationError("utterance ids repeat across the files; give every line its own id (cross-validation tells files apart by id)")
        }
        var trainer = SignalTrainer()
        trainer.objectionThreshold = threshold
        trainer.epochs = epochs
        trainer.minimumCount = minCount
        trainer.l2 = l2
        trainer.softmaxObjections = !independent
        trainer.sentimentL2 = sentimentL2
        trainer.sentimentConfidence = sentimentConfidence
        if folds > 1 {
            let thresholds = [0.3, 0.4, 0.5, 0.6, 0.7]
            let tuningIDs = ids.subtracting(fresh)
            for (title, only) in [("all files", nil as Set<String>?), ("files other than tuning.jsonl (the rules never saw them)", fresh), ("tuning.jsonl only", tuningIDs)] {
                if only?.isEmpty == true { continue }
                print("== \(folds)-fold cross-validation, scored on \(title)")
                print("strategy             objections P / R / F1       sentiment acc.")
                let rows = trainer.crossValidate(items, folds: folds, thresholds: thresholds, only: only)
                if let first = rows.first {
                    print("sentiment accuracy: lexicon " + String(format: "%.3f", first.sentimentAccuracy) + "; model when p >= "
                        + SignalTrainer.sentimentGates.map { String(format: "%.1f: %.3f", $0, Double(first.sentimentCorrectByGate[$0] ?? 0) / Double(max(1, first.utterances))) }.joined(separator: ", "))
                }
                for row in rows {
                    let m = row.objections
                    print(row.strategy.padding(toLength: 20, withPad: " ", startingAt: 0)
                        + String(format: " %.3f / %.3f / %.3f (tp %d)   %.3f", m.precision, m.recall, m.f1, m.truePositives, row.sentimentAccuracy))
                    if row.strategy == mistakes, only != nil {
                        let texts = Dictionary(items.map { ($0.id, $0.text) }, uniquingKeysWith: { a, _ in a })
                        for line in row.mistakes { print("   " + line + " | " + (texts[String(line.prefix { $0 != " " })] ?? "")) }
                    }
                }
            }
        }
        var service: LocalSpeechService?
        var sentenceEncoder: EmbeddedSentenceEncoder?
        if encoder == "embedded" {
            let local = LocalSpeechService(command: try EmbeddedSentenceEncoder.locate())
            service = local
            sentenceEncoder = EmbeddedSentenceEncoder(service: local)
            trainer.encoder = sentenceEncoder?.model
            trainer.vectorScale = vectorScale
        }
        defer { Task { [service] in await service?.stop() } }
        var provenance = ["files": files.joined(separator: ", "), "command": "parley train-signals --encoder \(encoder)"]
        let selection = try select.flatMap { file -> [LabelledUtterance] in
            let path = URL(fileURLWithPath: fixtures).appendingPathComponent(file).path
            guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("cannot read \(path)") }
            return try LabelledUtterance.load(jsonLines: data)
        }
        if !selection.isEmpty {
            // Thresholds from a model that never saw the selection lines; then they join the training.
            let vectors = try await sentenceEncoder?.encode(selection.map(\.text))
            let first = trainer.train(items, encodings: try await sentenceEncoder?.encode(items.map(\.text)), provenance: [:])
            let chosen = SignalTrainer.select(first, on: selection, encodings: vectors)
            print("== thresholds chosen on \(select.joined(separator: ", ")) (\(selection.count) lines)")
            for line in chosen.report { print(line) }
            trainer.objectionThreshold = chosen.model.objectionThreshold
            trainer.sentimentConfidence = chosen.model.sentimentConfidence
            trainer.interestThreshold = chosen.model.interestThreshold ?? trainer.interestThreshold
            trainer.upsellThreshold = chosen.model.upsellThreshold ?? trainer.upsellThreshold
            items += selection
            provenance["selection"] = select.joined(separator: ", ")
        }
        let model = trainer.train(items, encodings: try await sentenceEncoder?.encode(items.map(\.text)), provenance: provenance)
        let output = self.output ?? "Sources/ParleyIntelligence/Resources/" + (encoder == "embedded" ? "encoder-signal-model.json" : "signal-model.json")
        let json = JSONEncoder()
        json.outputFormatting = [.sortedKeys]
        let data = try json.encode(model)
        try FileManager.default.createDirectory(at: URL(fileURLWithPath: output).deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: URL(fileURLWithPath: output))
        print("wrote \(output): \(data.count / 1024) KB, \(model.objections.weights.count) objection and \(model.sentiment.weights.count) sentiment features")
        for (head, name) in [(model.objections, "objections"), (model.sentiment, "sentiment")] + [model.interest.map { ($0, "interest") }, model.upsells.map { ($0, "upsells") }].compactMap({ $0 }) {
            for (k, label) in head.labels.enumerated() {
                let top = head.weights.sorted { $0.value[k] != $1.value[k] ? $0.value[k] > $1.value[k] : $0.key < $1.key }.prefix(8)
                print("top \(name) \(label): " + top.map { "\($0.key) \(String(format: "%.2f", $0.value[k]))" }.joined(separator: ", "))
            }
        }
    }
}
