import Foundation
import ParleyTestSupport
import Testing

@Suite("Sales Trainer sessions over HTTP")
struct SessionTests {
    @Test func createReturnsTheDocumentedObjectWithAWorkingWebSocketURL() async throws {
        try await TestServer.with { server in
            let rep = try await server.register()
            let response = try await server.request(.POST, "/api/v1/sessions", json: [
                "scenario_id": 1, "session_type": "practice",
                "configuration": ["coaching_enabled": true, "difficulty_level": "intermediate", "max_duration": 1800, "voice_id": "professional_female"],
            ], token: rep.accessToken)
            #expect(response.status == 201)
            let json = response.json
            let id = try #require(json["id"] as? String)
            #expect(id.hasPrefix("session_"))
            #expect(json["scenario_id"] as? Int == 1)
            #expect(json["user_id"] as? Int == rep.id)
            #expect(json["status"] as? String == "created")
            #expect(json["session_type"] as? String == "practice")
            #expect((json["configuration"] as? [String: Any])?["voice_id"] as? String == "professional_female")
            let url = try #require(json["websocket_url"] as? String)
            #expect(url == server.baseURL.replacingOccurrences(of: "http://", with: "ws://") + "/ws/voice/\(id)")
        }
    }

    @Test func defaultsComeFromTheScenario() async throws {
        try await TestServer.with { server in
            let rep = try await server.register()
            let scenario = try await server.request(.GET, "/api/v1/scenarios/3", token: rep.accessToken).json
            let created = try await server.request(.POST, "/api/v1/sessions", json: ["scenario_id": 3], token: rep.accessToken).json
            let config = try #require(created["configuration"] as? [String: Any])
            #expect(config["difficulty_level"] as? String == scenario["difficulty"] as? String)
            #expect(config["coaching_enabled"] as? Bool == true)
            #expect(config["max_duration"] as? Int == 1800)
        }
    }

    @Test func badSessionRequests() async throws {
        try await TestServer.with { server in
            let rep = try await server.register()
            let unknown = try await server.request(.POST, "/api/v1/sessions", json: ["scenario_id": 4242], token: rep.accessToken)
            #expect(unknown.status == 404)
            #expect(unknown.json["error_code"] as? String == "SCENARIO_NOT_FOUND")
            let cases: [([String: Any], String)] = [
                ([:], "scenario_id"),
                (["scenario_id": "one"], "scenario_id"),
                (["scenario_id": 1, "configuration": ["max_duration": 5]], "configuration.max_duration"),
                (["scenario_id": 1, "configuration": ["difficulty_level": "impossible"]], "configuration.difficulty_level"),
                (["scenario_id": 1, "session_type": "Practice!"], "session_type"),
            ]
            for (body, field) in cases {
                let response = try await server.request(.POST, "/api/v1/sessions", json: body, token: rep.accessToken)
                #expect(response.status == 422, "\(body)")
                #expect((response.json["details"] as? [String: Any])?["field"] as? String == field)
            }
        }
    }

    @Test func tooManyOpenSessionsIsSessionLimitExceeded() async throws {
        try await TestServer.with { server in
            let rep = try await server.register()
            for _ in 0..<3 {
                #expect(try await server.request(.POST, "/api/v1/sessions", json: ["scenario_id": 1], token: rep.accessToken).status == 201)
            }
            let fourth = try await server.request(.POST, "/api/v1/sessions", json: ["scenario_id": 1], token: rep.accessToken)
            #expect(fourth.status == 409)
            #expect(fourth.json["error_code"] as? String == "SESSION_LIMIT_EXCEEDED")
            let other = try await server.register()
            #expect(try await server.request(.POST, "/api/v1/sessions", json: ["scenario_id": 1], token: other.accessToken).status == 201)
        }
    }

    @Test func listGetAndFeedbackAreTheOwnersOnly() async throws {
        try await TestServer.with { server in
            let rep = try await server.register()
            let other = try await server.register()
            let id = try #require(try await server.request(.POST, "/api/v1/sessions", json: ["scenario_id": 2], token: rep.accessToken).json["id"] as? String)
            _ = try await server.request(.POST, "/api/v1/sessions", json: ["scenario_id": 1], token: other.accessToken)

            let mine = try await server.request(.GET, "/api/v1/sessions", token: rep.accessToken).jsonArray
            #expect(mine.map { $0["id"] as? String } == [id])
            #expect(try await server.request(.GET, "/api/v1/sessions?status=completed", token: rep.accessToken).jsonArray.isEmpty)
            #expect(try await server.request(.GET, "/api/v1/sessions?status=bogus", token: rep.accessToken).status == 422)

            let detail = try await server.request(.GET, "/api/v1/sessions/\(id)", token: rep.accessToken)
            #expect(detail.status == 200)
            #expect((detail.json["transcript"] as? [Any])?.isEmpty == true)
            #expect(try await server.request(.GET, "/api/v1/sessions/\(id)", token: other.accessToken).status == 404)
            #expect(try await server.request(.GET, "/api/v1/sessions/session_000", token: rep.accessToken).status == 404)

            let feedback = try await server.request(.PUT, "/api/v1/sessions/\(id)/feedback", json: [
                "rating": 4, "feedback": "Great scenario, helped me practice objection handling", "difficulty_rating": 3, "technical_issues": false,
            ], token: rep.accessToken)
            #expect(feedback.status == 200)
            #expect(feedback.json["message"] as? String == "Feedback submitted successfully")
            let stored = try await server.request(.GET, "/api/v1/sessions/\(id)", token: rep.accessToken).json["feedback"] as? [String: Any]
            #expect(stored?["rating"] as? Int == 4)
            #expect(try await server.request(.PUT, "/api/v1/sessions/\(id)/feedback", json: ["rating": 9], token: rep.accessToken).status == 422)
            #expect(try await server.request(.PUT, "/api/v1/sessions/\(id)/feedback", json: ["rating": 3], token: other.accessToken).status == 404)
        }
    }
}
