import Foundation
import ParleyTestSupport
import Testing
import Vapor

/// A golden set of wire formats: one scripted journey per working surface (Sales Trainer under
/// `/api/v1`, Speech Coaching under `/coaching`) through the real app, each answer recorded as
/// {method, path, status, body} with volatile values (ids, tokens, timestamps, wall-clock
/// durations) replaced by placeholders, and compared with `Golden/<surface>.json`.
///
/// `PARLEY_RECORD_GOLDEN=1` writes the files instead; re-record only for intended wire changes.
@Suite("Golden wire formats")
struct GoldenWireFormatTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")
    static var recording: Bool { ProcessInfo.processInfo.environment["PARLEY_RECORD_GOLDEN"] == "1" }

    // MARK: Sales Trainer

    static let rolePlay = [
        "Hi Mark, this is Dana from Acme. Thanks for picking up, did I catch you at an okay time?",
        "I'll be brief. How do you manage your developer tooling today?",
        "That sounds frustrating. What does onboarding a new engineer look like for your team?",
        "Would you be open to a 30 minute call next Tuesday at 10am to see if it fits?",
    ]

    @Test func salesTrainer() async throws {
        try await TestServer.with { server in
            let journey = GoldenJourney(server: server, name: "sales-trainer")
            try await journey.call(.GET, "/health")
            try await journey.call(.GET, "/api/v1/auth/me")  // 401
            try await journey.call(.GET, "/api/v1/no-such-route")  // 404

            let registered = try await journey.call(.POST, "/api/v1/auth/register", json: [
                "email": "golden.rep@example.com", "password": "practice123", "first_name": "Riley", "last_name": "Rep", "company": "Acme",
            ])
            journey.mask(registered.json["access_token"], as: "<access-token-1>")
            journey.mask(registered.json["refresh_token"], as: "<refresh-token-1>")
            try await journey.call(.POST, "/api/v1/auth/register", json: ["email": "not-an-email", "password": "practice123", "first_name": "A", "last_name": "B"])
            let login = try await journey.call(.POST, "/api/v1/auth/login", json: ["email": "golden.rep@example.com", "password": "practice123"])
            journey.mask(login.json["access_token"], as: "<access-token-2>")
            journey.mask(login.json["refresh_token"], as: "<refresh-token-2>")
            try await journey.call(.POST, "/api/v1/auth/login", json: ["email": "golden.rep@example.com", "password": "wrong-password"])
            let refreshed = try await journey.call(.POST, "/api/v1/auth/refresh", json: ["refresh_token": login.json["refresh_token"] as? String ?? ""])
            journey.mask(refreshed.json["access_token"], as: "<access-token-3>")
            journey.mask(refreshed.json["refresh_token"], as: "<refresh-token-3>")
            let token = try #require(refreshed.json["access_token"] as? String)

            try await journey.call(.GET, "/api/v1/auth/me", token: token)
            try await journey.call(.PUT, "/api/v1/auth/me", json: ["first_name": "Rowan", "company": "Acme Field"], token: token)
            try await journey.call(.PUT, "/api/v1/auth/me", json: ["first_name": ""], token: token)  // 422

            try await journey.call(.GET, "/api/v1/scenarios?limit=100", token: token)
            try await journey.call(.GET, "/api/v1/scenarios?category=discovery&limit=2", token: token)
            try await journey.call(.GET, "/api/v1/scenarios/1", token: token)
            try await journey.call(.GET, "/api/v1/scenarios/99999", token: token)  // 404
            try await journey.call(.GET, "/api/v1/scenarios?category=juggling", token: token)  // 422

            // A practice session, read back, listed and given feedback.
            let created = try await journey.call(.POST, "/api/v1/sessions", json: [
                "scenario_id": 2, "session_type": "practice",
                "configuration": ["coaching_enabled": true, "difficulty_level": "intermediate", "max_duration": 1800, "voice_id": "professional_female"],
            ], token: token)
            journey.mask(created.json["id"], as: "<practice-session-1>")
            let session = try #require(created.json["id"] as? String)
            try await journey.call(.POST, "/api/v1/sessions", json: [String: Any](), token: token)  // 422 scenario_id
            try await journey.call(.POST, "/api/v1/sessions", json: ["scenario_id": 4242], token: token)  // 404
            try await journey.call(.GET, "/api/v1/sessions", token: token)
            try await journey.call(.GET, "/api/v1/sessions/\(session)", token: token)
            try await journey.call(.PUT, "/api/v1/sessions/\(session)/feedback", json: [
                "rating": 4, "feedback": "Great scenario, helped me practice objection handling", "difficulty_rating": 3, "technical_issues": false,
            ], token: token)
            try await journey.call(.PUT, "/api/v1/sessions/\(session)/feedback", json: ["rating": 9], token: token)  // 422
            try await journey.call(.GET, "/api/v1/sessions/\(session)", token: token)
            try await journey.call(.GET, "/api/v1/sessions?status=completed", token: token)
            try await journey.call(.GET, "/api/v1/sessions?status=bogus", token: token)  // 422
            try await journey.call(.GET, "/api/v1/sessions/session_000", token: token)  // 404
            try await journey.call(.GET, "/api/v1/learning/progress", token: token)
            try await journey.call(.GET, "/api/v1/learning/analytics/detailed", token: token)

            // A typed role-play over the practice socket (text turns, no live voice): the
            // socket is not recorded, the stored session and the learning views after it are.
            let played = try await journey.call(.POST, "/api/v1/sessions", json: [
                "scenario_id": 1, "configuration": ["coaching_enabled": true, "voice_id": "professional_male"],
            ], token: token)
            journey.mask(played.json["id"], as: "<practice-session-2>")
            let playedID = try #require(played.json["id"] as? String)
            let socket = try await TestWebSocket.connect(server, path: "/ws/voice/\(playedID)", token: token)
            try await socket.send(["type": "config", "data": ["format": "text"]])
            _ = await socket.next(type: "ai_response")
            var ended = false
            for line in Self.rolePlay {
                try await socket.send(["type": "text", "data": line])
                let (_, skipped) = await socket.next(type: "ai_response")
                if skipped.contains(where: { $0["type"] as? String == "session_ended" }) { ended = true; break }
            }
            if !ended {
                try await socket.send(["type": "control", "action": "end"])
                _ = await socket.next(type: "session_ended")
            }
            await socket.close()
            try await journey.call(.GET, "/api/v1/sessions/\(playedID)", token: token, afterRolePlay: true)
            try await journey.call(.GET, "/api/v1/sessions?status=completed", token: token, afterRolePlay: true)
            try await journey.call(.GET, "/api/v1/learning/progress", token: token, afterRolePlay: true)
            try await journey.call(.GET, "/api/v1/learning/progress?time_range=month", token: token, afterRolePlay: true)
            try await journey.call(.GET, "/api/v1/learning/progress?time_range=decade", token: token)  // 422
            try await journey.call(.GET, "/api/v1/learning/analytics/detailed", token: token, afterRolePlay: true)
            try await journey.call(.GET, "/api/v1/learning/analytics/detailed?scenario_id=1", token: token, afterRolePlay: true)
            try await journey.call(.GET, "/api/v1/learning/analytics/detailed?start_date=2024-02-30", token: token)  // 422 start_date

            // The open-session limit (the first session is still open): 409.
            let second = try await journey.call(.POST, "/api/v1/sessions", json: ["scenario_id": 3], token: token)
            journey.mask(second.json["id"], as: "<practice-session-3>")
            let third = try await journey.call(.POST, "/api/v1/sessions", json: ["scenario_id": 4], token: token)
            journey.mask(third.json["id"], as: "<practice-session-4>")
            try await journey.call(.POST, "/api/v1/sessions", json: ["scenario_id": 5], token: token)  // 409

            let synthesized = try await journey.call(.POST, "/api/v1/voice/synthesize", json: ["text": "Hello there", "voice_id": "bella"], token: token)
            journey.mask((synthesized.json["audio_url"] as? String).map { URL(fileURLWithPath: $0).lastPathComponent }, as: "<audio-file>")
            try await journey.call(.POST, "/api/v1/auth/change-password", json: ["current_password": "wrong-password", "new_password": "practice456"], token: token)
            try await journey.call(.POST, "/api/v1/auth/register", json: [  // 409: the address is taken
                "email": "golden.rep@example.com", "password": "practice123", "first_name": "Riley", "last_name": "Again",
            ])
            try await journey.call(.POST, "/api/v1/auth/logout", token: token)
            try await journey.call(.GET, "/api/v1/auth/me", token: token)  // 401 after logout
            try journey.finish()
        }
    }

    // MARK: Speech Coaching

    static let script = "Good morning everyone. Thank you for joining the meeting today. We will talk about every region."

    @Test func speechCoaching() async throws {
        let wav = try TestMedia.speechWAVFromProgram(Self.script)
        try await TestServer.with({ $0.webhooksMayTargetPrivateNetworks = true; $0.rateLimits.enabled = false }) { server in
            let journey = GoldenJourney(server: server, name: "speech-coaching")
            try await journey.call(.GET, "/health")
            try await journey.call(.GET, "/coaching/sessions")  // 401
            try await journey.call(.GET, "/coaching/no-such-route")  // 404

            let registered = try await journey.call(.POST, "/coaching/auth/register", json: [
                "email": "golden.speaker@example.com", "password": "speaking123", "firstName": "Sam", "lastName": "Speaker",
            ])
            let tokens = (registered.json["data"] as? [String: Any])?["tokens"] as? [String: Any]
            journey.mask(tokens?["accessToken"], as: "<access-token-1>")
            journey.mask(tokens?["refreshToken"], as: "<refresh-token-1>")
            try await journey.call(.POST, "/coaching/auth/register", json: ["email": "golden.other@example.com", "password": "speaking123", "firstName": "", "lastName": "X"])
            let login = try await journey.call(.POST, "/coaching/auth/login", json: ["email": "golden.speaker@example.com", "password": "speaking123"])
            let loginTokens = (login.json["data"] as? [String: Any])?["tokens"] as? [String: Any]
            journey.mask(loginTokens?["accessToken"], as: "<access-token-2>")
            journey.mask(loginTokens?["refreshToken"], as: "<refresh-token-2>")
            try await journey.call(.POST, "/coaching/auth/login", json: ["email": "golden.speaker@example.com", "password": "wrong-password"])
            let refreshed = try await journey.call(.POST, "/coaching/auth/refresh", json: ["refreshToken": loginTokens?["refreshToken"] as? String ?? ""])
            let refreshedData = refreshed.json["data"] as? [String: Any]
            let refreshedTokens = refreshedData?["tokens"] as? [String: Any] ?? refreshedData ?? [:]
            journey.mask(refreshedTokens["accessToken"], as: "<access-token-3>")
            journey.mask(refreshedTokens["refreshToken"], as: "<refresh-token-3>")
            let token = try #require((refreshedTokens["accessToken"] ?? loginTokens?["accessToken"]) as? String)

            try await journey.call(.GET, "/coaching/user/profile", token: token)
            try await journey.call(.PUT, "/coaching/user/profile", json: [
                "firstName": "Samira", "preferences": ["language": "en-GB", "timezone": "Europe/London", "notifications": ["push": true]],
            ], token: token)
            try await journey.call(.PUT, "/coaching/user/profile", json: ["preferences": ["timezone": "Mars/Olympus"]], token: token)  // 422
            try await journey.call(.GET, "/coaching/user/profile", token: token)
            try await journey.call(.GET, "/coaching/organizations", token: token)

            // A session, an upload of real speech, and its processing.
            let created = try await journey.call(.POST, "/coaching/sessions", json: [
                "title": "Quarterly update", "description": "Rehearsal for Monday", "type": "presentation", "duration": 30,
            ], token: token)
            let session = try #require(((created.json["data"] as? [String: Any])?["session"] as? [String: Any])?["id"] as? String)
            journey.mask(session, as: "<coaching-session-1>")
            try await journey.call(.POST, "/coaching/sessions", json: ["type": "presentation"], token: token)  // 422 title
            try await journey.call(.POST, "/coaching/sessions", json: ["title": "Bad", "type": "karaoke"], token: token)  // 422 type
            try await journey.call(.GET, "/coaching/sessions", token: token)
            try await journey.call(.GET, "/coaching/sessions/\(session)", token: token)
            try await journey.call(.GET, "/coaching/sessions/\(session)/scores", token: token)  // before any upload
            try await journey.call(.GET, "/coaching/sessions/session_nope", token: token)  // 404

            let form = TestMedia.multipart([
                (name: "metadata", fileName: nil, contentType: nil, data: Data(#"{"device":"golden"}"#.utf8)),
                (name: "file", fileName: "talk.wav", contentType: "application/octet-stream", data: wav),
            ])
            let uploaded = try await journey.call(.POST, "/coaching/sessions/\(session)/upload", body: form.body, token: token,
                                                  headers: [("Content-Type", form.contentType)])
            let upload = try #require((uploaded.json["data"] as? [String: Any])?["uploadId"] as? String)
            journey.mask(upload, as: "<upload-1>")
            let detail = try await server.waitForCoachingSession(session, token: token)
            #expect(detail["status"] as? String == "completed", "\(detail)")
            try await journey.call(.GET, "/coaching/sessions/\(session)/upload/\(upload)/status", token: token)
            let again = TestMedia.multipart([(name: "file", fileName: "talk.wav", contentType: "application/octet-stream", data: wav)])
            try await journey.call(.POST, "/coaching/sessions/\(session)/upload", body: again.body, token: token,
                                   headers: [("Content-Type", again.contentType)])  // 409
            let noFile = TestMedia.multipart([(name: "metadata", fileName: nil, contentType: nil, data: Data("{}".utf8))])
            try await journey.call(.POST, "/coaching/sessions/\(session)/upload", body: noFile.body, token: token,
                                   headers: [("Content-Type", noFile.contentType)])  // 422 file

            try await journey.call(.GET, "/coaching/sessions/\(session)", token: token)
            try await journey.call(.GET, "/coaching/sessions", token: token)
            try await journey.call(.GET, "/coaching/sessions?status=completed", token: token)
            try await journey.call(.GET, "/coaching/sessions/\(session)/transcript", token: token)
            try await journey.call(.GET, "/coaching/sessions/\(session)/metrics", token: token)
            try await journey.call(.GET, "/coaching/sessions/\(session)/metrics?granularity=5second", token: token)
            try await journey.call(.GET, "/coaching/sessions/\(session)/metrics?granularity=hour", token: token)  // 422
            try await journey.call(.GET, "/coaching/sessions/\(session)/scores", token: token)
            try await journey.call(.GET, "/coaching/sessions/\(session)/fluency", token: token)
            try await journey.call(.GET, "/coaching/sessions/\(session)/media", token: token)
            try await journey.call(.POST, "/coaching/sessions/\(session)/retry", token: token)  // 409: not failed

            try await journey.call(.GET, "/coaching/search/sessions?q=region", token: token)
            try await journey.call(.GET, "/coaching/search/sessions?q=zebra", token: token)
            try await journey.call(.GET, "/coaching/analytics/progress?period=month", token: token)
            try await journey.call(.GET, "/coaching/analytics/progress?period=year", token: token)
            try await journey.call(.GET, "/coaching/analytics/progress?period=decade", token: token)  // 422

            // Reports (JSON, and the JSON file it points at).
            let report = try await journey.call(.GET, "/coaching/reports/sessions?format=json&startDate=2020-01-01", token: token)
            let reportBody = (report.json["data"] as? [String: Any])?["report"] as? [String: Any]
            journey.mask(reportBody?["id"], as: "<report-1>")
            if let url = reportBody?["downloadUrl"] as? String, url.hasPrefix(server.baseURL) {
                try await journey.call(.GET, String(url.dropFirst(server.baseURL.count)), token: token)
            }
            try await journey.call(.GET, "/coaching/reports/sessions?format=docx", token: token)  // 422
            try await journey.call(.GET, "/coaching/reports/sessions?startDate=2023-02-29&endDate=2023-03-05", token: token)  // 422

            // A clip, followed to completion.
            let clip = try await journey.call(.POST, "/coaching/sessions/\(session)/clips", json: [
                "title": "Opening", "startTime": 0.5, "endTime": 2.5, "format": "mp4", "quality": "low", "includeCaptions": true, "captionsStyle": "modern",
            ], token: token)
            let clipID = try #require(((clip.json["data"] as? [String: Any])?["clip"] as? [String: Any])?["id"] as? String)
            journey.mask(clipID, as: "<clip-1>")
            let deadline = ContinuousClock.now + .seconds(120)
            while ContinuousClock.now < deadline {
                let status = try await server.request(.GET, "/coaching/clips/\(clipID)/status", token: token)
                if ((status.json["data"] as? [String: Any])?["clip"] as? [String: Any])?["status"] as? String != "processing" { break }
                try await Task.sleep(for: .milliseconds(200))
            }
            try await journey.call(.GET, "/coaching/clips/\(clipID)/status", token: token)
            try await journey.call(.GET, "/coaching/sessions/\(session)/clips", token: token)
            try await journey.call(.POST, "/coaching/sessions/\(session)/clips", json: ["startTime": 3, "endTime": 2], token: token)  // 422
            try await journey.call(.GET, "/coaching/clips/clip_nope/status", token: token)  // 404

            // Drills.
            try await journey.call(.GET, "/coaching/drills?limit=3", token: token)
            try await journey.call(.GET, "/coaching/drills?category=pronunciation&difficulty=beginner", token: token)
            try await journey.call(.GET, "/coaching/drills?difficulty=impossible", token: token)  // 422
            let started = try await journey.call(.POST, "/coaching/drills/drill_minimal_pairs_1/start", token: token)
            journey.mask((started.json["data"] as? [String: Any]).flatMap { $0["drillSession"] as? [String: Any] }?["id"], as: "<drill-session-1>")
            try await journey.call(.POST, "/coaching/drills/drill_minimal_pairs_1/submit", json: ["response": "ship", "exerciseIndex": 0], token: token)
            try await journey.call(.POST, "/coaching/drills/drill_minimal_pairs_1/submit", json: ["response": "sheep", "exerciseIndex": 0], token: token)
            try await journey.call(.POST, "/coaching/drills/drill_minimal_pairs_1/submit", json: ["response": "ship", "exerciseIndex": 99], token: token)  // 422
            try await journey.call(.POST, "/coaching/drills/drill_nope/start", token: token)  // 404

            // Webhooks (registered after processing, so no delivery is made).
            let hook = try await journey.call(.POST, "/coaching/webhooks", json: [
                "url": "http://127.0.0.1:9/golden-hook", "events": ["session.completed"], "secret": "golden-secret-0123456789",
            ], token: token)
            let hookID = try #require(((hook.json["data"] as? [String: Any])?["webhook"] as? [String: Any])?["id"] as? String)
            journey.mask(hookID, as: "<webhook-1>")
            try await journey.call(.POST, "/coaching/webhooks", json: ["url": "ftp://example.com/hook"], token: token)  // 422 url
            try await journey.call(.GET, "/coaching/webhooks", token: token)
            try await journey.call(.GET, "/coaching/webhooks/\(hookID)/deliveries", token: token)
            try await journey.call(.DELETE, "/coaching/webhooks/\(hookID)", token: token)
            try await journey.call(.GET, "/coaching/webhooks", token: token)

            // The end of the session, and of the account's tokens.
            try await journey.call(.POST, "/coaching/auth/register", json: [  // 409: the address is taken
                "email": "golden.speaker@example.com", "password": "speaking123", "firstName": "Sam", "lastName": "Again",
            ])
            try await journey.call(.DELETE, "/coaching/sessions/\(session)", token: token)
            try await journey.call(.GET, "/coaching/sessions/\(session)", token: token)  // 404
            let refreshToken = (refreshedTokens["refreshToken"] ?? loginTokens?["refreshToken"]) as? String ?? ""
            try await journey.call(.POST, "/coaching/auth/logout", json: ["refreshToken": refreshToken], token: token)
            try await journey.call(.POST, "/coaching/auth/refresh", json: ["refreshToken": refreshToken])  // 401 after logout
            try journey.finish()
        }
    }
}

/// One surface's journey: every call is recorded, normalised, and at the end written to or
/// compared with its golden file.
final class GoldenJourney {
    let server: TestServer
    let name: String
    private var exchanges: [(method: String, path: String, status: Int, body: GoldenJSON, afterRolePlay: Bool)] = []
    /// Known volatile values (ids, tokens, the server's address) and their placeholders.
    private var names: [(value: String, placeholder: String)] = []

    init(server: TestServer, name: String) {
        self.server = server
        self.name = name
        mask(server.baseURL, as: "<base-url>")
        mask(server.baseURL.replacingOccurrences(of: "http://", with: "ws://"), as: "<ws-base-url>")
    }

    /// Every later occurrence of `value` (in paths, in bodies, inside longer strings) becomes `placeholder`.
    func mask(_ value: Any?, as placeholder: String) {
        guard let value = value as? String, !value.isEmpty else { return }
        names.append((value, placeholder))
        names.sort { $0.value.count > $1.value.count }
    }

    @discardableResult
    func call(
        _ method: HTTPMethod, _ path: String, json: Any? = nil, body: Data? = nil, token: String? = nil, headers: [(String, String)] = [],
        afterRolePlay: Bool = false
    ) async throws -> TestResponse {
        let response = try await server.request(method, path, json: json, body: body, token: token, headers: headers)
        let contentType = response.header("Content-Type") ?? ""
        let recordedBody: GoldenJSON
        if response.body.isEmpty {
            recordedBody = .null
        } else if contentType.contains("json"), let parsed = try? JSONDecoder().decode(GoldenJSON.self, from: response.body) {
            recordedBody = parsed
        } else {
            // Media and other files: what they are, not their bytes.
            recordedBody = .object(["contentType": .string(contentType), "nonEmpty": .bool(true)])
        }
        // Normalised in finish(), once every id the journey learns has its name.
        exchanges.append((method.rawValue, path, response.status, recordedBody, afterRolePlay))
        return response
    }

    // MARK: Normalisation

    /// Keys whose values are wall-clock measurements or random by design, whatever their type.
    static let volatileKeys: [String: String] = [
        "uptime": "<duration>", "uptime_seconds": "<duration>", "processingTime": "<duration>", "processing_time": "<duration>",
        "latency": "<duration>", "latency_ms": "<duration>", "response_time_ms": "<duration>",
        "requestId": "<request-id>", "request_id": "<request-id>",
    ]

    let patterns: [(NSRegularExpression, String)] = {
        var patterns: [(String, String)] = [
            (#"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+"#, "<jwt>"),
            (#"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"#, "<uuid>"),
            (#"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?"#, "<timestamp>"),
            (#"\b\d{4}-\d{2}-\d{2}\b"#, "<date>"),
            (#"\bsession_[0-9]{12}\b"#, "<practice-session-id>"),
        ]
        // Public ids the journey did not name: random hex after a known prefix.
        for prefix in ["req", "session", "upload", "clip", "report", "drill_session", "webhook", "audio", "job"] {
            patterns.append((#"\b"# + prefix + #"_[0-9a-f]{20,32}\b"#, "<" + prefix.replacingOccurrences(of: "_", with: "-") + "-id>"))
        }
        return patterns.map { (try! NSRegularExpression(pattern: $0.0), $0.1) }
    }()

    /// Named values first, then the generic patterns (in paths, not the dates the journey wrote).
    func substitute(_ text: String, inPath: Bool = false) -> String {
        var text = text
        for (value, placeholder) in names where text.contains(value) {
            text = text.replacingOccurrences(of: value, with: placeholder)
        }
        for (pattern, placeholder) in patterns where !(inPath && (placeholder == "<date>" || placeholder == "<timestamp>")) {
            text = pattern.stringByReplacingMatches(
                in: text, range: NSRange(text.startIndex..., in: text), withTemplate: NSRegularExpression.escapedTemplate(for: placeholder))
        }
        return text
    }

    /// What a typed role-play's outcome puts on the wire but does not repeat from run to run: the
    /// AI prospect is seeded by the session's random UUID, so its wording, and with it the scores,
    /// coaching texts and evidence, vary. Keys, nesting, array lengths and the other values stay.
    static let rolePlayKeys: [String: String] = [
        "score": "<score>", "overall_score": "<score>", "discovery_score": "<score>", "objection_handling_score": "<score>",
        "rapport_building_score": "<score>", "closing_effectiveness": "<score>", "average_score": "<score>",
        "talk_time_ratio": "<ratio>", "average_talk_time": "<ratio>", "skill_progression": "<score>",
        "feedback": "<text>", "improvement_tip": "<text>", "phrase": "<text>", "turn": "<turn>",
        "personalized_insights": "<text>", "current_level": "<level>", "recommended_scenarios": "<scenario-id>",
    ]

    func normalise(_ value: GoldenJSON, key: String?, afterRolePlay: Bool) -> GoldenJSON {
        if let key, let placeholder = Self.volatileKeys[key], value != .null { return .string(placeholder) }
        if afterRolePlay, let key, let placeholder = Self.rolePlayKeys[key] { return value.masked(placeholder) }
        switch value {
        case .string(let text): return .string(substitute(text))
        case .number(let number): return .number((number * 100).rounded() / 100)
        case .array(let items): return .array(items.map { normalise($0, key: key, afterRolePlay: afterRolePlay) })
        case .object(var members):
            // A practice session's duration is measured by the wall clock between its start and end.
            if members["websocket_url"] != nil, members["session_type"] != nil, let duration = members["duration"], duration != .null {
                members["duration"] = .string("<duration>")
            }
            // Synthesised speech's length: the in-process espeak-ng library keeps state between
            // calls, so the same text comes out a few milliseconds longer or shorter depending on
            // what other tests synthesised before.
            if members["audio_url"] != nil, let duration = members["duration"], duration != .null {
                members["duration"] = .string("<speech-seconds>")
            }
            // The AI prospect's lines in a transcript (the rep's are the journey's own).
            if afterRolePlay, members["speaker"] == .string("ai"), members["text"] != nil {
                members["text"] = .string("<prospect-line>")
            }
            return .object(members.reduce(into: [:]) { $0[$1.key] = normalise($1.value, key: $1.key, afterRolePlay: afterRolePlay) })
        case .null, .bool: return value
        }
    }

    // MARK: Recording and comparing

    var file: URL { GoldenWireFormatTests.folder.appendingPathComponent("\(name).json") }

    func finish() throws {
        let exchanges: [GoldenJSON] = self.exchanges.map { exchange in
            .object([
                "method": .string(exchange.method),
                "path": .string(substitute(exchange.path, inPath: true)),
                "status": .number(Double(exchange.status)),
                "body": normalise(exchange.body, key: nil, afterRolePlay: exchange.afterRolePlay),
            ])
        }
        let actual = GoldenJSON.object(["surface": .string(name), "exchanges": .array(exchanges)])
        if GoldenWireFormatTests.recording {
            try FileManager.default.createDirectory(at: GoldenWireFormatTests.folder, withIntermediateDirectories: true)
            try Data((actual.pretty() + "\n").utf8).write(to: file)
            return
        }
        guard let data = try? Data(contentsOf: file) else {
            Issue.record("Golden file Golden/\(name).json is missing: record it with PARLEY_RECORD_GOLDEN=1 swift test --filter GoldenWireFormatTests")
            return
        }
        let expected = try JSONDecoder().decode(GoldenJSON.self, from: data)
        let expectedExchanges = expected["exchanges"]?.arrayValue ?? []
        var differences: [String] = []
        if expected["surface"] != actual["surface"] { differences.append("$.surface: expected \(expected["surface"]?.pretty() ?? "nothing"), actual \(name)") }
        for index in 0..<max(expectedExchanges.count, exchanges.count) {
            guard index < expectedExchanges.count else {
                differences.append("$.exchanges[\(index)]: an extra exchange \(Self.label(exchanges[index])) that the golden file does not have")
                continue
            }
            guard index < exchanges.count else {
                differences.append("$.exchanges[\(index)]: expected \(Self.label(expectedExchanges[index])), but the journey made no such exchange")
                continue
            }
            let where_ = "$.exchanges[\(index)] (\(Self.label(expectedExchanges[index])))"
            GoldenJSON.compare(expectedExchanges[index], exchanges[index], path: where_, into: &differences)
        }
        let shown = differences.prefix(25)
        for difference in shown {
            Issue.record("Golden/\(name).json \(difference)")
        }
        if differences.count > shown.count {
            Issue.record("Golden/\(name).json: \(differences.count - shown.count) more differences not shown")
        }
    }

    static func label(_ exchange: GoldenJSON) -> String {
        "\(exchange["method"]?.stringValue ?? "?") \(exchange["path"]?.stringValue ?? "?")"
    }
}

/// A JSON value with numbers as Double, compared by value (key order never matters).
enum GoldenJSON: Codable, Equatable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([GoldenJSON])
    case object([String: GoldenJSON])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let bool = try? container.decode(Bool.self) { self = .bool(bool) }
        else if let number = try? container.decode(Double.self) { self = .number(number) }
        else if let string = try? container.decode(String.self) { self = .string(string) }
        else if let array = try? container.decode([GoldenJSON].self) { self = .array(array) }
        else { self = .object(try container.decode([String: GoldenJSON].self)) }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let bool): try container.encode(bool)
        case .number(let number): try container.encode(number)
        case .string(let string): try container.encode(string)
        case .array(let array): try container.encode(array)
        case .object(let object): try container.encode(object)
        }
    }

    /// Every scalar but null replaced by `placeholder`; keys, nesting and array lengths kept.
    func masked(_ placeholder: String) -> GoldenJSON {
        switch self {
        case .null: return .null
        case .array(let items): return .array(items.map { $0.masked(placeholder) })
        case .object(let members): return .object(members.mapValues { $0.masked(placeholder) })
        default: return .string(placeholder)
        }
    }

    subscript(key: String) -> GoldenJSON? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    var arrayValue: [GoldenJSON]? {
        if case .array(let items) = self { return items }
        return nil
    }

    var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// Pretty-printed with sorted keys, two-space indentation; integral numbers without a fraction.
    func pretty(indent: String = "") -> String {
        let inner = indent + "  "
        switch self {
        case .null: return "null"
        case .bool(let bool): return bool ? "true" : "false"
        case .number(let number):
            if number == number.rounded(), abs(number) < 1e15 { return String(Int64(number)) }
            return String(number)
        case .string(let string):
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.withoutEscapingSlashes]
            return (try? encoder.encode(string)).map { String(decoding: $0, as: UTF8.self) } ?? "\"\""
        case .array(let items):
            if items.isEmpty { return "[]" }
            return "[\n" + items.map { inner + $0.pretty(indent: inner) }.joined(separator: ",\n") + "\n\(indent)]"
        case .object(let members):
            if members.isEmpty { return "{}" }
            return "{\n" + members.keys.sorted().map { key in
                inner + GoldenJSON.string(key).pretty() + ": " + members[key]!.pretty(indent: inner)
            }.joined(separator: ",\n") + "\n\(indent)}"
        }
    }

    /// Appends one line per difference: the JSON path, the expected and the actual value.
    static func compare(_ expected: GoldenJSON, _ actual: GoldenJSON, path: String, into differences: inout [String]) {
        switch (expected, actual) {
        case (.object(let left), .object(let right)):
            for key in Set(left.keys).union(right.keys).sorted() {
                let child = path + "." + key
                switch (left[key], right[key]) {
                case (let l?, let r?): compare(l, r, path: child, into: &differences)
                case (let l?, nil): differences.append("\(child): expected \(l.short), actual: the key is missing")
                case (nil, let r?): differences.append("\(child): not expected, actual \(r.short)")
                case (nil, nil): break
                }
            }
        case (.array(let left), .array(let right)):
            if left.count != right.count {
                differences.append("\(path): expected \(left.count) elements, actual \(right.count)")
            }
            for index in 0..<min(left.count, right.count) {
                compare(left[index], right[index], path: "\(path)[\(index)]", into: &differences)
            }
        default:
            if expected != actual { differences.append("\(path): expected \(expected.short), actual \(actual.short)") }
        }
    }

    /// A value as a line of a message: scalars in full, containers abbreviated.
    var short: String {
        let text: String
        switch self {
        case .array(let items): text = "an array of \(items.count) elements " + pretty().replacingOccurrences(of: "\n", with: " ")
        case .object: text = "an object " + pretty().replacingOccurrences(of: "\n", with: " ")
        default: text = pretty()
        }
        return text.count > 300 ? String(text.prefix(300)) + "…" : text
    }
}
