import AsyncHTTPClient
import Foundation
import NIOCore
import NIOConcurrencyHelpers
import ParleyDomain
import ParleyStore
import ParleyTestSupport
import SQLKit
import Testing
import Vapor

/// What an outside security and fault test found, one test per finding; each failed before its fix.
@Suite("Hardening")
struct HardeningTests {
    static func coachingData(_ response: TestResponse) -> [String: Any] { response.json["data"] as? [String: Any] ?? [:] }

    static func errorField(_ response: TestResponse) -> String? {
        ((response.json["error"] as? [String: Any])?["details"] as? [String: Any])?["field"] as? String
    }

    // MARK: 1. Socket.IO holds no binary data for strangers, and bounds what it holds

    @Test func socketIOHoldsNoBinaryDataForStrangersAndBoundsSocketsPerAddress() async throws {
        try await TestServer.with({ $0.rateLimits.coaching.socketsPerAddress = 2 }) { server in
            let path = "/socket.io/?EIO=4&transport=websocket"
            // A binary event for a namespace the client never joined (no token at all) ends the connection.
            let stranger = try await TestWebSocket.connect(server, path: path)
            #expect(await stranger.nextText(timeout: .seconds(10))?.hasPrefix("0{") == true)
            try await stranger.sendRaw(#"451-/sessions/session_x,["audio:chunk",{"_placeholder":true,"num":0}]"#)
            try? await stranger.sendBinary(Data(count: 500_000))  // the server may have closed already
            #expect(await stranger.nextText(timeout: .seconds(10)) == nil)
            #expect(stranger.isClosed)

            // A joined namespace may not announce more attachments than one packet carries.
            let speaker = try await server.coachingAccount()
            let id = try await CoachingPipelineTests.createSession(server, token: speaker.accessToken)
            let member = try await TestWebSocket.connect(server, path: path)
            _ = await member.nextText(timeout: .seconds(10))
            try await member.sendRaw(#"40/sessions/\#(id),{"token":"\#(speaker.accessToken)"}"#)
            let joined = await member.nextText(timeout: .seconds(10))
            #expect(joined?.hasPrefix("40/sessions/\(id),") == true, "\(joined ?? "nil")")
            let placeholders = (0..<64).map { #"{"_placeholder":true,"num":\#($0)}"# }.joined(separator: ",")
            try await member.sendRaw(#"4564-/sessions/\#(id),["audio:chunk",\#(placeholders)]"#)
            var closed = false
            for _ in 0..<20 where !closed {
                if await member.nextText(timeout: .seconds(5)) == nil { closed = true }
            }
            #expect(closed && member.isClosed)
        }
        try await TestServer.with({ $0.rateLimits.coaching.socketsPerAddress = 2 }) { server in
            let path = "/socket.io/?EIO=4&transport=websocket"
            // At most two connections per address; a closed one frees its place.
            let first = try await TestWebSocket.connect(server, path: path)
            let second = try await TestWebSocket.connect(server, path: path)
            await #expect(throws: (any Error).self) { _ = try await TestWebSocket.connect(server, path: path) }
            await first.close()
            var reopened: TestWebSocket?
            let deadline = ContinuousClock.now + .seconds(10)
            while reopened == nil, ContinuousClock.now < deadline {
                reopened = try? await TestWebSocket.connect(server, path: path)
                if reopened == nil { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(reopened != nil)
            await reopened?.close()
            await second.close()
        }
    }

    // MARK: 2. A plain GET to the voice socket claims nothing

    @Test func aRequestThatIsNotAnUpgradeClaimsNoVoiceConnection() async throws {
        try await TestServer.with { server in
            let rep = try await server.register()
            let created = try await server.request(.POST, "/api/v1/sessions", json: ["scenario_id": 1], token: rep.accessToken)
            let id = try #require(created.json["id"] as? String)
            for _ in 0..<6 {
                let plain = try await server.request(.GET, "/ws/voice/\(id)", token: rep.accessToken)
                #expect(plain.status == 426, "\(plain.status) \(plain.text)")
                #expect(plain.header("Upgrade")?.lowercased() == "websocket")
            }
            // Neither the session nor the user's five connections were taken.
            let socket = try await TestWebSocket.connect(server, path: "/ws/voice/\(id)", token: rep.accessToken)
            try await socket.send(["type": "config", "data": ["format": "text"]])
            let started = await socket.next(type: "session_started", timeout: .seconds(30)).message
            #expect(started != nil)
            await socket.close()
        }
    }

    // MARK: 3. Webhooks: no redirects, no IPv4 hidden in IPv6

    /// An endpoint that answers `/hook` with a redirect to `/inside` and counts calls to `/inside`.
    final class RedirectingEndpoint: Sendable {
        let insideCalls = NIOLockedValueBox(0)
        let hookCalls = NIOLockedValueBox(0)
        let endpoint: LocalEndpoint
        var url: String { endpoint.baseURL + "/hook" }

        init() async throws {
            let (inside, hook) = (insideCalls, hookCalls)
            endpoint = try await LocalEndpoint.start { app in
                app.post("inside") { _ -> HTTPStatus in inside.withLockedValue { $0 += 1 }; return .ok }
                app.get("inside") { _ -> HTTPStatus in inside.withLockedValue { $0 += 1 }; return .ok }
                app.post("hook") { request -> Response in
                    hook.withLockedValue { $0 += 1 }
                    let port = request.application.http.server.shared.localAddress?.port ?? 0
                    return Response(status: .found, headers: ["Location": "http://127.0.0.1:\(port)/inside"])
                }
            }
        }
    }

    @Test func webhookDeliveriesFollowNoRedirectAndIPv6FormsOfInternalAddressesAreRefused() async throws {
        let endpoint = try await RedirectingEndpoint()
        do {
            // The endpoint is on 127.0.0.1, reachable only with private targets allowed; even so
            // its redirect must not be followed.
            try await TestServer.with({ $0.jobs.retryBase = 0.2; $0.webhooksMayTargetPrivateNetworks = true }) { server in
                let speaker = try await server.coachingAccount()
                let registered = try await server.request(.POST, "/coaching/webhooks", json: ["url": endpoint.url, "events": ["session.completed"]],
                                                          token: speaker.accessToken)
                #expect(registered.status == 201)
                let hookID = (Self.coachingData(registered)["webhook"] as? [String: Any])?["id"] as? String ?? ""
                let id = try await CoachingDurabilityTests.uploadSpeech(server, token: speaker.accessToken, text: "A short talk about the harbour.")
                #expect(try await server.waitForCoachingSession(id, token: speaker.accessToken)["status"] as? String == "completed")
                var delivery: [String: Any]?
                let deadline = ContinuousClock.now + .seconds(60)
                while ContinuousClock.now < deadline, (delivery?["responseStatus"] as? Int) == nil {
                    let log = try await server.request(.GET, "/coaching/webhooks/\(hookID)/deliveries", token: speaker.accessToken)
                    delivery = (Self.coachingData(log)["deliveries"] as? [[String: Any]])?.first
                    try await Task.sleep(for: .milliseconds(100))
                }
                #expect(delivery?["responseStatus"] as? Int == 302, "\(delivery ?? [:])")
                #expect(delivery?["status"] as? String != "delivered")
                #expect(endpoint.hookCalls.withLockedValue { $0 } >= 1)
                #expect(endpoint.insideCalls.withLockedValue { $0 } == 0, "the redirect was followed")
            }
            await endpoint.endpoint.stop()
        } catch {
            await endpoint.endpoint.stop()
            throw error
        }
        try await TestServer.with { server in
            let speaker = try await server.coachingAccount()
            for target in ["http://[::127.0.0.1]/hook", "http://[64:ff9b::127.0.0.1]/hook", "http://[2002:7f00:1::]/hook",
                           "http://[64:ff9b::a9fe:a9fe]/latest", "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/hook"] {
                let refused = try await server.request(.POST, "/coaching/webhooks", json: ["url": target], token: speaker.accessToken)
                #expect(refused.status == 422 && Self.errorField(refused) == "url", "\(target): \(refused.text)")
            }
            let public6 = try await server.request(.POST, "/coaching/webhooks", json: ["url": "https://[2606:2800:220:1:248:1893:25c8:1946]/hook"],
                                                   token: speaker.accessToken)
            #expect(public6.status == 201, "\(public6.text)")
        }
    }

    // MARK: 4. CSV cells cannot be formulas

    @Test func reportCSVCellsCannotRunAsFormulas() async throws {
        try await TestServer.with { server in
            let speaker = try await server.coachingAccount()
            for title in ["=HYPERLINK(\"http://evil.example\",\"x\")", "+1+2", "@SUM(A1)", "-2+3"] {
                _ = try await CoachingPipelineTests.createSession(server, token: speaker.accessToken, title: title)
            }
            let report = try await server.request(.GET, "/coaching/reports/sessions?format=csv", token: speaker.accessToken)
            let url = try #require((Self.coachingData(report)["report"] as? [String: Any])?["downloadUrl"] as? String)
            let csv = try await server.request(.GET, String(url.dropFirst(server.baseURL.count)), token: speaker.accessToken).text
            let titles = csv.split(separator: "\r\n").dropFirst().map { line in
                let cells = line.split(separator: ",", omittingEmptySubsequences: false)
                return cells.count > 1 ? String(cells[1]) : ""
            }
            #expect(!titles.isEmpty, "\(csv.prefix(300))")
            for cell in titles {
                let value = cell.hasPrefix("\"") ? String(cell.dropFirst()) : cell
                #expect(!["=", "+", "-", "@"].contains(value.first.map(String.init) ?? ""), "a formula cell: \(cell)")
            }
        }
    }

    // MARK: 5. Members see their circle; registration can be closed

    @Test func membersListShowsWhatTheAccessPolicyAllows() async throws {
        try await TestServer.with { server in
            let admin = try await server.admin()
            let team = try await server.request(.POST, "/api/v1/admin/teams", json: ["name": "North"], token: admin.accessToken)
            let teamID = try #require(team.json["id"] as? Int)
            let coach = try await server.request(.POST, "/api/v1/admin/users", json: [
                "email": "coach-north@example.com", "password": "coaching123", "first_name": "Casey", "last_name": "Coach",
                "role": "supervisor", "team_id": teamID,
            ], token: admin.accessToken)
            let coachID = try #require(coach.json["id"] as? Int)
            let teammate = try await server.register()
            let member = try await server.register()
            let loner = try await server.register()
            for rep in [teammate, member] {
                let patched = try await server.request(.PATCH, "/api/v1/admin/users/\(rep.id)", json: ["team_id": teamID, "supervisor_id": coachID],
                                                       token: admin.accessToken)
                #expect(patched.status == 200)
            }
            let organizations = try await server.request(.GET, "/coaching/organizations", token: admin.accessToken)
            let orgID = try #require(((Self.coachingData(organizations)["organizations"] as? [[String: Any]])?.first)?["id"] as? String)
            func visible(_ token: String) async throws -> Set<String> {
                let listed = try await server.request(.GET, "/coaching/organizations/\(orgID)/members", token: token)
                #expect(listed.status == 200, "\(listed.text)")
                return Set((Self.coachingData(listed)["members"] as? [[String: Any]] ?? []).compactMap { $0["email"] as? String })
            }
            let everyone = try await visible(admin.accessToken)
            #expect(everyone.isSuperset(of: [admin.email, "coach-north@example.com", teammate.email, member.email, loner.email]))
            let coachLogin = try await server.login(email: "coach-north@example.com", password: "coaching123")
            #expect(try await visible(coachLogin.accessToken) == ["coach-north@example.com", teammate.email, member.email])
            #expect(try await visible(member.accessToken) == ["coach-north@example.com", teammate.email, member.email])
            #expect(try await visible(loner.accessToken) == [loner.email])
        }
        try await TestServer.with({ $0.registration = .closed }) { server in
            let refused = try await server.request(.POST, "/api/v1/auth/register", json: [
                "email": "someone@example.com", "password": "practice123", "first_name": "Some", "last_name": "One",
            ])
            #expect(refused.status == 403, "\(refused.text)")
            let coaching = try await server.request(.POST, "/coaching/auth/register", json: [
                "email": "someone@example.com", "password": "practice123", "firstName": "Some", "lastName": "One",
            ])
            #expect(coaching.status == 403, "\(coaching.text)")
            let admin = try await server.admin()
            let created = try await server.request(.POST, "/api/v1/admin/users", json: [
                "email": "invited@example.com", "password": "practice123", "first_name": "In", "last_name": "Vited",
            ], token: admin.accessToken)
            #expect(created.status == 201, "admins still create accounts: \(created.text)")
        }
    }

    @Test func supervisorsReadTheirRepsSessionsButChangeNothing() async throws {
        try await TestServer.with { server in
            let admin = try await server.admin()
            let coach = try await server.request(.POST, "/api/v1/admin/users", json: [
                "email": "coach-reads@example.com", "password": "coaching123", "first_name": "Casey", "last_name": "Coach", "role": "supervisor",
            ], token: admin.accessToken)
            let coachID = try #require(coach.json["id"] as? Int)
            let rep = try await server.register()
            let stranger = try await server.register()
            #expect(try await server.request(.PATCH, "/api/v1/admin/users/\(rep.id)", json: ["supervisor_id": coachID], token: admin.accessToken).status == 200)
            let id = try await CoachingPipelineTests.createSession(server, token: rep.accessToken)
            let coachLogin = try await server.login(email: "coach-reads@example.com", password: "coaching123")
            #expect(try await server.request(.GET, "/coaching/sessions/\(id)", token: coachLogin.accessToken).status == 200)
            #expect(try await server.request(.DELETE, "/coaching/sessions/\(id)", token: coachLogin.accessToken).status == 403)
            #expect(try await server.request(.GET, "/coaching/sessions/\(id)", token: stranger.accessToken).status == 403)
            #expect(try await server.request(.GET, "/coaching/sessions/\(id)", token: admin.accessToken).status == 200)
        }
    }

    @Test func registrationByInvitationJoinsTheInvitingOrganizationOnce() async throws {
        try await TestServer.with({ $0.registration = .invitation }) { server in
            let uninvited = try await server.request(.POST, "/api/v1/auth/register", json: [
                "email": "walk-in@example.com", "password": "practice123", "first_name": "Walk", "last_name": "In",
            ])
            #expect(uninvited.status == 403, "\(uninvited.text)")
            let (organization, admin) = try await server.adminOfNewOrganization(name: "Harbor Sales")
            let team = try await server.request(.POST, "/api/v1/admin/teams", json: ["name": "Docks"], token: admin.accessToken)
            let teamID = try #require(team.json["id"] as? Int)
            let invited = try await server.request(.POST, "/api/v1/admin/invitations", json: [
                "email": "Invitee@Example.com", "role": "supervisor", "team_id": teamID,
            ], token: admin.accessToken)
            #expect(invited.status == 201, "\(invited.text)")
            let token = try #require(invited.json["token"] as? String)
            #expect(invited.json["status"] as? String == "pending")
            #expect(try await server.request(.POST, "/api/v1/admin/invitations", json: ["email": "x@example.com", "team_id": 999_999],
                                             token: admin.accessToken).status == 422)

            // Another e-mail cannot use it.
            let wrong = try await server.request(.POST, "/api/v1/auth/register", json: [
                "email": "someone-else@example.com", "password": "practice123", "first_name": "Some", "last_name": "One", "invitation_token": token,
            ])
            #expect(wrong.status == 422 && (wrong.json["details"] as? [String: Any])?["field"] as? String == "invitation_token", "\(wrong.text)")
            // The invitee registers through the Speech Coaching document's form.
            let joined = try await server.request(.POST, "/coaching/auth/register", json: [
                "email": "invitee@example.com", "password": "practice123", "firstName": "In", "lastName": "Vitee", "invitationToken": token,
            ])
            #expect(joined.status == 201, "\(joined.text)")
            let login = try await server.login(email: "invitee@example.com", password: "practice123")
            let me = try await server.request(.GET, "/api/v1/auth/me", token: login.accessToken)
            #expect(me.json["role"] as? String == "supervisor")
            let users = try await server.request(.GET, "/api/v1/admin/users", token: admin.accessToken)
            let member = users.jsonArray.first { $0["email"] as? String == "invitee@example.com" }
            #expect(member?["team_id"] as? Int == teamID, "joined \(organization.name) in its team")
            // Spent: a second registration with it fails.
            let again = try await server.request(.POST, "/coaching/auth/register", json: [
                "email": "invitee@example.com", "password": "practice123", "firstName": "In", "lastName": "Vitee", "invitationToken": token,
            ])
            #expect(again.status == 422 && Self.errorField(again) == "invitationToken", "\(again.text)")
            let listed = try await server.request(.GET, "/api/v1/admin/invitations", token: admin.accessToken)
            #expect(listed.jsonArray.first?["status"] as? String == "accepted" && listed.jsonArray.first?["token"] == nil)

            // A revoked invitation is refused.
            let second = try await server.request(.POST, "/api/v1/admin/invitations", json: ["email": "late@example.com"], token: admin.accessToken)
            let secondID = try #require(second.json["id"] as? String)
            #expect(try await server.request(.DELETE, "/api/v1/admin/invitations/\(secondID)", token: admin.accessToken).status == 204)
            let revoked = try await server.request(.POST, "/api/v1/auth/register", json: [
                "email": "late@example.com", "password": "practice123", "first_name": "Late", "last_name": "Comer",
                "invitation_token": try #require(second.json["token"] as? String),
            ])
            #expect(revoked.status == 422, "\(revoked.text)")
        }
    }

    // MARK: 6 and 7. Concurrent writes: no 500 for contention, one winner per claim

    @Test func simultaneousRetriesOfAFailedSessionQueueOneRun() async throws {
        let wav = try await TestMedia.speechWAV("A session that failed once.")
        try await TestServer.with({ $0.rateLimits.enabled = false; $0.jobs.concurrency = 0 }) { server in
            let speaker = try await server.coachingAccount()
            let id = try await CoachingPipelineTests.createSession(server, token: speaker.accessToken)
            #expect(try await CoachingPipelineTests.upload(server, session: id, token: speaker.accessToken, file: wav, name: "a.wav").status == 201)
            let database = try #require(server.app.db as? any SQLDatabase)
            try await database.raw("UPDATE conversations SET status = 'failed' WHERE public_id = \(bind: id)").run()
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<4 {
                    group.addTask { try await server.request(.POST, "/coaching/sessions/\(id)/retry", token: speaker.accessToken).status }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.sorted() == [202, 409, 409, 409], "\(statuses)")
            let jobs = try await database.raw("SELECT COUNT(*) AS n FROM jobs WHERE kind = 'recording.process'").first()?.decode(column: "n", as: Int.self)
            #expect(jobs == 2, "the upload's run and one retry")
        }
    }

    @Test func simultaneousUploadsToOneSessionHaveExactlyOneWinner() async throws {
        let wav = try await TestMedia.speechWAV("One upload wins, the others are told the session is taken.")
        try await TestServer.with({ $0.rateLimits.enabled = false }) { server in
            let speaker = try await server.coachingAccount()
            let id = try await CoachingPipelineTests.createSession(server, token: speaker.accessToken)
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<4 {
                    group.addTask {
                        try await CoachingPipelineTests.upload(server, session: id, token: speaker.accessToken, file: wav, name: "take\(index).wav").status
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 201 }.count == 1, "\(statuses)")
            #expect(statuses.filter { $0 == 409 }.count == 3, "\(statuses)")
            let database = try #require(server.app.db as? any SQLDatabase)
            let jobs = try await database.raw("SELECT COUNT(*) AS n FROM jobs WHERE kind = 'recording.process'").first()?.decode(column: "n", as: Int.self)
            #expect(jobs == 1)
        }
    }

    @Test func readThenWriteTransactionsOnSQLiteWaitInsteadOfFailing() async throws {
        try await TestServer.with { server in
            guard let sql = server.app.db as? any SQLDatabase, sql.dialect.name == "sqlite" else { return }
            try await sql.raw("CREATE TABLE contention (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)").run()
            try await sql.raw("INSERT INTO contention (id, n) VALUES (1, 0)").run()
            // Each transaction reads, yields (so the others interleave), then writes what it read
            // plus one: deferred transactions fail with "database is locked" here.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<6 {
                    group.addTask {
                        try await WriteTransaction.run(on: server.app.db) { database in
                            let sql = database as! any SQLDatabase
                            let n = try await sql.raw("SELECT n FROM contention WHERE id = 1").first()?.decode(column: "n", as: Int.self) ?? 0
                            try await Task.sleep(for: .milliseconds(1))
                            try await sql.raw("UPDATE contention SET n = \(bind: n + 1) WHERE id = 1").run()
                        }
                    }
                }
                try await group.waitForAll()
            }
            let total = try await sql.raw("SELECT n FROM contention WHERE id = 1").first()?.decode(column: "n", as: Int.self)
            #expect(total == 6, "no update was lost")
        }
    }

    // MARK: 8. Bad tokens are rate limited by address

    @Test func requestsWithBadTokensAreRateLimitedByAddress() async throws {
        try await TestServer.with({ $0.rateLimits.authentication = .init(name: "auth", limit: 5, window: 3600) }) { server in
            var statuses: [Int] = []
            for _ in 0..<8 {
                let response = try await server.request(.GET, "/api/v1/auth/me", token: "not-a-token")
                statuses.append(response.status)
                #expect(response.header("X-RateLimit-Limit") == "5")
                if response.status == 429 { #expect(response.header("Retry-After") != nil) }
            }
            #expect(statuses == [401, 401, 401, 401, 401, 429, 429, 429], "\(statuses)")
            let coaching = try await server.request(.GET, "/coaching/sessions", token: "forged")
            #expect(coaching.status == 429)
        }
    }

    // MARK: 9. An upload cut off by a killed process is settled

    @Test func anUploadLeftByAKilledProcessIsSettledAndItsPartialFileRemoved() async throws {
        try await TestServer.with { first in
            let speaker = try await first.coachingAccount()
            let id = try await CoachingPipelineTests.createSession(first, token: speaker.accessToken)
            let session = try await first.request(.GET, "/coaching/sessions/\(id)", token: speaker.accessToken)
            #expect(session.status == 200)
            // What a process killed mid-upload leaves: an `uploading` row and a `.part` file.
            let database = try #require(first.app.db as? any SQLDatabase)
            let conversationID = try #require(try await database.raw("SELECT id FROM conversations WHERE public_id = \(bind: id)")
                .first()?.decode(column: "id", as: UUID.self))
            let store = SQLMediaUploadStore(database: first.app.db)
            let upload = MediaUploadFixture.uploading(conversationID: conversationID, organizationID: try #require(
                try await database.raw("SELECT organization_id FROM conversations WHERE public_id = \(bind: id)").first()?.decode(column: "organization_id", as: UUID.self)))
            #expect(try await store.claimUpload(upload))
            try await database.raw("UPDATE media_uploads SET updated_at = \(bind: Date().timeIntervalSince1970 - 3600) WHERE public_id = \(bind: upload.publicID)").run()
            let folder = URL(fileURLWithPath: first.configuration.dataDirectory).appendingPathComponent("media/\(conversationID.uuidString.lowercased())")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let part = folder.appendingPathComponent("\(upload.publicID).part")
            try Data(count: 1 << 20).write(to: part)
            // While it stands, the session takes no other upload.
            let wav = try await TestMedia.speechWAV("Hello.")
            #expect(try await CoachingPipelineTests.upload(first, session: id, token: speaker.accessToken, file: wav, name: "a.wav").status == 409)

            // The next instance to start settles it.
            try await TestServer.with(sharingDatabaseWith: first) { _ in
                let status = try await first.request(.GET, "/coaching/sessions/\(id)/upload/\(upload.publicID)/status", token: speaker.accessToken)
                #expect(Self.coachingData(status)["status"] as? String == "failed", "\(status.text)")
                #expect(!FileManager.default.fileExists(atPath: part.path))
                #expect(try await CoachingPipelineTests.upload(first, session: id, token: speaker.accessToken, file: wav, name: "a.wav").status == 201)
            }
        }
    }

    /// The same with a real `kill -9`: a `parley serve` process receiving half an upload is
    /// killed; the next instance to start settles the upload and removes its partial file.
    @Test func anUploadCutOffByKill9IsSettledByTheNextInstance() async throws {
        let wav = try await TestMedia.speechWAV("This upload is cut off when its server is killed in the middle of it.")
        try await TestServer.with { first in
            let speaker = try await first.coachingAccount()
            let id = try await CoachingPipelineTests.createSession(first, token: speaker.accessToken)
            let server = try await ServeProcess.start(beside: first, port: try Self.freePort(), environment: ["PARLEY_WORKERS": "0"])
            defer { server.kill() }
            let base = server.baseURL

            // Half the body goes out, then nothing more: the upload is in progress when the process dies.
            let form = TestMedia.multipart([(name: "file", fileName: "talk.wav", contentType: "audio/wav", data: wav)])
            let (chunks, feed) = AsyncStream<ByteBuffer>.makeStream()
            feed.yield(ByteBuffer(data: form.body.prefix(form.body.count / 2)))
            var request = HTTPClientRequest(url: base + "/coaching/sessions/\(id)/upload")
            request.method = .POST
            request.headers.add(name: "Authorization", value: "Bearer \(speaker.accessToken)")
            request.headers.add(name: "Content-Type", value: form.contentType)
            request.body = .stream(chunks, length: .known(Int64(form.body.count)))
            let sending = Task { try? await HTTPClient.shared.execute(request, timeout: .seconds(120)) }
            let folder = URL(fileURLWithPath: first.configuration.dataDirectory).appendingPathComponent("media")
            func partFiles() -> [URL] {
                (FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)?.allObjects as? [URL] ?? [])
                    .filter { $0.pathExtension == "part" }
            }
            var parts: [URL] = []
            for _ in 0..<200 where parts.isEmpty {
                parts = partFiles()
                if parts.isEmpty { try await Task.sleep(for: .milliseconds(50)) }
            }
            try #require(!parts.isEmpty, "the upload never reached the disk")
            server.kill()
            feed.finish()
            sending.cancel()
            let database = try #require(first.app.db as? any SQLDatabase)
            let left = try await database.raw("SELECT status FROM media_uploads").all().map { try $0.decode(column: "status", as: String.self) }
            #expect(left == ["uploading"], "what kill -9 leaves: \(left)")

            try await TestServer.with({ $0.uploadStallTimeout = 0 }, sharingDatabaseWith: first) { _ in
                let settled = try await database.raw("SELECT status FROM media_uploads").all().map { try $0.decode(column: "status", as: String.self) }
                #expect(settled == ["failed"])
                #expect(partFiles().isEmpty, "partial files left: \(partFiles())")
                #expect(try await CoachingPipelineTests.upload(first, session: id, token: speaker.accessToken, file: wav, name: "a.wav").status == 201)
            }
        }
    }

    static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    // MARK: 10, 11, 12. Multipart bodies: complete, bounded, served as what they are

    @Test func aMultipartBodyWithoutItsClosingBoundaryIsNotAnUpload() async throws {
        let wav = try await TestMedia.speechWAV("This recording is cut off before the end of the request.")
        try await TestServer.with { server in
            let speaker = try await server.coachingAccount()
            let id = try await CoachingPipelineTests.createSession(server, token: speaker.accessToken)
            let form = TestMedia.multipart([(name: "file", fileName: "talk.wav", contentType: "audio/wav", data: wav)])
            let closing = try #require(form.body.range(of: Data("\r\n--".utf8), options: .backwards))
            let cut = form.body[form.body.startIndex..<(closing.lowerBound - wav.count / 2)]
            let response = try await server.request(.POST, "/coaching/sessions/\(id)/upload", body: Data(cut), token: speaker.accessToken,
                                                    headers: [("Content-Type", form.contentType)])
            #expect(response.status == 422, "\(response.status) \(response.text)")
            #expect(Self.errorField(response) == "file")
            let session = try await server.request(.GET, "/coaching/sessions/\(id)", token: speaker.accessToken)
            #expect((Self.coachingData(session)["session"] as? [String: Any])?["status"] as? String != "processing")
            // The whole body is accepted.
            let whole = try await server.request(.POST, "/coaching/sessions/\(id)/upload", body: form.body, token: speaker.accessToken,
                                                 headers: [("Content-Type", form.contentType)])
            #expect(whole.status == 201, "\(whole.text)")
        }
    }

    @Test func mediaIsServedAsWhatItIsWithNosniff() async throws {
        let wav = try await TestMedia.speechWAV("Served as audio, whatever the client said.")
        try await TestServer.with { server in
            let speaker = try await server.coachingAccount()
            let id = try await CoachingPipelineTests.createSession(server, token: speaker.accessToken)
            let form = TestMedia.multipart([(name: "file", fileName: "talk.html", contentType: "text/html", data: wav)])
            let uploaded = try await server.request(.POST, "/coaching/sessions/\(id)/upload", body: form.body, token: speaker.accessToken,
                                                    headers: [("Content-Type", form.contentType)])
            #expect(uploaded.status == 201)
            let media = try await server.request(.GET, "/coaching/sessions/\(id)/media", token: speaker.accessToken)
            #expect(media.status == 200)
            #expect(media.header("Content-Type")?.hasPrefix("audio/wav") == true, "\(media.header("Content-Type") ?? "")")
            #expect(media.header("X-Content-Type-Options") == "nosniff")
            #expect(try await server.request(.GET, "/health").header("X-Content-Type-Options") == "nosniff")
        }
    }

    @Test func unknownMultipartPartsAreRefusedAndCountAgainstTheLimit() async throws {
        let wav = try await TestMedia.speechWAV("A short file after a large unknown part.")
        try await TestServer.with({ $0.maxUploadSize = 1 << 20 }) { server in
            let speaker = try await server.coachingAccount()
            let id = try await CoachingPipelineTests.createSession(server, token: speaker.accessToken)
            let junk = TestMedia.multipart([
                (name: "junk", fileName: nil, contentType: nil, data: Data(count: 64 * 1024)),
                (name: "file", fileName: "talk.wav", contentType: "audio/wav", data: wav),
            ])
            let refused = try await server.request(.POST, "/coaching/sessions/\(id)/upload", body: junk.body, token: speaker.accessToken,
                                                   headers: [("Content-Type", junk.contentType)])
            #expect(refused.status == 422 && Self.errorField(refused) == "junk", "\(refused.status) \(refused.text)")
            // Headers and delimiters count too: a body far past the limit is 413 whatever its parts.
            var huge = Data("--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\nX-Padding: ".utf8)
            huge.append(Data(repeating: 0x61, count: 3 << 20))
            let tooLarge = try await server.request(.POST, "/coaching/sessions/\(id)/upload", body: huge, token: speaker.accessToken,
                                                    headers: [("Content-Type", "multipart/form-data; boundary=b")])
            #expect(tooLarge.status == 413, "\(tooLarge.status) \(tooLarge.text)")
        }
    }

    // Found by schemathesis: the largest skip once overflowed skip + limit and stopped the process.
    @Test func theLargestPagingValuesAnswerAnEmptyPage() async throws {
        try await TestServer.with { server in
            let admin = try await server.admin()
            for path in ["/api/v1/admin/users?skip=9223372036854775807&limit=1", "/api/v1/scenarios?skip=9223372036854775807",
                         "/api/v1/sessions?skip=9223372036854775807&limit=100"] {
                let response = try await server.request(.GET, path, token: admin.accessToken)
                #expect(response.status == 200 && response.jsonArray.isEmpty, "\(path): \(response.status) \(response.text.prefix(200))")
            }
            #expect(try await server.request(.GET, "/health").status == 200, "the server is still up")
            // And the admin's form refuses control characters in a company, as registration does.
            let created = try await server.request(.POST, "/api/v1/admin/users", json: [
                "email": "nul@example.com", "password": "abcd1234", "first_name": "A", "last_name": "B", "company": "x\u{0000}y",
            ], token: admin.accessToken)
            #expect(created.status == 422 && (created.json["details"] as? [String: Any])?["field"] as? String == "company", "\(created.text)")
        }
    }

    // MARK: 13. Unknown methods are 405

    @Test func aKnownPathWithAnUnknownMethodIs405WithAllow() async throws {
        try await TestServer.with { server in
            let admin = try await server.admin()
            let response = try await server.request(.DELETE, "/api/v1/scenarios", token: admin.accessToken)
            #expect(response.status == 405)
            #expect(response.header("Allow")?.contains("GET") == true)
            #expect(response.json["error_code"] as? String == "METHOD_NOT_ALLOWED")
            let coaching = try await server.request(.PUT, "/coaching/sessions", token: admin.accessToken)
            #expect(coaching.status == 405)
            #expect(try await server.request(.GET, "/api/v1/no-such-thing", token: admin.accessToken).status == 404)
        }
    }

    // MARK: 14. Commands that do not serve write no secret

    @Test func listingRoutesWritesNothingToTheDataDirectory() async throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let binary = root.appendingPathComponent(".build/debug/parley")
        try #require(FileManager.default.isExecutableFile(atPath: binary.path), "build the parley executable first")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("parley-routes-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let process = Process()
        process.executableURL = binary
        process.arguments = ["routes"]
        process.currentDirectoryURL = folder
        var environment = ProcessInfo.processInfo.environment
        for key in ["PARLEY_DATA_DIR", "PARLEY_JWT_SECRET", "DATABASE_URL"] { environment[key] = nil }
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let listing = await withCheckedContinuation { (continuation: CheckedContinuation<Data, Never>) in
            DispatchQueue.global().async {
                let data = output.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                continuation.resume(returning: data)
            }
        }
        #expect(process.terminationStatus == 0)
        #expect(String(decoding: listing, as: UTF8.self).contains("/api/v1/auth/login"))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("data").path), "parley routes created ./data")
    }
}

/// Upload rows as a test writes them directly.
enum MediaUploadFixture {
    static func uploading(conversationID: UUID, organizationID: UUID) -> MediaUpload {
        MediaUpload(
            id: UUID(), publicID: "upload_\(UUID().uuidString.prefix(12).lowercased())", conversationID: conversationID,
            organizationID: organizationID, status: .uploading, fileName: "talk.wav", contentType: "audio/wav", container: nil,
            expectedBytes: 20 << 20, receivedBytes: 1 << 20, path: nil, metadata: .null, error: nil,
            createdAt: Date().addingTimeInterval(-3600), completedAt: nil)
    }
}
