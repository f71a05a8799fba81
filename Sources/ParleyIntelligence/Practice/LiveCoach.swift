import Foundation
import ParleyDomain

/// A real-time coaching hint during a practice call (the Sales Trainer `coaching` message).
public struct CoachingNudge: Sendable, Codable, Hashable {
    /// The area a nudge is about.
    public enum Category: String, Sendable, Codable, Hashable, CaseIterable {
        case discovery
        case rapport
        case objectionHandling = "objection_handling"
        case closing
        case talkTime = "talk_time"
        case pace
    }

    /// How soon the rep should act on a nudge.
    public enum Urgency: String, Sendable, Codable, Hashable, CaseIterable {
        case low
        case medium
        case high
    }

    public var message: String
    public var category: Category
    public var urgency: Urgency
    /// The rep turn (1-based) the nudge reacts to.
    public var repTurn: Int

    public init(message: String, category: Category, urgency: Urgency, repTurn: Int) {
        self.message = message
        self.category = category
        self.urgency = urgency
        self.repTurn = repTurn
    }
}

/// Turns each exchange of a practice call into at most one nudge. Rate-limited so it does not nag:
/// never the same category twice in a row, and low-urgency praise at most every third turn.
public struct LiveCoach: Sendable, Codable, Hashable {
    public private(set) var given: [CoachingNudge] = []
    private var lastLowTurn = -10

    public init() {}

    /// The nudge for the latest exchange of `engine`, if one is worth giving.
    public mutating func nudge(after engine: ProspectEngine) -> CoachingNudge? {
        guard let exchange = engine.exchanges.last, given.last?.repTurn != exchange.repTurn else { return nil }
        let candidates = Self.candidates(exchange, engine: engine)
        for candidate in candidates {
            if let last = given.last, last.category == candidate.category, last.repTurn >= exchange.repTurn - 1 { continue }
            if candidate.urgency == .low && exchange.repTurn - lastLowTurn < 3 { continue }
            if candidate.urgency == .low { lastLowTurn = exchange.repTurn }
            given.append(candidate)
            return candidate
        }
        return nil
    }

    /// Every nudge that applies, most important first.
    static func candidates(_ exchange: PracticeExchange, engine: ProspectEngine) -> [CoachingNudge] {
        let move = exchange.move
        let turn = exchange.repTurn
        var list: [CoachingNudge] = []
        func add(_ message: String, _ category: CoachingNudge.Category, _ urgency: CoachingNudge.Urgency) {
            list.append(CoachingNudge(message: message, category: category, urgency: urgency, repTurn: turn))
        }
        if exchange.reply.endsCall && exchange.reply.outcome == .nextStepAgreed {
            return [CoachingNudge(message: "Next step agreed. Confirm the time and what you will send before you hang up.", category: .closing, urgency: .low, repTurn: turn)]
        }
        if move.rude { add("Keep it respectful: a dismissive remark ends the conversation.", .rapport, .high) }
        if exchange.ignoredObjection, let objection = exchange.openObjection {
            add("You moved past their concern (\"\(PracticeText.excerpt(objection, words: 8))\"). Acknowledge it and ask what is behind it before anything else.", .objectionHandling, .high)
        }
        if move.monologue {
            add("That turn ran \(move.wordCount) words. Pause and ask a question so they can talk.", .talkTime, .high)
        }
        if let raised = exchange.raisedObjection {
            add("They raised an objection: \"\(PracticeText.excerpt(raised, words: 8))\". Acknowledge it, then ask a question about it.", .objectionHandling, .medium)
        }
        if exchange.reply.intent == .repeatObjection && !exchange.ignoredObjection {
            add("Acknowledging is a start; now answer the concern with a question or a concrete value point.", .objectionHandling, .medium)
        }
        if move.pushy { add("Ease off the pressure: ask about their situation instead of pushing for a decision.", .pace, .medium) }
        if move.askedForNextStep && engine.revealedPains.isEmpty {
            add("You asked for commitment before discovering any need. Ask open questions first.", .discovery, .medium)
        }
        if !exchange.reply.endsCall, engine.openObjection == nil, !move.askedForNextStep,
            engine.interest >= engine.temperament.interestToAgree - 5, engine.trust >= engine.temperament.trustToAgree - 5
        {
            add("Interest is high. Ask for a concrete next step with a day and time.", .closing, .medium)
        }
        if move.pitched && !move.tiedToPain && !engine.revealedPains.isEmpty {
            add("Tie your pitch to a pain they mentioned, for example \"\(PracticeText.inline(engine.revealedPains[0]))\".", .discovery, .medium)
        }
        if let pain = exchange.revealedPain, move.openQuestions > 0 {
            add("Good open question: they shared \"\(PracticeText.inline(pain))\". Probe deeper: what does it cost them?", .discovery, .low)
        }
        if move.questions > 0 && move.openQuestions == 0 && exchange.revealedPain == nil {
            add("Closed questions get short answers. Try an open one: what, how, or tell me about.", .discovery, .low)
        }
        if turn >= 3, move.questions == 0, !move.pitched, !move.askedForNextStep, !move.acknowledged {
            add("Keep the conversation moving: ask a question about their priorities.", .pace, .low)
        }
        return list
    }
}
