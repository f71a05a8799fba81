import Foundation

/// The skills a practice session scores, as the Sales Trainer analytics name them.
public enum SalesSkill: String, Sendable, Codable, CaseIterable, CodingKeyRepresentable {
    case rapportBuilding = "rapport_building"
    case discovery
    case objectionHandling = "objection_handling"
    case closing
}

/// One coaching remark about a finished session, tied to what was said.
public struct CoachingRemark: Sendable, Codable, Hashable {
    public var category: String
    public var feedback: String
    public var score: Int
    public var improvementTip: String
    /// Transcript turns (sequence numbers) and phrases the remark is based on.
    public var evidence: [Evidence]

    /// A pointer into the transcript.
    public struct Evidence: Sendable, Codable, Hashable {
        public var turn: Int
        public var phrase: String

        public init(turn: Int, phrase: String) {
            self.turn = turn
            self.phrase = phrase
        }
    }

    public init(category: String, feedback: String, score: Int, improvementTip: String, evidence: [Evidence]) {
        self.category = category
        self.feedback = feedback
        self.score = score
        self.improvementTip = improvementTip
        self.evidence = evidence
    }
}

/// What a finished practice session measured: the scores the rep sees and the analytics read.
public struct PracticeOutcome: Sendable, Codable, Hashable {
    public var overallScore: Int
    public var skills: [SalesSkill: Int]
    /// Share of talking time that was the rep's, 0...1.
    public var talkTimeRatio: Double
    public var questionCount: Int
    /// Questions per rep turn.
    public var questionRate: Double
    /// Mean seconds between the prospect finishing and the rep answering.
    public var responseTime: Double?
    /// Fractions of the rep's turns by sentiment label.
    public var sentiment: [String: Double]
    public var objectionsRaised: Int
    public var objectionsHandled: Int
    /// Whether the call ended with an agreed next step.
    public var nextStepAgreed: Bool
    public var feedback: [CoachingRemark]

    public init(
        overallScore: Int, skills: [SalesSkill: Int], talkTimeRatio: Double, questionCount: Int, questionRate: Double,
        responseTime: Double?, sentiment: [String: Double], objectionsRaised: Int, objectionsHandled: Int,
        nextStepAgreed: Bool, feedback: [CoachingRemark]
    ) {
        self.overallScore = overallScore
        self.skills = skills
        self.talkTimeRatio = talkTimeRatio
        self.questionCount = questionCount
        self.questionRate = questionRate
        self.responseTime = responseTime
        self.sentiment = sentiment
        self.objectionsRaised = objectionsRaised
        self.objectionsHandled = objectionsHandled
        self.nextStepAgreed = nextStepAgreed
        self.feedback = feedback
    }
}

/// A completed practice session as the learning analytics see it.
public struct PracticeRecord: Sendable, Hashable {
    public var conversationID: UUID
    public var scenarioID: Int?
    public var category: ScenarioCategory?
    public var completedAt: Date
    /// Seconds.
    public var duration: Double
    public var outcome: PracticeOutcome

    public init(conversationID: UUID, scenarioID: Int?, category: ScenarioCategory?, completedAt: Date, duration: Double, outcome: PracticeOutcome) {
        self.conversationID = conversationID
        self.scenarioID = scenarioID
        self.category = category
        self.completedAt = completedAt
        self.duration = duration
        self.outcome = outcome
    }
}
