import Foundation
import NIOConcurrencyHelpers
import SQLKit
import ParleyTestSupport
import Testing
import Vapor

/// The pipeline survives a stopped worker, completion is announced by signed webhooks with
/// retries, and deletion leaves nothing behind.
@Suite("Speech Coaching durability, webhooks and deletion")
struct CoachingDurabilityTests {
    static func data(_ response: TestResponse) -> [String: Any] { response.json["data"] as? [String: Any] ?? [:] }

    static func uploadSpeech(_ server: TestServer, token: String, text: String) async throws -> String {
        let id = try await CoachingPipelineTests.createSession(server, token: token)
        let wav = try await TestMedia.speechWAV(text)
        let uploaded = try await CoachingPipelineTests.upload(server, session: id, token: token, file: wav, name: "talk.wav")
        #expect(uploaded.status == 201, "\(uploaded.text)")
        return id
    }

    static func count(_ server: TestServer, _ sql: String) async throws -> Int {
        guard let database = server.app.db as? any SQLDatabase else { return -1 }
        return try await database.raw(SQLQueryString(stringLiteral: sql)).first()?.decode(column: "n", as: Int.self) ?? -1
    }

    @Test func aWorkerStoppedMidPipelineIsResumedByAnotherWithExactlyOneResult() async throws {
        // The first instance has no runners of its own: the job waits in the queue.
        try await TestServer.with({ $0.jobs.concurrency = 0; $0.jobs.lease = 5 }) { first in
            let speaker = try await first.coachingAccount()
            let id = try await Self.uploadSpeech(first, token: speaker.accessToken, text: "Good morning everyone. This is a recording about every region.")
            // A worker instance starts processing and is stopped once recognition has begun.
            let worker = try await TestServer.start({ $0.jobs.concurrency = 1; $0.jobs.lease = 5; $0.jobs.retryBase = 0.1 }, sharingDatabaseWith: first)
            let deadline = ContinuousClock.now + .seconds(120)
            var stage = ""
            while ContinuousClock.now < deadline {
                let session = (Self.data(try await first.request(.GET, "/coaching/sessions/\(id)", token: speaker.accessToken))["session"] as? [String: Any]) ?? [:]
                stage = (session["processing"] as? [String: Any])?["stage"] as? String ?? ""
                if ["transcription", "analysis", "scoring", "completed"].contains(stage) { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            try await worker.app.asyncShutdown()
            #expect(["transcription", "analysis", "scoring", "completed"].contains(stage), "stage \(stage)")

            // A second worker takes the job over and finishes it.
            try await TestServer.with({ $0.jobs.concurrency = 1; $0.jobs.lease = 5; $0.jobs.retryBase = 0.1 }, sharingDatabaseWith: first) { _ in
                let done = try await first.waitForCoachingSession(id, token: speaker.accessToken)
                #expect(done["status"] as? String == "completed", "\(done)")
                let segments = ((done["transcript"] as? [String: Any])?["segments"] as? [[String: Any]])?.count ?? 0
                #expect(segments > 0)
                #expect(try await Self.count(first, "SELECT COUNT(*) AS n FROM transcript_turns") == segments)
                #expect(try await Self.count(first, "SELECT COUNT(*) AS n FROM conversation_search") == 1)
                let search = try await first.request(.GET, "/coaching/search/sessions?q=morning", token: speaker.accessToken)
                #expect((Self.data(search)["results"] as? [[String: Any]])?.count == 1)
            }
        }
    }

    /// A subscriber endpoint: refuses the first delivery with 500, accepts later ones.
    final class Subscriber: Sendable {
        let received = NIOLockedValueBox<[(body: String, signature: String?)]>([])
        let endpoint: LocalEndpoint
        var url: String { endpoint.baseURL + "/hook" }

        init() async throws {
            let received = self.received
            endpoint = try await LocalEndpoint.start { app in
                app.post("hook") { request -> HTTPStatus in
                    let body = request.body.string ?? ""
                    let count = received.withLockedValue { $0.append((body, request.headers.first(name: "X-Webhook-Signature"))); return $0.count }
                    return count == 1 ? .internalServerError : .ok
                }
            }
        }
    }

    @Test func completionIsAnnouncedBySignedWebhooksWithRetriesAndADeliveryLog() async throws {
        let subscriber = try await Subscriber()
        do {
            try await announce(to: subscriber)
            await subscriber.endpoint.stop()
        } catch {
            await subscriber.endpoint.stop()
            throw error
        }
    }

    func announce(to subscriber: Subscriber) async throws {
        // The subscriber listens on 127.0.0.1, which webhooks may reach only when allowed.
        try await TestServer.with({ $0.jobs.retryBase = 0.2; $0.webhooksMayTargetPrivateNetworks = true }) { server in
            let speaker = try await server.coachingAccount()
            let secret = "a-subscriber-secret-of-some-length"
            let registered = try await server.request(.POST, "/coaching/webhooks", json: [
                "url": subscriber.url, "events": ["session.completed"], "secret": secret,
            ], token: speaker.accessToken)
            #expect(registered.status == 201)
            let hook = Self.data(registered)["webhook"] as? [String: Any] ?? [:]
            let hookID = hook["id"] as? String ?? ""
            #expect(hook["secret"] as? String == secret)
            let listed = try await server.request(.GET, "/coaching/webhooks", token: speaker.accessToken)
            let first = (Self.data(listed)["webhooks"] as? [[String: Any]])?.first
            #expect(first?["id"] as? String == hookID && first?["secret"] == nil)
            for (body, field) in [(["url": "ftp://x"], "url"), (["url": subscriber.url, "events": ["session.exploded"]], "events")] as [([String: Any], String)] {
                let bad = try await server.request(.POST, "/coaching/webhooks", json: body, token: speaker.accessToken)
                #expect(bad.status == 422 && (((bad.json["error"] as? [String: Any])?["details"] as? [String: Any])?["field"] as? String) == field)
            }

            let id = try await Self.uploadSpeech(server, token: speaker.accessToken, text: "Thank you all for coming today.")
            let done = try await server.waitForCoachingSession(id, token: speaker.accessToken)
            #expect(done["status"] as? String == "completed")
            let deadline = ContinuousClock.now + .seconds(30)
            var deliveries: [[String: Any]] = []
            while ContinuousClock.now < deadline {
                let log = try await server.request(.GET, "/coaching/webhooks/\(hookID)/deliveries", token: speaker.accessToken)
                deliveries = Self.data(log)["deliveries"] as? [[String: Any]] ?? []
                if deliveries.first?["status"] as? String == "delivered" { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(deliveries.count == 1)
            #expect(deliveries.first?["status"] as? String == "delivered")
            #expect(deliveries.first?["attempts"] as? Int == 2)
            #expect(deliveries.first?["responseStatus"] as? Int == 200)

            let calls = subscriber.received.withLockedValue { $0 }
            #expect(calls.count == 2)
            for call in calls {
                let expected = HMAC<SHA256>.authenticationCode(for: Data(call.body.utf8), using: SymmetricKey(data: Data(secret.utf8)))
                    .map { String(format: "%02x", $0) }.joined()
                #expect(call.signature == expected)
            }
            let payload = (try? JSONSerialization.jsonObject(with: Data(calls.last?.body.utf8 ?? "".utf8))) as? [String: Any] ?? [:]
            #expect(payload["event"] as? String == "session.completed" && payload["sessionId"] as? String == id)
            #expect(payload["userId"] as? String == "user_\(speaker.id)")
            #expect((payload["data"] as? [String: Any])?["status"] as? String == "completed")

            #expect(try await server.request(.DELETE, "/coaching/webhooks/\(hookID)", token: speaker.accessToken).status == 200)
            for index in 0..<20 {
                let created = try await server.request(.POST, "/coaching/webhooks", json: ["url": "\(subscriber.url)?n=\(index)"], token: speaker.accessToken)
                #expect(created.status == 201)
            }
            let tooMany = try await server.request(.POST, "/coaching/webhooks", json: ["url": subscriber.url], token: speaker.accessToken)
            #expect(tooMany.status == 422)
            #expect(try await server.request(.GET, "/coaching/webhooks/\(hookID)/deliveries", token: speaker.accessToken).status == 404)
        }
    }

    /// Webhooks cannot be aimed into the server's own network: refused at registration (the
    /// field named; a name that does not resolve is refused too), and a subscription whose
    /// address became private is not called.
    @Test func webhooksCannotReachPrivateNetworks() async throws {
        try await TestServer.with({ $0.jobs.retryBase = 0.2 }) { server in
            let speaker = try await server.coachingAccount()
            for target in ["http://127.0.0.1:9/hook", "http://localhost:8080/hook", "http://169.254.169.254/latest/meta-data",
                           "http://10.1.2.3/hook", "http://192.168.0.10/hook", "http://[::1]:8080/hook", "http://[::ffff:127.0.0.1]/hook",
                           "http://[fd00::5]/hook", "http://0.0.0.0/hook", "http://parley-test.invalid/hook"] {
                let refused = try await server.request(.POST, "/coaching/webhooks", json: ["url": target], token: speaker.accessToken)
                let details = (refused.json["error"] as? [String: Any])?["details"] as? [String: Any]
                #expect(refused.status == 422 && details?["field"] as? String == "url", "\(target): \(refused.text)")
            }
            // A public address is accepted (a literal: the test machine may have no DNS).
            let accepted = try await server.request(.POST, "/coaching/webhooks", json: ["url": "https://93.184.216.34/hook"], token: speaker.accessToken)
            #expect(accepted.status == 201, "\(accepted.text)")
            let hookID = (Self.data(accepted)["webhook"] as? [String: Any])?["id"] as? String ?? ""
            // The name now points inside (as a re-pointed DNS name would): the delivery is not sent.
            let database = try #require(server.app.db as? any SQLDatabase)
            try await database.raw("UPDATE webhook_subscriptions SET url = 'http://127.0.0.1:9/hook'").run()
            let id = try await Self.uploadSpeech(server, token: speaker.accessToken, text: "A short talk about the harbour.")
            #expect(try await server.waitForCoachingSession(id, token: speaker.accessToken)["status"] as? String == "completed")
            var delivery: [String: Any]?
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline, delivery?["error"] == nil || delivery?["error"] is NSNull {
                let log = try await server.request(.GET, "/coaching/webhooks/\(hookID)/deliveries", token: speaker.accessToken)
                delivery = (Self.data(log)["deliveries"] as? [[String: Any]])?.first
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect((delivery?["error"] as? String)?.contains("private network") == true, "\(delivery ?? [:])")
            #expect(delivery?["status"] as? String != "delivered")
            #expect(delivery?["responseStatus"] == nil || delivery?["responseStatus"] is NSNull, "nothing answered, so nothing was sent")
        }
    }

    @Test func deletingASessionOrTheAccountLeavesNoRowsOrFiles() async throws {
        try await TestServer.with({ $0.webhooksMayTargetPrivateNetworks = true }) { server in
            let speaker = try await server.coachingAccount()
            let keep = try await Self.uploadSpeech(server, token: speaker.accessToken, text: "The first talk about the weather.")
            let drop = try await Self.uploadSpeech(server, token: speaker.accessToken, text: "The second talk about the ocean.")
            for id in [keep, drop] {
                #expect(try await server.waitForCoachingSession(id, token: speaker.accessToken)["status"] as? String == "completed")
            }
            _ = try await server.request(.POST, "/coaching/webhooks", json: ["url": "http://127.0.0.1:9/hook"], token: speaker.accessToken)
            _ = try await server.request(.PUT, "/coaching/user/profile", json: ["preferences": ["language": "fr"]], token: speaker.accessToken)
            let media = URL(fileURLWithPath: server.configuration.dataDirectory).appendingPathComponent("media")
            func folders() -> [String] { (try? FileManager.default.contentsOfDirectory(atPath: media.path)) ?? [] }
            #expect(folders().count == 2)
            #expect(try await Self.count(server, "SELECT COUNT(*) AS n FROM conversation_search") == 2)

            #expect(try await server.request(.DELETE, "/coaching/sessions/\(drop)", token: speaker.accessToken).status == 200)
            #expect(folders().count == 1)
            #expect(try await Self.count(server, "SELECT COUNT(*) AS n FROM conversations") == 1)
            #expect(try await Self.count(server, "SELECT COUNT(*) AS n FROM conversation_search") == 1)
            #expect(try await Self.count(server, "SELECT COUNT(*) AS n FROM media_uploads") == 1)
            let search = try await server.request(.GET, "/coaching/search/sessions?q=ocean", token: speaker.accessToken)
            #expect((Self.data(search)["results"] as? [[String: Any]])?.isEmpty == true)

            let wrong = try await server.request(.DELETE, "/coaching/user/account", json: ["password": "not-mine-1"], token: speaker.accessToken)
            #expect(wrong.status == 401)
            let missing = try await server.request(.DELETE, "/coaching/user/account", json: ["reason": "bye"], token: speaker.accessToken)
            #expect(missing.status == 422)
            let deleted = try await server.request(.DELETE, "/coaching/user/account", json: ["password": speaker.password, "reason": "No longer needed"], token: speaker.accessToken)
            #expect(deleted.status == 200, "\(deleted.text)")
            #expect(folders().isEmpty)
            for table in ["conversations", "transcript_turns", "media_uploads", "conversation_search", "webhook_subscriptions",
                          "user_preferences", "auth_sessions", "refresh_tokens"] {
                #expect(try await Self.count(server, "SELECT COUNT(*) AS n FROM \(table)") == 0, "\(table)")
            }
            #expect(try await Self.count(server, "SELECT COUNT(*) AS n FROM users WHERE email = '\(speaker.email)'") == 0)
            #expect(try await server.request(.GET, "/coaching/sessions", token: speaker.accessToken).status == 401)
            #expect(try await server.request(.POST, "/coaching/auth/login", json: ["email": speaker.email, "password": speaker.password]).status == 401)
        }
    }
}
