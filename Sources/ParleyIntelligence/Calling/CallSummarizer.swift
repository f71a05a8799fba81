import Foundation
import ParleyDomain

extension AICaller {
    /// The end-of-call summary (also available mid-call, with the outcome so far as `no_decision`).
    public var summary: CallSummary {
        let outcome = self.outcome ?? .noDecision
        let sentiments = exchanges.map(\.analysis.sentiment)
        let average = sentiments.isEmpty ? 0 : sentiments.reduce(0, +) / Double(sentiments.count)
        var signals: [InterestSignal] = []
        for exchange in exchanges {
            for signal in exchange.analysis.interestSignals where !signals.contains(signal) { signals.append(signal) }
        }
        let words = exchanges.map { $0.leadText.split(whereSeparator: \.isWhitespace).count }
        let averageWords = words.isEmpty ? 0 : Double(words.reduce(0, +)) / Double(words.count)
        let questions = exchanges.filter { $0.analysis.intent == .question || $0.leadText.contains("?") }.count
        // Engagement: how much the lead said, how much interest they showed, whether they asked anything.
        let engagement = min(1, averageWords / 15) * 0.5 + min(1, Double(signals.count) / 3) * 0.3 + (questions > 0 ? 0.2 : 0)
        return CallSummary(
            outcome: outcome, conversationState: state, keyPoints: keyPoints(outcome: outcome, signals: signals), objections: objections,
            interestSignals: signals, nextStep: nextStep, overallSentiment: rounded(average), totalExchanges: callerLines.count + exchanges.count,
            leadTurns: exchanges.count, engagementScore: rounded(engagement),
            conversionProbability: rounded(Self.conversion(outcome, signals: signals.count, sentiment: average)),
            recommendation: recommendation(outcome: outcome))
    }

    /// A rule of thumb, not a model: the outcome sets the base, interest and mood move it a little.
    static func conversion(_ outcome: CallOutcome, signals: Int, sentiment: Double) -> Double {
        let base: Double =
            switch outcome {
            case .nextStepBooked: 0.6
            case .callbackRequested: 0.3
            case .noDecision: 0.2
            case .endedByLead, .voicemail: 0.1
            case .notInterested: 0.05
            case .wrongPerson: 0.02
            case .optedOut: 0
            }
        guard outcome != .optedOut else { return 0 }
        return min(1, max(0, base + 0.05 * Double(min(signals, 4)) + 0.1 * sentiment))
    }

    private func keyPoints(outcome: CallOutcome, signals: [InterestSignal]) -> [String] {
        var points: [String] = []
        let who = [lead.name, lead.title, lead.company].compactMap { $0 }.joined(separator: ", ")
        switch outcome {
        case .voicemail: points.append("Reached voicemail\(who.isEmpty ? "" : " for \(who)"); left a message.")
        case .wrongPerson: points.append("Reached the wrong person\(who.isEmpty ? "" : " instead of \(who)").")
        default: if !who.isEmpty { points.append("Spoke with \(who).") }
        }
        for pain in heardPains { points.append("Pain point: \(PracticeText.inline(pain)).") }
        var types: [ObjectionType] = []
        for objection in objections where !types.contains(objection.type) { types.append(objection.type) }
        for type in types {
            let raised = objections.filter { $0.type == type }
            // Resolved when the last time it came up, the answer held.
            let settled = raised.last!.handled
            let times = raised.count > 1 ? "raised \(raised.count) times, " : ""
            points.append("Objection: \(type.rawValue) (\(times)\(settled ? "handled" : "not resolved")).")
        }
        if !signals.isEmpty { points.append("Interest shown: \(signals.map(\.rawValue).joined(separator: ", ")).") }
        switch outcome {
        case .nextStepBooked:
            let length = nextStep?.minutes.map { "\($0)-minute " } ?? ""
            let when = nextStep?.when.map { ", \($0)" } ?? ""
            points.append("Next step booked: \(length)\(nextStep?.kind ?? pitch.meetingKind)\(when).")
        case .callbackRequested: points.append("Asked to be called back\(nextStep?.when.map { " \($0)" } ?? " later").")
        case .optedOut: points.append("Asked not to be called again.")
        case .notInterested: points.append("Said they are not interested.")
        case .endedByLead: points.append("Ended the call.")
        case .noDecision: points.append("No decision yet.")
        case .voicemail, .wrongPerson: break
        }
        return points
    }

    /// The advice for the rep, in the document's "Priority - action" form.
    private func recommendation(outcome: CallOutcome) -> String {
        let open = objections.first { !$0.handled } ?? objections.last
        let followUp = open.map { Self.followUp[$0.type]! } ?? "a short recap email"
        let name = lead.firstName ?? "the lead"
        switch outcome {
        case .nextStepBooked:
            let when = nextStep?.when.map { " (\($0))" } ?? ""
            return "High priority - Prepare the \(pitch.meetingKind)\(when)\(open.map { " with \(Self.preparation[$0.type]!)" } ?? "")"
        case .callbackRequested:
            return "Medium priority - Call \(name) back \(nextStep?.when ?? "at a better time")"
        case .noDecision: return "Medium priority - Follow up with \(followUp)"
        case .endedByLead: return "Low priority - Follow up by email with \(followUp) before calling again"
        case .notInterested: return "Low priority - Lead declined; revisit in a few months only with a new reason to talk"
        case .voicemail: return "Retry - Voicemail left; call again in two or three days"
        case .wrongPerson: return "Update contact - Wrong person reached; find the right contact\(lead.company.map { " at \($0)" } ?? "")"
        case .optedOut: return "Do not contact - Lead asked to be removed; add them to the do-not-call list"
        }
    }

    /// What to prepare for a booked meeting when an objection came up.
    static let preparation: [ObjectionType: String] = [
        .price: "pricing and an ROI estimate", .timing: "a short agenda that respects their time",
        .competitor: "a comparison with their current solution", .authority: "an invitation for the decision maker",
        .need: "a case study on the problem they described", .trust: "references and case studies",
    ]

    /// What to bring to the next conversation for each objection type.
    static let followUp: [ObjectionType: String] = [
        .price: "pricing information and an ROI estimate", .timing: "a check-in at a better time",
        .competitor: "a comparison with their current solution", .authority: "an invitation for the decision maker",
        .need: "a short case study on the problem they described", .trust: "references and case studies",
    ]
}
