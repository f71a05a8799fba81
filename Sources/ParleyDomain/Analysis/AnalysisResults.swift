import Foundation

/// Where a finding came from: the segment, the time span (seconds) and the exact phrase.
public struct Evidence: Sendable, Codable, Hashable {
    public var segmentID: Int
    public var start: Double?
    public var end: Double?
    public var phrase: String

    public init(segmentID: Int, start: Double?, end: Double?, phrase: String) {
        self.segmentID = segmentID
        self.start = start
        self.end = end
        self.phrase = phrase
    }
}

/// One filler word or phrase as spoken, with its time when known.
public struct FillerOccurrence: Sendable, Codable, Hashable {
    /// The filler in canonical form (`um`, `like`, `you know`, ...).
    public var word: String
    public var segmentID: Int
    public var start: Double?
    public var end: Double?

    public init(word: String, segmentID: Int, start: Double?, end: Double?) {
        self.word = word
        self.segmentID = segmentID
        self.start = start
        self.end = end
    }
}

/// All occurrences of one filler across a text.
public struct FillerSummary: Sendable, Codable, Hashable {
    public var word: String
    public var count: Int
    public var timestamps: [Double]
    /// Share of all fillers that are this one (0…1).
    public var frequency: Double
    public var ratePer100Words: Double

    public init(word: String, count: Int, timestamps: [Double], frequency: Double, ratePer100Words: Double) {
        self.word = word
        self.count = count
        self.timestamps = timestamps
        self.frequency = frequency
        self.ratePer100Words = ratePer100Words
    }
}

/// A word or phrase said again immediately ("we we", "I think I think").
public struct Repetition: Sendable, Codable, Hashable {
    public var phrase: String
    public var count: Int
    public var timestamps: [Double]
    public var evidence: [Evidence]

    public init(phrase: String, count: Int, timestamps: [Double], evidence: [Evidence]) {
        self.phrase = phrase
        self.count = count
        self.timestamps = timestamps
        self.evidence = evidence
    }
}

/// A grammar slip that matters in speech, with a suggested fix.
public struct GrammarIssue: Sendable, Codable, Hashable {
    /// The rule broken: `Subject-verb agreement`, `Article a/an`, `Repeated word`.
    public var error: String
    /// The fix as `wrong -> right`.
    public var suggestion: String
    /// Character (Unicode scalar) offset of the slip within its segment's text.
    public var position: Int
    public var severity: String
    public var evidence: Evidence

    public init(error: String, suggestion: String, position: Int, severity: String, evidence: Evidence) {
        self.error = error
        self.suggestion = suggestion
        self.position = position
        self.severity = severity
        self.evidence = evidence
    }
}

/// Fluency of a text: fillers, repetitions, grammar and a 0–100 fluency figure.
public struct FluencyReport: Sendable, Codable, Hashable {
    public var wordCount: Int
    public var fillers: [FillerOccurrence]
    public var fillerWords: [FillerSummary]
    public var fillerCount: Int
    public var fillerRatePer100Words: Double
    public var repetitions: [Repetition]
    public var grammarErrors: [GrammarIssue]
    /// 100 minus penalties for fillers, repetitions and grammar slips per 100 words.
    public var overallFluency: Double

    public init(wordCount: Int, fillers: [FillerOccurrence], fillerWords: [FillerSummary], fillerCount: Int, fillerRatePer100Words: Double, repetitions: [Repetition], grammarErrors: [GrammarIssue], overallFluency: Double) {
        self.wordCount = wordCount
        self.fillers = fillers
        self.fillerWords = fillerWords
        self.fillerCount = fillerCount
        self.fillerRatePer100Words = fillerRatePer100Words
        self.repetitions = repetitions
        self.grammarErrors = grammarErrors
        self.overallFluency = overallFluency
    }
}

/// The sentiment label of a score: positive, neutral or negative.
public enum SentimentLabel: String, Sendable, Codable, Hashable, CaseIterable {
    case positive
    case neutral
    case negative
}

/// Sentiment of a segment or conversation: a score in −1…1, its label and the words that moved it.
public struct Sentiment: Sendable, Codable, Hashable {
    public var score: Double
    public var label: SentimentLabel
    /// The phrases that moved the score, with their signed contribution.
    public var drivers: [SentimentDriver]

    public init(score: Double, label: SentimentLabel, drivers: [SentimentDriver]) {
        self.score = score
        self.label = label
        self.drivers = drivers
    }
}

/// One phrase that moved a sentiment score.
public struct SentimentDriver: Sendable, Codable, Hashable {
    public var phrase: String
    public var weight: Double

    public init(phrase: String, weight: Double) {
        self.phrase = phrase
        self.weight = weight
    }
}

/// One finding that moved a score, by how many points, and where it came from.
public struct ScoreFinding: Sendable, Codable, Hashable {
    public var description: String
    /// Points added (positive) or removed (negative).
    public var impact: Double
    public var evidence: [Evidence]

    public init(description: String, impact: Double, evidence: [Evidence]) {
        self.description = description
        self.impact = impact
        self.evidence = evidence
    }
}

/// One speech-coaching category: its score, weight and factor scores, with the findings behind them.
public struct CategoryScore: Sendable, Codable, Hashable {
    public var score: Double
    public var weight: Double
    /// Factor name to 0–100 score (`pronunciation`, `articulation`, `volume`, `speed`, `rhythm`, ...).
    public var factors: [String: Double]
    public var findings: [ScoreFinding]

    public init(score: Double, weight: Double, factors: [String: Double], findings: [ScoreFinding]) {
        self.score = score
        self.weight = weight
        self.factors = factors
        self.findings = findings
    }
}

/// A suggestion for the weakest areas.
public struct ScoreImprovement: Sendable, Codable, Hashable {
    public var category: String
    public var suggestion: String
    /// `high`, `medium` or `low`.
    public var impact: String

    public init(category: String, suggestion: String, impact: String) {
        self.category = category
        self.suggestion = suggestion
        self.impact = impact
    }
}

/// Scores of a conversation: overall, weighted categories with their factors and findings, benchmarks and improvements.
public struct ScoreCard: Sendable, Codable, Hashable {
    public var overall: Double
    public var categories: [String: CategoryScore]
    public var benchmarks: [String: Double]
    public var improvements: [ScoreImprovement]
    public var fluency: Double

    public init(overall: Double, categories: [String: CategoryScore], benchmarks: [String: Double], improvements: [ScoreImprovement], fluency: Double) {
        self.overall = overall
        self.categories = categories
        self.benchmarks = benchmarks
        self.improvements = improvements
        self.fluency = fluency
    }
}
