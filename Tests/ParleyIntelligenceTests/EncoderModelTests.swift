import Foundation
import ParleyDomain
import Testing

@testable import ParleyIntelligence

/// The signal model over sentence vectors: it adds what the rules miss, names its words, reads
/// the customer's turns for objections and interest, and the analysis says which path decided.
/// Built on a hand-made model over two-dimensional vectors, so every decision has a known answer.
@Suite("Encoder model")
struct EncoderModelTests {
    /// Vector [1, 0] means "price objection, verbal interest, new site, positive"; [0, 1] means nothing.
    static func model() -> SignalModel {
        func head(_ labels: [String], hot: String) -> SignalModel.Head {
            let on = labels.map { $0 == hot ? 1.0 : 0 }
            let off = labels.map { $0 == "none" || ($0 == "neutral" && hot == "positive") ? 1.0 : 0 }
            return SignalModel.Head(labels: labels, bias: labels.map { _ in 0 }, weights: ["e:0": on, "e:1": off])
        }
        return SignalModel(
            version: 2, objections: head(["none"] + ObjectionType.allCases.map(\.rawValue), hot: "price"),
            sentiment: head(SentimentLabel.allCases.map(\.rawValue), hot: "positive"),
            interest: head(["none"] + InterestSignal.allCases.map(\.rawValue), hot: "verbal_interest"),
            upsells: head(["none", "new_site", "air_quality"], hot: "new_site"),
            objectionThreshold: 0.5, sentimentConfidence: 0.5, interestThreshold: 0.5, upsellThreshold: 0.5,
            encoder: "test-encoder", dimensions: 2, provenance: [:])
    }

    static let analyzer = TextAnalyzer(model: .shipped, encoderModel: model())
    static let on: [Float] = [1, 0]
    static let off: [Float] = [0, 1]

    func analyze(_ text: String, _ vector: [Float]?, as speaker: SpeakerRole = .counterpart) -> SegmentAnalysis {
        Self.analyzer.analyze(segment: TranscriptSegment(id: 3, speaker: speaker, text: text), encoding: vector)
    }

    /// What the rules find stays; the model adds what they missed and shows its probability.
    @Test func theModelAddsWhatTheRulesMissAndSaysWhere() throws {
        let text = "Okay. We are moving the whole team across town in the spring."
        let analysis = analyze(text, Self.on)
        let objection = try #require(analysis.objections.first { $0.type == .price })
        #expect(objection.rule.hasPrefix("model 1.00"))
        #expect(objection.evidence.phrase.contains("moving the whole team"))
        #expect(objection.evidence.segmentID == 3)
        let interest = try #require(analysis.interestSignals.first)
        #expect(interest.type == .verbalInterest)
        let upsell = try #require(analysis.upsells.first)
        #expect(upsell.type == "new_site")
        #expect(upsell.triggerPhrase.contains("moving the whole team"))
        #expect(upsell.estimatedValue > 0)

        // A vector that means nothing adds nothing; the rules' own findings are kept.
        #expect(analyze(text, Self.off).objections.isEmpty)
        #expect(analyze("Honestly that is way too expensive for us.", Self.off).objections.map(\.type) == [.price])
    }

    /// Objections and interest are the customer's: a rep's turn never carries them, whatever its
    /// vector. An upsell is the customer's need: the rep may voice it, but not the rep's own plans.
    @Test func theRepNeverVoicesObjectionsOrInterestOrTheirOwnPlans() {
        let own = analyze("I know budgets are tight and we are moving the team.", Self.on, as: .rep)
        #expect(own.objections.isEmpty)
        #expect(own.interestSignals.isEmpty)
        #expect(own.upsells.isEmpty)
        let customers = analyze("So you are moving the whole team to the new building?", Self.on, as: .rep)
        #expect(customers.upsells.map(\.type) == ["new_site"])
        #expect(customers.objections.isEmpty)
    }

    /// A vector of another size is not read: the term model answers.
    @Test func vectorsOfAnotherSizeAreNotRead() {
        let text = "We are moving the whole team across town."
        let odd = analyze(text, [1, 0, 0])
        let plain = TextAnalyzer().analyze(segment: TranscriptSegment(id: 3, speaker: .counterpart, text: text))
        #expect(odd.objections.map(\.type) == plain.objections.map(\.type))
        #expect(odd.upsells.map(\.type) == plain.upsells.map(\.type))
    }

    /// An organization's own upsell types are outside the model's labels: their triggers still decide.
    @Test func catalogueTypesTheModelDoesNotKnowStayWithTheirTriggers() {
        let catalogue = UpsellCatalogue(entries: [
            UpsellCatalogue.Entry(type: "water_softener", title: "Water softener", description: "Hard water.", estimatedValue: 1800, triggers: ["hard water"]),
        ])
        let analyzer = TextAnalyzer(catalogue: catalogue, encoderModel: Self.model())
        let quiet = analyzer.analyze(segment: TranscriptSegment(id: 1, speaker: .counterpart, text: "We have really hard water here."), encoding: Self.off)
        #expect(quiet.upsells.map(\.type) == ["water_softener"])
        // The model's new_site is not sold by this catalogue, so it is left out.
        let found = analyzer.analyze(segment: TranscriptSegment(id: 1, speaker: .counterpart, text: "We have really hard water here."), encoding: Self.on)
        #expect(found.upsells.map(\.type) == ["water_softener"])
    }

    /// The model's sentiment label wins at its gate, its score sits in the label's band and a driver says why.
    @Test func sentimentFromTheModelAgreesWithItsScore() {
        let analysis = analyze("The invoice arrived on Tuesday.", Self.on)
        #expect(analysis.sentiment.label == .positive)
        #expect(SentimentScorer.label(analysis.sentiment.score) == .positive)
        #expect(analysis.sentiment.drivers.first?.phrase.hasPrefix("model (positive)") == true)
    }

    /// A whole conversation says which path decided; vectors of the wrong count are not used.
    @Test func theAnalysisSaysWhichPathDecided() {
        let transcript = Transcript(segments: [
            TranscriptSegment(id: 0, speaker: .rep, text: "What do you think of the quote?"),
            TranscriptSegment(id: 1, speaker: .counterpart, text: "It is way too expensive."),
        ])
        #expect(Self.analyzer.analyze(transcript, encodings: [Self.off, Self.on]).understanding == "encoder")
        #expect(Self.analyzer.analyze(transcript, encodings: [Self.on]).understanding == "term-model")
        #expect(TextAnalyzer(model: nil, encoderModel: nil).analyze(transcript).understanding == "rules")
    }

    struct FailingEncoder: SentenceEncoder {
        var model = "test-encoder"
        func encode(_ texts: [String]) async throws -> [[Float]] { throw CancellationError() }
    }

    struct FixedEncoder: SentenceEncoder {
        var model = "test-encoder"
        func encode(_ texts: [String]) async throws -> [[Float]] { texts.map { $0.contains("moving") ? EncoderModelTests.on : EncoderModelTests.off } }
    }

    /// Without a working encoder of the model's kind the rules and the term model answer, and the analysis says why.
    @Test func theTermModelAnswersWhenTheEncoderCannot() async {
        let transcript = Transcript(segments: [TranscriptSegment(id: 0, speaker: .counterpart, text: "We are moving the whole team across town.")])
        let failed = await TextUnderstanding(analyzer: Self.analyzer, encoder: FailingEncoder()).analyze(transcript)
        #expect(failed.understanding.hasPrefix("term-model (encoder unavailable"))
        let other = await TextUnderstanding(analyzer: Self.analyzer, encoder: FixedEncoder(model: "another-model")).analyze(transcript)
        #expect(other.understanding.contains("the model reads test-encoder, the encoder is another-model"))
        let none = await TextUnderstanding(analyzer: Self.analyzer, encoder: nil).analyze(transcript)
        #expect(none.understanding == "term-model")
        let encoded = await TextUnderstanding(analyzer: Self.analyzer, encoder: FixedEncoder()).analyze(transcript)
        #expect(encoded.understanding == "encoder")
        #expect(encoded.objections.map(\.type) == [.price])
        #expect(failed.objections.isEmpty)
    }

    /// Thresholds are chosen on the selection lines: a threshold that finds the labelled objection wins.
    @Test func selectionChoosesThresholdsThatFindTheLabels() throws {
        let lines = """
        {"id": "s1", "speaker": "counterpart", "text": "We are moving the whole team.", "sentiment": "positive", "objections": ["price"], "interest_signals": ["verbal_interest"], "upsells": ["new_site"]}
        {"id": "s2", "speaker": "counterpart", "text": "The invoice came on Tuesday.", "sentiment": "neutral", "objections": [], "interest_signals": [], "upsells": []}
        """
        let items = try LabelledUtterance.load(jsonLines: Data(lines.utf8))
        var model = Self.model()
        model.objectionThreshold = 0.99
        model.interestThreshold = 0.99
        let chosen = SignalTrainer.select(model, on: items, encodings: [Self.on, Self.off])
        #expect(chosen.model.objectionThreshold < 0.7)
        #expect((chosen.model.interestThreshold ?? 1) < 0.7)
        #expect(chosen.report.count == 4)
    }

    /// The benchmark's floor: a keyword matcher with no negation, so "not expensive" is still a price objection.
    @Test func theKeywordBaselineIsNaive() {
        let prediction = KeywordBaseline.predict("Um, price is not expensive at all, how much is the demo?")
        #expect(prediction.objections == ["price"])
        #expect(prediction.interestSignals.contains("demo_interest") && prediction.interestSignals.contains("pricing_interest"))
        #expect(prediction.fillers == ["um"])
        #expect(prediction.question != nil)
    }
}
