import Foundation
import ParleyDomain
import Testing

@testable import ParleyIntelligence

/// Plays the AI caller against the AI prospect with no human in the loop.
enum CallerVersusProspect {
    /// How the prospect is set up: the scenario's own persona in every case.
    enum Mood: String, CaseIterable {
        /// Beginner difficulty, the scenario's own objections.
        case willing
        /// Expert difficulty, the scenario's own objections: hard, but not a refusal.
        case tough
        /// Expert difficulty, and the first objections it raises are flat refusals.
        case hostile
    }

    struct Played {
        var caller: AICaller
        var prospect: ProspectEngine
        /// Lead replies after the pickup.
        var turns: Int
    }

    static let cap = 40

    static func lead(_ persona: ProspectPersona) -> CallLead {
        CallLead(name: persona.name, company: persona.company, title: persona.title, painPoints: persona.painPoints)
    }

    static func scenario(_ base: Scenario, _ mood: Mood) -> (Scenario, Difficulty) {
        switch mood {
        case .willing: return (base, .beginner)
        case .tough: return (base, .expert)
        case .hostile:
            var hostile = base
            hostile.flow?.objectionScenarios = ["I'm not interested", "We're really not interested, thanks"] + (base.flow?.objectionScenarios ?? [])
            return (hostile, .expert)
        }
    }

    static func play(_ base: Scenario, _ mood: Mood, seed: UInt64 = 1) throws -> Played {
        let (scenario, difficulty) = scenario(base, mood)
        var prospect = try ProspectEngine(scenario: scenario, difficulty: difficulty, seed: seed)
        let persona = try #require(scenario.persona)
        var caller = AICaller(lead: lead(persona), pitch: CallPitch(), seed: seed)
        var line = caller.start(pickup: prospect.opening().text)
        var turns = 0
        while line.shouldContinue && turns < cap {
            let reply = prospect.respond(to: line.text)
            line = caller.respond(to: reply.text)
            turns += 1
        }
        return Played(caller: caller, prospect: prospect, turns: turns)
    }

    static let mainSequence: [ConversationState] = [.greeting, .discovery, .presentation, .closing]

    /// The caller's states never go back along greeting → discovery → presentation → closing;
    /// objection_handling may come in between at any point, any number of times.
    static func movesForward(_ states: [ConversationState]) -> Bool {
        let main = states.filter { $0 != .objectionHandling }.map { mainSequence.firstIndex(of: $0)! }
        return states.first == .greeting && zip(main, main.dropFirst()).allSatisfy { $0 <= $1 }
    }

    static let politeWords = ["thank", "have a good", "have a great", "goodbye", "talk soon", "talk then", "apolog", "sorry"]

    static func endsPolitely(_ caller: AICaller) -> Bool {
        guard let last = caller.callerLines.last, !last.shouldContinue, last.outcome != nil else { return false }
        let text = last.text.lowercased()
        return politeWords.contains { text.contains($0) }
    }

    static func transcript(_ played: Played) -> String {
        played.caller.transcript.segments.map { "\($0.speakerLabel ?? "?"): \($0.text)" }.joined(separator: "\n")
    }
}

/// A lead played from a script, for the cue and determinism tests.
enum ScriptedLead {
    static let profile = CallLead(
        name: "Sam Rivera", company: "Acme Corp", title: "Head of Sales", industry: "Technology",
        painPoints: ["Manual reporting takes days", "Leads go cold before anyone calls them back"])
    static let pitch = CallPitch(
        organization: "AI Solutions", callerName: "Sarah", product: "our lead assistant",
        valueProposition: "reach every lead within minutes and book more meetings")

    static let friendly = [
        "Hi Sarah, yes I have a few minutes to chat.",
        "Honestly, manual reporting takes days every month.",
        "Yes, leads go cold before anyone calls them back. It's a real problem.",
        "That sounds interesting, tell me more.",
        "Sure, that works. Send me the invite.",
    ]

    /// Plays `lines` (stopping early if the call ends) and returns the caller.
    static func play(_ lines: [String], seed: UInt64 = 0, pickup: String? = nil) -> AICaller {
        var caller = AICaller(lead: profile, pitch: pitch, seed: seed)
        _ = caller.start(pickup: pickup)
        for text in lines where !caller.isEnded { _ = caller.respond(to: text) }
        return caller
    }
}

@Suite("AI caller")
struct AICallerTests {
    // MARK: 1. Against the AI prospect, every built-in persona

    @Test(arguments: BuiltInScenarios.all.map(\.title))
    func willingProspectBooksANextStep(title: String) throws {
        let scenario = try #require(BuiltInScenarios.all.first { $0.title == title })
        let played = try CallerVersusProspect.play(scenario, .willing)
        let log = CallerVersusProspect.transcript(played)
        #expect(played.caller.outcome == .nextStepBooked, "\(title):\n\(log)")
        // The caller only reads text; the prospect's own state machine must agree that it said yes.
        #expect(played.prospect.outcome == .nextStepAgreed, "\(title):\n\(log)")
        #expect(played.caller.nextStep?.kind == "demo")
        #expect(played.caller.summary.recommendation.hasPrefix("High priority"))
        #expect(CallerVersusProspect.movesForward(played.caller.callerLines.map(\.state)), "\(title):\n\(log)")
        #expect(played.caller.callerLines.contains { $0.state == .closing })
        #expect(CallerVersusProspect.endsPolitely(played.caller), "\(title):\n\(log)")
    }

    @Test(arguments: BuiltInScenarios.all.map(\.title))
    func hostileProspectEndsTheCall(title: String) throws {
        let scenario = try #require(BuiltInScenarios.all.first { $0.title == title })
        let played = try CallerVersusProspect.play(scenario, .hostile)
        let log = CallerVersusProspect.transcript(played)
        #expect(played.caller.isEnded && played.turns < CallerVersusProspect.cap, "\(title):\n\(log)")
        #expect([.notInterested, .endedByLead].contains(played.caller.outcome), "\(title):\n\(log)")
        #expect(played.caller.nextStep == nil)
        #expect(CallerVersusProspect.movesForward(played.caller.callerLines.map(\.state)), "\(title):\n\(log)")
        #expect(CallerVersusProspect.endsPolitely(played.caller), "\(title):\n\(log)")
        // Once the lead said no twice, nothing more is pitched.
        #expect(played.caller.callerLines.last?.act == .goodbye)
    }

    @Test(arguments: BuiltInScenarios.all.map(\.title))
    func toughProspectNeverLoops(title: String) throws {
        let scenario = try #require(BuiltInScenarios.all.first { $0.title == title })
        let played = try CallerVersusProspect.play(scenario, .tough)
        let log = CallerVersusProspect.transcript(played)
        #expect(played.caller.isEnded && played.caller.callerLines.count <= CallLimits().maxCallerTurns + 1, "\(title):\n\(log)")
        #expect(CallerVersusProspect.movesForward(played.caller.callerLines.map(\.state)), "\(title):\n\(log)")
        #expect(CallerVersusProspect.endsPolitely(played.caller), "\(title):\n\(log)")
        // Whatever happened, both sides tell the same story about a booking.
        #expect((played.caller.outcome == .nextStepBooked) == (played.prospect.outcome == .nextStepAgreed), "\(title):\n\(log)")
        for exchange in played.caller.exchanges { #expect((-1...1).contains(exchange.analysis.sentiment)) }
    }

    /// Prints the persona × mood table (outcome, lead turns) for the report; asserts only what the tests above do not.
    @Test func outcomeTable() throws {
        var rows: [String] = ["| persona | willing (beginner) | tough (expert) | hostile (expert, refuses) |", "| --- | --- | --- | --- |"]
        for scenario in BuiltInScenarios.all {
            var cells: [String] = []
            for mood in CallerVersusProspect.Mood.allCases {
                let played = try CallerVersusProspect.play(scenario, mood)
                cells.append("\(played.caller.outcome?.rawValue ?? "running"), \(played.turns) turns")
                #expect(played.caller.isEnded)
            }
            rows.append("| \(scenario.persona!.name) (\(scenario.title)) | " + cells.joined(separator: " | ") + " |")
        }
        print(rows.joined(separator: "\n"))
    }

    // MARK: 2. Opt-out

    static let optOuts = [
        "Please remove me from your list.", "Stop calling me.", "Don't call again.", "Take me off your list, please.",
        "Do not call this number again.", "I want you to stop calling us. Don't call me again.",
    ]

    @Test(arguments: optOuts)
    func optOutEndsAtOnceAtAnyStage(phrase: String) throws {
        // On the pickup itself.
        var pickup = ScriptedLead.play([], pickup: phrase)
        #expect(pickup.outcome == .optedOut && pickup.callerLines.count == 1)
        #expect(pickup.summary.doNotCall)
        // Stages 0…4: after the opening (greeting), two discovery answers, the pitch's answer (presentation), the ask (closing).
        for stage in 0..<5 {
            var caller = ScriptedLead.play(Array(ScriptedLead.friendly.prefix(stage)))
            #expect(!caller.isEnded)
            let stateBefore = caller.state
            let line = caller.respond(to: phrase)
            #expect(caller.outcome == .optedOut, "stage \(stage): \(phrase)")
            #expect(!line.shouldContinue && line.act == .goodbye && line.analysis?.intent == .optOut)
            #expect(line.state == stateBefore)
            let lower = line.text.lowercased()
            #expect(!lower.contains("we help") && !lower.contains(ScriptedLead.pitch.product) && !lower.contains("demo"), "\(line.text)")
            #expect(CallerVersusProspect.politeWords.contains { lower.contains($0) } || lower.contains("good day"))
            // Nothing more is said after the opt-out, whatever the lead says next.
            let count = caller.callerLines.count
            #expect(caller.respond(to: "Wait, actually, tell me about pricing.") == line)
            #expect(caller.callerLines.count == count)
            #expect(caller.summary.doNotCall && caller.summary.recommendation.hasPrefix("Do not contact"))
        }
        _ = pickup.finish()
        #expect(pickup.outcome == .optedOut)
    }

    // MARK: 3. Voicemail, wrong person, callback, not interested

    @Test func voicemailGetsAMessageAndEnds() {
        let greeting = "Hi, you've reached Sam, leave a message after the tone"
        for caller in [ScriptedLead.play([], pickup: greeting), ScriptedLead.play([greeting])] {
            let line = caller.callerLines.last!
            #expect(caller.outcome == .voicemail)
            #expect(line.act == .voicemailMessage && !line.shouldContinue)
            #expect(line.text.contains("Sarah") && line.text.contains("AI Solutions") && line.text.contains("Sam"))
            #expect(caller.summary.recommendation.hasPrefix("Retry"))
        }
        // A receptionist who says "you've reached" is live, not a machine.
        let live = ScriptedLead.play([], pickup: "You've reached Acme Corp, Sam speaking.")
        #expect(!live.isEnded)
    }

    @Test func wrongPersonEndsPolitely() {
        for text in ["Sorry, you have the wrong number.", "I'm not Sam, there's nobody here by that name.", "Sam left the company last year."] {
            let caller = ScriptedLead.play([ScriptedLead.friendly[0], text])
            #expect(caller.outcome == .wrongPerson, "\(text)")
            #expect(CallerVersusProspect.endsPolitely(caller))
        }
    }

    @Test func callMeLaterCapturesTheTime() {
        let caller = ScriptedLead.play([ScriptedLead.friendly[0], "I'm in a meeting. Can you call me next Tuesday afternoon?"])
        #expect(caller.outcome == .callbackRequested)
        #expect(caller.nextStep?.when == "next Tuesday afternoon")
        #expect(caller.callerLines.last?.text.contains("next Tuesday afternoon") == true)
        #expect(caller.summary.recommendation.contains("next Tuesday afternoon"))
        let vague = ScriptedLead.play(["Call me back later, I'm driving."])
        #expect(vague.outcome == .callbackRequested && vague.nextStep?.when == nil)
        #expect(LeadReplyReader.timePhrase(in: "Try me tomorrow at 3 pm, please") == "tomorrow at 3 pm")
        #expect(LeadReplyReader.timePhrase(in: "Give me a call in two weeks.") == "in two weeks")
    }

    @Test func notInterestedTwiceEnds() {
        var caller = ScriptedLead.play([ScriptedLead.friendly[0]])
        let first = caller.respond(to: "I'm not interested.")
        #expect(first.shouldContinue && first.act == .objectionAnswer && first.analysis?.intent == .notInterested)
        #expect(first.text.contains("?"))
        let second = caller.respond(to: "No, really, we're not interested.")
        #expect(!second.shouldContinue && caller.outcome == .notInterested)
        #expect(CallerVersusProspect.endsPolitely(caller))
        #expect(caller.summary.objections.first?.handled == false)
    }

    // MARK: 4. Objection answers

    static let objectionLines: [ObjectionType: String] = [
        .price: "That sounds way too expensive for us.", .timing: "Now is not a good time, we're swamped.",
        .competitor: "We're happy with our current provider.", .authority: "I'd need to check with my boss first.",
        .need: "We don't need anything like that.", .trust: "I've never heard of you. How do I know this works?",
    ]
    static let objectionKeywords: [ObjectionType: [String]] = [
        .price: ["return", "pays for itself", "investment"], .timing: ["follow up later"], .competitor: ["apart", "different", "difference"],
        .authority: ["decision maker"], .need: ["today", "each week", "typical week"], .trust: ["references"],
    ]

    @Test func everyObjectionTypeGetsAFittingAnswer() throws {
        for seed: UInt64 in 0..<6 {
            var answers: [ObjectionType: String] = [:]
            for type in ObjectionType.allCases {
                var caller = ScriptedLead.play([ScriptedLead.friendly[0]], seed: seed)
                let line = caller.respond(to: Self.objectionLines[type]!)
                #expect(line.analysis?.objections.first == type, "\(type): \(line.analysis?.objections ?? [])")
                #expect(line.act == .objectionAnswer && line.state == .objectionHandling && line.shouldContinue)
                let lower = line.text.lowercased()
                #expect(Self.objectionKeywords[type]!.contains { lower.contains($0) }, "\(type) seed \(seed): \(line.text)")
                #expect(line.text.hasSuffix("?"), "an answer hands the call back: \(line.text)")
                answers[type] = line.text
            }
            #expect(Set(answers.values).count == ObjectionType.allCases.count)
        }
    }

    @Test func handledObjectionIsRecordedAndTheCallMovesOn() {
        var caller = ScriptedLead.play([ScriptedLead.friendly[0]])
        _ = caller.respond(to: "That sounds way too expensive for us.")
        let next = caller.respond(to: "Okay, fair enough. Manual reporting takes days every month, honestly.")
        #expect(next.state != .objectionHandling)
        #expect(caller.summary.objections == [RaisedObjection(type: .price, leadTurn: 2, handled: true)])
        #expect(caller.heardPains.contains("Manual reporting takes days"))
    }

    // MARK: 5. Determinism and saved state

    @Test func sameSeedSameCallDifferentSeedsDifferentWording() throws {
        let lines = ScriptedLead.friendly
        let a = ScriptedLead.play(lines, seed: 7)
        let b = ScriptedLead.play(lines, seed: 7)
        #expect(a.transcript == b.transcript && a == b)
        #expect(a.outcome == .nextStepBooked, "\(a.transcript.text)")
        let others = (0..<5).map { ScriptedLead.play(lines, seed: $0).callerLines.map(\.text) }
        #expect(others.contains { $0 != a.callerLines.map(\.text) })
        // Wording varies; decisions do not.
        #expect(Set((0..<5).map { ScriptedLead.play(lines, seed: $0).callerLines.map(\.act) }).count == 1)
        let prospectA = try CallerVersusProspect.play(BuiltInScenarios.all[2], .willing, seed: 3)
        let prospectB = try CallerVersusProspect.play(BuiltInScenarios.all[2], .willing, seed: 3)
        #expect(prospectA.caller == prospectB.caller)
    }

    @Test func callSurvivesCodableRoundTripMidCall() throws {
        var caller = ScriptedLead.play(Array(ScriptedLead.friendly.prefix(2)), seed: 5)
        var copy = try JSONDecoder().decode(AICaller.self, from: JSONEncoder().encode(caller))
        #expect(copy == caller)
        for text in ScriptedLead.friendly.dropFirst(2) { #expect(copy.respond(to: text) == caller.respond(to: text)) }
        #expect(copy.summary == caller.summary)
    }

    // MARK: 6. Per-turn analysis

    @Test func analysisHasTheDocumentedShapeAndSign() throws {
        var caller = ScriptedLead.play([])
        let positive = caller.respond(to: "That sounds great, I love it. This is exactly what we need!")
        let negative = caller.respond(to: "This is terrible. I hate these calls and your product sounds awful.")
        let p = try #require(positive.analysis)
        let n = try #require(negative.analysis)
        #expect((-1...1).contains(p.sentiment) && (-1...1).contains(n.sentiment))
        #expect(p.sentiment > 0.2, "\(p)")
        #expect(n.sentiment < -0.2, "\(n)")
        #expect(p.interestSignals.contains(.verbalInterest))
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(p)) as! [String: Any]
        #expect(Set(json.keys) == ["sentiment", "intent", "objections", "interest_signals"])
        #expect(json["intent"] as? String == "interested")
        // The document's own example reads as a general inquiry.
        var doc = ScriptedLead.play([])
        #expect(doc.respond(to: "Hi Sarah, yes I have a few minutes to chat").analysis?.intent == .generalInquiry)
    }

    // MARK: Personalisation, defaults and the wording hook

    @Test func linesArePersonalisedAndDefaultsReadWell() {
        let caller = ScriptedLead.play(ScriptedLead.friendly, seed: 2)
        let all = caller.callerLines.map(\.text).joined(separator: " ")
        #expect(all.contains("Sam") && all.contains("Sarah") && all.contains("AI Solutions") && all.contains("Acme Corp"))
        #expect(!all.contains("{") && !all.contains("}"))
        var bare = AICaller()
        let opening = bare.start()
        #expect(opening.text.hasPrefix("Hi there") || opening.text.hasPrefix("Hello there"), "\(opening.text)")
        for text in ScriptedLead.friendly where !bare.isEnded { _ = bare.respond(to: text) }
        for line in bare.callerLines {
            #expect(!line.text.contains("{") && !line.text.contains(" ,") && !line.text.contains(",.") && !line.text.contains("  "), "\(line.text)")
        }
    }

    struct FixedModel: LanguageModel {
        var answer: String?
        var name: String { "fixed" }
        func complete(_ request: CompletionRequest) async throws -> Completion {
            guard let answer else { throw LanguageModelError.timedOut(seconds: 1) }
            return Completion(text: answer, model: "fixed")
        }
    }

    @Test func wordingHookRewordsButKeepsTheDecision() async {
        var caller = ScriptedLead.play([ScriptedLead.friendly[0]])
        let line = caller.respond(to: ScriptedLead.friendly[1])
        let worded = await caller.reword(line, using: FixedModel(answer: "Thanks for that. How long does reporting take you each month?"))
        #expect(worded.text.hasPrefix("Thanks for that") && worded.act == line.act && worded.state == line.state)
        #expect(await caller.reword(line, using: FixedModel(answer: nil)) == line)
        #expect(await caller.reword(line, using: nil) == line)
        // A confirmation that loses the booked time keeps its template.
        let booked = ScriptedLead.play(ScriptedLead.friendly)
        let confirm = booked.callerLines.last!
        #expect(await booked.reword(confirm, using: FixedModel(answer: "Great, see you soon!")) == confirm)
        // An opt-out confirmation is never reworded.
        let optedOut = ScriptedLead.play(["Stop calling me."])
        #expect(await optedOut.reword(optedOut.callerLines.last!, using: FixedModel(answer: "Sure, but first...")) == optedOut.callerLines.last!)
    }
}
