import Foundation
import ParleyDomain
import ParleyIntelligence
import ParleyTestSupport
import Testing

/// Every scenario of the built-in catalogue, played over the real voice WebSocket with typed
/// turns: a good rep reaches a next step, a pushy one loses the call.
@Suite("Sales Trainer catalogue role-plays over the WebSocket")
struct CatalogueRolePlayTests {
    enum Rep: String, CaseIterable { case good, pushy }

    @Test(arguments: Rep.allCases)
    func everyScenarioEndsAsItsRepDeserves(rep: Rep) async throws {
        try await TestServer.with { server in
            let account = try await server.register()
            let listed = try await server.request(.GET, "/api/v1/scenarios?limit=100", token: account.accessToken).jsonArray
            #expect(listed.count == BuiltInScenarios.all.count)
            for scenario in BuiltInScenarios.all {
                let id = try #require(listed.first { $0["title"] as? String == scenario.title }?["id"] as? Int, "\(scenario.title) is not served")
                let created = try await server.request(.POST, "/api/v1/sessions", json: ["scenario_id": id], token: account.accessToken)
                let session = try #require(created.json["id"] as? String)
                let reason = try await play(rep, scenario: scenario, session: session, server: server, token: account.accessToken)
                #expect(reason == (rep == .good ? "call_next_step_agreed" : "call_lost"), "\(scenario.title): \(reason)")
                let response = try await server.request(.GET, "/api/v1/sessions/\(session)", token: account.accessToken)
                #expect(response.json["status"] as? String == "completed", "\(scenario.title)")
                // Numbers only (a boolean does not decode as a Double), so clients can chart every entry.
                struct Metrics: Decodable { var performance_metrics: [String: Double] }
                let metrics = try JSONDecoder().decode(Metrics.self, from: response.body).performance_metrics
                #expect(metrics["overall_score"] != nil && metrics["next_step_agreed"] == nil, "\(metrics)")
            }
        }
    }

    /// Plays one call to its end; the rep's lines come from the engine's scripts, steered by a
    /// local copy of the prospect fed the same turns (its decisions do not depend on the seed,
    /// which is checked: every reply's intent must match the server's).
    func play(_ rep: Rep, scenario: Scenario, session: String, server: TestServer, token: String) async throws -> String {
        var shadow = try ProspectEngine(scenario: scenario, seed: 7)
        let socket = try await TestWebSocket.connect(server, path: "/ws/voice/\(session)", token: token)
        defer { Task { await socket.close() } }
        try await socket.send(["type": "config", "data": ["format": "text"]])
        let opening = try #require(await socket.next(type: "ai_response").message?["data"] as? [String: Any])
        #expect(opening["intent"] as? String == shadow.opening().intent.rawValue, "\(scenario.title): opening")
        for turn in 0..<40 {
            let line = rep == .good ? PracticeScript.goodTurn(shadow) : PracticeScript.badTurn(.pushy, turn: turn)
            let expected = shadow.respond(to: line)
            try await socket.send(["type": "text", "data": line])
            let (reply, skipped) = await socket.next(type: "ai_response")
            let data = try #require(reply?["data"] as? [String: Any], "\(scenario.title): no reply to turn \(turn): \(skipped)")
            #expect(data["intent"] as? String == expected.intent.rawValue, "\(scenario.title) turn \(turn): \(line)")
            if expected.endsCall {
                let ended = try #require(await socket.next(type: "session_ended").message?["data"] as? [String: Any])
                return ended["reason"] as? String ?? "?"
            }
        }
        Issue.record("\(scenario.title): the call did not end in 40 turns")
        return "not ended"
    }
}
