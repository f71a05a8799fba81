import Foundation
import ParleyDomain
import ParleyIntelligence

/// The AI prospect of a Sales Trainer role-play as a live counterpart, with the live coach
/// watching the rep. Its state is kept in the session's live state (`engine`, `coach`).
public struct ProspectCounterpart: ConversationCounterpart {
    public private(set) var engine: ProspectEngine
    public private(set) var coach: LiveCoach
    /// Words the prospect's lines when configured (one attempt, a short timeout); nil: templates.
    let wording: (any LanguageModel)?

    public init(engine: ProspectEngine, coach: LiveCoach = LiveCoach(), wording: (any LanguageModel)?) {
        self.engine = engine
        self.coach = coach
        self.wording = wording
    }

    /// The prospect of a stored session: restored from its details, or new for the scenario.
    public static func resume(_ conversation: Conversation, scenario: Scenario, difficulty: Difficulty, wording: (any LanguageModel)?) throws -> ProspectCounterpart {
        let engine = try conversation.details.liveState["engine"]?.decoded(as: ProspectEngine.self)
            ?? ProspectEngine(scenario: scenario, difficulty: difficulty, seed: seed(for: conversation.id))
        let coach = conversation.details.liveState["coach"]?.decoded(as: LiveCoach.self) ?? LiveCoach()
        return ProspectCounterpart(engine: engine, coach: coach, wording: wording)
    }

    /// A stable seed per session (FNV-1a of its id), so a session's prospect is reproducible.
    public static func seed(for id: UUID) -> UInt64 {
        id.uuidString.utf8.reduce(14_695_981_039_346_656_037 as UInt64) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 }
    }

    public mutating func opening() -> CounterpartLine? {
        Self.line(engine.opening())
    }

    public mutating func respond(to text: String) -> CounterpartLine {
        Self.line(engine.respond(to: text))
    }

    public mutating func nudge() -> LiveNudge? {
        coach.nudge(after: engine).map { LiveNudge(message: $0.message, category: $0.category.rawValue, urgency: $0.urgency.rawValue) }
    }

    public func word(_ line: CounterpartLine) async -> CounterpartLine {
        guard wording != nil, let decided = Self.reply(line) else { return line }
        return Self.line(await engine.reword(decided, using: wording))
    }

    public func analysis(of turns: [TranscriptSegment]) -> ConversationAnalysis? {
        .practice(PracticeScorer().score(engine), turns: turns)
    }

    public func snapshot() throws -> [String: JSONValue] {
        ["engine": try JSONValue(encoding: engine), "coach": try JSONValue(encoding: coach)]
    }

    public var isFinished: Bool { engine.isEnded }

    static func line(_ reply: ProspectReply) -> CounterpartLine {
        CounterpartLine(text: reply.text, sentiment: reply.sentiment.rawValue, intent: reply.intent.rawValue, stage: reply.stage.rawValue,
                        endsConversation: reply.endsCall, outcome: reply.outcome?.rawValue)
    }

    static func reply(_ line: CounterpartLine) -> ProspectReply? {
        guard let sentiment = line.sentiment.flatMap(ProspectMood.init(rawValue:)), let intent = line.intent.flatMap(ProspectIntent.init(rawValue:)),
              let stage = line.stage.flatMap(PracticeStage.init(rawValue:))
        else { return nil }
        return ProspectReply(text: line.text, sentiment: sentiment, intent: intent, stage: stage, endsCall: line.endsConversation,
                             outcome: line.outcome.flatMap(PracticeCallOutcome.init(rawValue:)))
    }
}
