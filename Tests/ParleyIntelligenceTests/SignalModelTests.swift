import Foundation
import ParleyDomain
import Testing

@testable import ParleyIntelligence

/// The learned objection/sentiment layer: shipped, deterministic, explainable, never on the rep.
@Suite("Signal model")
struct SignalModelTests {
    static func fixture(_ name: String) throws -> [LabelledUtterance] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name).jsonl")
        return try LabelledUtterance.load(jsonLines: try Data(contentsOf: url))
    }

    @Test func shippedWeightsLoadAndStaySmall() throws {
        let model = try #require(SignalModel.shipped, "signal-model.json not found next to the test binary")
        #expect(model.objections.labels == ["none"] + ObjectionType.allCases.map(\.rawValue))
        #expect(model.sentiment.labels == SentimentLabel.allCases.map(\.rawValue))
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/ParleyIntelligence/Resources/signal-model.json")
        let size = try #require(try FileManager.default.attributesOfItem(atPath: source.path)[.size] as? Int)
        // Four heads over terms seen in at least four of ~4,900 lines (see docs/intelligence.md).
        #expect(size < 1_500_000)
    }

    @Test func trainingIsDeterministic() throws {
        let items = Array(try Self.fixture("training").prefix(120))
        var trainer = SignalTrainer()
        trainer.epochs = 5
        #expect(trainer.train(items) == trainer.train(items))
    }

    /// A paraphrase no phrase rule knows ("rich for our blood") is found by the model, which names its terms.
    @Test func modelFindingsNameTheirTerms() throws {
        let withModel = TextAnalyzer()
        #expect(withModel.model != nil)
        let text = "Frankly the monthly fee is too rich for our blood."
        let rulesOnly = TextAnalyzer(model: nil).analyze(segment: TranscriptSegment(id: 1, speaker: .counterpart, text: text))
        let analysis = withModel.analyze(segment: TranscriptSegment(id: 1, speaker: .counterpart, text: text))
        #expect(analysis.objections.map(\.type).contains(.price))
        for signal in analysis.objections where !rulesOnly.objections.map(\.type).contains(signal.type) {
            #expect(signal.rule.hasPrefix("model 0.") || signal.rule.hasPrefix("model 1."))
            #expect(!signal.evidence.phrase.isEmpty && text.contains(signal.evidence.phrase))
        }
    }

    @Test func theRepNeverVoicesObjections() {
        let analysis = TextAnalyzer().analyze(segment: TranscriptSegment(id: 1, speaker: .rep, text: "I know the price is high and budgets are tight."))
        #expect(analysis.objections.isEmpty)
    }

    /// When the model overrules the lexicon, the score moves into the label's band and a driver says why.
    @Test func sentimentScoreAgreesWithItsLabel() throws {
        for item in try Self.fixture("tuning").prefix(200) {
            let sentiment = TextAnalyzer().analyze(segment: TranscriptSegment(id: 1, speaker: item.speaker, text: item.text)).sentiment
            #expect(SentimentScorer.label(sentiment.score) == sentiment.label, "\(item.text): \(sentiment)")
        }
    }
}
