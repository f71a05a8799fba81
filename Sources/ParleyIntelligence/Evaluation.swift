import Foundation
import ParleyDomain

/// One hand-labelled utterance: the truth the analyser is measured against.
public struct LabelledUtterance: Sendable, Codable, Hashable {
    public var id: String
    public var speaker: SpeakerRole
    public var text: String
    public var fillers: [String]
    public var question: QuestionKind?
    public var sentiment: SentimentLabel
    public var objections: [String]
    public var interestSignals: [String]
    public var upsells: [String]
    public var intents: [String]
    /// Categories the line does not label (its key is absent): they are not scored for it, so a
    /// set labelled for some categories only is not counted wrong on the others.
    public var unlabelled: Set<String> = []

    enum CodingKeys: String, CodingKey {
        case id, speaker, text, fillers, question, sentiment, objections, upsells, intents
        case interestSignals = "interest_signals"
    }

    /// Training lines may label only some categories: missing lists read as empty, a missing question as none.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        speaker = try c.decode(SpeakerRole.self, forKey: .speaker)
        text = try c.decode(String.self, forKey: .text)
        fillers = try c.decodeIfPresent([String].self, forKey: .fillers) ?? []
        question = try c.decodeIfPresent(QuestionKind.self, forKey: .question)
        sentiment = try c.decode(SentimentLabel.self, forKey: .sentiment)
        objections = try c.decodeIfPresent([String].self, forKey: .objections) ?? []
        interestSignals = try c.decodeIfPresent([String].self, forKey: .interestSignals) ?? []
        upsells = try c.decodeIfPresent([String].self, forKey: .upsells) ?? []
        intents = try c.decodeIfPresent([String].self, forKey: .intents) ?? []
        let absent: [(CodingKeys, [String])] = [
            (.fillers, ["fillers"]), (.question, ["questions", "question_kind"]), (.objections, ["objections"]),
            (.interestSignals, ["interest_signals"]), (.upsells, ["upsells"]), (.intents, ["intents"]),
        ]
        for (key, categories) in absent where !c.contains(key) { unlabelled.formUnion(categories) }
    }

    /// Reads JSON Lines; blank lines are skipped, a bad line is reported by number.
    public static func load(jsonLines data: Data) throws -> [LabelledUtterance] {
        let decoder = JSONDecoder()
        var result: [LabelledUtterance] = []
        for (number, line) in data.split(separator: UInt8(ascii: "\n")).enumerated() where !line.allSatisfy({ $0 == 32 }) {
            do {
                result.append(try decoder.decode(LabelledUtterance.self, from: Data(line)))
            } catch {
                throw DomainError.validation(field: "line \(number + 1)", message: "not a labelled utterance: \(error)")
            }
        }
        return result
    }
}

/// What a reader of one utterance decided, in the labels' terms.
public struct LinePrediction: Sendable, Hashable {
    public var fillers: [String]
    public var question: QuestionKind?
    public var sentiment: SentimentLabel
    public var objections: [String]
    public var interestSignals: [String]
    public var upsells: [String]
    public var intents: [String]

    public init(
        fillers: [String] = [], question: QuestionKind? = nil, sentiment: SentimentLabel = .neutral, objections: [String] = [],
        interestSignals: [String] = [], upsells: [String] = [], intents: [String] = []
    ) {
        self.fillers = fillers
        self.question = question
        self.sentiment = sentiment
        self.objections = objections
        self.interestSignals = interestSignals
        self.upsells = upsells
        self.intents = intents
    }

    /// The analyser's findings for one segment.
    public init(_ analysis: SegmentAnalysis) {
        self.init(
            fillers: analysis.fillers.map(\.word), question: analysis.question, sentiment: analysis.sentiment.label,
            objections: analysis.objections.map(\.type.rawValue), interestSignals: analysis.interestSignals.map(\.type.rawValue),
            upsells: analysis.upsells.map(\.type), intents: analysis.intents.map(\.type.rawValue))
    }
}

/// Precision, recall and F1 of one category (or one label of a category).
public struct CategoryMetrics: Sendable, Codable, Hashable {
    public var category: String
    public var label: String
    public var truePositives: Int
    public var falsePositives: Int
    public var falseNegatives: Int

    public var precision: Double { truePositives + falsePositives == 0 ? 1 : Double(truePositives) / Double(truePositives + falsePositives) }
    public var recall: Double { truePositives + falseNegatives == 0 ? 1 : Double(truePositives) / Double(truePositives + falseNegatives) }
    public var f1: Double { precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall) }
    public var support: Int { truePositives + falseNegatives }
}

/// A mismatch between the analyser and a label, for tuning and for the benchmark's `--errors`.
public struct EvaluationError: Sendable, Codable, Hashable {
    public var id: String
    public var category: String
    public var expected: [String]
    public var predicted: [String]
    public var text: String
}

/// Scores the analyser against labelled utterances, per category and per label.
public struct Evaluation: Sendable {
    /// Per-label rows plus one micro-averaged `all` row per category.
    public private(set) var metrics: [CategoryMetrics] = []
    public private(set) var errors: [EvaluationError] = []
    public private(set) var utterances = 0

    public static let categories = ["fillers", "questions", "question_kind", "sentiment", "objections", "interest_signals", "upsells", "intents"]

    /// Objection false alarms: utterances labelled without any objection where some was found, and how many such utterances there are.
    public private(set) var objectionFalseAlarms = (alarms: 0, utterances: 0)

    /// Share of utterances without an objection on which one was found (0 when there are none).
    public var objectionFalseAlarmRate: Double {
        objectionFalseAlarms.utterances == 0 ? 0 : Double(objectionFalseAlarms.alarms) / Double(objectionFalseAlarms.utterances)
    }

    /// Scores the analyser; `encodings` (one vector per utterance) let its encoder model decide.
    public init(_ labelled: [LabelledUtterance], analyzer: TextAnalyzer = TextAnalyzer(), encodings: [[Float]]? = nil) {
        let vectors = encodings?.count == labelled.count ? encodings : nil
        self.init(labelled, predictions: labelled.enumerated().map { index, item in
            LinePrediction(analyzer.analyze(segment: TranscriptSegment(id: 0, speaker: item.speaker, text: item.text), encoding: vectors?[index]))
        })
    }

    /// Scores predictions made by anything (the analyser, the keyword baseline), one per utterance.
    public init(_ labelled: [LabelledUtterance], predictions: [LinePrediction]) {
        var counts: [String: [String: (tp: Int, fp: Int, fn: Int)]] = [:]
        var unlabelled: Set<String> = []
        func add(_ category: String, id: String, text: String, expected: [String], predicted: [String]) {
            guard !unlabelled.contains(category) else { return }
            var remaining = predicted
            var missing: [String] = []
            for label in expected {
                if let index = remaining.firstIndex(of: label) {
                    remaining.remove(at: index)
                    counts[category, default: [:]][label, default: (0, 0, 0)].tp += 1
                } else {
                    missing.append(label)
                    counts[category, default: [:]][label, default: (0, 0, 0)].fn += 1
                }
            }
            for label in remaining { counts[category, default: [:]][label, default: (0, 0, 0)].fp += 1 }
            if !missing.isEmpty || !remaining.isEmpty {
                errors.append(EvaluationError(id: id, category: category, expected: expected.sorted(), predicted: predicted.sorted(), text: text))
            }
        }
        for (item, analysis) in zip(labelled, predictions) {
            unlabelled = item.unlabelled
            add("fillers", id: item.id, text: item.text, expected: item.fillers, predicted: analysis.fillers)
            add("questions", id: item.id, text: item.text, expected: item.question == nil ? [] : ["question"], predicted: analysis.question == nil ? [] : ["question"])
            if let truth = item.question, let predicted = analysis.question {
                add("question_kind", id: item.id, text: item.text, expected: [truth.rawValue], predicted: [predicted.rawValue])
            }
            add("sentiment", id: item.id, text: item.text, expected: [item.sentiment.rawValue], predicted: [analysis.sentiment.rawValue])
            add("objections", id: item.id, text: item.text, expected: item.objections, predicted: analysis.objections)
            if !unlabelled.contains("objections") && item.objections.isEmpty {
                objectionFalseAlarms.utterances += 1
                if !analysis.objections.isEmpty { objectionFalseAlarms.alarms += 1 }
            }
            add("interest_signals", id: item.id, text: item.text, expected: item.interestSignals, predicted: analysis.interestSignals)
            add("upsells", id: item.id, text: item.text, expected: item.upsells, predicted: analysis.upsells)
            add("intents", id: item.id, text: item.text, expected: item.intents, predicted: analysis.intents)
        }
        utterances = labelled.count
        for category in Evaluation.categories {
            let labels = counts[category] ?? [:]
            var total = CategoryMetrics(category: category, label: "all", truePositives: 0, falsePositives: 0, falseNegatives: 0)
            for (label, value) in labels.sorted(by: { $0.key < $1.key }) {
                metrics.append(CategoryMetrics(category: category, label: label, truePositives: value.tp, falsePositives: value.fp, falseNegatives: value.fn))
                total.truePositives += value.tp
                total.falsePositives += value.fp
                total.falseNegatives += value.fn
            }
            metrics.append(total)
        }
    }

    /// The micro-averaged row of a category.
    public func overall(_ category: String) -> CategoryMetrics? {
        metrics.first { $0.category == category && $0.label == "all" }
    }

    /// Macro-averaged F1 over a category's labels (used for sentiment, where every label matters).
    public func macroF1(_ category: String) -> Double {
        let rows = metrics.filter { $0.category == category && $0.label != "all" && $0.support > 0 }
        return rows.isEmpty ? 0 : rows.reduce(0) { $0 + $1.f1 } / Double(rows.count)
    }

    /// A plain-text table: category, label, support, precision, recall, F1.
    public func table(title: String) -> String {
        var lines = ["\(title) (\(utterances) utterances)", "category          label                  support  precision  recall     f1"]
        for row in metrics {
            let name = row.label == "all" ? "ALL (micro)" : row.label
            lines.append(
                row.category.padding(toLength: 18, withPad: " ", startingAt: 0) + name.padding(toLength: 22, withPad: " ", startingAt: 0)
                    + String(format: " %7d  %9.3f  %6.3f  %6.3f", row.support, row.precision, row.recall, row.f1))
        }
        lines.append(String(format: "sentiment macro-F1 %.3f", macroF1("sentiment")))
        return lines.joined(separator: "\n")
    }
}
