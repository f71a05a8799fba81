import Foundation
import ParleyTestSupport
import Testing

/// The Voice Agents surface as its document's clients use it: its own auth endpoints on the
/// shared identity, agents with the provider catalogue, campaigns, the do-not-call list, and
/// the document's error envelope and codes for bad input.
@Suite("Voice Agents: agents, campaigns and bad input")
struct VoiceAgentTests {
    static func error(_ response: TestResponse) -> (code: String?, field: String?) {
        let error = response.json["error"] as? [String: Any]
        return (error?["code"] as? String, error?["field"] as? String)
    }

    /// Signs a new account up and in through the Voice Agents endpoints; returns its token.
    static func signIn(_ server: TestServer, email: String = "agent-\(UUID().uuidString.prefix(8).lowercased())@example.com") async throws -> String {
        let registered = try await server.request(.POST, "/auth/register", json: [
            "email": email, "password": "SecurePass123!", "first_name": "John", "last_name": "Doe",
        ])
        #expect(registered.status == 201, "\(registered.text)")
        #expect(UUID(uuidString: registered.json["id"] as? String ?? "") != nil)
        let login = try await server.request(.POST, "/auth/login", json: ["email": email, "password": "SecurePass123!"])
        #expect(login.status == 200 && login.json["expires_in"] is Int, "\(login.text)")
        return try #require(login.json["token"] as? String)
    }

    static func agent(_ server: TestServer, _ token: String, _ body: [String: Any]) async throws -> String {
        let created = try await server.request(.POST, "/agents", json: body, token: token)
        #expect(created.status == 201, "\(created.text)")
        return try #require(created.json["id"] as? String)
    }

    @Test func theDocumentsAuthWorksOnTheSharedIdentity() async throws {
        try await TestServer.with { server in
            let email = "va-\(UUID().uuidString.prefix(8).lowercased())@example.com"
            let token = try await Self.signIn(server, email: email)
            let me = try await server.request(.GET, "/auth/me", token: token)
            #expect(me.status == 200 && me.json["email"] as? String == email && me.json["role"] as? String == "user")
            // The same account signs in on the other surfaces, and their tokens work here.
            let elsewhere = try await server.request(.POST, "/api/v1/auth/login", json: ["email": email, "password": "SecurePass123!"])
            let other = try #require(elsewhere.json["access_token"] as? String)
            #expect(try await server.request(.GET, "/agents", token: other).status == 200)

            let login = try await server.request(.POST, "/auth/login", json: ["email": email, "password": "SecurePass123!"])
            let refresh = try #require(login.json["refresh_token"] as? String)
            let renewed = try await server.request(.POST, "/auth/refresh-token", headers: [("Authorization", "Bearer \(refresh)")])
            #expect(renewed.status == 200, "\(renewed.text)")
            let fresh = try #require(renewed.json["token"] as? String)
            #expect(try await server.request(.GET, "/auth/me", token: fresh).status == 200)

            let wrong = try await server.request(.POST, "/auth/login", json: ["email": email, "password": "nope-nope-nope"])
            #expect(wrong.status == 401 && Self.error(wrong).code == "AUTH_001")
            #expect(wrong.json["success"] as? Bool == false && wrong.json.keys.contains("data") && wrong.json["timestamp"] is String)
            let garbage = try await server.request(.GET, "/agents", token: "not-a-token")
            #expect(garbage.status == 401 && Self.error(garbage).code == "AUTH_003")
        }
    }

    @Test func agentsAreCheckedAgainstTheProviderCatalogueAndShowWhatRuns() async throws {
        try await TestServer.with { server in
            let token = try await Self.signIn(server)
            // The document's example, as written.
            let created = try await server.request(.POST, "/agents", json: [
                "name": "Support Agent", "description": "Handles customer support", "llm_provider": "openai", "llm_model": "gpt-4",
                "stt_provider": "deepgram", "tts_provider": "cartesia", "system_prompt": "You are a helpful support agent. Help customers with their issues.",
                "language": "en", "voice_parameters": ["voice_id": "english_male", "speed": 1.0, "tone": "professional"],
            ], token: token)
            #expect(created.status == 201 && created.json["status"] as? String == "active", "\(created.text)")
            let id = try #require(created.json["id"] as? String)
            // No keys are configured in tests: each named provider falls back, and says so.
            let engines = try #require(created.json["engines"] as? [String: [String: Any]])
            #expect(engines["tts"]?["requested"] as? String == "cartesia" && engines["tts"]?["fallback"] as? Bool == true)
            #expect(engines["stt"]?["running"] as? String == "embedded")

            let again = try await server.request(.POST, "/agents", json: ["name": "  support agent "], token: token)
            #expect(again.status == 409 && Self.error(again).code == "AGENT_002", "\(again.text)")
            let unknown = try await server.request(.POST, "/agents", json: ["name": "Other", "tts_provider": "acme-voices"], token: token)
            #expect(unknown.status == 422 && Self.error(unknown).field == "tts_provider", "\(unknown.text)")
            #expect(Self.error(try await server.request(.POST, "/agents", json: ["description": "no name"], token: token)).field == "name")

            let updated = try await server.request(.PUT, "/agents/\(id)", json: ["name": "Updated Name", "status": "inactive"], token: token)
            #expect(updated.status == 200 && updated.json["name"] as? String == "Updated Name" && updated.json["updated_at"] is String)
            _ = try await Self.agent(server, token, ["name": "Sales Agent", "description": "Books demos"])
            let listed = try await server.request(.GET, "/agents?skip=0&limit=1&status=active", token: token)
            #expect(listed.json["total"] as? Int == 1 && listed.json["limit"] as? Int == 1)
            #expect((listed.json["items"] as? [[String: Any]])?.first?["name"] as? String == "Sales Agent")
            let searched = try await server.request(.GET, "/agents?search=updated", token: token)
            #expect(searched.json["total"] as? Int == 1)

            // Someone else's agent does not exist for this user.
            let stranger = try await Self.signIn(server)
            let hidden = try await server.request(.GET, "/agents/\(id)", token: stranger)
            #expect(hidden.status == 404 && Self.error(hidden).code == "AGENT_001")
            #expect(try await server.request(.DELETE, "/agents/\(id)", token: stranger).status == 404)
            #expect(try await server.request(.DELETE, "/agents/\(id)", token: token).status == 204)
            #expect(try await server.request(.GET, "/agents/\(id)", token: token).status == 404)
        }
    }

    @Test func campaignsValidateTheirNumbersAndLaunchOnce() async throws {
        try await TestServer.with { server in
            let token = try await Self.signIn(server)
            let agent = try await Self.agent(server, token, ["name": "Sam", "description": "Books demos of our scheduling assistant"])
            let bad = try await server.request(.POST, "/campaigns", json: [
                "name": "Q2", "agent_id": agent, "phone_numbers": ["+1234567890", "+44 20 7946 0958", "call me maybe"],
            ], token: token)
            #expect(bad.status == 422 && Self.error(bad).field == "phone_numbers[2]", "\(bad.text)")
            let stranger = try await Self.signIn(server)
            let theirs = try await server.request(.POST, "/campaigns", json: ["name": "Q2", "agent_id": agent, "phone_numbers": ["+1234567890"]],
                                                  token: stranger)
            #expect(theirs.status == 404 && Self.error(theirs).code == "AGENT_001", "\(theirs.text)")

            let created = try await server.request(.POST, "/campaigns", json: [
                "name": "Q2 Marketing Campaign", "agent_id": agent,
                "phone_numbers": ["+1234567890", "+1 (234) 567-891", "+1234567890", "0044 20 7946 0958"],
                // Starting in 2098: launched now, it waits for its start and dials nobody during this test.
                "start_time": "2098-04-01T00:00:00Z", "end_time": "2099-06-30T23:59:59Z", "max_concurrent_calls": 50,
                "calling_hours": ["timezone": "America/New_York", "start": "00:00", "end": "24:00", "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]],
            ], token: token)
            #expect(created.status == 201 && created.json["status"] as? String == "draft", "\(created.text)")
            #expect(created.json["phone_numbers"] as? [String] == ["+1234567890", "+1234567891", "+442079460958"])
            let id = try #require(created.json["id"] as? String)

            // Numbers on the do-not-call list are never dialled.
            let blocked = try await server.request(.POST, "/do-not-call", json: ["phone_numbers": ["+44 20 7946 0958"], "reason": "asked by letter"], token: token)
            #expect(blocked.status == 201 && blocked.json["added"] as? [String] == ["+442079460958"])
            let list = try await server.request(.GET, "/do-not-call", token: token)
            #expect(list.json["total"] as? Int == 1)

            let launched = try await server.request(.POST, "/campaigns/\(id)/launch", token: token)
            #expect(launched.status == 200 && launched.json["status"] as? String == "active" && launched.json["launched_at"] is String, "\(launched.text)")
            let twice = try await server.request(.POST, "/campaigns/\(id)/launch", token: token)
            #expect(twice.status == 409 && Self.error(twice).code == "CAMPAIGN_002")
            let paused = try await server.request(.POST, "/campaigns/\(id)/pause", token: token)
            #expect(paused.status == 200 && paused.json["status"] as? String == "paused" && paused.json["paused_at"] is String)
            let missing = try await server.request(.POST, "/campaigns/\(UUID().uuidString)/launch", token: token)
            #expect(missing.status == 404 && Self.error(missing).code == "CAMPAIGN_001")
            let listed = try await server.request(.GET, "/campaigns?agent_id=\(agent)&status=paused", token: token)
            #expect(listed.json["total"] as? Int == 1)

            // An inactive agent's campaign cannot start.
            _ = try await server.request(.PUT, "/agents/\(agent)", json: ["status": "inactive"], token: token)
            let other = try await server.request(.POST, "/campaigns", json: ["name": "Later", "agent_id": agent, "phone_numbers": ["+14155550100"]], token: token)
            let refused = try await server.request(.POST, "/campaigns/\(other.json["id"] as? String ?? "")/launch", token: token)
            #expect(refused.status == 409 && Self.error(refused).code == "CAMPAIGN_002" && (Self.error(refused).code != nil), "\(refused.text)")
        }
    }
}
