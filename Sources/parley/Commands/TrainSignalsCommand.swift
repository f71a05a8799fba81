import ArgumentParser
import Foundation
import ParleyIntelligence

/// `parley train-signals`: retrains the objection and sentiment model from the labelled
/// fixtures and writes the weights the library ships; optionally cross-validates first.
struct TrainSignalsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-signals",
        abstract: "Train the objection/sentiment model from labelled utterances and write its weights (JSON).")

    @Option(help: "Folder holding the labelled JSON Lines files.")
    var fixtures = "Tests/ParleyIntelligenceTests/Fixtures"

    @Option(parsing: .upToNextOption, help: "Files to train on (never heldout.jsonl).")
    var files = ["tuning.jsonl", "training.jsonl"]

    @Option(help: "Where to write the weights.")
    var output = "Sources/ParleyIntelligence/Resources/signal-model.json"

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

    func run() throws {
        guard !files.contains(where: { $0.contains("heldout") }) else {
            throw ValidationError("heldout.jsonl is for measuring only; train on the tuning and training files.")
        }
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
        let model = trainer.train(items, provenance: ["files": files.joined(separator: ", "), "command": "parley train-signals"])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(model)
        try FileManager.default.createDirectory(at: URL(fileURLWithPath: output).deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: URL(fileURLWithPath: output))
        print("wrote \(output): \(data.count / 1024) KB, \(model.objections.weights.count) objection and \(model.sentiment.weights.count) sentiment features")
        for (head, name) in [(model.objections, "objections"), (model.sentiment, "sentiment")] {
            for (k, label) in head.labels.enumerated() {
                let top = head.weights.sorted { $0.value[k] != $1.value[k] ? $0.value[k] > $1.value[k] : $0.key < $1.key }.prefix(8)
                print("top \(name) \(label): " + top.map { "\($0.key) \(String(format: "%.2f", $0.value[k]))" }.joined(separator: ", "))
            }
        }
    }
}
