import Foundation
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
