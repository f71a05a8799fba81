import Foundation
import ParleyDomain

/// Trains `SignalModel` from labelled utterances: logistic regression (one-vs-rest for
/// objections, softmax for sentiment) by AdaGrad over a fixed, seeded order, so the same data
/// and settings always give the same weights.
public struct SignalTrainer: Sendable {
    public var epochs = 15
    public var learningRate = 0.3
    public var l2 = 0.002
    /// A feature must occur in at least this many utterances to get a weight.
    public var minimumCount = 2
    public var objectionThreshold = 0.5
    /// The model overrules the lexicon's sentiment label only at this probability or above.
    public var sentimentConfidence = 0.7
    /// L2 penalty of the sentiment head (the objection head uses `l2`).
    public var sentimentL2 = 0.002
    /// Confidence gates the cross-validation reports for sentiment.
    public static let sentimentGates = [0.0, 0.5, 0.6, 0.7, 0.8, 0.9]
    public var seed: UInt64 = 0x5EED_0005
    /// One softmax over "none" and the six types instead of six independent yes/no heads.
    public var softmaxObjections = true
    /// Probability at which the model adds an interest signal / an upsell type the rules missed.
    public var interestThreshold = 0.5
    public var upsellThreshold = 0.5
    /// The encoder whose vectors the examples carry (`e:` features); nil trains on terms only.
    public var encoder: String?
    /// What vector components are multiplied by as inputs.
    public var vectorScale = SignalFeatures.encodingScale

    public init() {}

    /// One utterance ready for training: its features and truth.
    struct Example: Sendable {
        var id: String
        var speaker: SpeakerRole
        var features: [ModelFeature]
        var rules: Set<ObjectionType>
        var lexicon: SentimentLabel
        var objections: Set<String>
        var sentiment: String
        /// Nil when the line does not label the category.
        var interest: Set<String>?
        var upsells: Set<String>?
    }

    /// Features and truth per line; `encodings` (one vector per line) add the `e:` features.
    static func prepare(_ items: [LabelledUtterance], encodings: [[Float]]? = nil, scale: Double = SignalFeatures.encodingScale) -> [Example] {
        items.enumerated().map { index, item in
            let text = SegmentText(TranscriptSegment(id: 0, speaker: item.speaker, text: item.text))
            let inputs = TextAnalyzer.modelInputs(text, encoding: encodings?[index], scale: scale)
            return Example(
                id: item.id, speaker: item.speaker, features: inputs.features, rules: Set(inputs.rules.map(\.type)),
                lexicon: inputs.lexicon.label, objections: Set(item.objections), sentiment: item.sentiment.rawValue,
                interest: item.unlabelled.contains("interest_signals") ? nil : Set(item.interestSignals),
                upsells: item.unlabelled.contains("upsells") ? nil : Set(item.upsells))
        }
    }

    /// Trains on every utterance given (with its sentence vector when `encodings` are given).
    public func train(_ items: [LabelledUtterance], encodings: [[Float]]? = nil, provenance: [String: String] = [:]) -> SignalModel {
        train(examples: Self.prepare(items, encodings: encodings, scale: vectorScale), provenance: provenance)
    }

    /// The gradient of a softmax over "none" and types, where several true types share the target.
    static func sharedTargetGradient(_ z: [Double], labels: [String], truth: Set<String>) -> [Double] {
        let names = truth.isEmpty ? ["none"] : truth
        let top = z.max() ?? 0
        let exps = z.map { exp($0 - top) }
        let sum = exps.reduce(0, +)
        return exps.enumerated().map { k, value in value / sum - (names.contains(labels[k]) ? 1 / Double(names.count) : 0) }
    }

    func train(examples: [Example], provenance: [String: String]) -> SignalModel {
        var counts: [String: Int] = [:]
        for example in examples {
            for name in Set(example.features.map(\.name)) { counts[name, default: 0] += 1 }
        }
        let vocabulary = counts.filter { $0.value >= minimumCount }.keys.sorted()
        let index = Dictionary(uniqueKeysWithValues: vocabulary.enumerated().map { ($0.element, $0.offset) })
        let objectionLabels = (softmaxObjections ? ["none"] : []) + ObjectionType.allCases.map(\.rawValue)
        let sentimentLabels = SentimentLabel.allCases.map(\.rawValue)
        let interestLabels = ["none"] + InterestSignal.allCases.map(\.rawValue)
        let upsellLabels = ["none"] + UpsellCatalogue.standard.entries.map(\.type)
        var objectionHead = Dense(features: vocabulary.count, labels: objectionLabels.count)
        var sentimentHead = Dense(features: vocabulary.count, labels: sentimentLabels.count)
        var interestHead = Dense(features: vocabulary.count, labels: interestLabels.count)
        var upsellHead = Dense(features: vocabulary.count, labels: upsellLabels.count)

        var order = Array(examples.indices)
        var random = SplitMix(seed: seed)
        for _ in 0..<epochs {
            for i in stride(from: order.count - 1, to: 0, by: -1) {
                order.swapAt(i, Int(random.next() % UInt64(i + 1)))
            }
            for e in order {
                let example = examples[e]
                let active = example.features.compactMap { feature in index[feature.name].map { ($0, feature.value) } }
                if example.speaker != .rep {
                    let z = objectionHead.logits(active)
                    let gradient: [Double]
                    if softmaxObjections {
                        // Types compete with each other and with "none"; several types share the target.
                        gradient = Self.sharedTargetGradient(z, labels: objectionLabels, truth: example.objections)
                    } else {
                        gradient = z.enumerated().map { k, logit in 1 / (1 + exp(-logit)) - (example.objections.contains(objectionLabels[k]) ? 1 : 0) }
                    }
                    objectionHead.step(active, gradient: gradient, rate: learningRate, l2: l2)
                    if let interest = example.interest {
                        let gradient = Self.sharedTargetGradient(interestHead.logits(active), labels: interestLabels, truth: interest)
                        interestHead.step(active, gradient: gradient, rate: learningRate, l2: l2)
                    }
                }
                if let upsells = example.upsells {
                    let gradient = Self.sharedTargetGradient(upsellHead.logits(active), labels: upsellLabels, truth: upsells)
                    upsellHead.step(active, gradient: gradient, rate: learningRate, l2: l2)
                }
                let z = sentimentHead.logits(active)
                let top = z.max() ?? 0
                let exps = z.map { exp($0 - top) }
                let sum = exps.reduce(0, +)
                let gradient = exps.enumerated().map { k, value in value / sum - (sentimentLabels[k] == example.sentiment ? 1 : 0) }
                sentimentHead.step(active, gradient: gradient, rate: learningRate, l2: sentimentL2)
            }
        }
        var settings = provenance
        settings["settings"] = "epochs \(epochs), rate \(learningRate), l2 \(l2), sentiment l2 \(sentimentL2), min count \(minimumCount), seed \(seed), softmax objections \(softmaxObjections), vector scale \(vectorScale)"
        settings["utterances"] = String(examples.count)
        let dimensions = examples.first.map { $0.features.filter { $0.name.hasPrefix("e:") }.count } ?? 0
        return SignalModel(
            version: 2, objections: objectionHead.head(labels: objectionLabels, vocabulary: vocabulary),
            sentiment: sentimentHead.head(labels: sentimentLabels, vocabulary: vocabulary),
            interest: interestHead.head(labels: interestLabels, vocabulary: vocabulary),
            upsells: upsellHead.head(labels: upsellLabels, vocabulary: vocabulary),
            objectionThreshold: objectionThreshold, sentimentConfidence: sentimentConfidence,
            interestThreshold: interestThreshold, upsellThreshold: upsellThreshold,
            encoder: dimensions > 0 ? encoder : nil, dimensions: dimensions > 0 ? dimensions : nil,
            vectorScale: dimensions > 0 ? vectorScale : nil, provenance: settings)
    }

    /// The thresholds of `model` chosen on a selection set (never a set that is reported): for
    /// objections, interest and upsells the best micro F1, objections only among thresholds whose
    /// false alarms stay within `maxFalseAlarms` of the lines without one; for sentiment the gate
    /// with the best macro F1. Returns the model with them and a line per choice.
    public static func select(
        _ model: SignalModel, on items: [LabelledUtterance], encodings: [[Float]]? = nil, maxFalseAlarms: Double = 0.05
    ) -> (model: SignalModel, report: [String]) {
        var chosen = model
        var report: [String] = []
        let usesVectors = model.encoder != nil
        func evaluate(_ candidate: SignalModel) -> Evaluation {
            let analyzer = usesVectors ? TextAnalyzer(model: nil, encoderModel: candidate) : TextAnalyzer(model: candidate, encoderModel: nil)
            return Evaluation(items, analyzer: analyzer, encodings: usesVectors ? encodings : nil)
        }
        let thresholds = stride(from: 0.2, through: 0.9, by: 0.05).map { ($0 * 100).rounded() / 100 }
        let choices: [(String, WritableKeyPath<SignalModel, Double?>)] = [("interest_signals", \.interestThreshold), ("upsells", \.upsellThreshold)]
        // Thresholds within the false-alarm limit first, the best F1 among them; if none is, the fewest alarms.
        var best: (rank: (Int, Double), f1: Double, threshold: Double, alarms: Double)?
        for threshold in thresholds {
            var candidate = chosen
            candidate.objectionThreshold = threshold
            let evaluation = evaluate(candidate)
            let f1 = evaluation.overall("objections")?.f1 ?? 0
            let alarms = evaluation.objectionFalseAlarmRate
            let rank = alarms <= maxFalseAlarms ? (1, f1) : (0, -alarms)
            if best == nil || rank > best!.rank { best = (rank, f1, threshold, alarms) }
        }
        if let best {
            chosen.objectionThreshold = best.threshold
            report.append(String(format: "objections: threshold %.2f, selection F1 %.3f, false alarms %.1f%%", best.threshold, best.f1, best.alarms * 100))
        }
        for (category, path) in choices {
            var top: (f1: Double, threshold: Double)?
            for threshold in thresholds {
                var candidate = chosen
                candidate[keyPath: path] = threshold
                let f1 = evaluate(candidate).overall(category)?.f1 ?? 0
                if top == nil || f1 > top!.f1 { top = (f1, threshold) }
            }
            if let top {
                chosen[keyPath: path] = top.threshold
                report.append(String(format: "%@: threshold %.2f, selection F1 %.3f", category, top.threshold, top.f1))
            }
        }
        var gate: (f1: Double, confidence: Double)?
        for confidence in [0.0] + thresholds {
            var candidate = chosen
            candidate.sentimentConfidence = confidence
            let f1 = evaluate(candidate).macroF1("sentiment")
            if gate == nil || f1 > gate!.f1 { gate = (f1, confidence) }
        }
        if let gate {
            chosen.sentimentConfidence = gate.confidence
            report.append(String(format: "sentiment: the model overrules the lexicon at p >= %.2f, selection macro-F1 %.3f", gate.confidence, gate.f1))
        }
        return (chosen, report)
    }

    /// Micro P/R/F1 of objections and accuracy of sentiment for one way of combining rules and model.
    public struct Score: Sendable, Hashable {
        public var strategy: String
        public var truePositives = 0
        public var falsePositives = 0
        public var falseNegatives = 0
        public var sentimentCorrect = 0
        public var utterances = 0
        /// Sentiment accuracy when the model overrules the lexicon only at each confidence gate.
        public var sentimentCorrectByGate: [Double: Int] = [:]
        /// Utterances this strategy got wrong: id, expected, predicted.
        public var mistakes: [String] = []

        public var objections: CategoryMetrics {
            CategoryMetrics(category: "objections", label: strategy, truePositives: truePositives, falsePositives: falsePositives, falseNegatives: falseNegatives)
        }
        public var sentimentAccuracy: Double { utterances == 0 ? 0 : Double(sentimentCorrect) / Double(utterances) }
    }

    /// K-fold cross-validation: every utterance is scored by a model that never saw it. Rows:
    /// rules alone, the model alone and rules ∪ model at each threshold. `only` restricts
    /// scoring to some ids (e.g. the utterances the rules were never tuned on).
    public func crossValidate(_ items: [LabelledUtterance], folds: Int, thresholds: [Double], only: Set<String>? = nil) -> [Score] {
        let examples = Self.prepare(items)
        var rows: [String: Score] = [:]
        let names = ["rules"] + thresholds.flatMap { ["model@\($0)", "rules+model@\($0)"] }
        for name in names { rows[name] = Score(strategy: name) }
        for fold in 0..<max(2, folds) {
            let training = examples.indices.filter { $0 % folds != fold }.map { examples[$0] }
            let model = train(examples: training, provenance: [:])
            for example in examples.indices.filter({ $0 % folds == fold }).map({ examples[$0] }) {
                if let only, !only.contains(example.id) { continue }
                let probabilities = example.speaker == .rep ? [] : model.objectionProbabilities(example.features)
                let sentimentProbabilities = model.sentimentProbabilities(example.features)
                let sentiment = sentimentProbabilities.max { $0.value < $1.value }
                for name in names {
                    var predicted: Set<String>
                    if name == "rules" {
                        predicted = Set(example.rules.map(\.rawValue))
                    } else {
                        let threshold = Double(name.split(separator: "@")[1]) ?? 0.5
                        predicted = Set(probabilities.filter { $0.probability >= threshold }.map(\.type.rawValue))
                        if name.hasPrefix("rules+") { predicted.formUnion(example.rules.map(\.rawValue)) }
                    }
                    if predicted != example.objections {
                        rows[name]!.mistakes.append("\(example.id) objections expected \(example.objections.sorted()) got \(predicted.sorted())")
                    }
                    rows[name]!.truePositives += predicted.intersection(example.objections).count
                    rows[name]!.falsePositives += predicted.subtracting(example.objections).count
                    rows[name]!.falseNegatives += example.objections.subtracting(predicted).count
                    let label = name == "rules" ? example.lexicon.rawValue : sentiment?.key.rawValue
                    rows[name]!.sentimentCorrect += label == example.sentiment ? 1 : 0
                    for gate in Self.sentimentGates {
                        let gated = (sentiment?.value ?? 0) >= gate ? sentiment?.key ?? example.lexicon : example.lexicon
                        rows[name]!.sentimentCorrectByGate[gate, default: 0] += gated.rawValue == example.sentiment ? 1 : 0
                    }
                    rows[name]!.utterances += 1
                }
            }
        }
        return names.compactMap { rows[$0] }
    }
}

/// Dense weights and AdaGrad accumulators during training.
private struct Dense {
    var weights: [Double]
    var squares: [Double]
    var bias: [Double]
    var biasSquares: [Double]
    let labels: Int

    init(features: Int, labels: Int) {
        self.labels = labels
        weights = Array(repeating: 0, count: features * labels)
        squares = Array(repeating: 1e-8, count: features * labels)
        bias = Array(repeating: 0, count: labels)
        biasSquares = Array(repeating: 1e-8, count: labels)
    }

    func logits(_ active: [(Int, Double)]) -> [Double] {
        var z = bias
        for (f, x) in active {
            for k in 0..<labels { z[k] += weights[f * labels + k] * x }
        }
        return z
    }

    mutating func step(_ active: [(Int, Double)], gradient: [Double], rate: Double, l2: Double) {
        for k in 0..<labels {
            biasSquares[k] += gradient[k] * gradient[k]
            bias[k] -= rate * gradient[k] / biasSquares[k].squareRoot()
        }
        for (f, x) in active {
            for k in 0..<labels {
                let i = f * labels + k
                let g = gradient[k] * x + l2 * weights[i]
                squares[i] += g * g
                weights[i] -= rate * g / squares[i].squareRoot()
            }
        }
    }

    /// Sparse, rounded weights: features whose weights all round to zero are dropped.
    func head(labels names: [String], vocabulary: [String]) -> SignalModel.Head {
        var sparse: [String: [Double]] = [:]
        for (f, name) in vocabulary.enumerated() {
            let row = (0..<labels).map { (weights[f * labels + $0] * 1000).rounded() / 1000 }
            if row.contains(where: { abs($0) >= 0.02 }) { sparse[name] = row }
        }
        return SignalModel.Head(labels: names, bias: bias.map { ($0 * 1000).rounded() / 1000 }, weights: sparse)
    }
}

/// A small deterministic random generator (SplitMix64) for the training order.
private struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
