import Foundation
import ParleyDomain

/// Counts and mentions that describe a text before any judgement.
public struct TextBasics: Sendable, Codable, Hashable {
    public var segmentCount: Int
    /// Speaker turns: consecutive segments of one speaker count once.
    public var turnCount: Int
    public var wordCount: Int
    public var sentenceCount: Int
    public var averageWordsPerSentence: Double
    public var contractionCount: Int
    public var numbers: [NumberMention]
    /// First start to last end, when segments carry times.
    public var durationSeconds: Double?
    public var wordsBySpeaker: [String: Int]
}

/// A number said in the conversation ("fifteen years", "$35,000", "3").
public struct NumberMention: Sendable, Codable, Hashable {
    public var value: Double
    public var evidence: Evidence
}

/// Everything found in one segment.
public struct SegmentAnalysis: Sendable, Codable, Hashable {
    public var segmentID: Int
    public var speaker: SpeakerRole
    public var text: String
    public var start: Double?
    public var end: Double?
    public var wordCount: Int
    public var fillers: [FillerOccurrence]
    /// `open` when any question in the segment is open, `closed` when all are closed, nil when none.
    public var question: QuestionKind?
    public var questions: [Question]
    public var sentiment: Sentiment
    public var tones: [ToneFinding]
    public var intents: [Signal<Intent>]
    public var objections: [Signal<ObjectionType>]
    public var interestSignals: [Signal<InterestSignal>]
    public var upsells: [UpsellOpportunity]
    public var grammarErrors: [GrammarIssue]
    public var state: ConversationState?
}

/// The full, explainable analysis of one conversation.
public struct TextAnalysis: Sendable, Codable, Hashable {
    public var basics: TextBasics
    public var segments: [SegmentAnalysis]
    public var fluency: FluencyReport
    /// Fluency of the rep's speech only (what speech coaching scores), when the rep is known.
    public var repFluency: FluencyReport?
    public var questions: QuestionReport
    public var sentiment: Sentiment
    public var sentimentBySpeaker: [String: Sentiment]
    /// Share of segments per label (0…1).
    public var sentimentDistribution: [String: Double]
    /// How many segments carry each tone.
    public var tones: [String: Int]
    public var intents: [String: Int]
    public var conversationState: ConversationState?
    public var objections: [Signal<ObjectionType>]
    public var interestSignals: [Signal<InterestSignal>]
    public var dynamics: TalkDynamics
    public var keyPhrases: [KeyPhrase]
    public var topics: [Topic]
    public var upsells: [UpsellOpportunity]
    public var coachingMoments: [CoachingMoment]
    public var summary: Summary
    public var actionItems: [ActionItem]
    public var scores: ConversationScores
    public var keywords: Keywords
    /// Which path decided objections, interest, upsells and sentiment: `encoder` (the phrase rules
    /// plus the model over terms and sentence vectors), `term-model` (the rules plus the model over
    /// terms) or `rules`; with the reason when the encoder was wanted but could not run.
    public var understanding: String = "rules"
}

/// The deterministic analyser: one value, no shared state, safe to use from any task.
public struct TextAnalyzer: Sendable {
    public var catalogue: UpsellCatalogue
    /// Learned weights that add objections the rules miss and decide sentiment labels; nil = rules only.
    public var model: SignalModel?
    /// The same kind of model over terms and sentence vectors; used for the turns that come with a vector.
    public var encoderModel: SignalModel?
    private let upsells: UpsellDetector

    public init(catalogue: UpsellCatalogue = .standard, model: SignalModel? = .shipped, encoderModel: SignalModel? = .shippedWithEncoder) {
        self.catalogue = catalogue
        self.model = model
        self.encoderModel = encoderModel
        self.upsells = UpsellDetector(catalogue: catalogue)
    }

    /// The path that decides when turns come without vectors (`term-model` or `rules`).
    public var withoutEncoder: String { model == nil ? "rules" : "term-model" }

    /// What the learned model reads: rule objections, the lexicon sentiment and the term features.
    static func modelInputs(
        _ text: SegmentText, questions: [Question]? = nil, encoding: [Float]? = nil, scale: Double? = nil
    ) -> (rules: [Signal<ObjectionType>], lexicon: Sentiment, features: [ModelFeature]) {
        let rules = SignalRules.objections(in: text)
        let lexicon = SentimentScorer.score(text, objections: rules)
        let asked = !(questions ?? Questions.find(in: text)).isEmpty
        return (rules, lexicon, SignalFeatures.extract(
            text, rules: rules, lexicon: lexicon, asked: asked, encoding: encoding, scale: scale ?? SignalFeatures.encodingScale))
    }

    /// The model for a turn and the vector it reads: the encoder model when the turn has a vector of its size.
    func decider(for encoding: [Float]?) -> (model: SignalModel, encoding: [Float]?)? {
        if let encoderModel, let encoding, encoding.count == encoderModel.dimensions { return (encoderModel, encoding) }
        return model.map { ($0, nil) }
    }

    /// Analyses one utterance on its own (the `--lines` view and live, per-turn analysis).
    public func analyze(segment: TranscriptSegment, encoding: [Float]? = nil) -> SegmentAnalysis {
        analyze(SegmentText(segment), previousState: nil, encoding: encoding)
    }

    func analyze(_ text: SegmentText, previousState: ConversationState?, encoding: [Float]? = nil) -> SegmentAnalysis {
        let fillerSpans = Fluency.fillers(in: text)
        let fillers = fillerSpans.map { span in
            FillerOccurrence(
                word: span.word, segmentID: text.id, start: text.times[text.terms[span.start].token]?.start,
                end: text.times[text.terms[span.end - 1].token]?.end)
        }
        let questions = Questions.find(in: text)
        let objections: [Signal<ObjectionType>]
        let sentiment: Sentiment
        var interest = SignalRules.interestSignals(in: text)
        var upsells = self.upsells.opportunities(in: text)
        if let decider = decider(for: encoding) {
            // Rules for precision, the model for recall: its findings are added to the rules', and
            // the words that weighed most are its evidence.
            let inputs = TextAnalyzer.modelInputs(text, questions: questions, encoding: decider.encoding, scale: decider.model.vectorScale)
            objections = decider.model.objections(inputs.features, text: text, rules: inputs.rules)
            sentiment = decider.model.sentiment(inputs.features, text: text, lexicon: inputs.lexicon)
            interest = decider.model.interest(inputs.features, text: text, rules: interest)
            upsells = decider.model.upsells(inputs.features, text: text, rules: upsells, detector: self.upsells)
        } else {
            objections = SignalRules.objections(in: text)
            sentiment = SentimentScorer.score(text, objections: objections)
        }
        let intents = SignalRules.intents(in: text, questions: questions, objections: objections)
        let state = SignalRules.state(after: intents.map(\.type), from: previousState)
        return SegmentAnalysis(
            segmentID: text.id, speaker: text.speaker, text: text.segment.text, start: text.segment.start, end: text.segment.end,
            wordCount: text.wordCount, fillers: fillers, question: Questions.lineKind(questions), questions: questions,
            sentiment: sentiment,
            tones: ToneReader.tones(text, sentiment: sentiment, fillerCount: fillers.count, questionCount: questions.count),
            intents: intents, objections: objections, interestSignals: interest, upsells: upsells,
            grammarErrors: Fluency.grammar(in: text), state: state)
    }

    /// Analyses a whole conversation; `encodings` (one sentence vector per segment, from the
    /// encoder the encoder model was trained on) let that model decide.
    public func analyze(_ transcript: Transcript, encodings: [[Float]]? = nil, understanding: String? = nil) -> TextAnalysis {
        let texts = transcript.segments.map(SegmentText.init)
        let vectors = encodings?.count == texts.count ? encodings : nil
        var state: ConversationState?
        var segments: [SegmentAnalysis] = []
        segments.reserveCapacity(texts.count)
        for (index, text) in texts.enumerated() {
            let analysis = analyze(text, previousState: state, encoding: vectors?[index])
            state = analysis.state
            segments.append(analysis)
        }
        let basics = TextAnalyzer.basics(texts)
        let fluency = Fluency.report(texts)
        let repTexts = texts.filter { $0.speaker == .rep }
        let dynamics = TalkDynamics.measure(texts)
        let minutes = basics.durationSeconds.map { $0 / 60 }
        let questions = Questions.report(segments.flatMap(\.questions), words: basics.wordCount, minutes: minutes)
        let sentiment = SentimentScorer.combine(segments.map { ($0.sentiment, $0.wordCount) })
        var bySpeaker: [String: Sentiment] = [:]
        for role in SpeakerRole.allCases {
            let parts = segments.filter { $0.speaker == role }.map { ($0.sentiment, $0.wordCount) }
            if !parts.isEmpty { bySpeaker[role.rawValue] = SentimentScorer.combine(parts) }
        }
        var distribution: [String: Double] = [:]
        for label in SentimentLabel.allCases {
            distribution[label.rawValue] = segments.isEmpty ? 0 : rounded(Double(segments.filter { $0.sentiment.label == label }.count) / Double(segments.count))
        }
        var tones: [String: Int] = [:]
        var intents: [String: Int] = [:]
        for segment in segments {
            for tone in segment.tones { tones[tone.tone.rawValue, default: 0] += 1 }
            for intent in segment.intents { intents[intent.type.rawValue, default: 0] += 1 }
        }
        let phrases = KeyPhrases.extract(texts)
        let upsellList = UpsellDetector.merge(segments.flatMap(\.upsells))
        let actionItems = ActionItems.extract(texts)
        let coaching = Coaching.moments(segments: segments, texts: texts, dynamics: dynamics, upsells: upsellList, actionItems: actionItems, catalogue: catalogue)
        let summary = Summaries.extractive(segments: segments, texts: texts, phrases: phrases, upsells: upsellList, actionItems: actionItems)
        let partial = ConversationFacts(
            segments: segments, questions: questions, dynamics: dynamics, upsells: upsellList, coaching: coaching,
            actionItems: actionItems, fluency: fluency)
        return TextAnalysis(
            basics: basics, segments: segments, fluency: fluency, repFluency: repTexts.isEmpty ? nil : Fluency.report(repTexts),
            questions: questions, sentiment: sentiment, sentimentBySpeaker: bySpeaker, sentimentDistribution: distribution,
            tones: tones, intents: intents, conversationState: state,
            objections: segments.flatMap(\.objections), interestSignals: segments.flatMap(\.interestSignals), dynamics: dynamics,
            keyPhrases: phrases, topics: Topics.find(texts, phrases: phrases), upsells: upsellList, coachingMoments: coaching,
            summary: summary, actionItems: actionItems, scores: Scoring.conversation(partial),
            keywords: Keywords.from(segments),
            understanding: understanding ?? (vectors != nil && encoderModel != nil ? "encoder" : withoutEncoder))
    }

    static func basics(_ texts: [SegmentText]) -> TextBasics {
        var words = 0
        var sentences = 0
        var contractions = 0
        var numbers: [NumberMention] = []
        var turns = 0
        var lastSpeaker: SpeakerRole?
        var bySpeaker: [String: Int] = [:]
        for text in texts {
            words += text.wordCount
            bySpeaker[text.speaker.rawValue, default: 0] += text.wordCount
            sentences += text.sentences.count
            contractions += text.tokens.filter { $0.kind == .word && $0.text.contains("'") && Tokenizer.expand($0.text.lowercased()).count > 1 }.count
            if text.speaker != lastSpeaker || text.speaker == .unknown { turns += 1 }
            lastSpeaker = text.speaker
            var i = 0
            while i < text.terms.count {
                if !text.terms[i].isPunctuation, text.terms[i].text != "one" || text.terms[i].token < text.tokens.count && text.tokens[text.terms[i].token].kind == .number,
                    let number = NumberWords.value(in: text.terms, at: i)
                {
                    numbers.append(NumberMention(value: number.value, evidence: text.evidence(terms: i, i + number.length)))
                    i += number.length
                } else {
                    i += 1
                }
            }
        }
        let starts = texts.compactMap { $0.segment.start ?? $0.segment.words.first?.start }
        let ends = texts.compactMap { $0.segment.end ?? $0.segment.words.last?.end }
        let duration = (starts.min()).flatMap { first in ends.max().map { rounded($0 - first) } }
        return TextBasics(
            segmentCount: texts.count, turnCount: turns, wordCount: words, sentenceCount: sentences,
            averageWordsPerSentence: sentences > 0 ? rounded(Double(words) / Double(sentences)) : 0, contractionCount: contractions,
            numbers: numbers, durationSeconds: duration, wordsBySpeaker: bySpeaker)
    }
}

/// The per-line view `parley analyze-text --lines` prints, with exactly the documented keys.
public struct LineReport: Sendable, Codable, Hashable {
    /// A filler in a line: the word and, when known, its time.
    public struct Filler: Sendable, Codable, Hashable {
        public var word: String
        public var start: Double?
        public var end: Double?
    }

    /// A sentiment score and label.
    public struct Score: Sendable, Codable, Hashable {
        public var score: Double
        public var label: String
    }

    /// An upsell in a line: its type plus what the conversation view also reports.
    public struct Upsell: Sendable, Codable, Hashable {
        public var type: String
        public var title: String
        public var triggerPhrase: String
        public var confidence: Double
        public var priority: String
        public var estimatedValue: Double

        enum CodingKeys: String, CodingKey {
            case type, title, confidence, priority
            case triggerPhrase = "trigger_phrase"
            case estimatedValue = "estimated_value"
        }
    }

    public var text: String
    public var speaker: String
    public var fillers: [Filler]
    public var question: String?
    public var sentiment: Score
    public var tones: [String]
    public var intents: [String]
    public var objections: [String]
    public var interestSignals: [String]
    public var upsells: [Upsell]

    enum CodingKeys: String, CodingKey {
        case text, speaker, fillers, question, sentiment, tones, intents, objections, upsells
        case interestSignals = "interest_signals"
    }

    public init(_ analysis: SegmentAnalysis) {
        text = analysis.text
        speaker = analysis.speaker.rawValue
        fillers = analysis.fillers.map { Filler(word: $0.word, start: $0.start, end: $0.end) }
        question = analysis.question?.rawValue
        sentiment = Score(score: analysis.sentiment.score, label: analysis.sentiment.label.rawValue)
        tones = analysis.tones.map(\.tone.rawValue)
        intents = analysis.intents.map(\.type.rawValue)
        objections = analysis.objections.map(\.type.rawValue)
        interestSignals = analysis.interestSignals.map(\.type.rawValue)
        upsells = analysis.upsells.map {
            Upsell(type: $0.type, title: $0.title, triggerPhrase: $0.triggerPhrase, confidence: $0.confidence, priority: $0.priority, estimatedValue: $0.estimatedValue)
        }
    }

    /// `question` is always present in JSON, as `null` when the line asks nothing.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(text, forKey: .text)
        try container.encode(speaker, forKey: .speaker)
        try container.encode(fillers, forKey: .fillers)
        try container.encode(question, forKey: .question)
        try container.encode(sentiment, forKey: .sentiment)
        try container.encode(tones, forKey: .tones)
        try container.encode(intents, forKey: .intents)
        try container.encode(objections, forKey: .objections)
        try container.encode(interestSignals, forKey: .interestSignals)
        try container.encode(upsells, forKey: .upsells)
    }
}
