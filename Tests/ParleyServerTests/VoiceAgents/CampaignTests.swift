import AsyncHTTPClient
import Foundation
import ParleyAudio
import ParleyTestSupport
import SQLKit
import Testing

/// Campaigns dialled for real on the simulated callee: the limit holds, every number is settled
/// once, a pause holds new dials, a killed server's campaign is finished by the next one
/// without dialling anyone twice, and recordings say what the call logs say.
@Suite("Voice Agents: campaigns dialled on the simulated callee")
struct CampaignTests {
    static func numbers(_ count: Int, from first: Int = 100) -> [String] {
        (0..<count).map { "+1415555\(String(format: "%04d", first + $0))" }
    }

    static func campaign(_ server: TestServer, _ token: String, numbers: [String], concurrent: Int) async throws -> String {
        let agent = try await VoiceAgentTests.agent(server, token, [
            "name": "Sam", "description": "Books demos of our scheduling assistant",
            "playbook": ["product": "our scheduling assistant", "value_proposition": "answer every call and book more jobs", "goal": "demo"],
        ])
        let created = try await server.request(.POST, "/campaigns", json: [
            "name": "Spring", "agent_id": agent, "phone_numbers": numbers, "max_concurrent_calls": concurrent, "max_attempts": 1,
            "voicemail_action": "leave_message",
        ], token: token)
        #expect(created.status == 201, "\(created.text)")
        return try #require(created.json["id"] as? String)
    }

    static func progress(_ server: TestServer, _ token: String, _ id: String) async throws -> (status: String, counts: [String: Int]) {
        let read = try await server.request(.GET, "/campaigns/\(id)", token: token)
        return (read.json["status"] as? String ?? "", read.json["progress"] as? [String: Int] ?? [:])
    }

    static func waitUntil(_ server: TestServer, _ token: String, _ id: String, timeout: Duration = .seconds(600),
                          _ done: ((status: String, counts: [String: Int])) -> Bool) async throws -> (status: String, counts: [String: Int]) {
        let deadline = ContinuousClock.now + timeout
        var last = try await progress(server, token, id)
        while !done(last) {
            guard ContinuousClock.now < deadline else {
                Issue.record("campaign \(id) did not get there: \(last)")
                return last
            }
            // Once a second: well inside the document's 100 requests a minute, which the other
            // requests of the test share (at twice a second the resume after a pause was refused).
            try await Task.sleep(for: .seconds(1))
            last = try await progress(server, token, id)
        }
        return last
    }

    /// Start and end of every call of the campaign, from the database.
    static func calls(_ server: TestServer, campaign: String) async throws -> [(number: String, attempt: Int, start: Double, end: Double?, status: String)] {
        let sql = try #require(server.app.db as? any SQLDatabase)
        return try await sql.raw("""
            SELECT l.phone_number, c.started_at, c.completed_at, l.status, c.details FROM call_logs l JOIN conversations c ON c.id = l.conversation_id
            WHERE l.campaign_id = \(bind: UUID(uuidString: campaign)!)
            """).all().map { row in
            let details = try JSONSerialization.jsonObject(with: Data(try row.decode(column: "details", as: String.self).utf8)) as? [String: Any]
            let attempt = ((details?["agentCall"] as? [String: Any])?["attempt"] as? Int) ?? 0
            // Timestamps are `datetime` columns: a number on SQLite, a timestamp on PostgreSQL; both decode as dates.
            return (try row.decode(column: "phone_number", as: String.self), attempt,
                    try row.decode(column: "started_at", as: Date.self).timeIntervalSince1970,
                    try row.decode(column: "completed_at", as: Date?.self)?.timeIntervalSince1970, try row.decode(column: "status", as: String.self))
        }
    }

    /// The most calls that were on the line at the same moment.
    static func mostAtOnce(_ calls: [(number: String, attempt: Int, start: Double, end: Double?, status: String)]) -> Int {
        var events: [(at: Double, change: Int)] = []
        for call in calls {
            events.append((call.start, 1))
            events.append((call.end ?? Double.greatestFiniteMagnitude, -1))
        }
        // An end and a start at the same moment: the end comes first.
        events.sort { $0.at == $1.at ? $0.change < $1.change : $0.at < $1.at }
        var now = 0
        var most = 0
        for event in events {
            now += event.change
            most = max(most, now)
        }
        return most
    }

    @Test(.timeLimit(.minutes(10))) func twentyNumbersFiveAtATimeEachSettledOnceWithAPauseThatHolds() async throws {
        try await TestServer.with { server in
            let token = try await VoiceAgentTests.signIn(server)
            let numbers = Self.numbers(20)
            let id = try await Self.campaign(server, token, numbers: numbers, concurrent: 5)
            #expect(try await server.request(.POST, "/campaigns/\(id)/launch", token: token).status == 200)

            // Pause once a few calls are done: nothing new is dialled while it holds.
            _ = try await Self.waitUntil(server, token, id) { ($0.counts["completed"] ?? 0) + ($0.counts["busy"] ?? 0) >= 3 }
            #expect(try await server.request(.POST, "/campaigns/\(id)/pause", token: token).status == 200)
            let quiet = try await Self.waitUntil(server, token, id) { ($0.counts["dialling"] ?? 0) == 0 }
            let dialledBefore = try await Self.calls(server, campaign: id).count
            try await Task.sleep(for: .seconds(3))
            let held = try await Self.progress(server, token, id)
            #expect(held.counts["pending"] == quiet.counts["pending"] && held.status == "paused")
            let dialledAfter = try await Self.calls(server, campaign: id).count
            #expect(dialledAfter == dialledBefore, "a paused campaign dialled")

            let resumed = try await server.request(.POST, "/campaigns/\(id)/resume", token: token)
            try #require(resumed.status == 200, "\(resumed.text)")
            let done = try await Self.waitUntil(server, token, id) { $0.status == "completed" }
            #expect((done.counts["pending"] ?? 0) == 0 && (done.counts["dialling"] ?? 0) == 0, "\(done)")

            let calls = try await Self.calls(server, campaign: id)
            #expect(Self.mostAtOnce(calls) <= 5, "more than 5 calls at once")
            #expect(Set(calls.map(\.number)) == Set(numbers))
            #expect(calls.count == numbers.count, "a number was dialled twice: \(calls.map(\.number).sorted())")

            // Call logs, listed and read, with a recording that says what the transcript says.
            let listed = try await server.request(.GET, "/call-logs?campaign_id=\(id)&limit=100", token: token)
            #expect(listed.json["total"] as? Int == 20, "\(listed.text.prefix(300))")
            let items = listed.json["items"] as? [[String: Any]] ?? []
            let answered = try #require(items.first { $0["status"] as? String == "completed" })
            let detail = try await server.request(.GET, "/call-logs/\(answered["id"] as? String ?? "")", token: token)
            #expect(detail.json["summary"] is String && (detail.json["key_phrases"] as? [String])?.isEmpty == false, "\(detail.text.prefix(400))")
            #expect((detail.json["latency"] as? [[String: Any]])?.isEmpty == false)
            let recording = try await server.request(.GET, "/call-recordings/\(answered["id"] as? String ?? "")", token: token)
            let link = try #require(recording.json["download_url"] as? String)
            // The signed link works with no token, whole or in part (Range).
            let audio = try await HTTPClient.shared.execute(HTTPClientRequest(url: link), timeout: .seconds(60))
            #expect(audio.status == .ok && audio.headers.first(name: "Content-Type") == "audio/wav")
            let wav = Data(buffer: try await audio.body.collect(upTo: 64 << 20))
            var ranged = HTTPClientRequest(url: link)
            ranged.headers.add(name: "Range", value: "bytes=0-43")
            let head = try await HTTPClient.shared.execute(ranged, timeout: .seconds(60))
            let headBytes = Data(buffer: try await head.body.collect(upTo: 1 << 10))
            #expect(head.status == .partialContent && headBytes.count == 44)
            let tampered = try await HTTPClient.shared.execute(HTTPClientRequest(url: link.replacingOccurrences(of: "token=", with: "token=x")), timeout: .seconds(60))
            #expect(tampered.status == .forbidden)

            let heard = try await server.app.parley.speech.recognizer.transcribe(try WAVFile.decode(wav))
            let said = Set((detail.json["transcript"] as? String ?? "").lowercased().split { !$0.isLetter }.map(String.init).filter { $0.count > 3 })
            let back = Set(heard.text.lowercased().split { !$0.isLetter }.map(String.init))
            let found = Double(said.intersection(back).count) / Double(max(1, said.count))
            #expect(found >= 0.6, "the recording gives back \(Int(found * 100))% of the stored transcript's words")

            let statistics = try await server.request(.GET, "/analytics/calls?campaign_id=\(id)", token: token)
            #expect(statistics.json["total_calls"] as? Int == 20, "\(statistics.text)")
            let sentiment = try await server.request(.GET, "/analytics/sentiment", token: token)
            #expect(((sentiment.json["positive"] as? Int) ?? 0) + ((sentiment.json["neutral"] as? Int) ?? 0) + ((sentiment.json["negative"] as? Int) ?? 0) > 0)
            let phrases = try await server.request(.GET, "/analytics/top-phrases?limit=5", token: token)
            #expect(phrases.status == 200 && phrases.text.hasPrefix("["))
        }
    }

    /// A real `parley serve` dialling a campaign is killed with SIGKILL mid-campaign; the next
    /// instance on the same database finishes it, and nobody is dialled twice.
    @Test(.timeLimit(.minutes(10))) func aCampaignCutOffByKill9IsFinishedWithoutASecondDial() async throws {
        try await TestServer.with({ $0.jobs.lease = 5 }) { first in
            let token = try await VoiceAgentTests.signIn(first)
            let numbers = Self.numbers(8, from: 500)
            let id = try await Self.campaign(first, token, numbers: numbers, concurrent: 4)
            // The in-process server stops carrying calls, so the other process dials them.
            await first.app.parley.jobs.stop(grace: 0)
            let server = try await ServeProcess.start(beside: first, port: try HardeningTests.freePort(), environment: ["PARLEY_JOB_LEASE": "5"])
            defer { server.kill() }
            let base = server.baseURL
            var launch = HTTPClientRequest(url: base + "/campaigns/\(id)/launch")
            launch.method = .POST
            launch.headers.add(name: "Authorization", value: "Bearer \(token)")
            #expect(try await HTTPClient.shared.execute(launch, timeout: .seconds(30)).status == .ok)

            // Killed while calls are on the line.
            _ = try await Self.waitUntil(first, token, id, timeout: .seconds(300)) { ($0.counts["dialling"] ?? 0) >= 2 }
            try await Task.sleep(for: .seconds(2))
            server.kill()
            let cut = try await Self.calls(first, campaign: id)
            #expect(cut.contains { $0.end == nil }, "no call was on the line when the server died")

            try await TestServer.with({ $0.jobs.lease = 5 }, sharingDatabaseWith: first) { second in
                let done = try await Self.waitUntil(second, token, id) { $0.status == "completed" }
                #expect((done.counts["dialling"] ?? 0) == 0, "\(done)")
                let calls = try await Self.calls(second, campaign: id)
                #expect(Set(calls.map(\.number)) == Set(numbers))
                #expect(calls.count == numbers.count, "dialled twice: \(calls.map(\.number).sorted())")
                // What was on the line when the server died is settled as interrupted, not redialled.
                let interrupted = calls.filter { call in cut.contains { $0.number == call.number && $0.end == nil } }
                #expect(!interrupted.isEmpty && interrupted.allSatisfy { $0.status == "failed" }, "\(interrupted)")
            }
        }
    }
}
