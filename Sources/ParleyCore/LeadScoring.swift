import Foundation
import ParleyDomain
import ParleyIntelligence

/// Turns a lead and its activities into a `LeadScoreCard` with `LeadScorer`, and calibrates
/// the conversion probability on the organization's own closed leads once it has enough.
public enum LeadScoring {
    /// Closed leads (won or lost, at least one of each) an organization needs before its
    /// conversion probability is fitted on them; below that, the scorer's prior curve is used.
    public static let minimumClosedLeads = 20
    /// The newest closed leads a calibration is fitted on.
    static let calibrationSample = 2_000

    public static func card(for lead: Lead, activities: [LeadActivityRecord], calibration: LeadCalibration?, now: Date = Date()) -> LeadScoreCard {
        let profile = LeadProfile(
            email: lead.email, phone: lead.phone, company: lead.company, title: lead.title, industry: lead.industry,
            source: lead.source, companySize: lead.companySize, notes: lead.notes)
        var history = activities.map { LeadActivity(type: $0.typeName, at: $0.occurredAt) }
        // Opting out is scored as the activity it is, whoever set the flag.
        if lead.doNotCall, !activities.contains(where: { $0.type == .doNotCall }) { history.append(LeadActivity(type: "do_not_call", at: nil)) }
        // What the lead voiced on calls moves the intent score.
        let calls = activities.filter { $0.type == .callCompleted }.compactMap { $0.metadata["evidence"]?.decoded(as: CallEvidence.self) }
        let score = LeadScorer.score(lead: profile, activities: history, calls: calls, now: now)
        var card = LeadScoreCard(
            overall: score.overallScore, demographic: score.demographicScore, behavioral: score.behavioralScore,
            engagement: score.engagementScore, intent: score.intentScore, conversionProbability: score.conversionProbability,
            band: LeadBand(score: score.overallScore), calibrated: false, positiveFactors: score.positiveFactors,
            negativeFactors: score.negativeFactors, recommendations: score.recommendations, scoredAt: now)
        if let calibration, calibration.weights.count == card.components.count + 1 {
            card.conversionProbability = rounded(probability(card.components, weights: calibration.weights))
            card.calibrated = true
            // The priority follows the probability the organization's own outcomes give.
            if let first = card.recommendations.first, first.contains("priority") {
                card.recommendations[0] = priority(card.conversionProbability)
            }
        }
        if lead.doNotCall {
            card.recommendations.insert("Do not call - the lead asked not to be called; use email only", at: 0)
        }
        if lead.status.isClosed {
            card.recommendations = [lead.status == .closedWon ? "Closed won - Hand over to onboarding" : "Closed lost - Review in the next quarter"]
        }
        return card
    }

    static func priority(_ probability: Double) -> String {
        probability >= 0.7 ? "High priority - Schedule immediate call"
            : probability >= 0.4 ? "Medium priority - Follow up within the week" : "Low priority - Add to nurture campaign"
    }

    static func probability(_ components: [Double], weights: [Double]) -> Double {
        var z = weights[0]
        for (index, value) in components.enumerated() { z += weights[index + 1] * value }
        return 1 / (1 + exp(-z))
    }

    static func rounded(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }

    /// Logistic regression of winning on the score components (gradient descent with a small
    /// L2 penalty, so a tiny or separable sample cannot send the weights to infinity); nil
    /// while the sample is below `minimumClosedLeads` or has only one outcome.
    public static func calibrate(_ outcomes: [(components: [Double], won: Bool)], now: Date = Date()) -> LeadCalibration? {
        guard outcomes.count >= minimumClosedLeads, outcomes.contains(where: \.won), outcomes.contains(where: { !$0.won }) else { return nil }
        let width = outcomes[0].components.count + 1
        var weights = [Double](repeating: 0, count: width)
        let rate = 0.5, penalty = 0.01
        let count = Double(outcomes.count)
        for _ in 0..<1_500 {
            var gradient = [Double](repeating: 0, count: width)
            for outcome in outcomes {
                let error = probability(outcome.components, weights: weights) - (outcome.won ? 1 : 0)
                gradient[0] += error
                for (index, value) in outcome.components.enumerated() { gradient[index + 1] += error * value }
            }
            for index in 0..<width {
                let regular = index == 0 ? 0 : penalty * weights[index]
                weights[index] -= rate * (gradient[index] / count + regular)
            }
        }
        return LeadCalibration(weights: weights.map { ($0 * 10_000).rounded() / 10_000 }, closedLeads: outcomes.count, fittedAt: now)
    }
}
