import Foundation
import ParleyDomain
import Testing

@testable import ParleyIntelligence

/// Precision and recall against the hand-labelled utterances in Fixtures/. The tuning split was
/// used to shape the rules; the held-out split was written before any evaluation and never used
/// for tuning, so its thresholds are the honest ones. Thresholds sit a little under the measured
/// values (see docs/intelligence.md for the table) so a regression fails without flakiness.
@Suite("Accuracy on labelled utterances")
struct AccuracyTests {
    static func load(_ split: String) throws -> Evaluation {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(split).jsonl")
        let data = try Data(contentsOf: url)
        return Evaluation(try LabelledUtterance.load(jsonLines: data))
    }

    /// Minimum (precision, recall) per category, micro-averaged.
    static let tuningFloor: [String: (Double, Double)] = [
        "fillers": (0.95, 0.95), "questions": (0.95, 0.95), "question_kind": (0.93, 0.93), "objections": (0.95, 0.95),
        "interest_signals": (0.93, 0.95), "upsells": (0.95, 0.95), "intents": (0.92, 0.92), "sentiment": (0.97, 0.97),
    ]
    /// Held-out floors are what the rules plus the learned signal model really achieve on unseen
    /// phrasing (measured, not aspired): objections and upsells generalise far worse than the
    /// tuning split suggests. The tuning split is also training data of the model (hence ~0.99).
    /// Held-out sentiment fell from 0.82 to 0.77 when the model was trained on eleven authors
    /// instead of two (the held-out lines are the first author's), while it rose on every
    /// independent set (see docs/intelligence.md); its floor follows the measurement.
    static let heldOutFloor: [String: (Double, Double)] = [
        "fillers": (0.90, 0.95), "questions": (0.95, 0.95), "question_kind": (0.90, 0.90), "sentiment": (0.75, 0.75),
        "objections": (0.76, 0.82), "interest_signals": (0.95, 0.70), "upsells": (0.95, 0.55), "intents": (0.82, 0.76),
    ]

    @Test func fixturesAreBigEnough() throws {
        let tuning = try Self.load("tuning")
        let heldOut = try Self.load("heldout")
        #expect(tuning.utterances + heldOut.utterances >= 300)
        #expect(heldOut.utterances >= 100)
    }

    @Test(arguments: ["tuning", "heldout"])
    func perCategoryPrecisionAndRecall(split: String) throws {
        let evaluation = try Self.load(split)
        let floors = split == "tuning" ? Self.tuningFloor : Self.heldOutFloor
        for (category, floor) in floors.sorted(by: { $0.key < $1.key }) {
            let row = try #require(evaluation.overall(category))
            #expect(row.precision >= floor.0, "\(split) \(category) precision \(row.precision) < \(floor.0)")
            #expect(row.recall >= floor.1, "\(split) \(category) recall \(row.recall) < \(floor.1)")
        }
    }
}
