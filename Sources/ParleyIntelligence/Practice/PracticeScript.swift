import Foundation
import ParleyDomain

/// Scripted reps with known intent, for end-to-end tests and benchmarks of a practice call (typed or
/// synthesised to speech): a good rep that should reach a next step and bad reps that should lose.
public enum PracticeScript {
    /// The losing styles a bad rep can play.
    public enum BadStyle: String, Sendable, Codable, CaseIterable {
        case pushy
        case rude
        case monologue
        case ignoresObjections = "ignores_objections"
    }

    /// What the good rep says next, given the call so far: rapport, the scenario's discovery questions,
    /// value tied to each revealed pain, acknowledge-and-ask for every objection, then a concrete next step.
    public static func goodTurn(_ engine: ProspectEngine) -> String {
        guard let last = engine.exchanges.last else {
            let first = engine.persona.name.split(separator: " ").first.map(String.init) ?? engine.persona.name
            return "Hi \(first), this is Alex from Parley. Thanks for taking my call, I appreciate your time. How is your week going?"
        }
        if last.reply.intent == .hesitate, !engine.revealedPains.isEmpty {
            let pain = engine.revealedPains[engine.exchanges.count % engine.revealedPains.count]
            return "Think about \(PracticeText.inline(pain)). Our customers typically see that drop within a quarter, which means your team gets hours back every week."
        }
        if engine.openObjection != nil {
            return "I understand, that's a fair concern. Many of our customers felt the same at first. What would need to be true for this to work for you?"
        }
        let asked = Set(engine.exchanges.map(\.repText))
        if engine.revealedPains.count < engine.persona.painPoints.count,
            let question = engine.scenario.flow?.discoveryQuestions.first(where: { !asked.contains($0) })
        {
            return question
        }
        if let pain = engine.revealedPains.first(where: { pain in !asked.contains(pitch(pain)) }) {
            return pitch(pain)
        }
        return "Would you be open to a 30-minute follow-up call next Tuesday at 10 am to map out next steps?"
    }

    /// What a bad rep of `style` says on its `turn`-th turn (0-based).
    public static func badTurn(_ style: BadStyle, turn: Int) -> String {
        switch style {
        case .pushy: "You need to sign today. Our platform saves you money, so just sign the contract right now."
        case .rude: turn == 0 ? "Hi, this is Alex from Parley." : "Whatever, listen to me, you clearly don't get it."
        case .monologue: monologue
        case .ignoresObjections:
            turn % 2 == 0 ? "Our platform saves time and reduces costs for companies like yours." : "Can we book the contract signing for Friday?"
        }
    }

    /// A 120-word pitch with no question in it.
    public static let monologue = Array(
        repeating: "Our platform is the best on the market and it saves money, it improves everything, our customers love it and we have won awards, and the dashboards are beautiful.",
        count: 4
    ).joined(separator: " ")

    private static func pitch(_ pain: String) -> String {
        "You mentioned \(PracticeText.inline(pain)). We help teams like yours fix exactly that, which means less time lost and lower costs."
    }

    /// Plays a whole call with the good rep (at most `maxTurns` rep turns).
    public static func playGood(_ engine: inout ProspectEngine, maxTurns: Int = 40) {
        if engine.prospectLines.isEmpty { _ = engine.opening() }
        while !engine.isEnded && engine.exchanges.count < maxTurns { _ = engine.respond(to: goodTurn(engine)) }
    }

    /// Plays a whole call with a bad rep of `style` (at most `maxTurns` rep turns).
    public static func playBad(_ engine: inout ProspectEngine, style: BadStyle, maxTurns: Int = 40) {
        if engine.prospectLines.isEmpty { _ = engine.opening() }
        var turn = 0
        while !engine.isEnded && turn < maxTurns {
            _ = engine.respond(to: badTurn(style, turn: turn))
            turn += 1
        }
    }
}
