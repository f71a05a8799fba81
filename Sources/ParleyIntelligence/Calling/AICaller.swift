import Foundation
import ParleyDomain

/// How persistent the AI caller is before it wraps up politely: an outbound call must never badger.
public struct CallLimits: Sendable, Codable, Hashable {
    /// Caller lines (the opening included) after which the caller wraps up.
    public var maxCallerTurns: Int
    /// Discovery questions asked before the pitch when a pain point has been heard.
    public var discoveryQuestions: Int
    /// Times the caller asks for the next step before it offers to follow up by email instead.
    public var maxCloseAttempts: Int
    /// Objections answered in one call; one more objection after that wraps up.
    public var maxObjectionAnswers: Int
    /// Times the same objection may come straight back after an answer; once more and the caller wraps up.
    public var answersPerObjection: Int

    public init(maxCallerTurns: Int = 16, discoveryQuestions: Int = 2, maxCloseAttempts: Int = 3, maxObjectionAnswers: Int = 5, answersPerObjection: Int = 2) {
        self.maxCallerTurns = maxCallerTurns
        self.discoveryQuestions = discoveryQuestions
        self.maxCloseAttempts = maxCloseAttempts
        self.maxObjectionAnswers = maxObjectionAnswers
        self.answersPerObjection = answersPerObjection
    }
}

/// The AI caller of an outbound sales call: speaks for an organization to a lead, the counterpart of the
/// AI prospect. A deterministic state machine moves through the documented `conversation_state`s
/// (greeting → discovery → presentation → closing, with objection_handling whenever the lead objects);
/// every lead reply is read with the shared `TextAnalyzer`. Templates word each decision with a seeded
/// generator, and `reword(_:using:)` may let a language model reword a line without changing the decision.
///
/// There is no `ended` conversation state: the Leads document reports the end through `should_continue`
/// and keeps the last state (`closing`) in the end-of-call summary, so the call's end is `isEnded`/`outcome`.
public struct AICaller: Sendable, Codable, Hashable {
    public let lead: CallLead
    public let pitch: CallPitch
    public let limits: CallLimits
    /// The documented state after the caller's last line.
    public private(set) var state: ConversationState = .greeting
    /// The furthest state of the main sequence reached; objection_handling is a detour from it, never a phase.
    public private(set) var phase: ConversationState = .greeting
    public private(set) var outcome: CallOutcome?
    /// Every caller line, the opening first.
    public private(set) var callerLines: [CallerLine] = []
    /// Every lead turn (the pickup first, when it was heard) with the caller's answer.
    public private(set) var exchanges: [CallExchange] = []
    /// Problems the lead described, in their words or as the lead profile names them.
    public private(set) var heardPains: [String] = []
    public private(set) var objections: [RaisedObjection] = []
    public private(set) var nextStep: CallNextStep?

    private var pickupHeard = false
    private var questionsAsked = 0
    private var askedPains: [String] = []
    private var closeAsks = 0
    private var rejections = 0
    /// How many times in a row the lead brought the same objection straight back after an answer.
    private var repeatedObjection = 0
    private var generator: SeededGenerator
    private var lastTemplate: [CallerLineKind: Int] = [:]

    /// Prepares a call; nothing is said until `start(pickup:)`.
    public init(lead: CallLead = CallLead(), pitch: CallPitch = CallPitch(), limits: CallLimits = CallLimits(), seed: UInt64 = 0) {
        self.lead = lead
        self.pitch = pitch
        self.limits = limits
        self.generator = SeededGenerator(state: seed)
    }

    public var isEnded: Bool { outcome != nil }

    private var lastAct: CallerAct? { callerLines.last?.act }

    /// The transcript so far: caller lines as the rep (labelled "ai"), the lead as the counterpart, ids from 1.
    public var transcript: Transcript {
        var segments: [TranscriptSegment] = []
        func add(_ role: SpeakerRole, _ text: String) {
            segments.append(TranscriptSegment(id: segments.count + 1, speaker: role, speakerLabel: role == .rep ? "ai" : "lead", text: text))
        }
        if !pickupHeard, let opening = callerLines.first { add(.rep, opening.text) }
        for exchange in exchanges {
            add(.counterpart, exchange.leadText)
            add(.rep, exchange.reply.text)
        }
        return Transcript(segments: segments, language: "en")
    }

    // MARK: - Turns

    /// The caller's first line (the document's `opening_message`). `pickup` is what was heard when the line
    /// opened, if anything: a voicemail greeting gets a voicemail message and ends the call, an opt-out or a
    /// wrong person ends it at once, and an objection on pickup is answered after the greeting.
    /// Calling it again returns the opening.
    public mutating func start(pickup: String? = nil) -> CallerLine {
        if let opening = callerLines.first { return opening }
        guard let pickup, !pickup.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            let line = CallerLine(text: pick(.opening), act: .opening, state: .greeting, analysis: nil, shouldContinue: true, outcome: nil)
            callerLines.append(line)
            return line
        }
        pickupHeard = true
        let reading = read(pickup, firstTurn: true)
        var line: CallerLine
        if let ending = terminal(reading) {
            line = ending
        } else {
            // "Who's calling?" is answered by the greeting itself. A no or an objection on pickup gets the greeting
            // and a short acknowledgement: a full answer before the lead knows who is calling is a monologue.
            let text: String
            if reading.rejection {
                raise(.need, turn: 1)
                text = pick(.greetingOnly) + " " + pick(.notInterestedOnce)
            } else if let objection = reading.analysis.objections.last {
                raise(objection, turn: 1)
                text = pick(.greetingOnly) + " " + pick(.pickupAcknowledge)
            } else {
                text = pick(.opening)
            }
            line = CallerLine(text: text, act: .opening, state: .greeting, analysis: reading.analysis, shouldContinue: true, outcome: nil)
        }
        line.analysis = reading.analysis
        record(pickup, reading, line)
        return line
    }

    /// Reads the lead's reply, moves the state and answers. After the call ended it repeats the last line.
    public mutating func respond(to leadText: String) -> CallerLine {
        if callerLines.isEmpty { _ = start() }
        if isEnded, let last = callerLines.last { return last }
        let firstTurn = exchanges.isEmpty
        let reading = read(leadText, firstTurn: firstTurn)
        let turn = exchanges.count + 1
        settleObjections(after: reading)
        var line = terminal(reading) ?? decide(reading, turn: turn)
        line.analysis = reading.analysis
        record(leadText, reading, line)
        return line
    }

    /// Ends the call from outside (the surface's `end`, a hang-up): a running call ends with no decision.
    public mutating func finish() -> CallSummary {
        if outcome == nil { outcome = .noDecision }
        return summary
    }

    // MARK: - Decisions

    private func read(_ text: String, firstTurn: Bool) -> LeadReading {
        LeadReplyReader().read(
            text, leadFirstName: lead.firstName, closeAsked: lastAct == .askForNextStep, isFirstLeadTurn: firstTurn,
            discoveryAnswer: lastAct == .discoveryQuestion, knownPains: lead.painPoints + heardPains)
    }

    /// The replies that end the call whatever the state: opt-out first (a legal duty), then the line not
    /// reaching the lead at all, then the lead's own ending.
    private mutating func terminal(_ reading: LeadReading) -> CallerLine? {
        if reading.optOut { return end(.optedOut, .optOut, act: .goodbye) }
        if reading.voicemail { return end(.voicemail, .voicemail, act: .voicemailMessage) }
        if reading.wrongPerson { return end(.wrongPerson, .wrongPerson, act: .goodbye) }
        if reading.callbackRequested {
            nextStep = CallNextStep(kind: "callback", when: reading.timePhrase, minutes: nil)
            return end(.callbackRequested, reading.timePhrase == nil ? .confirmCallback : .confirmCallbackAt, act: .confirmCallback, when: reading.timePhrase)
        }
        if reading.rejection {
            rejections += 1
            // One polite question after the first no; a second no (or a no while hanging up) ends the call.
            if rejections >= 2 || reading.leaving { return end(.notInterested, .goodbyeRejected, act: .goodbye) }
            return nil
        }
        if reading.leaving { return end(.endedByLead, .goodbyeLeaving, act: .goodbye) }
        if reading.agreement {
            let when = reading.timePhrase ?? proposedTime(closeAsks - 1)
            nextStep = CallNextStep(kind: pitch.meetingKind, when: when, minutes: pitch.meetingMinutes)
            return end(.nextStepBooked, .confirmNextStep, act: .confirmNextStep, when: when)
        }
        return nil
    }

    private mutating func decide(_ reading: LeadReading, turn: Int) -> CallerLine {
        if callerLines.count >= limits.maxCallerTurns { return end(.noDecision, .wrapUp, act: .goodbye) }
        if reading.rejection {
            raise(.need, turn: turn)
            return line(pick(.notInterestedOnce), .objectionAnswer, state: .objectionHandling)
        }
        // The newest concern usually comes last ("Everyone says that. … It's too expensive.").
        if let objection = reading.analysis.objections.last {
            let comesBack = lastAct == .objectionAnswer && objections.last?.type == objection
            repeatedObjection = comesBack ? repeatedObjection + 1 : 0
            if objections.count > limits.maxObjectionAnswers || repeatedObjection >= limits.answersPerObjection {
                return end(.noDecision, .wrapUp, act: .goodbye)
            }
            let text = answer(objection, turn: turn)
            return line(text, .objectionAnswer, state: .objectionHandling)
        }
        // Before the pitch, an answer to a question describes a problem in the lead's words; any reply may name
        // one of the profile's problems (also right after an objection was answered).
        if phase.order <= ConversationState.discovery.order {
            notePain(from: reading, ownWords: lastAct == .discoveryQuestion || lastAct == .opening)
        }
        // "So what's this about?" is answered by the reason for the call, not by "Good question".
        let prefix = questionPrefix(reading, generic: phase != .greeting)
        switch phase {
        case .greeting:
            return discoveryLine(prefix: joined(prefix, pick(.reason)))
        case .discovery:
            let enough = questionsAsked >= limits.discoveryQuestions && !heardPains.isEmpty || questionsAsked >= limits.discoveryQuestions + 1
            if !enough { return discoveryLine(prefix: prefix.isEmpty ? pick(.acknowledge) : prefix) }
            let pain = heardPains.last
            let text = pain.map { pick(.pitchTied, pain: $0) } ?? pick(.pitchGeneric)
            return line(joined(prefix, text), .pitch, state: .presentation)
        case .presentation, .objectionHandling:
            // Doubt or a "what does that mean for us?" after the pitch earns one more reason before the ask.
            if (reading.hesitation || reading.asked) && lastAct == .pitch { return reinforce(prefix, state: .presentation) }
            return askForNextStep(prefix)
        case .closing:
            if closeAsks >= limits.maxCloseAttempts { return end(.noDecision, .wrapUp, act: .goodbye) }
            // A non-answer to the ask gets one more reason before the next ask, never two asks in a row.
            if lastAct == .askForNextStep { return reinforce(prefix, state: .closing) }
            return askForNextStep(prefix)
        }
    }

    private mutating func discoveryLine(prefix: String) -> CallerLine {
        questionsAsked += 1
        let question: String
        if questionsAsked <= pitch.questions.count {
            // The organization's own questions come first, in its order.
            question = pitch.questions[questionsAsked - 1]
        } else if let pain = lead.painPoints.first(where: { !askedPains.contains($0) && !heardPains.contains($0) }) {
            askedPains.append(pain)
            question = pick(.discoveryPain, pain: pain)
        } else {
            question = pick(.discoveryGeneric)
        }
        return line(joined(prefix, question), .discoveryQuestion, state: .discovery)
    }

    private mutating func reinforce(_ prefix: String, state: ConversationState) -> CallerLine {
        let pain = heardPains.isEmpty ? nil : heardPains[(closeAsks + heardPains.count - 1) % heardPains.count]
        let text = pain.map { pick(.reinforceTied, pain: $0) } ?? pick(.reinforceGeneric)
        return line(joined(prefix, text), .reinforceValue, state: state)
    }

    private mutating func askForNextStep(_ prefix: String) -> CallerLine {
        let when = proposedTime(closeAsks)
        closeAsks += 1
        return line(joined(prefix, pick(.askNextStep, when: when)), .askForNextStep, state: .closing)
    }

    private func proposedTime(_ index: Int) -> String {
        guard !pitch.meetingTimes.isEmpty else { return "a time that suits you" }
        return pitch.meetingTimes[max(0, index) % pitch.meetingTimes.count]
    }

    /// A short answer to a question the lead asked, said before the caller's next move.
    private mutating func questionPrefix(_ reading: LeadReading, generic: Bool) -> String {
        guard reading.asked else { return "" }
        if reading.identityAsked { return pick(.answerIdentity) }
        if reading.analysis.interestSignals.contains(.pricingInterest) { return pick(.answerPricing) }
        return generic ? pick(.answerQuestion) : ""
    }

    /// Records the objection and words the answer for its type.
    private mutating func answer(_ objection: ObjectionType, turn: Int) -> String {
        raise(objection, turn: turn)
        return pick(CallerLineKind.answer(objection))
    }

    private mutating func raise(_ objection: ObjectionType, turn: Int) {
        objections.append(RaisedObjection(type: objection, leadTurn: turn, handled: false))
    }

    /// An objection counts as handled when the lead's next reply neither repeats it nor says no or hangs up.
    private mutating func settleObjections(after reading: LeadReading) {
        guard lastAct == .objectionAnswer || lastAct == .opening, let index = objections.indices.last,
            objections[index].leadTurn == exchanges.count
        else { return }
        let repeated = reading.analysis.objections.contains(objections[index].type)
        objections[index].handled = !repeated && !reading.rejection && !reading.leaving && !reading.optOut
    }

    /// Keeps what the lead said about a problem: the profile's wording when it matches, else their own words.
    private mutating func notePain(from reading: LeadReading, ownWords: Bool) {
        guard let pain = reading.painMention(profilePains: lead.painPoints, ownWords: ownWords), !heardPains.contains(pain) else { return }
        heardPains.append(pain)
    }

    // MARK: - Wording

    private func joined(_ prefix: String, _ text: String) -> String {
        prefix.isEmpty ? text : prefix + " " + text
    }

    private mutating func line(_ text: String, _ act: CallerAct, state: ConversationState) -> CallerLine {
        self.state = state
        if state != .objectionHandling, state.order > phase.order { phase = state }
        return CallerLine(text: text, act: act, state: state, analysis: nil, shouldContinue: true, outcome: nil)
    }

    private mutating func end(_ outcome: CallOutcome, _ kind: CallerLineKind, act: CallerAct, when: String? = nil) -> CallerLine {
        self.outcome = outcome
        return CallerLine(text: pick(kind, when: when), act: act, state: state, analysis: nil, shouldContinue: false, outcome: outcome)
    }

    private mutating func record(_ leadText: String, _ reading: LeadReading, _ line: CallerLine) {
        callerLines.append(line)
        exchanges.append(CallExchange(leadTurn: exchanges.count + 1, leadText: leadText, analysis: reading.analysis, reply: line))
    }

    /// Picks a template with the seeded generator, never the same one twice in a row for a situation.
    private mutating func pick(_ kind: CallerLineKind, pain: String? = nil, when: String? = nil) -> String {
        let options = CallerLines.templates[kind] ?? ["…"]
        var index = Int(generator.next() % UInt64(options.count))
        if options.count > 1, index == lastTemplate[kind] { index = (index + 1) % options.count }
        lastTemplate[kind] = index
        return CallerLines.fill(options[index], lead: lead, pitch: pitch, pain: pain, when: when)
    }

    // MARK: - Language model

    /// Lets a language model word a caller line; the decision (act, state, outcome, the time agreed) never
    /// changes, and opt-out confirmations keep their template wording. Falls back to the template on any
    /// failure or an unusable answer.
    public func reword(_ line: CallerLine, using model: (any LanguageModel)?) async -> CallerLine {
        guard let model, line.outcome != .optedOut else { return line }
        let lastLead = exchanges.last?.leadText ?? ""
        let system = """
            You are \(pitch.callerName), calling \(lead.name ?? "a lead") on behalf of \(pitch.organization) about \(pitch.product). \
            Be warm, brief and honest. Rewrite the line you are given in your own words, keeping its meaning, its facts, \
            any day or time and any question in it. Add no claims, numbers, prices or promises. \
            Reply with the rewritten line only, at most three sentences.
            """
        let request = CompletionRequest(
            system: system,
            messages: [ChatMessage(role: .user, content: "The lead said: \"\(lastLead)\"\nYour line (\(line.act.rawValue)): \"\(line.text)\"")],
            maxTokens: 160, temperature: 0.6)
        guard let completion = try? await model.complete(request) else { return line }
        let text = completion.text.trimmingCharacters(in: .whitespacesAndNewlines.union(CharacterSet(charactersIn: "\"")))
        let lower = text.lowercased()
        guard !text.isEmpty, text.count <= 500, !lower.contains("language model") else { return line }
        // A booked time or a callback time must survive the rewording word for word.
        if let when = nextStep?.when, line.act == .confirmNextStep || line.act == .confirmCallback, !lower.contains(when.lowercased()) { return line }
        var worded = line
        worded.text = text
        return worded
    }
}

extension ConversationState {
    /// Position in the documented sequence; objection_handling sits before closing as the analyser orders it.
    var order: Int {
        switch self {
        case .greeting: 0
        case .discovery: 1
        case .presentation: 2
        case .objectionHandling: 3
        case .closing: 4
        }
    }
}
