import Foundation
import ParleyDomain

/// Scores a finished practice call into the `PracticeOutcome` the Sales Trainer stores: the shared
/// `ConversationScores` of the transcript, blended with what the AI prospect's state machine saw
/// (trust, pains uncovered, objections handled, how the call ended). Every remark cites turns.
public struct PracticeScorer: Sendable {
    public let analyzer: TextAnalyzer

    public init(analyzer: TextAnalyzer = TextAnalyzer()) {
        self.analyzer = analyzer
    }

    /// Scores the engine's own transcript (segment ids 1, 2, 3, … in order).
    public func score(_ engine: ProspectEngine) -> PracticeOutcome {
        score(engine.transcript, engine: engine)
    }

    /// Scores a stored transcript (rep and counterpart turns; segment ids are the turn numbers used as evidence;
    /// word or segment timings optional). Without an engine the scores come from the transcript alone.
    public func score(_ transcript: Transcript, engine: ProspectEngine?) -> PracticeOutcome {
        let analysis = analyzer.analyze(transcript)
        let scores = analysis.scores
        let repSegments = analysis.segments.filter { $0.speaker == .rep }
        let turnOf = Self.turnNumbers(transcript, engine: engine)

        let painShare = engine.map { e in e.persona.painPoints.isEmpty ? 0 : Double(e.revealedPains.count) / Double(e.persona.painPoints.count) }
        let raised = engine?.raisedObjections.count ?? analysis.objections.count
        let handled = engine?.objectionsHandled ?? min(raised, repSegments.filter { $0.intents.contains { $0.type == .objectionHandling } }.count)
        let ignoredTurns = engine?.exchanges.filter(\.ignoredObjection) ?? []
        let agreed = engine.map { $0.outcome == .nextStepAgreed } ?? false
        let lost = engine?.outcome == .lost

        func blend(_ a: Double, _ b: Double?, _ weight: Double) -> Int {
            Int((b.map { a * (1 - weight) + $0 * weight } ?? a).rounded().clamped(0, 100))
        }
        let objectionCall: Double? = engine.flatMap { _ in
            raised == 0 ? nil : (Double(handled) / Double(raised) * 100 - Double(ignoredTurns.count) * 10).clamped(0, 100)
        }
        let skills: [SalesSkill: Int] = [
            .rapportBuilding: blend(scores.rapportBuilding.value, engine.map { $0.trust }, 0.3),
            .discovery: blend(scores.discovery.value, painShare.map { $0 * 100 }, 0.3),
            .objectionHandling: blend(scores.objectionHandling.value, objectionCall, 0.5),
            .closing: blend(scores.closingEffectiveness.value, engine.map { _ in agreed ? 100 : lost ? 0 : 40 }, 0.4),
        ]
        let balance = scores.talkTimeBalance.value
        let overall = Double(skills[.rapportBuilding]!) * 0.2 + Double(skills[.discovery]!) * 0.25 + Double(skills[.objectionHandling]!) * 0.2
            + Double(skills[.closing]!) * 0.2 + balance * 0.15

        var sentiment: [String: Double] = [:]
        for label in SentimentLabel.allCases {
            sentiment[label.rawValue] = repSegments.isEmpty ? 0 : rounded(Double(repSegments.filter { $0.sentiment.label == label }.count) / Double(repSegments.count))
        }
        let questions = analysis.questions.repQuestions
        var remarks: [CoachingRemark] = []
        remarks.append(remark("rapport_building", skills[.rapportBuilding]!, scores.rapportBuilding, turnOf, repSegments,
                              tip: "Open with a greeting and a personal touch, and acknowledge feelings before facts."))
        remarks.append(remark("discovery", skills[.discovery]!, scores.discovery, turnOf, repSegments,
                              extra: engine.map { "Uncovered \($0.revealedPains.count) of \($0.persona.painPoints.count) pain points." },
                              tip: "Ask more open questions (what, how, tell me about) and follow each answer with a deeper one."))
        var objectionEvidence = ignoredTurns.map { CoachingRemark.Evidence(turn: turnOf.rep($0.repTurn), phrase: PracticeText.excerpt($0.repText)) }
        objectionEvidence += engine?.exchanges.filter(\.handledObjection).map { CoachingRemark.Evidence(turn: turnOf.rep($0.repTurn), phrase: PracticeText.excerpt($0.repText)) } ?? []
        remarks.append(remark("objection_handling", skills[.objectionHandling]!, scores.objectionHandling, turnOf, repSegments,
                              extra: raised > 0 ? "Handled \(handled) of \(raised) objection\(raised == 1 ? "" : "s")\(ignoredTurns.isEmpty ? "" : "; moved past an objection \(ignoredTurns.count) time\(ignoredTurns.count == 1 ? "" : "s")")." : nil,
                              evidence: objectionEvidence,
                              tip: "Acknowledge the concern, ask what is behind it, then answer with value tied to their pain."))
        var closingEvidence: [CoachingRemark.Evidence] = []
        if let last = engine?.exchanges.last { closingEvidence.append(.init(turn: turnOf.rep(last.repTurn), phrase: PracticeText.excerpt(last.repText))) }
        remarks.append(remark("closing", skills[.closing]!, scores.closingEffectiveness, turnOf, repSegments,
                              extra: engine.map { _ in agreed ? "The prospect agreed to a next step." : lost ? "The prospect ended the call without a next step." : "The call ended without a next step." },
                              evidence: closingEvidence,
                              tip: "Once interest is high and no objection is open, ask for a specific next step with a day and time."))
        let longest = repSegments.max { $0.wordCount < $1.wordCount }
        remarks.append(remark("talk_time", Int(balance.rounded()), scores.talkTimeBalance, turnOf, repSegments,
                              evidence: longest.map { [.init(turn: $0.segmentID, phrase: PracticeText.excerpt($0.text))] } ?? [],
                              tip: "Aim to talk 40–60% of the time; after two or three sentences, hand the conversation back with a question."))

        return PracticeOutcome(
            overallScore: Int(overall.rounded()), skills: skills, talkTimeRatio: rounded(analysis.dynamics.repTalkShare ?? 0),
            questionCount: questions, questionRate: repSegments.isEmpty ? 0 : rounded(Double(questions) / Double(repSegments.count)),
            responseTime: analysis.dynamics.estimated ? nil : analysis.dynamics.averageResponseSeconds, sentiment: sentiment,
            objectionsRaised: raised, objectionsHandled: handled, nextStepAgreed: agreed, feedback: remarks)
    }

    /// Maps the engine's rep turns (1-based) to transcript segment ids by matching text in order.
    struct TurnNumbers {
        var repSegmentIDs: [Int: Int]

        func rep(_ turn: Int) -> Int { repSegmentIDs[turn] ?? turn }
    }

    static func turnNumbers(_ transcript: Transcript, engine: ProspectEngine?) -> TurnNumbers {
        var map: [Int: Int] = [:]
        var cursor = transcript.segments.startIndex
        for exchange in engine?.exchanges ?? [] {
            let wanted = exchange.repText.trimmingCharacters(in: .whitespacesAndNewlines)
            if let index = transcript.segments[cursor...].firstIndex(where: { $0.speaker != .counterpart && $0.text.trimmingCharacters(in: .whitespacesAndNewlines) == wanted }) {
                map[exchange.repTurn] = transcript.segments[index].id
                cursor = transcript.segments.index(after: index)
            }
        }
        return TurnNumbers(repSegmentIDs: map)
    }

    /// One remark: the score's strongest plus and minus findings as feedback, their evidence as pointers.
    private func remark(
        _ category: String, _ value: Int, _ score: Score, _ turns: TurnNumbers, _ repSegments: [SegmentAnalysis],
        extra: String? = nil, evidence extraEvidence: [CoachingRemark.Evidence] = [], tip: String
    ) -> CoachingRemark {
        let strengths = score.findings.filter { $0.impact > 0 }.sorted { $0.impact > $1.impact }
        let weaknesses = score.findings.filter { $0.impact < 0 }.sorted { $0.impact < $1.impact }
        var sentences: [String] = []
        if let best = strengths.first { sentences.append("Strength: \(best.description).") }
        if let worst = weaknesses.first { sentences.append("To improve: \(worst.description).") }
        if let extra { sentences.append(extra) }
        if sentences.isEmpty { sentences.append(score.findings.first.map { "\($0.description)." } ?? "Nothing notable.") }
        var evidence = extraEvidence
        for finding in weaknesses.prefix(1) + strengths.prefix(2) {
            for item in finding.evidence.prefix(3) where !evidence.contains(where: { $0.turn == item.segmentID }) {
                evidence.append(.init(turn: item.segmentID, phrase: item.phrase))
            }
        }
        if evidence.isEmpty, let first = repSegments.first {
            // Nothing specific fired: point at the rep's opening turn so the remark is still anchored.
            evidence.append(.init(turn: first.segmentID, phrase: PracticeText.excerpt(first.text)))
        }
        let improvement = weaknesses.first.map { "\(tip) (\($0.description.lowercased()))" } ?? tip
        return CoachingRemark(category: category, feedback: sentences.joined(separator: " "), score: value, improvementTip: improvement, evidence: evidence)
    }
}

extension Double {
    fileprivate func clamped(_ low: Double, _ high: Double) -> Double { Swift.min(high, Swift.max(low, self)) }
}
