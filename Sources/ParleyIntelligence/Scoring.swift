import Foundation
import ParleyDomain

/// A 0–100 score with every finding that moved it from its base.
public struct Score: Sendable, Codable, Hashable {
    public var value: Double
    public var base: Double
    public var findings: [ScoreFinding]

    /// Builds a score from a base and findings, clamped to 0…100.
    init(base: Double, findings: [ScoreFinding]) {
        self.base = base
        self.findings = findings.filter { $0.impact != 0 }
        self.value = rounded(min(100, max(0, base + findings.reduce(0) { $0 + $1.impact })), places: 1)
    }
}

/// The sales-conversation scores the surfaces show.
public struct ConversationScores: Sendable, Codable, Hashable {
    public var overall: Double
    public var rapportBuilding: Score
    public var discovery: Score
    public var objectionHandling: Score
    public var closingEffectiveness: Score
    public var talkTimeBalance: Score
    /// How the customer seemed to feel (Field Intelligence `customer_satisfaction_score`).
    public var customerSatisfaction: Score
}

/// What scoring reads from an analysed conversation.
struct ConversationFacts {
    var segments: [SegmentAnalysis]
    var questions: QuestionReport
    var dynamics: TalkDynamics
    var upsells: [UpsellOpportunity]
    var coaching: [CoachingMoment]
    var actionItems: [ActionItem]
    var fluency: FluencyReport
}

/// Explainable scoring: a base, then points per finding, each with evidence.
enum Scoring {
    static func conversation(_ facts: ConversationFacts) -> ConversationScores {
        let rapport = rapportBuilding(facts)
        let discovery = discovery(facts)
        let objections = objectionHandling(facts)
        let closing = closingEffectiveness(facts)
        let balance = talkTimeBalance(facts)
        let satisfaction = customerSatisfaction(facts)
        let overall = rapport.value * 0.2 + discovery.value * 0.25 + objections.value * 0.2 + closing.value * 0.2 + balance.value * 0.15
        return ConversationScores(
            overall: rounded(overall, places: 1), rapportBuilding: rapport, discovery: discovery, objectionHandling: objections,
            closingEffectiveness: closing, talkTimeBalance: balance, customerSatisfaction: satisfaction)
    }

    private static func rep(_ facts: ConversationFacts) -> [SegmentAnalysis] {
        let reps = facts.segments.filter { $0.speaker == .rep }
        return reps.isEmpty ? facts.segments.filter { $0.speaker == .unknown } : reps
    }

    private static func counterpart(_ facts: ConversationFacts) -> [SegmentAnalysis] {
        facts.segments.filter { $0.speaker == .counterpart }
    }

    private static func intents(_ segments: [SegmentAnalysis], _ intent: Intent) -> [Evidence] {
        segments.flatMap { $0.intents.filter { $0.type == intent }.map(\.evidence) }
    }

    static func rapportBuilding(_ facts: ConversationFacts) -> Score {
        let reps = rep(facts)
        var findings: [ScoreFinding] = []
        let greetings = intents(reps, .greeting)
        findings.append(ScoreFinding(description: greetings.isEmpty ? "No greeting" : "Opened with a greeting", impact: greetings.isEmpty ? -5 : 8, evidence: Array(greetings.prefix(1))))
        let rapport = intents(reps, .rapport) + intents(reps, .smallTalk)
        if !rapport.isEmpty { findings.append(ScoreFinding(description: "Built rapport (\(rapport.count) moment\(rapport.count == 1 ? "" : "s"))", impact: min(20, Double(rapport.count) * 8), evidence: Array(rapport.prefix(3)))) }
        let empathy = reps.filter { $0.tones.contains { $0.tone == .empathetic } }
        if !empathy.isEmpty {
            findings.append(ScoreFinding(description: "Showed empathy", impact: min(15, Double(empathy.count) * 5), evidence: empathy.prefix(3).map { Evidence(segmentID: $0.segmentID, start: $0.start, end: $0.end, phrase: $0.tones.first { $0.tone == .empathetic }?.evidence.first ?? $0.text) }))
        }
        let mood = counterpart(facts)
        if !mood.isEmpty {
            let average = mood.reduce(0) { $0 + $1.sentiment.score } / Double(mood.count)
            findings.append(ScoreFinding(description: String(format: "Customer sentiment averaged %.2f", average), impact: rounded(average * 20), evidence: []))
        }
        let interruptions = facts.dynamics.interruptions.filter { $0.by == .rep }
        if !interruptions.isEmpty { findings.append(ScoreFinding(description: "Interrupted the customer \(interruptions.count) time\(interruptions.count == 1 ? "" : "s")", impact: -min(20, Double(interruptions.count) * 5), evidence: interruptions.map(\.evidence))) }
        return Score(base: 55, findings: findings)
    }

    static func discovery(_ facts: ConversationFacts) -> Score {
        let reps = rep(facts)
        let questions = reps.flatMap(\.questions)
        let open = questions.filter { $0.kind == .open }
        var findings: [ScoreFinding] = []
        if questions.isEmpty {
            findings.append(ScoreFinding(description: "Asked no questions", impact: -25, evidence: []))
        } else {
            findings.append(ScoreFinding(description: "Asked \(questions.count) question\(questions.count == 1 ? "" : "s")", impact: min(25, Double(questions.count) * 4), evidence: questions.prefix(4).map(\.evidence)))
            findings.append(ScoreFinding(description: "\(open.count) open question\(open.count == 1 ? "" : "s")", impact: min(20, Double(open.count) * 5), evidence: open.prefix(4).map(\.evidence)))
            if open.isEmpty { findings.append(ScoreFinding(description: "Only closed questions", impact: -10, evidence: [])) }
        }
        let uncovered = counterpart(facts).filter { !$0.objections.isEmpty || !$0.upsells.isEmpty }
        if !uncovered.isEmpty { findings.append(ScoreFinding(description: "Customer shared needs or concerns", impact: min(10, Double(uncovered.count) * 3), evidence: uncovered.prefix(3).map { Evidence(segmentID: $0.segmentID, start: $0.start, end: $0.end, phrase: $0.text) })) }
        let missed = facts.coaching.filter { $0.category == "discovery" }
        if !missed.isEmpty { findings.append(ScoreFinding(description: missed[0].whatHappened, impact: -10, evidence: missed[0].evidence)) }
        return Score(base: 40, findings: findings)
    }

    static func objectionHandling(_ facts: ConversationFacts) -> Score {
        let objections = counterpart(facts).flatMap(\.objections) + facts.segments.filter { $0.speaker == .unknown }.flatMap(\.objections)
        guard !objections.isEmpty else {
            return Score(base: 70, findings: [ScoreFinding(description: "No objections raised", impact: 0, evidence: [])])
        }
        var findings: [ScoreFinding] = []
        let ignored = facts.coaching.filter { $0.category == "objection_ignored" }
        let handled = intents(rep(facts), .objectionHandling)
        findings.append(ScoreFinding(description: "\(objections.count) objection\(objections.count == 1 ? "" : "s") raised", impact: 0, evidence: objections.map(\.evidence)))
        if !handled.isEmpty { findings.append(ScoreFinding(description: "Handled objections (\(handled.count) response\(handled.count == 1 ? "" : "s"))", impact: min(35, Double(handled.count) * 12), evidence: handled)) }
        if !ignored.isEmpty { findings.append(ScoreFinding(description: "\(ignored.count) objection\(ignored.count == 1 ? "" : "s") not addressed", impact: -Double(ignored.count) * 15, evidence: ignored.flatMap(\.evidence))) }
        let empathetic = rep(facts).filter { $0.tones.contains { $0.tone == .empathetic } }
        if !empathetic.isEmpty { findings.append(ScoreFinding(description: "Acknowledged concerns with empathy", impact: 8, evidence: empathetic.prefix(2).map { Evidence(segmentID: $0.segmentID, start: $0.start, end: $0.end, phrase: $0.text) })) }
        return Score(base: 50, findings: findings)
    }

    static func closingEffectiveness(_ facts: ConversationFacts) -> Score {
        let reps = rep(facts)
        var findings: [ScoreFinding] = []
        let closes = intents(reps, .closingAttempt)
        let scheduling = intents(facts.segments, .scheduling)
        if closes.isEmpty { findings.append(ScoreFinding(description: "No closing attempt", impact: -15, evidence: [])) } else {
            findings.append(ScoreFinding(description: "Asked for the business (\(closes.count) closing attempt\(closes.count == 1 ? "" : "s"))", impact: min(25, Double(closes.count) * 12), evidence: closes))
        }
        if !scheduling.isEmpty { findings.append(ScoreFinding(description: "Discussed scheduling", impact: 10, evidence: Array(scheduling.prefix(3)))) }
        let commitments = facts.actionItems.filter { $0.owner == .rep }
        if !commitments.isEmpty { findings.append(ScoreFinding(description: "Committed to \(commitments.count) follow-up action\(commitments.count == 1 ? "" : "s")", impact: min(15, Double(commitments.count) * 5), evidence: commitments.map(\.evidence))) }
        let interest = facts.segments.flatMap(\.interestSignals)
        if !interest.isEmpty { findings.append(ScoreFinding(description: "Customer showed buying interest", impact: min(10, Double(interest.count) * 3), evidence: interest.prefix(3).map(\.evidence))) }
        for moment in facts.coaching where moment.category == "no_next_step" || moment.category == "missed_follow_up" || moment.category == "upsell_missed" {
            findings.append(ScoreFinding(description: moment.title, impact: moment.severity == "important" ? -10 : -5, evidence: moment.evidence))
        }
        return Score(base: 50, findings: findings)
    }

    static func talkTimeBalance(_ facts: ConversationFacts) -> Score {
        guard let share = facts.dynamics.repTalkShare else {
            return Score(base: 70, findings: [ScoreFinding(description: "Talk time unknown (roles not labelled)", impact: 0, evidence: [])])
        }
        // 40–60 % rep talk time scores full marks; each point outside costs two.
        let distance = share < 0.4 ? (0.4 - share) : share > 0.6 ? (share - 0.6) : 0
        var findings = [ScoreFinding(description: "Rep spoke \(Int((share * 100).rounded()))% of the time", impact: -rounded(distance * 200), evidence: [])]
        if let monologue = facts.dynamics.longestRepMonologue, monologue.seconds > Coaching.monologueSeconds {
            findings.append(ScoreFinding(description: "Longest monologue \(Int(monologue.seconds)) s", impact: -min(15, (monologue.seconds - Coaching.monologueSeconds) / 6), evidence: []))
        }
        return Score(base: 100, findings: findings)
    }

    static func customerSatisfaction(_ facts: ConversationFacts) -> Score {
        let customer = counterpart(facts)
        let segments = customer.isEmpty ? facts.segments : customer
        var findings: [ScoreFinding] = []
        let positive = segments.filter { $0.sentiment.label == .positive }
        let negative = segments.filter { $0.sentiment.label == .negative }
        if !positive.isEmpty { findings.append(ScoreFinding(description: "\(positive.count) positive customer remark\(positive.count == 1 ? "" : "s")", impact: min(30, Double(positive.count) * 6), evidence: positive.prefix(3).map { Evidence(segmentID: $0.segmentID, start: $0.start, end: $0.end, phrase: $0.text) })) }
        if !negative.isEmpty { findings.append(ScoreFinding(description: "\(negative.count) negative customer remark\(negative.count == 1 ? "" : "s")", impact: -min(30, Double(negative.count) * 5), evidence: negative.prefix(3).map { Evidence(segmentID: $0.segmentID, start: $0.start, end: $0.end, phrase: $0.text) })) }
        if let last = segments.last(where: { $0.wordCount > 1 }) {
            findings.append(ScoreFinding(description: "Customer's last remark was \(last.sentiment.label.rawValue)", impact: last.sentiment.label == .positive ? 10 : last.sentiment.label == .negative ? -10 : 0, evidence: [Evidence(segmentID: last.segmentID, start: last.start, end: last.end, phrase: last.text)]))
        }
        return Score(base: 65, findings: findings)
    }
}
