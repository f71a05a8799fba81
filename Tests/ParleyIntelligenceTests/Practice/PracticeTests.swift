import Foundation
import ParleyDomain
import Testing

@testable import ParleyIntelligence

/// The library's scripted reps, wrapped for the tests.
enum ScriptedRep {
    typealias Style = PracticeScript.BadStyle
    static let monologue = PracticeScript.monologue

    static func good(_ scenario: Scenario, seed: UInt64 = 1, difficulty: Difficulty? = nil) throws -> ProspectEngine {
        var engine = try ProspectEngine(scenario: scenario, difficulty: difficulty, seed: seed)
        PracticeScript.playGood(&engine)
        return engine
    }

    static func bad(_ scenario: Scenario, style: Style, seed: UInt64 = 1) throws -> ProspectEngine {
        var engine = try ProspectEngine(scenario: scenario, seed: seed)
        PracticeScript.playBad(&engine, style: style)
        return engine
    }
}

@Suite("Practice: AI prospect")
struct ProspectEngineTests {
    @Test(arguments: BuiltInScenarios.all.map(\.title))
    func goodRepReachesNextStep(title: String) throws {
        let scenario = try #require(BuiltInScenarios.all.first { $0.title == title })
        let engine = try ScriptedRep.good(scenario)
        #expect(engine.outcome == .nextStepAgreed, "\(title): \(engine.transcript.text)")
        #expect(engine.exchanges.last?.reply.intent == .agreeNextStep)
        #expect(engine.raisedObjections.allSatisfy { scenario.flow!.objectionScenarios.contains($0) })
        #expect(!engine.raisedObjections.isEmpty)
        #expect(engine.objectionsHandled == engine.raisedObjections.count)
    }

    @Test(arguments: BuiltInScenarios.all.map(\.title))
    func badRepsLoseTheCall(title: String) throws {
        let scenario = try #require(BuiltInScenarios.all.first { $0.title == title })
        for style in ScriptedRep.Style.allCases {
            let engine = try ScriptedRep.bad(scenario, style: style)
            #expect(engine.outcome == .lost, "\(title) / \(style): \(engine.transcript.text)")
            #expect(engine.exchanges.last?.reply.endsCall == true)
            #expect(engine.stage == .ended)
        }
    }

    @Test(arguments: Difficulty.allCases)
    func goodRepWinsAndPusherLosesAtEveryDifficulty(difficulty: Difficulty) throws {
        for scenario in BuiltInScenarios.all {
            let good = try ScriptedRep.good(scenario, difficulty: difficulty)
            #expect(good.outcome == .nextStepAgreed, "\(scenario.title) at \(difficulty)")
            var pusher = try ProspectEngine(scenario: scenario, difficulty: difficulty, seed: 1)
            while !pusher.isEnded { _ = pusher.respond(to: "You need to sign today. Our platform saves you money, so sign the contract right now.") }
            #expect(pusher.outcome == .lost)
        }
    }

    @Test func harderProspectsTakeMoreTurns() throws {
        let scenario = BuiltInScenarios.all[0]
        let turns = try Difficulty.allCases.map { try ScriptedRep.good(scenario, difficulty: $0).exchanges.count }
        #expect(turns.first! < turns.last!, "\(turns)")
        let patience = try Difficulty.allCases.map { d -> Int in
            var e = try ProspectEngine(scenario: scenario, difficulty: d, seed: 1)
            while !e.isEnded { _ = e.respond(to: ScriptedRep.monologue) }
            return e.exchanges.count
        }
        #expect(patience.first! > patience.last!, "\(patience)")
    }

    @Test func oddInputNeverCrashesAndEndedCallStaysEnded() throws {
        var engine = try ProspectEngine(scenario: BuiltInScenarios.all[1], seed: 1)
        for text in ["", "   ", "🙂🙂🙂", "???", String(repeating: "word ", count: 3000), "¿Qué tal?"] where !engine.isEnded {
            let reply = engine.respond(to: text)
            #expect(!reply.text.isEmpty)
        }
        while !engine.isEnded { _ = engine.respond(to: "shut up") }
        let last = try #require(engine.exchanges.last?.reply)
        let count = engine.exchanges.count
        #expect(engine.respond(to: "Hello? Are you still there?") == last)
        #expect(engine.exchanges.count == count)
        let outcome = PracticeScorer().score(Transcript(segments: []), engine: nil)
        #expect(outcome.overallScore >= 0 && outcome.feedback.allSatisfy { $0.evidence.isEmpty })
    }

    @Test func sameSeedSameConversationDifferentSeedsDifferentWording() throws {
        let scenario = BuiltInScenarios.all[2]
        let a = try ScriptedRep.good(scenario, seed: 7).prospectLines
        let b = try ScriptedRep.good(scenario, seed: 7).prospectLines
        #expect(a == b)
        let others = try (8...12).map { try ScriptedRep.good(scenario, seed: $0).prospectLines }
        #expect(others.contains { $0 != a })
        // Never the same line twice in a row.
        for lines in [a] + others {
            for (x, y) in zip(lines, lines.dropFirst()) { #expect(x != y) }
        }
    }

    @Test func painPointsOnlyAfterDiscoveryQuestions() throws {
        for scenario in BuiltInScenarios.all {
            let good = try ScriptedRep.good(scenario)
            for exchange in good.exchanges where exchange.revealedPain != nil {
                #expect(exchange.move.discovery && exchange.move.questions > 0, "\(exchange.repText)")
            }
            #expect(!good.revealedPains.isEmpty)
            // Pitching without asking reveals nothing.
            let pitcher = try ScriptedRep.bad(scenario, style: .ignoresObjections)
            #expect(pitcher.revealedPains.isEmpty)
            for line in pitcher.prospectLines {
                for pain in scenario.persona!.painPoints { #expect(!line.contains(PracticeText.inline(pain))) }
            }
        }
    }

    @Test func openQuestionRevealsMoreThanClosedOrIrrelevantOne() throws {
        let scenario = BuiltInScenarios.all[0]
        var open = try ProspectEngine(scenario: scenario, seed: 3)
        _ = open.opening()
        let reply = open.respond(to: "How do you manage your tooling today?")
        #expect(reply.intent == .revealPainPoint)
        #expect(open.revealedPains == ["Too many disconnected tools"])
        var closed = try ProspectEngine(scenario: scenario, seed: 3)
        _ = closed.opening()
        let short = closed.respond(to: "Is the weather nice there?")
        #expect(short.intent != .revealPainPoint)
        let closedIrrelevant = closed.respond(to: "Do you like your office?")
        #expect(closedIrrelevant.intent == .answer)
        #expect(closed.revealedPains.isEmpty)
        #expect(closed.stage != .ended)
    }

    @Test func objectionIgnoredIsRepeatedThenHandledSoftens() throws {
        let scenario = BuiltInScenarios.all[5]  // Price Objection Bootcamp
        var engine = try ProspectEngine(scenario: scenario, seed: 2)
        _ = engine.opening()
        _ = engine.respond(to: "What does a late month-end close cost you?")
        let raised = engine.respond(to: "Our platform saves time and reduces costs for finance teams.")
        #expect(raised.intent == .objection)
        #expect(scenario.flow!.objectionScenarios.contains(try #require(engine.openObjection)))
        let interestBefore = engine.interest
        let repeated = engine.respond(to: "It also has great dashboards and reports.")
        #expect(repeated.intent == .repeatObjection)
        #expect(engine.exchanges.last?.ignoredObjection == true)
        #expect(engine.interest < interestBefore)
        let softened = engine.respond(to: "I hear you, that's a fair point. What are you comparing the price to?")
        #expect(softened.intent == .softenObjection)
        #expect(engine.openObjection == nil)
        #expect(engine.objectionsHandled == 1)
    }

    @Test func staysInCharacter() throws {
        for scenario in BuiltInScenarios.all {
            var engine = try ProspectEngine(scenario: scenario, seed: 4)
            #expect(engine.opening().text == scenario.flow?.opening)
            let intro = engine.respond(to: "Sorry, who am I speaking with?")
            #expect(intro.intent == .introduce)
            #expect(intro.text.contains(scenario.persona!.name.split(separator: " ").first!))
            let good = try ScriptedRep.good(scenario)
            for line in good.prospectLines {
                #expect(!line.contains("{") && !line.lowercased().contains(" ai "))
            }
        }
    }

    @Test func wordingFollowsCommunicationStyle() throws {
        func smallTalk(_ index: Int) throws -> String {
            var engine = try ProspectEngine(scenario: BuiltInScenarios.all[index], seed: 1)
            _ = engine.opening()
            return engine.respond(to: "Hi there, thanks for your time. How is your week going?").text
        }
        #expect(ProspectLines.voiced[.terse]![.smallTalk]!.contains(try smallTalk(6)))  // Kevin Brooks, terse
        #expect(ProspectLines.voiced[.warm]![.smallTalk]!.contains(try smallTalk(3)))  // Tony Russo, friendly
        #expect(ProspectLines.voiced[.formal]![.smallTalk]!.contains(try smallTalk(7)))  // Priya Nair, formal
    }

    @Test func missingPersonaIsATypedError() {
        var scenario = BuiltInScenarios.all[0]
        scenario.persona = nil
        #expect(throws: ProspectEngineError.self) { try ProspectEngine(scenario: scenario, seed: 1) }
    }

    /// An OpenAI-compatible chat-completions body whose message is `content`.
    static func chatReply(_ content: String) -> String {
        let escaped = String(data: try! JSONEncoder().encode(content), encoding: .utf8)!
        return #"{"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"local","choices":[{"index":0,"message":{"role":"assistant","content":"#
            + escaped + #"},"finish_reason":"stop"}],"usage":{"prompt_tokens":50,"completion_tokens":12,"total_tokens":62}}"#
    }

    @Test func languageModelRewordsButFallsBack() async throws {
        let server = ProviderServer(responses: [
            CannedResponse(status: 200, body: Self.chatReply("Too many tools that don't talk to each other, frankly.")),
            CannedResponse(status: 400, body: #"{"error":{"message":"bad request"}}"#),
            CannedResponse(status: 200, body: Self.chatReply("As an AI language model I cannot do that.")),
        ])
        let base = try await server.start()
        let model = OpenAICompatibleLanguageModel(apiKey: nil, model: "local", baseURL: base + "/v1", policy: LanguageModelTests.fast)
        var engine = try ProspectEngine(scenario: BuiltInScenarios.all[0], seed: 1)
        _ = engine.opening()
        let reply = engine.respond(to: "How do you manage your tooling today?")
        let worded = await engine.reword(reply, using: model)
        #expect(worded.text.hasPrefix("Too many tools"))
        #expect(worded.intent == reply.intent && worded.stage == reply.stage && worded.outcome == reply.outcome)
        let sent = try #require(server.requests.first?.json?["messages"] as? [[String: Any]])
        #expect((sent.first?["content"] as? String)?.contains("Mark Chen") == true)  // persona goes in the system prompt
        #expect(await engine.reword(reply, using: model) == reply)  // provider error: template
        #expect(await engine.reword(reply, using: model) == reply)  // out of character: template
        #expect(await engine.reword(reply, using: nil) == reply)
        await server.stop()
    }

    @Test func engineSurvivesCodableRoundTrip() throws {
        var engine = try ProspectEngine(scenario: BuiltInScenarios.all[3], seed: 9)
        _ = engine.opening()
        _ = engine.respond(to: "How do customers book with you today?")
        var copy = try JSONDecoder().decode(ProspectEngine.self, from: JSONEncoder().encode(engine))
        #expect(copy == engine)
        #expect(copy.respond(to: "What happens when you miss a call?") == engine.respond(to: "What happens when you miss a call?"))
    }
}

@Suite("Practice: live coach")
struct LiveCoachTests {
    @Test func nudgesForMonologueAndIgnoredObjection() throws {
        let scenario = BuiltInScenarios.all[5]
        var engine = try ProspectEngine(scenario: scenario, seed: 2)
        var coach = LiveCoach()
        _ = engine.opening()
        _ = engine.respond(to: ScriptedRep.monologue)
        let monologueNudge = coach.nudge(after: engine)
        let monologue = try #require(monologueNudge)
        #expect(monologue.category == .talkTime && monologue.urgency == .high)
        _ = engine.respond(to: "What does a late month-end close cost you?")
        _ = coach.nudge(after: engine)
        _ = engine.respond(to: "Our platform saves time and reduces costs for finance teams.")
        let raisedNudge = coach.nudge(after: engine)
        let raised = try #require(raisedNudge)
        #expect(raised.category == .objectionHandling)
        _ = engine.respond(to: "Can we book the contract signing for Friday?")
        #expect(engine.exchanges.last?.ignoredObjection == true)
        // Same category as the previous nudge: rate limit holds it back.
        #expect(coach.nudge(after: engine) == nil)
        _ = engine.respond(to: "It also comes with great dashboards.")
        if !engine.isEnded {
            let ignoredNudge = coach.nudge(after: engine)
        let ignored = try #require(ignoredNudge)
            #expect(ignored.category == .objectionHandling && ignored.urgency == .high)
        }
    }

    @Test func atMostOneNudgePerTurnAndNoBackToBackRepeats() throws {
        for scenario in BuiltInScenarios.all {
            var engine = try ProspectEngine(scenario: scenario, seed: 5)
            var coach = LiveCoach()
            _ = engine.opening()
            for text in ["Hi there, thanks for your time.", ScriptedRep.monologue, "How do things work today?", "Is that a problem?", "Our platform saves money."] where !engine.isEnded {
                _ = engine.respond(to: text)
                _ = coach.nudge(after: engine)
                #expect(coach.nudge(after: engine) == nil)  // second ask for the same turn
            }
            for (a, b) in zip(coach.given, coach.given.dropFirst()) {
                #expect(!(a.category == b.category && b.repTurn == a.repTurn + 1))
            }
        }
    }

    @Test func praisesOpenQuestionAndSuggestsClosingWhenInterestIsHigh() throws {
        let good = try ScriptedRep.good(BuiltInScenarios.all[0])
        var replay = try ProspectEngine(scenario: good.scenario, seed: 1)
        var coach = LiveCoach()
        _ = replay.opening()
        var nudges: [CoachingNudge] = []
        for exchange in good.exchanges {
            _ = replay.respond(to: exchange.repText)
            if let nudge = coach.nudge(after: replay) { nudges.append(nudge) }
        }
        #expect(nudges.contains { $0.category == .discovery && $0.message.hasPrefix("Good open question") })
        #expect(nudges.contains { $0.category == .objectionHandling })
    }
}

@Suite("Practice: scoring")
struct PracticeScorerTests {
    let scorer = PracticeScorer()

    @Test(arguments: BuiltInScenarios.all.map(\.title))
    func goodRunBeatsBadRunsOnEverySkill(title: String) throws {
        let scenario = try #require(BuiltInScenarios.all.first { $0.title == title })
        let good = scorer.score(try ScriptedRep.good(scenario))
        #expect(good.nextStepAgreed)
        #expect(good.objectionsRaised > 0 && good.objectionsHandled == good.objectionsRaised)
        for style in ScriptedRep.Style.allCases {
            let bad = scorer.score(try ScriptedRep.bad(scenario, style: style))
            #expect(!bad.nextStepAgreed)
            for skill in SalesSkill.allCases {
                #expect(good.skills[skill]! > bad.skills[skill]!, "\(title) / \(style) / \(skill): \(good.skills[skill]!) vs \(bad.skills[skill]!)")
            }
            #expect(good.overallScore > bad.overallScore)
        }
    }

    @Test func remarksAreTraceableToTranscriptTurns() throws {
        let engine = try ScriptedRep.good(BuiltInScenarios.all[2])
        let transcript = engine.transcript
        let outcome = scorer.score(engine)
        #expect(Set(outcome.feedback.map(\.category)) == ["rapport_building", "discovery", "objection_handling", "closing", "talk_time"])
        let ids = Set(transcript.segments.map(\.id))
        for remark in outcome.feedback {
            #expect(!remark.evidence.isEmpty, "\(remark.category)")
            #expect(!remark.improvementTip.isEmpty && !remark.feedback.isEmpty)
            for item in remark.evidence {
                #expect(ids.contains(item.turn))
                let text = transcript.segments.first { $0.id == item.turn }!.text.lowercased()
                let phrase = item.phrase.replacingOccurrences(of: " …", with: "").lowercased()
                #expect(text.contains(phrase) || phrase.split(separator: " ").allSatisfy { text.contains($0) }, "\(phrase) / \(text)")
            }
        }
        #expect(outcome.questionCount > 0 && outcome.questionRate > 0)
        #expect(outcome.responseTime == nil)  // untimed
        #expect(abs(outcome.sentiment.values.reduce(0, +) - 1) < 0.02)
        #expect(outcome.talkTimeRatio > 0 && outcome.talkTimeRatio < 1)
    }

    @Test func timedTranscriptGivesResponseTime() throws {
        let engine = try ScriptedRep.good(BuiltInScenarios.all[0])
        var clock = 0.0
        let timed = Transcript(segments: engine.transcript.segments.map { segment in
            var s = segment
            let length = Double(segment.text.split(separator: " ").count) * 0.4
            s.start = clock + (segment.speaker == .rep ? 1.5 : 0.5)  // the rep answers after 1.5 s
            s.end = s.start! + length
            clock = s.end!
            return s
        })
        let outcome = scorer.score(timed, engine: engine)
        let response = try #require(outcome.responseTime)
        #expect(abs(response - 1.5) < 0.2)
        // Same engine facts, same turn pointers.
        #expect(outcome.nextStepAgreed)
    }
}
