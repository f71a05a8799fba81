import Foundation
import ParleyServer
import ParleyTestSupport
import SQLKit
import Testing

/// Shapes a new user found wrong against the documents: each is checked here as the document
/// prints it (keys present even when their value is null).
@Suite("Documented shapes")
struct DocumentedShapesTests {
    @Test func errorBodiesCarryDetailsOnEveryStatus() async throws {
        try await TestServer.with { server in
            for (path, status) in [("/api/v1/auth/me", 401), ("/api/v1/no-such-route", 404)] {
                let response = try await server.request(.GET, path)
                #expect(response.status == status)
                let details = response.json["details"] as? [String: Any]
                #expect(details?["message"] as? String != nil, "\(path): \(response.text)")
            }
            for (path, status) in [("/coaching/sessions", 401), ("/coaching/no-such-route", 404)] {
                let response = try await server.request(.GET, path)
                #expect(response.status == status)
                let details = (response.json["error"] as? [String: Any])?["details"] as? [String: Any]
                #expect(details?["reason"] as? String != nil, "\(path): \(response.text)")
            }
        }
    }

    @Test func healthNamesTheDocumentedServicesAndWhatIsUsed() async throws {
        try await TestServer.with { server in
            let services = try await server.request(.GET, "/health").json["services"] as? [String: String] ?? [:]
            #expect(services["database"] == "healthy")
            #expect(services["redis"] == "not_used")
            #expect(services["elevenlabs"] == "not_used" && services["claude"] == "not_used")
            #expect(services["speech_synthesis"] == "embedded" && services["language_model"] == "embedded")
        }
    }

    @Test func coachingProgressReportsAndLearningAnalyticsHaveEveryDocumentedKey() async throws {
        try await TestServer.with { server in
            let speaker = try await server.coachingAccount()
            for period in ["week", "month", "quarter", "year"] {
                let response = try await server.request(.GET, "/coaching/analytics/progress?period=\(period)", token: speaker.accessToken)
                #expect(response.status == 200, "\(period): \(response.text)")
                let analytics = ((response.json["data"] as? [String: Any])?["analytics"] as? [String: Any]) ?? [:]
                let overall = analytics["overallScore"] as? [String: Any] ?? [:]
                #expect(Set(overall.keys) == ["current", "previous", "change", "trend"], "\(period): \(overall)")
                let clarity = (analytics["categoryScores"] as? [String: Any])?["clarity"] as? [String: Any] ?? [:]
                #expect(Set(clarity.keys).isSuperset(of: ["current", "previous", "change"]))
            }
            let report = try await server.request(.GET, "/coaching/reports/sessions?format=json", token: speaker.accessToken)
            let summary = (((report.json["data"] as? [String: Any])?["report"] as? [String: Any])?["summary"] as? [String: Any]) ?? [:]
            #expect(Set(summary.keys) == ["totalSessions", "totalDuration", "averageScore", "improvement"], "\(summary)")

            let rep = try await server.register()
            let detailed = try await server.request(.GET, "/api/v1/learning/analytics/detailed", token: rep.accessToken)
            let analysis = detailed.json["conversation_analysis"] as? [String: Any] ?? [:]
            #expect(analysis.keys.contains("response_time"), "\(detailed.text)")
        }
    }

    @Test func daysThatDoNotExistAreRefusedNotRolledOver() async throws {
        try await TestServer.with { server in
            let rep = try await server.register()
            let bad = try await server.request(.GET, "/api/v1/learning/analytics/detailed?start_date=2024-02-30", token: rep.accessToken)
            #expect(bad.status == 422 && (bad.json["details"] as? [String: Any])?["field"] as? String == "start_date", "\(bad.text)")
            #expect(try await server.request(.GET, "/api/v1/learning/analytics/detailed?start_date=2024-02-29", token: rep.accessToken).status == 200)
            let coaching = try await server.request(.GET, "/coaching/reports/sessions?startDate=2023-02-29&endDate=2023-03-05", token: rep.accessToken)
            #expect(coaching.status == 422, "\(coaching.text)")
            #expect(try await server.request(.GET, "/coaching/reports/sessions?startDate=2023-02-28T10:00:00Z", token: rep.accessToken).status == 200)
        }
    }

    @Test func anUploadWithoutAFileIsAValidationErrorWhateverTheSessionsState() async throws {
        let wav = try await TestMedia.speechWAV("A first upload.")
        try await TestServer.with({ $0.jobs.concurrency = 0 }) { server in
            let speaker = try await server.coachingAccount()
            let id = try await CoachingPipelineTests.createSession(server, token: speaker.accessToken)
            #expect(try await CoachingPipelineTests.upload(server, session: id, token: speaker.accessToken, file: wav, name: "a.wav").status == 201)
            let noFile = TestMedia.multipart([(name: "metadata", fileName: nil, contentType: nil, data: Data("{}".utf8))])
            let missing = try await server.request(.POST, "/coaching/sessions/\(id)/upload", body: noFile.body, token: speaker.accessToken,
                                                   headers: [("Content-Type", noFile.contentType)])
            let field = ((missing.json["error"] as? [String: Any])?["details"] as? [String: Any])?["field"] as? String
            #expect(missing.status == 422 && field == "file", "\(missing.status) \(missing.text)")
            let again = try await CoachingPipelineTests.upload(server, session: id, token: speaker.accessToken, file: wav, name: "a.wav")
            #expect(again.status == 409)
        }
    }
}

/// Surfaces are descriptors: their prefix is configuration, and their dialect comes with their
/// route group, so a surface mounted at the root still speaks its own format.
@Suite("Surfaces mounted where configured")
struct SurfaceMountTests {
    @Test func movingTheSalesTrainerLeavesTheSharedSignInWhereEveryClientExpectsIt() async throws {
        try await TestServer.with({ $0.surfacePrefixes["sales-trainer"] = "/trainer" }) { server in
            let rep = try await server.register()  // POST /api/v1/auth/register
            #expect(try await server.request(.GET, "/api/v1/auth/me", token: rep.accessToken).status == 200)
            #expect(try await server.request(.GET, "/trainer/auth/me", token: rep.accessToken).status == 404)
            let scenarios = try await server.request(.GET, "/trainer/scenarios", token: rep.accessToken)
            #expect(scenarios.status == 200, "\(scenarios.text)")
            #expect(try await server.request(.GET, "/api/v1/scenarios", token: rep.accessToken).status == 404)
            let document = try await server.request(.GET, "/openapi/sales-trainer.json")
            let paths = Set((document.json["paths"] as? [String: Any])?.keys.map { $0 } ?? [])
            #expect(paths.contains("/api/v1/auth/login") && paths.contains("/trainer/scenarios") && !paths.contains("/trainer/auth/login"),
                    "\(paths.sorted().prefix(8))")
        }
    }

    @Test func speechCoachingMountedAtTheRootKeepsItsDialectAndURLs() async throws {
        // Voice Agents live at the root by default; moved, they leave it to Speech Coaching.
        try await TestServer.with({ $0.surfacePrefixes["speech-coaching"] = "/"; $0.surfacePrefixes["voice-agents"] = "/voice-agents" }) { server in
            let speaker = try await server.request(.POST, "/auth/register", json: [
                "email": "root-speaker@example.com", "password": "speaking123", "firstName": "Root", "lastName": "Speaker",
            ])
            #expect(speaker.status == 201, "\(speaker.text)")
            let token = try #require(((speaker.json["data"] as? [String: Any])?["tokens"] as? [String: Any])?["accessToken"] as? String)
            let created = try await server.request(.POST, "/sessions", json: ["title": "At the root", "type": "presentation"], token: token)
            #expect(created.status == 201, "\(created.text)")
            let session = (created.json["data"] as? [String: Any])?["session"] as? [String: Any]
            let id = try #require(session?["id"] as? String)
            #expect(session?["uploadUrl"] as? String == "\(server.baseURL)/sessions/\(id)/upload")
            // Its errors, matched or not, are in its envelope; /api/v1 keeps the union format.
            let refused = try await server.request(.GET, "/sessions")
            #expect(refused.status == 401 && (refused.json["error"] as? [String: Any])?["code"] as? String == "AUTHENTICATION_ERROR", "\(refused.text)")
            let unknown = try await server.request(.GET, "/no-such-thing")
            #expect(unknown.status == 404 && unknown.json["success"] as? Bool == false, "\(unknown.text)")
            let union = try await server.request(.GET, "/api/v1/no-such-thing")
            #expect(union.status == 404 && union.json["error_code"] as? String == "NOT_FOUND", "\(union.text)")
            #expect(try await server.request(.GET, "/coaching/sessions", token: token).status == 404)
            // The served document shows the paths where they are.
            let document = try await server.request(.GET, "/openapi/speech-coaching.json")
            let paths = (document.json["paths"] as? [String: Any])?.keys.map { $0 } ?? []
            #expect(paths.contains("/sessions") && !paths.contains { $0.hasPrefix("/coaching/") }, "\(paths.sorted().prefix(5))")
        }
    }

    @Test func prefixesAreCheckedWhenRead() throws {
        #expect(throws: (any Error).self) { try ParleyConfiguration.fromEnvironment(["PARLEY_PREFIX_SPEECH_COACHING": "coaching"]) }
        #expect(throws: (any Error).self) { try ParleyConfiguration.fromEnvironment(["PARLEY_PREFIX_ADMIN": "/a b"]) }
        let moved = try ParleyConfiguration.fromEnvironment(["PARLEY_PREFIX_SPEECH_COACHING": "/speech/"])
        #expect(moved.surfacePrefixes["speech-coaching"] == "/speech")
    }
}

/// The check every test request goes through really tells a conforming answer from one that is not.
@Suite("Response schema check")
struct ResponseSchemaCheckTests {
    static let document = #"""
    {"paths": {"/things/{id}": {"get": {"responses": {
        "200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}},
        "4XX": {"content": {"application/json": {"schema": {"type": "object", "required": ["error"]}}}}}}},
      "/things/search": {"get": {"responses": {"200": {"content": {"application/json": {"schema": {"type": "array"}}}}}}}},
     "components": {"schemas": {"Thing": {"type": "object", "required": ["id", "done"], "properties": {
        "id": {"type": "integer", "minimum": 1}, "done": {"type": "boolean"}, "note": {"type": ["string", "null"]},
        "kind": {"enum": ["a", "b"]}, "tags": {"type": "array", "items": {"type": "string"}}}}}}}
    """#

    func problems(_ path: String, _ status: Int, _ body: String) -> [String] {
        ResponseSchemaCheck(documents: [Data(Self.document.utf8)])
            .problems(method: "GET", path: path, status: status, contentType: "application/json", body: Data(body.utf8))
    }

    @Test func conformingAnswersPassAndEveryDifferenceIsNamed() {
        #expect(problems("/things/1", 200, #"{"id": 1, "done": true, "note": null, "kind": "a", "tags": ["x"], "extra": 1}"#).isEmpty)
        let wrong = problems("/things/1", 200, #"{"id": 0, "done": 1, "note": 5, "kind": "c", "tags": [2]}"#)
        #expect(wrong.count == 5, "\(wrong)")
        #expect(problems("/things/1", 200, #"{"done": false}"#).first?.contains("$.id is required") == true)
        #expect(problems("/things/1", 404, #"{"detail": "x"}"#).count == 1, "the 4XX schema applies")
        #expect(problems("/things/search", 200, #"{"not": "an array"}"#).count == 1, "a literal segment beats a parameter")
        #expect(problems("/unknown", 200, #"{"anything": true}"#).isEmpty, "undocumented paths are not judged here")
    }
}
