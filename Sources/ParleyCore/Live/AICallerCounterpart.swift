import Foundation
import ParleyDomain
import ParleyIntelligence

/// The AI caller of a Leads & Voice Calls call as a live counterpart: the person speaking into the
/// pipeline is the lead, the counterpart is the caller speaking for the organization. Its state is
/// kept in the call's live state (`caller`), so the HTTP respond endpoint and the realtime socket
/// carry on the same call, and a dropped connection loses nothing.
public struct AICallerCounterpart: ConversationCounterpart {
    public private(set) var caller: AICaller
    /// Words the caller's lines when configured; nil: templates.
    let wording: (any LanguageModel)?

    public init(caller: AICaller, wording: (any LanguageModel)?) {
        self.caller = caller
        self.wording = wording
    }

    /// The caller of a stored call: restored from its live state, or new for the lead.
    public static func resume(_ conversation: Conversation, lead: CallLead, pitch: CallPitch, wording: (any LanguageModel)?) -> AICallerCounterpart {
        let caller = storedCaller(of: conversation)
            ?? AICaller(lead: lead, pitch: pitch, seed: ProspectCounterpart.seed(for: conversation.id))
        return AICallerCounterpart(caller: caller, wording: wording)
    }

    /// The caller kept with a call, if it has started.
    public static func storedCaller(of conversation: Conversation) -> AICaller? {
        conversation.details.liveState["caller"]?.decoded(as: AICaller.self)
    }

    public mutating func opening() -> CounterpartLine? {
        Self.line(caller.start())
    }

    public mutating func respond(to text: String) -> CounterpartLine {
        Self.line(caller.respond(to: text))
    }

    /// A call has no coach listening: nobody on it is being trained.
    public mutating func nudge() -> LiveNudge? { nil }

    public func word(_ line: CounterpartLine) async -> CounterpartLine {
        // Only the line just decided is reworded; the decision (state, outcome, time agreed) stays.
        guard wording != nil, let decided = caller.callerLines.last, decided.text == line.text else { return line }
        var worded = line
        worded.text = await caller.reword(decided, using: wording).text
        return worded
    }

    public func analysis(of turns: [TranscriptSegment]) -> ConversationAnalysis? {
        Self.analysis(caller.summary, turns: turns)
    }

    public func snapshot() throws -> [String: JSONValue] {
        ["caller": try JSONValue(encoding: caller)]
    }

    public var isFinished: Bool { caller.isEnded }

    /// A finished call's summary as the core's analysis (profile `sales_call`): its numbers as
    /// metrics and scores, its mood as sentiment, its recommendation and key points as coaching.
    public static func analysis(_ summary: CallSummary, turns: [TranscriptSegment]) -> ConversationAnalysis {
        let handled = summary.objections.filter(\.handled).count
        let label: SentimentLabel = summary.overallSentiment > 0.15 ? .positive : summary.overallSentiment < -0.15 ? .negative : .neutral
        let categories: [String: CategoryScore] = [
            "engagement": CategoryScore(score: (summary.engagementScore * 100).rounded(), weight: 0.5, factors: [:], findings: []),
            "conversion": CategoryScore(score: (summary.conversionProbability * 100).rounded(), weight: 0.5, factors: [:], findings: []),
        ]
        let overall = ((summary.engagementScore + summary.conversionProbability) * 50).rounded()
        var coaching = [CoachingRemark(category: "next_step", feedback: summary.recommendation, score: Int(overall), improvementTip: summary.recommendation, evidence: [])]
        coaching += summary.keyPoints.map { CoachingRemark(category: "key_point", feedback: $0, score: Int(overall), improvementTip: "", evidence: []) }
        return ConversationAnalysis(
            profile: .salesCall,
            metrics: ConversationMetrics(
                questionCount: turns.filter { $0.speaker == .rep && $0.text.contains("?") }.count,
                objectionsRaised: summary.objections.count, objectionsHandled: handled),
            scores: ScoreCard(overall: overall, categories: categories, benchmarks: [:], improvements: [], fluency: 0),
            sentiment: Sentiment(score: summary.overallSentiment, label: label, drivers: []),
            coaching: coaching, speakers: SpeakerShare.of(turns))
    }

    static func line(_ line: CallerLine) -> CounterpartLine {
        CounterpartLine(
            text: line.text, sentiment: line.analysis.map { String($0.sentiment) }, intent: line.act.rawValue, stage: line.state.rawValue,
            endsConversation: !line.shouldContinue, outcome: line.outcome?.rawValue,
            reading: line.analysis.map {
                TurnReading(sentiment: $0.sentiment, intent: $0.intent.rawValue, objections: $0.objections.map(\.rawValue),
                            interestSignals: $0.interestSignals.map(\.rawValue))
            })
    }
}
