import Foundation
import ParleySpeech
import ParleyTestSupport
import Testing

/// Speech Coaching auth, sessions, profile, organizations, analytics and the error table.
@Suite("Speech Coaching accounts, sessions and errors")
struct CoachingAccountTests {
    static func data(_ response: TestResponse) -> [String: Any] { response.json["data"] as? [String: Any] ?? [:] }
    static func error(_ response: TestResponse) -> (code: String?, field: String?) {
        let error = response.json["error"] as? [String: Any]
        return (error?["code"] as? String, (error?["details"] as? [String: Any])?["field"] as? String)
    }

    @Test func authUsesTheEnvelopeAndTheSharedIdentity() async throws {
        try await TestServer.with({ $0.rateLimits.enabled = false }) { server in
            let registered = try await server.request(.POST, "/coaching/auth/register", json: [
                "email": "Coach@Example.com", "password": "speaking123", "firstName": "Ada", "lastName": "Lovelace",
            ])
            #expect(registered.status == 201)
            #expect(registered.json["success"] as? Bool == true)
            let meta = registered.json["meta"] as? [String: Any]
            #expect((meta?["requestId"] as? String)?.isEmpty == false && meta?["timestamp"] is String)
            #expect(meta?["requestId"] as? String == registered.header("X-Request-ID"))
            let user = Self.data(registered)["user"] as? [String: Any]
            #expect((user?["id"] as? String)?.hasPrefix("user_") == true)
            #expect((user?["organizationId"] as? String)?.hasPrefix("org_") == true)
            #expect(user?["firstName"] as? String == "Ada")
            let tokens = Self.data(registered)["tokens"] as? [String: Any] ?? [:]
            let refresh = tokens["refreshToken"] as? String ?? ""
            #expect(tokens["expiresIn"] as? Int ?? 0 > 0)

            // One identity: the same account signs in on the Sales Trainer surface.
            #expect(try await server.request(.POST, "/api/v1/auth/login", json: ["email": "coach@example.com", "password": "speaking123"]).status == 200)
            let rep = try await server.register()
            let crossLogin = try await server.request(.POST, "/coaching/auth/login", json: ["email": rep.email, "password": rep.password])
            #expect(crossLogin.status == 200)
            #expect(try await server.request(.GET, "/coaching/sessions", token: rep.accessToken).status == 200)

            // The documented refresh returns only an access token, so the refresh token stays usable.
            for _ in 0..<2 {
                let refreshed = try await server.request(.POST, "/coaching/auth/refresh", json: ["refreshToken": refresh])
                #expect(refreshed.status == 200)
                #expect(Self.data(refreshed)["accessToken"] is String)
            }
            let logout = try await server.request(.POST, "/coaching/auth/logout", json: ["refreshToken": refresh])
            #expect(logout.status == 200)
            let afterLogout = try await server.request(.POST, "/coaching/auth/refresh", json: ["refreshToken": refresh])
            #expect(afterLogout.status == 401 && Self.error(afterLogout).code == "AUTHENTICATION_ERROR")
            let revoked = try await server.request(.GET, "/coaching/sessions", token: tokens["accessToken"] as? String)
            #expect(revoked.status == 401)

            let badEmail = try await server.request(.POST, "/coaching/auth/register", json: [
                "email": "not-an-email", "password": "speaking123", "firstName": "A", "lastName": "B",
            ])
            #expect(badEmail.status == 422 && Self.error(badEmail).code == "VALIDATION_ERROR" && Self.error(badEmail).field == "email")
            let missing = try await server.request(.POST, "/coaching/auth/register", json: ["email": "x@example.com", "password": "speaking123"])
            #expect(missing.status == 422 && Self.error(missing).field == "firstName")
            let foreignOrganization = try await server.request(.POST, "/coaching/auth/register", json: [
                "email": "y@example.com", "password": "speaking123", "firstName": "A", "lastName": "B",
                "organizationId": "org_00000000-0000-0000-0000-000000000001",
            ])
            #expect(foreignOrganization.status == 422 && Self.error(foreignOrganization).field == "organizationId")
            let wrong = try await server.request(.POST, "/coaching/auth/login", json: ["email": "coach@example.com", "password": "nope12345"])
            #expect(wrong.status == 401 && Self.error(wrong).code == "AUTHENTICATION_ERROR")
            let notJSON = try await server.request(.POST, "/coaching/auth/login", body: Data("{oops".utf8), headers: [("Content-Type", "application/json")])
            #expect(notJSON.status == 400 && Self.error(notJSON).code == "VALIDATION_ERROR")
        }
    }

    @Test func apiKeysAuthenticateServiceCalls() async throws {
        try await TestServer.with { server in
            let admin = try await server.admin()
            let created = try await server.request(.POST, "/api/v1/admin/api-keys", json: ["name": "reporting"], token: admin.accessToken)
            let key = created.json["key"] as? String ?? created.json["api_key"] as? String ?? ""
            #expect(!key.isEmpty, "\(created.text)")
            let listed = try await server.request(.GET, "/coaching/sessions", headers: [("X-API-Key", key)])
            #expect(listed.status == 200)
            let bad = try await server.request(.GET, "/coaching/sessions", headers: [("X-API-Key", "pk_wrong")])
            #expect(bad.status == 401 && Self.error(bad).code == "AUTHENTICATION_ERROR")
        }
    }

    @Test func sessionsAreCreatedListedFilteredAndKeptPrivate() async throws {
        try await TestServer.with({ $0.rateLimits.enabled = false }) { server in
            let speaker = try await server.coachingAccount()
            var ids: [String] = []
            for (title, type) in [("Pitch", "presentation"), ("Interview prep", "interview"), ("Toast", "speech")] {
                let created = try await server.request(.POST, "/coaching/sessions", json: [
                    "title": title, "type": type, "description": "Line one\nline two", "duration": 300,
                    "settings": ["enableRealTimeProcessing": true, "enableScoring": true],
                ], token: speaker.accessToken)
                #expect(created.status == 201)
                let session = Self.data(created)["session"] as? [String: Any] ?? [:]
                #expect(session["status"] as? String == "created")
                #expect((session["uploadUrl"] as? String)?.hasSuffix("/coaching/sessions/\(session["id"] as? String ?? "")/upload") == true)
                #expect((session["websocketUrl"] as? String)?.hasPrefix("ws://127.0.0.1:") == true)
                ids.append(session["id"] as? String ?? "")
            }
            let page = try await server.request(.GET, "/coaching/sessions?page=1&limit=2", token: speaker.accessToken)
            let pagination = Self.data(page)["pagination"] as? [String: Any]
            #expect((Self.data(page)["sessions"] as? [[String: Any]])?.count == 2)
            #expect(pagination?["total"] as? Int == 3 && pagination?["pages"] as? Int == 2)
            let interviews = try await server.request(.GET, "/coaching/sessions?type=interview", token: speaker.accessToken)
            #expect((Self.data(interviews)["sessions"] as? [[String: Any]])?.map { $0["id"] as? String } == [ids[1]])
            let created = try await server.request(.GET, "/coaching/sessions?status=created&startDate=2020-01-01", token: speaker.accessToken)
            #expect((Self.data(created)["sessions"] as? [[String: Any]])?.count == 3)
            let future = try await server.request(.GET, "/coaching/sessions?startDate=2999-01-01", token: speaker.accessToken)
            #expect((Self.data(future)["sessions"] as? [[String: Any]])?.isEmpty == true)
            for (query, field) in [("limit=101", "limit"), ("page=0", "page"), ("status=done", "status"), ("type=rap", "type"), ("startDate=yesterday", "startDate")] {
                let bad = try await server.request(.GET, "/coaching/sessions?\(query)", token: speaker.accessToken)
                #expect(bad.status == 422 && Self.error(bad).field == field, "\(query)")
            }
            for (body, field) in [(["title": ""], "title"), (["title": "x", "type": "rap"], "type"), (["title": "x", "duration": -5], "duration")] as [([String: Any], String)] {
                let bad = try await server.request(.POST, "/coaching/sessions", json: body, token: speaker.accessToken)
                #expect(bad.status == 422 && Self.error(bad).field == field, "\(body)")
            }

            let other = try await server.coachingAccount()
            let foreign = try await server.request(.GET, "/coaching/sessions/\(ids[0])", token: other.accessToken)
            #expect(foreign.status == 403 && Self.error(foreign).code == "AUTHORIZATION_ERROR")
            #expect(try await server.request(.DELETE, "/coaching/sessions/\(ids[0])", token: other.accessToken).status == 403)
            let (_, outsider) = try await server.adminOfNewOrganization(name: "Other Co")
            let hidden = try await server.request(.GET, "/coaching/sessions/\(ids[0])", token: outsider.accessToken)
            #expect(hidden.status == 404 && Self.error(hidden).code == "NOT_FOUND")
            let admin = try await server.admin()
            #expect(try await server.request(.GET, "/coaching/sessions/\(ids[0])", token: admin.accessToken).status == 200)

            let deleted = try await server.request(.DELETE, "/coaching/sessions/\(ids[2])", token: speaker.accessToken)
            #expect(deleted.status == 200)
            #expect(try await server.request(.GET, "/coaching/sessions/\(ids[2])", token: speaker.accessToken).status == 404)
            let noResults = try await server.request(.GET, "/coaching/sessions/\(ids[0])/scores", token: speaker.accessToken)
            #expect(noResults.status == 409)
        }
    }

    @Test func documentedRateLimitsApply() async throws {
        try await TestServer.with { server in
            let speaker = try await server.coachingAccount()
            // Windows are fixed, so a loop may straddle two of them: it sends until refused, at
            // most twice the limit plus one (then some window must have overflowed).
            var last: TestResponse?
            var created = 0
            for index in 0..<11 {
                last = try await server.request(.POST, "/coaching/sessions", json: ["title": "Session \(index)"], token: speaker.accessToken)
                guard last?.status == 201 else { break }
                created += 1
            }
            #expect(created >= 5)
            #expect(last?.status == 429)
            #expect(last.map(Self.error)?.code == "RATE_LIMIT_EXCEEDED")
            #expect(last?.header("X-RateLimit-Limit") == "5" && last?.header("Retry-After") != nil)
            let listed = try await server.request(.GET, "/coaching/sessions", token: speaker.accessToken)
            #expect(listed.status == 200 && listed.header("X-RateLimit-Limit") == "100")

            var auth: TestResponse?
            var answered = 0
            for _ in 0..<21 {
                auth = try await server.request(.POST, "/coaching/auth/login", json: ["email": "nobody@example.com", "password": "whatever1"])
                guard auth?.status != 429 else { break }
                answered += 1
            }
            #expect(answered >= 9)  // registration took one of the ten
            #expect(auth?.status == 429 && auth?.header("X-RateLimit-Limit") == "10")
        }
    }

    @Test func storageAndExternalServiceFailuresUseTheirCodes() async throws {
        let offline = try SpeechEngines.make(SpeechConfiguration.fromEnvironment(["PARLEY_STT_PROVIDER": "none"]))
        try await TestServer.with({ $0.rateLimits.enabled = false }, speech: offline) { server in
            let speaker = try await server.coachingAccount()
            let spoken = try await TestMedia.speechWAV("ship")
            let unheard = try await server.request(.POST, "/coaching/drills/drill_minimal_pairs_1/submit", json: [
                "audioData": spoken.base64EncodedString(), "exerciseIndex": 0,
            ], token: speaker.accessToken)
            #expect(unheard.status == 503 && Self.error(unheard).code == "EXTERNAL_SERVICE_ERROR", "\(unheard.text)")
            // Storage that cannot take the file: `media` is a plain file, not a folder.
            try Data("not a folder".utf8).write(to: URL(fileURLWithPath: server.configuration.dataDirectory).appendingPathComponent("media"))
            let id = try await CoachingPipelineTests.createSession(server, token: speaker.accessToken)
            let stored = try await CoachingPipelineTests.upload(server, session: id, token: speaker.accessToken, file: spoken, name: "ship.wav")
            #expect(stored.status == 500 && Self.error(stored).code == "STORAGE_ERROR", "\(stored.text)")
            let session = Self.data(try await server.request(.GET, "/coaching/sessions/\(id)", token: speaker.accessToken))["session"] as? [String: Any]
            #expect(session?["status"] as? String == "created")
        }
    }

    @Test func profilePreferencesOrganizationsAndAnalytics() async throws {
        try await TestServer.with { server in
            let speaker = try await server.coachingAccount()
            let profile = try await server.request(.GET, "/coaching/user/profile", token: speaker.accessToken)
            let user = Self.data(profile)["user"] as? [String: Any] ?? [:]
            #expect((user["preferences"] as? [String: Any])?["language"] as? String == "en")
            #expect((user["stats"] as? [String: Any])?["totalSessions"] as? Int == 0)

            let updated = try await server.request(.PUT, "/coaching/user/profile", json: [
                "lastName": "Smith", "preferences": ["timezone": "America/New_York", "notifications": ["push": true]],
            ], token: speaker.accessToken)
            let changed = Self.data(updated)["user"] as? [String: Any] ?? [:]
            #expect(changed["lastName"] as? String == "Smith")
            let preferences = changed["preferences"] as? [String: Any]
            #expect(preferences?["timezone"] as? String == "America/New_York" && preferences?["language"] as? String == "en")
            #expect((preferences?["notifications"] as? [String: Any])?["push"] as? Bool == true)
            let badZone = try await server.request(.PUT, "/coaching/user/profile", json: ["preferences": ["timezone": "Mars/Olympus"]], token: speaker.accessToken)
            #expect(badZone.status == 422 && Self.error(badZone).field == "preferences.timezone")

            let organizations = try await server.request(.GET, "/coaching/organizations", token: speaker.accessToken)
            let organization = (Self.data(organizations)["organizations"] as? [[String: Any]])?.first ?? [:]
            #expect(organization["role"] as? String == "user" && organization["memberCount"] as? Int ?? 0 >= 1)
            let orgID = organization["id"] as? String ?? ""
            let members = try await server.request(.GET, "/coaching/organizations/\(orgID)/members", token: speaker.accessToken)
            #expect((Self.data(members)["members"] as? [[String: Any]])?.contains { $0["email"] as? String == speaker.email } == true)
            let (other, _) = try await server.adminOfNewOrganization(name: "Elsewhere")
            let foreign = try await server.request(.GET, "/coaching/organizations/org_\(other.id.uuidString.lowercased())/members", token: speaker.accessToken)
            #expect(foreign.status == 403 && Self.error(foreign).code == "AUTHORIZATION_ERROR")

            let analytics = try await server.request(.GET, "/coaching/analytics/progress?period=week&metrics=overallScore,practiceTime", token: speaker.accessToken)
            let body = Self.data(analytics)["analytics"] as? [String: Any] ?? [:]
            #expect(body["period"] as? String == "week" && body["practiceTime"] != nil && body["categoryScores"] == nil)
            let badPeriod = try await server.request(.GET, "/coaching/analytics/progress?period=decade", token: speaker.accessToken)
            #expect(badPeriod.status == 422 && Self.error(badPeriod).field == "period")
            let badMetric = try await server.request(.GET, "/coaching/analytics/progress?metrics=height", token: speaker.accessToken)
            #expect(badMetric.status == 422 && Self.error(badMetric).field == "metrics")
        }
    }
}
