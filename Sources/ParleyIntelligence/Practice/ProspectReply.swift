import Foundation
import ParleyDomain

/// Where a practice call is: the stages the AI prospect walks through.
public enum PracticeStage: String, Sendable, Codable, Hashable, CaseIterable {
    case opening
    case discovery
    case presentation
    case objection
    case closing
    case ended
}

/// How a practice call ended.
public enum PracticeCallOutcome: String, Sendable, Codable, Hashable {
    case nextStepAgreed = "next_step_agreed"
    case lost
}

/// The prospect's tone for one reply (the Sales Trainer `sentiment` field).
public enum ProspectMood: String, Sendable, Codable, Hashable, CaseIterable {
    case neutral
    case skeptical
    case interested
    case frustrated
    case positive
}

/// What a prospect reply is doing (the Sales Trainer `intent` field).
public enum ProspectIntent: String, Sendable, Codable, Hashable, CaseIterable {
    case greeting
    case smallTalk = "small_talk"
    case introduce
    case revealPainPoint = "reveal_pain_point"
    case answer
    case deflect
    case reactToPitch = "react_to_pitch"
    case objection
    case repeatObjection = "repeat_objection"
    case softenObjection = "soften_objection"
    case hesitate
    case agreeNextStep = "agree_next_step"
    case endCall = "end_call"
}

/// One line the AI prospect says and the state it leaves the call in.
public struct ProspectReply: Sendable, Codable, Hashable {
    public var text: String
    public var sentiment: ProspectMood
    public var intent: ProspectIntent
    public var stage: PracticeStage
    public var endsCall: Bool
    public var outcome: PracticeCallOutcome?

    public init(text: String, sentiment: ProspectMood, intent: ProspectIntent, stage: PracticeStage, endsCall: Bool, outcome: PracticeCallOutcome?) {
        self.text = text
        self.sentiment = sentiment
        self.intent = intent
        self.stage = stage
        self.endsCall = endsCall
        self.outcome = outcome
    }
}

/// What the rep's turn did, as the prospect (and the live coach) read it.
public struct RepMove: Sendable, Codable, Hashable {
    public var wordCount: Int
    public var openQuestions: Int
    public var closedQuestions: Int
    /// The analyser read a question as discovery (not a rapport question such as "how is your week?").
    public var discovery: Bool
    public var greeted: Bool
    public var rapport: Bool
    /// Acknowledged a concern or showed empathy ("I understand", "fair point").
    public var acknowledged: Bool
    public var pitched: Bool
    /// The pitch named a pain point the prospect had revealed.
    public var tiedToPain: Bool
    /// Asked for a commitment or a next step.
    public var askedForNextStep: Bool
    /// Proposed a concrete time or day.
    public var concreteTime: Bool
    public var askedWhoTheyAre: Bool
    public var rude: Bool
    /// Pressure phrases ("sign today", "you need to") or asking to close before any discovery.
    public var pushy: Bool
    public var monologue: Bool
    /// The phrase that best shows what the turn did (for evidence).
    public var keyPhrase: String

    public var questions: Int { openQuestions + closedQuestions }
}

/// One exchange of a practice call: the rep's turn, how it was read, and the prospect's reply.
public struct PracticeExchange: Sendable, Codable, Hashable {
    /// 1-based rep turn number within the call.
    public var repTurn: Int
    public var repText: String
    public var move: RepMove
    /// The objection that was open when the rep spoke, if any.
    public var openObjection: String?
    /// Whether the rep left that objection unaddressed.
    public var ignoredObjection: Bool
    /// Whether this turn resolved the open objection.
    public var handledObjection: Bool
    /// The pain point the reply revealed, if any.
    public var revealedPain: String?
    /// The objection the reply raised, if any.
    public var raisedObjection: String?
    public var reply: ProspectReply
    public var interest: Double
    public var trust: Double
    public var patience: Int
}
