import Foundation
import ParleyDomain

/// One input of the learned signal model: a named term feature with its value and the terms it came from.
struct ModelFeature: Sendable, Hashable {
    var name: String
    var value: Double
    /// Term range in the segment, for evidence; empty for whole-utterance features.
    var start: Int
    var end: Int
}

/// Learned weights that decide objection types and the sentiment label of an utterance, on
/// top of the phrase rules. Linear models over normalised terms (unigrams, bigrams, negated
/// terms) plus the rule outputs as inputs, so every decision can name the terms that moved it.
/// Trained by `parley train-signals`; shipped as `Resources/signal-model.json`.
public struct SignalModel: Sendable, Codable, Hashable {
    /// One linear head: a bias and a weight per label for every feature it knows.
    public struct Head: Sendable, Codable, Hashable {
        public var labels: [String]
        public var bias: [Double]
        public var weights: [String: [Double]]

        /// Raw scores (logits) per label.
        func logits(_ features: [ModelFeature]) -> [Double] {
            var result = bias
            for feature in features {
                guard let row = weights[feature.name] else { continue }
                for k in result.indices { result[k] += row[k] * feature.value }
            }
            return result
        }

        /// The features that pushed label `k` up the most, strongest first.
        func strongest(_ features: [ModelFeature], label k: Int, limit: Int) -> [(feature: ModelFeature, contribution: Double)] {
            var seen = Set<String>()
            return features.compactMap { feature -> (ModelFeature, Double)? in
                guard let row = weights[feature.name], seen.insert(feature.name).inserted else { return nil }
                let contribution = row[k] * feature.value
                return contribution > 0 ? (feature, contribution) : nil
            }
            .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0.name < $1.0.name }
            .prefix(limit).map { ($0.0, $0.1) }
        }
    }

    public var version: Int
    /// One-vs-rest logistic heads, one per objection type (read only from non-rep speakers).
    public var objections: Head
    /// A three-way softmax over positive / neutral / negative.
    public var sentiment: Head
    /// Probability at which the model adds an objection type the rules did not find.
    public var objectionThreshold: Double
    /// How the weights were made (files, sizes, settings), for the curious reader.
    public var provenance: [String: String]

    enum CodingKeys: String, CodingKey {
        case version, objections, sentiment, provenance
        case objectionThreshold = "objection_threshold"
    }

    /// The weights shipped with the library, or nil when the resource cannot be found (rules only).
    public static let shipped: SignalModel? = {
        for url in resourceCandidates() {
            if let data = FileManager.default.contents(atPath: url.path), let model = try? JSONDecoder().decode(SignalModel.self, from: data) {
                return model
            }
        }
        return nil
    }()

    /// Where SwiftPM puts the resource bundle next to the executable (or test binary); an
    /// explicit `PARLEY_SIGNAL_MODEL` path wins. Looked up by hand rather than through
    /// `Bundle.module`, which stops the process when the bundle is missing.
    static func resourceCandidates() -> [URL] {
        var result: [URL] = []
        if let path = ProcessInfo.processInfo.environment["PARLEY_SIGNAL_MODEL"], !path.isEmpty { result.append(URL(fileURLWithPath: path)) }
        var folders = [Bundle.main.bundleURL]
        if let resources = Bundle.main.resourceURL { folders.append(resources) }
        if let executable = Bundle.main.executableURL { folders.append(executable.deletingLastPathComponent()) }
        for folder in folders {
            result.append(folder.appendingPathComponent("parley_ParleyIntelligence.resources/signal-model.json"))
            result.append(folder.appendingPathComponent("parley_ParleyIntelligence.bundle/Contents/Resources/signal-model.json"))
            result.append(folder.appendingPathComponent("parley_ParleyIntelligence.bundle/signal-model.json"))
        }
        return result
    }

    /// Objection types the model finds with their probability, strongest first.
    func objectionProbabilities(_ features: [ModelFeature]) -> [(type: ObjectionType, probability: Double)] {
        let logits = objections.logits(features)
        return zip(objections.labels, logits).compactMap { label, logit in
            ObjectionType(rawValue: label).map { ($0, 1 / (1 + exp(-logit))) }
        }
        .sorted { $0.probability > $1.probability }
    }

    /// Probabilities per sentiment label.
    func sentimentProbabilities(_ features: [ModelFeature]) -> [SentimentLabel: Double] {
        let logits = sentiment.logits(features)
        let top = logits.max() ?? 0
        let exps = logits.map { exp($0 - top) }
        let sum = exps.reduce(0, +)
        var result: [SentimentLabel: Double] = [:]
        for (label, value) in zip(sentiment.labels, exps) {
            if let key = SentimentLabel(rawValue: label) { result[key] = value / sum }
        }
        return result
    }

    /// Adds the objection types the model is confident about to the rule findings; the `rule`
    /// names the terms that weighed most ("model: too expensive, budget").
    func objections(
        _ features: [ModelFeature], text: SegmentText, rules: [Signal<ObjectionType>]
    ) -> [Signal<ObjectionType>] {
        guard text.speaker != .rep else { return rules }
        var result = rules
        let found = Set(rules.map(\.type))
        for (type, probability) in objectionProbabilities(features) where probability >= objectionThreshold && !found.contains(type) {
            guard let k = objections.labels.firstIndex(of: type.rawValue) else { continue }
            let top = objections.strongest(features, label: k, limit: 3)
            guard let lead = top.first(where: { $0.feature.end > $0.feature.start }) else { continue }
            result.append(
                Signal(
                    type: type, speaker: text.speaker, rule: "model: " + top.map { Self.display($0.feature.name) }.joined(separator: ", "),
                    evidence: text.evidence(terms: lead.feature.start, lead.feature.end)))
        }
        return result
    }

    /// The model's label decides; the lexicon score is kept when it agrees and otherwise moved
    /// just inside the band of the model's label, with a driver naming the terms that decided.
    func sentiment(_ features: [ModelFeature], text: SegmentText, lexicon: Sentiment) -> Sentiment {
        let probabilities = sentimentProbabilities(features)
        guard let label = probabilities.max(by: { $0.value != $1.value ? $0.value < $1.value : $0.key.rawValue > $1.key.rawValue })?.key,
            label != lexicon.label
        else { return lexicon }
        let t = SentimentScorer.threshold
        let spread = (probabilities[.positive] ?? 0) - (probabilities[.negative] ?? 0)
        let score: Double
        switch label {
        case .positive: score = max(spread, t)
        case .negative: score = min(spread, -t)
        case .neutral: score = min(max(spread, -t + 0.001), t - 0.001)
        }
        var drivers = lexicon.drivers
        if let k = sentiment.labels.firstIndex(of: label.rawValue) {
            let top = sentiment.strongest(features, label: k, limit: 3)
            if !top.isEmpty {
                let phrase = "model (\(label.rawValue)): " + top.map { Self.display($0.feature.name) }.joined(separator: ", ")
                drivers.insert(SentimentDriver(phrase: phrase, weight: rounded(score - lexicon.score)), at: 0)
            }
        }
        return Sentiment(score: rounded(score, places: 3), label: label, drivers: drivers)
    }

    /// A feature name as a reader would say it: "b:too_expensive" → "too expensive", "n:need" → "not … need".
    static func display(_ name: String) -> String {
        let body = String(name.dropFirst(2))
        switch name.prefix(2) {
        case "w:": return body
        case "b:": return body.replacingOccurrences(of: "_", with: " ")
        case "n:": return "not … " + body
        case "r:": return "rule " + body
        case "l:": return "lexicon " + body
        default: return name
        }
    }
}

/// Turns a segment into model features. The same code serves training and analysis, so the
/// two can never drift apart.
enum SignalFeatures {
    /// Words too common to carry a signal alone (they still appear inside bigrams).
    static let stopWords: Set<String> = ["the", "a", "an", "and", "of", "to", "is", "it", "that", "this", "for", "in", "on", "at", "be", "are", "was", "i", "we", "you"]

    static func extract(_ text: SegmentText, rules: [Signal<ObjectionType>], lexicon: Sentiment, asked: Bool) -> [ModelFeature] {
        let terms = text.terms
        var result: [ModelFeature] = []
        result.reserveCapacity(terms.count * 2 + 8)
        var negatedUntilBoundary = 0
        var previous: Int?
        for i in terms.indices {
            let term = terms[i]
            if term.isPunctuation {
                negatedUntilBoundary = 0
                previous = nil
                continue
            }
            let word = term.text
            if word == "but" { negatedUntilBoundary = 0 }
            let negated = negatedUntilBoundary > 0
            if Negation.negators.contains(word) {
                negatedUntilBoundary = 3
            } else if negated {
                negatedUntilBoundary -= 1
            }
            if negated && !Negation.negators.contains(word) {
                result.append(ModelFeature(name: "n:" + word, value: 1, start: i, end: i + 1))
            } else if !stopWords.contains(word) {
                result.append(ModelFeature(name: "w:" + word, value: 1, start: i, end: i + 1))
            }
            if let p = previous {
                result.append(ModelFeature(name: "b:" + terms[p].text + "_" + word, value: 1, start: p, end: i + 1))
            }
            previous = i
        }
        for rule in rules {
            result.append(ModelFeature(name: "r:" + rule.type.rawValue, value: 1, start: 0, end: 0))
        }
        result.append(ModelFeature(name: "l:score", value: lexicon.score * 3, start: 0, end: 0))
        result.append(ModelFeature(name: "l:" + lexicon.label.rawValue, value: 1, start: 0, end: 0))
        if asked { result.append(ModelFeature(name: "q:asked", value: 1, start: 0, end: 0)) }
        result.append(ModelFeature(name: "s:" + text.speaker.rawValue, value: 1, start: 0, end: 0))
        return result
    }
}
