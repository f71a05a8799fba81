import Foundation
import ParleyDomain

/// How a difficulty level sets the prospect's patience and what it takes to win a next step.
public struct ProspectTemperament: Sendable, Codable, Hashable {
    public var startInterest: Double
    public var startTrust: Double
    /// Interest needed before agreeing to a next step.
    public var interestToAgree: Double
    /// Trust needed before agreeing to a next step.
    public var trustToAgree: Double
    /// Bad moves (ignored objection, monologue, pressure, cold close) the prospect tolerates before ending the call.
    public var patience: Int
    /// Objections the prospect raises before it will agree (capped by the scenario's list).
    public var objectionsBeforeAgreeing: Int
    /// Whether acknowledging an objection is enough, or it also needs a question or a value answer.
    public var acknowledgementSuffices: Bool
    /// Words in one rep turn that count as a monologue.
    public var monologueWords: Int
    /// Rep turns after which the prospect runs out of time.
    public var maxRepTurns: Int

    public static func of(_ difficulty: Difficulty) -> ProspectTemperament {
        switch difficulty {
        case .beginner:
            ProspectTemperament(startInterest: 40, startTrust: 45, interestToAgree: 55, trustToAgree: 45, patience: 4, objectionsBeforeAgreeing: 1, acknowledgementSuffices: true, monologueWords: 90, maxRepTurns: 20)
        case .intermediate:
            ProspectTemperament(startInterest: 35, startTrust: 40, interestToAgree: 62, trustToAgree: 50, patience: 3, objectionsBeforeAgreeing: 2, acknowledgementSuffices: false, monologueWords: 80, maxRepTurns: 18)
        case .advanced:
            ProspectTemperament(startInterest: 30, startTrust: 35, interestToAgree: 68, trustToAgree: 55, patience: 3, objectionsBeforeAgreeing: 2, acknowledgementSuffices: false, monologueWords: 70, maxRepTurns: 18)
        case .expert:
            ProspectTemperament(startInterest: 25, startTrust: 30, interestToAgree: 72, trustToAgree: 60, patience: 2, objectionsBeforeAgreeing: 3, acknowledgementSuffices: false, monologueWords: 60, maxRepTurns: 16)
        }
    }
}

/// A small seeded generator (SplitMix64) so the same seed always gives the same conversation.
struct SeededGenerator: RandomNumberGenerator, Sendable, Codable, Hashable {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Why a practice engine cannot start.
public enum ProspectEngineError: Error, Sendable, Equatable, CustomStringConvertible {
    case missingPersona(scenarioID: Int)

    public var description: String {
        switch self {
        case .missingPersona(let id): "scenario \(id) has no prospect persona, so there is no one to role-play"
        }
    }
}

/// The AI prospect of a practice call: a deterministic state machine over the scenario's persona and
/// conversation flow. It decides what happens (reveal, object, soften, agree, hang up); templates word it,
/// and `reword(_:using:)` may let a language model reword it without changing the decision.
public struct ProspectEngine: Sendable, Codable, Hashable {
    public let scenario: Scenario
    public let persona: ProspectPersona
    public let difficulty: Difficulty
    public let temperament: ProspectTemperament
    public private(set) var stage: PracticeStage = .opening
    /// Buying interest, 0…100.
    public private(set) var interest: Double
    /// Trust in the rep, 0…100.
    public private(set) var trust: Double
    public private(set) var patience: Int
    public private(set) var revealedPains: [String] = []
    public private(set) var raisedObjections: [String] = []
    /// The objection raised and not yet handled.
    public private(set) var openObjection: String?
    public private(set) var objectionsHandled = 0
    public private(set) var outcome: PracticeCallOutcome?
    public private(set) var exchanges: [PracticeExchange] = []
    /// Every prospect line so far, the opening first.
    public private(set) var prospectLines: [String] = []

    private var timesRaised = 0
    private var generator: SeededGenerator
    private var lastTemplate: [LineKind: Int] = [:]
    private let reader: RepTurnReader.Configuration

    /// Starts a call. The scenario needs a persona; its flow is optional (no objections, generic opening).
    public init(scenario: Scenario, difficulty: Difficulty? = nil, seed: UInt64 = 0) throws {
        guard let persona = scenario.persona else { throw ProspectEngineError.missingPersona(scenarioID: scenario.id) }
        self.scenario = scenario
        self.persona = persona
        self.difficulty = difficulty ?? scenario.difficulty
        self.temperament = .of(difficulty ?? scenario.difficulty)
        self.interest = temperament.startInterest
        self.trust = temperament.startTrust
        self.patience = temperament.patience
        self.generator = SeededGenerator(state: seed)
        self.reader = .init(monologueWords: temperament.monologueWords)
    }

    public var isEnded: Bool { stage == .ended }
    /// Objections the prospect will raise, in the scenario's order.
    public var objectionScenarios: [String] { scenario.flow?.objectionScenarios ?? [] }
    private var objectionsRequired: Int { min(temperament.objectionsBeforeAgreeing, objectionScenarios.count) }
    private var nextObjection: String? { objectionScenarios.first { !raisedObjections.contains($0) } }

    /// The transcript so far: prospect opening, then rep and prospect turns, ids from 1 in order.
    public var transcript: Transcript {
        var segments: [TranscriptSegment] = []
        func add(_ role: SpeakerRole, _ text: String) {
            segments.append(TranscriptSegment(id: segments.count + 1, speaker: role, speakerLabel: role == .rep ? "rep" : "ai", text: text))
        }
        if let opening = prospectLines.first { add(.counterpart, opening) }
        for exchange in exchanges {
            add(.rep, exchange.repText)
            add(.counterpart, exchange.reply.text)
        }
        return Transcript(segments: segments, language: "en")
    }

    /// The persona's first line: the flow's opening, else a greeting in character.
    public mutating func opening() -> ProspectReply {
        let text: String
        if let scripted = scenario.flow?.opening, !scripted.trimmingCharacters(in: .whitespaces).isEmpty {
            text = scripted
        } else {
            text = line(.openingFallback)
        }
        if prospectLines.isEmpty { prospectLines.append(text) }
        return ProspectReply(text: text, sentiment: baseMood(), intent: .greeting, stage: stage, endsCall: false, outcome: nil)
    }

    /// Reads the rep's turn, moves the state and answers in character. After the call ended it repeats the goodbye.
    public mutating func respond(to repText: String) -> ProspectReply {
        if prospectLines.isEmpty { _ = opening() }
        if isEnded, let last = exchanges.last?.reply {
            return last
        }
        let read = RepTurnReader(monologueWords: reader.monologueWords).read(repText, revealedPains: revealedPains)
        let move = read.move
        let objectionBefore = openObjection
        var decision = decide(move, repText: repText)
        if decision.ended == nil, exchanges.count + 1 >= temperament.maxRepTurns {
            decision = Decision(kind: .endTime, intent: .endCall, ended: .lost)
        }
        if let ended = decision.ended {
            outcome = ended
            stage = .ended
            openObjection = decision.ended == .nextStepAgreed ? nil : openObjection
        }
        let text = line(decision.kind, pain: decision.pain, objection: decision.objection, prefix: decision.prefix)
        let reply = ProspectReply(
            text: text, sentiment: mood(for: decision), intent: decision.intent, stage: stage, endsCall: decision.ended != nil,
            outcome: decision.ended)
        exchanges.append(PracticeExchange(
            repTurn: exchanges.count + 1, repText: repText, move: move, openObjection: objectionBefore,
            ignoredObjection: decision.ignored, handledObjection: decision.handled, revealedPain: decision.revealed,
            raisedObjection: decision.raised, reply: reply, interest: interest, trust: trust, patience: patience))
        prospectLines.append(text)
        return reply
    }

    /// Lets a language model word the reply in character; the decision (intent, stage, outcome) never changes.
    /// Falls back to the template on any failure or an unusable answer.
    public func reword(_ reply: ProspectReply, using model: (any LanguageModel)?) async -> ProspectReply {
        guard let model else { return reply }
        let lastRep = exchanges.last?.repText ?? ""
        let system = """
            You are \(persona.name), \(persona.title) at \(persona.company), on a sales call. Personality: \(persona.personality). \
            Communication style: \(persona.communicationStyle). Stay in character; never mention being an AI. \
            Rewrite the line you are given in your own voice, keeping its meaning, its facts and its decision exactly. \
            Reply with the rewritten line only, at most two sentences.
            """
        let request = CompletionRequest(
            system: system,
            messages: [ChatMessage(role: .user, content: "The rep said: \"\(lastRep)\"\nYour line (\(reply.intent.rawValue)): \"\(reply.text)\"")],
            maxTokens: 120, temperature: 0.7)
        guard let completion = try? await model.complete(request) else { return reply }
        let text = completion.text.trimmingCharacters(in: .whitespacesAndNewlines.union(CharacterSet(charactersIn: "\"")))
        let lower = text.lowercased()
        guard !text.isEmpty, text.count <= 400, !lower.contains("as an ai"), !lower.contains("language model") else { return reply }
        var worded = reply
        worded.text = text
        return worded
    }

    // MARK: - Decisions

    private struct Decision {
        var kind: LineKind
        var intent: ProspectIntent
        var pain: String?
        var objection: String?
        var prefix: LineKind?
        var revealed: String?
        var raised: String?
        var ignored = false
        var handled = false
        var ended: PracticeCallOutcome?
    }

    private mutating func adjust(interest di: Double = 0, trust dt: Double = 0, patience dp: Int = 0) {
        interest = min(100, max(0, interest + di))
        trust = min(100, max(0, trust + dt))
        patience += dp
    }

    private var readyToAgree: Bool {
        openObjection == nil && interest >= temperament.interestToAgree && trust >= temperament.trustToAgree
            && raisedObjections.count >= objectionsRequired
    }

    private mutating func raise(_ objection: String, into decision: inout Decision) {
        raisedObjections.append(objection)
        openObjection = objection
        timesRaised = 1
        stage = .objection
        decision.objection = objection
        decision.raised = objection
        decision.intent = .objection
    }

    private mutating func decide(_ move: RepMove, repText: String) -> Decision {
        if move.rude {
            adjust(interest: -30, trust: -40)
            return Decision(kind: .endRude, intent: .endCall, ended: .lost)
        }
        if move.greeted || move.rapport { adjust(trust: exchanges.count < 2 ? 4 : 2) }
        if move.pushy { adjust(trust: -8, patience: -1) }
        if move.acknowledged && openObjection == nil && !move.pushy { adjust(trust: 3) }
        var decision = Decision(kind: .deflect, intent: .deflect)

        if let objection = openObjection {
            let answered = move.acknowledged && (temperament.acknowledgementSuffices || move.questions > 0 || move.pitched)
            if answered && !move.pushy && !move.monologue {
                objectionsHandled += 1
                openObjection = nil
                timesRaised = 0
                adjust(interest: 10, trust: 8)
                decision.handled = true
                if move.askedForNextStep && readyToAgree {
                    return agree(move)
                }
                stage = .presentation
                decision.kind = .soften
                decision.intent = .softenObjection
                return decision
            }
            if move.acknowledged && !move.pushy && !move.monologue {
                adjust(trust: 3)
                decision.kind = .partialAcknowledge
                decision.intent = .repeatObjection
                decision.objection = objection
                return decision
            }
            timesRaised += 1
            adjust(interest: -10, trust: -8, patience: -1)
            decision.ignored = true
            if patience <= 0 { return Decision(kind: .endPatience, intent: .endCall, ignored: true, ended: .lost) }
            decision.kind = timesRaised >= 3 ? .escalateObjection : .repeatObjection
            decision.intent = .repeatObjection
            decision.objection = objection
            return decision
        }

        if move.monologue {
            adjust(interest: -6, patience: -1)
            if patience <= 0 { return Decision(kind: .endPatience, intent: .endCall, ended: .lost) }
            return Decision(kind: .monologue, intent: .deflect)
        }
        if move.pushy && patience <= 0 { return Decision(kind: .endPatience, intent: .endCall, ended: .lost) }

        if move.askedForNextStep {
            if revealedPains.isEmpty {
                // Asking for commitment before any discovery is an early close: a plausible moment to object.
                adjust(trust: -6, patience: -1)
                if patience <= 0 { return Decision(kind: .endPatience, intent: .endCall, ended: .lost) }
                if let objection = nextObjection {
                    decision.kind = .raiseObjection
                    decision.prefix = .earlyClose
                    raise(objection, into: &decision)
                    return decision
                }
                stage = .closing
                return Decision(kind: .earlyClose, intent: .hesitate)
            }
            if raisedObjections.count < objectionsRequired, let objection = nextObjection {
                stage = .closing
                decision.kind = .raiseObjection
                raise(objection, into: &decision)
                return decision
            }
            if readyToAgree { return agree(move) }
            stage = .closing
            adjust(patience: -1)
            if patience <= 0 { return Decision(kind: .endPatience, intent: .endCall, ended: .lost) }
            return Decision(kind: .hesitate, intent: .hesitate)
        }

        if move.pitched {
            stage = .presentation
            if move.tiedToPain, let pain = revealedPains.last(where: { !PracticeText.stems($0).isDisjoint(with: PracticeText.stems(repText)) }) {
                adjust(interest: 12, trust: 2)
                decision.kind = .pitchTied
                decision.pain = pain
                decision.intent = .reactToPitch
            } else {
                adjust(interest: 2)
                decision.kind = .pitchLoose
                decision.intent = .reactToPitch
            }
            // A value pitch is the natural moment for the next objection.
            if raisedObjections.count < objectionsRequired || !move.tiedToPain, let objection = nextObjection {
                decision.prefix = decision.kind
                decision.kind = .raiseObjection
                raise(objection, into: &decision)
            }
            return decision
        }

        if move.askedWhoTheyAre && !move.discovery { return Decision(kind: .introduce, intent: .introduce) }
        if move.discovery && move.questions > 0 {
            if stage == .opening { stage = .discovery }
            if move.askedWhoTheyAre && move.openQuestions + move.closedQuestions == 1 {
                adjust(trust: 2)
                return Decision(kind: .introduce, intent: .introduce)
            }
            let unrevealed = persona.painPoints.filter { !revealedPains.contains($0) }
            let asked = PracticeText.stems(repText)
            let relevant = unrevealed.max { PracticeText.stems($0).intersection(asked).count < PracticeText.stems($1).intersection(asked).count }
                .flatMap { PracticeText.stems($0).isDisjoint(with: asked) ? nil : $0 }
            if move.openQuestions > 0, let pain = relevant ?? unrevealed.first {
                revealedPains.append(pain)
                adjust(interest: 5, trust: 3)
                decision = Decision(kind: .revealOpen, intent: .revealPainPoint, pain: pain, revealed: pain)
            } else if let pain = relevant {
                revealedPains.append(pain)
                adjust(interest: 3, trust: 1)
                decision = Decision(kind: .revealClosed, intent: .revealPainPoint, pain: pain, revealed: pain)
            } else if move.openQuestions > 0 {
                adjust(interest: 1, trust: 2)
                decision = Decision(kind: .nothingLeft, intent: .answer)
            } else {
                adjust(interest: 1)
                decision = Decision(kind: .closedAnswer, intent: .answer)
            }
            // After a few turns of questions without an objection, the prospect voices one anyway.
            let turnsSinceObjection = exchanges.reversed().prefix { $0.raisedObjection == nil }.count
            if raisedObjections.count < objectionsRequired, turnsSinceObjection >= 4, let objection = nextObjection {
                decision.prefix = decision.kind
                decision.kind = .raiseObjection
                raise(objection, into: &decision)
            }
            return decision
        }

        if move.askedWhoTheyAre { return Decision(kind: .introduce, intent: .introduce) }
        if move.greeted || move.rapport { return Decision(kind: .smallTalk, intent: .smallTalk) }
        adjust(interest: -3)
        return decision
    }

    private mutating func agree(_ move: RepMove) -> Decision {
        adjust(interest: 5, trust: 5)
        return Decision(kind: move.concreteTime ? .agreeWithTime : .agree, intent: .agreeNextStep, ended: .nextStepAgreed)
    }

    // MARK: - Wording

    private func baseMood() -> ProspectMood {
        if interest >= temperament.interestToAgree - 8 { return .interested }
        if patience <= 1 || trust < 20 { return .frustrated }
        let wary = ["skeptical", "guarded", "tough", "frustrated", "cautious", "driver"]
        return wary.contains(persona.personality.lowercased()) && interest < 40 ? .skeptical : .neutral
    }

    private func mood(for decision: Decision) -> ProspectMood {
        switch decision.intent {
        case .agreeNextStep: .positive
        case .endCall: .frustrated
        case .objection: .skeptical
        case .repeatObjection: timesRaised >= 2 ? .frustrated : .skeptical
        case .softenObjection: .interested
        default: baseMood()
        }
    }

    /// Picks a template for the situation with the seeded generator, never the same text as the last line.
    private mutating func line(_ kind: LineKind, pain: String? = nil, objection: String? = nil, prefix: LineKind? = nil) -> String {
        var parts: [String] = []
        if let prefix { parts.append(pick(prefix, pain: pain, objection: objection)) }
        parts.append(pick(kind, pain: pain, objection: objection))
        var text = parts.joined(separator: " ")
        if text == prospectLines.last {
            text = pick(kind, pain: pain, objection: objection, avoiding: text)
        }
        return text
    }

    private mutating func pick(_ kind: LineKind, pain: String?, objection: String?, avoiding: String? = nil) -> String {
        let options = ProspectLines.options(kind, persona: persona)
        var index = Int(generator.next() % UInt64(options.count))
        if options.count > 1, index == lastTemplate[kind] { index = (index + 1) % options.count }
        var text = ProspectLines.fill(options[index], persona: persona, pain: pain, objection: objection)
        if let avoiding, text == avoiding, options.count > 1 {
            index = (index + 1) % options.count
            text = ProspectLines.fill(options[index], persona: persona, pain: pain, objection: objection)
        }
        lastTemplate[kind] = index
        return text
    }
}

extension RepTurnReader {
    /// The part of a reader that belongs to the engine's stored state.
    struct Configuration: Sendable, Codable, Hashable {
        var monologueWords: Int
    }
}
