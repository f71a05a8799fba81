import Foundation
import ParleyTestSupport
import Testing

/// The Socket.IO channel, driven by an independent client library (python-socketio).
@Suite("Speech Coaching Socket.IO")
struct CoachingSocketIOTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// Runs scripts/tests/socketio_client.py and returns its JSON report.
    final class Client: Sendable {
        let process: Process
        let output: Pipe
        let errors: Pipe
        let ready: URL

        init(server: TestServer, namespace: String, token: String, audio: URL? = nil, until: String = "completed", timeout: Int = 150,
             calls: [String] = [], drop: Bool = false, transports: String = "default", stopFile: URL? = nil) throws {
            process = Process()
            process.executableURL = CoachingSocketIOTests.root.appendingPathComponent(".venv/bin/python")
            ready = FileManager.default.temporaryDirectory.appendingPathComponent("sio-ready-\(UUID().uuidString)")
            var arguments = [CoachingSocketIOTests.root.appendingPathComponent("scripts/tests/socketio_client.py").path,
                             "--url", server.baseURL, "--namespace", namespace, "--token", token,
                             "--until", until, "--timeout", String(timeout), "--ready-file", ready.path]
            if let audio { arguments += ["--audio", audio.path] }
            for call in calls { arguments += ["--call", call] }
            if drop { arguments.append("--drop") }
            arguments += ["--transports", transports]
            if let stopFile { arguments += ["--stop-file", stopFile.path] }
            process.arguments = arguments
            output = Pipe()
            process.standardOutput = output
            errors = Pipe()
            process.standardError = errors
            try process.run()
        }

        /// Waits until the client is connected (or has given up).
        func waitUntilReady() async throws {
            let deadline = ContinuousClock.now + .seconds(30)
            while !FileManager.default.fileExists(atPath: ready.path), process.isRunning, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
        }

        func report() async throws -> [String: Any] {
            // Blocking reads go to a dispatch thread: the server under test shares this
            // process's few cooperative threads and must keep running meanwhile.
            let (data, problems) = await withCheckedContinuation { (continuation: CheckedContinuation<(Data, String), Never>) in
                let (process, output, errors) = (self.process, self.output, self.errors)
                DispatchQueue.global().async {
                    let group = DispatchGroup()
                    nonisolated(unsafe) var stderr = Data()
                    DispatchQueue.global().async(group: group) { stderr = errors.fileHandleForReading.readDataToEndOfFile() }
                    let data = output.fileHandleForReading.readDataToEndOfFile()
                    group.wait()
                    process.waitUntilExit()
                    continuation.resume(returning: (data, String(decoding: stderr, as: UTF8.self)))
                }
            }
            try? FileManager.default.removeItem(at: ready)
            var report = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? ["raw": String(decoding: data, as: UTF8.self)]
            report["stderr"] = String(problems.suffix(2000))
            return report
        }
    }

    static func events(_ report: [String: Any], named name: String) -> [[String: Any]] {
        (report["events"] as? [[String: Any]] ?? []).filter { $0["name"] as? String == name }.compactMap { $0["data"] as? [String: Any] }
    }

    /// The library's default transports (long-polling, then the upgrade, as the document's
    /// JavaScript example connects) and a WebSocket from the start.
    @Test(arguments: ["default", "websocket"])
    func aWatchingClientReceivesTheDocumentedEventsWhileAnUploadIsProcessed(transports: String) async throws {
        let wav = try await TestMedia.speechWAV("Good morning everyone. Thank you for being here today.")
        try await TestServer.with { server in
            let speaker = try await server.coachingAccount()
            let id = try await CoachingPipelineTests.createSession(server, token: speaker.accessToken)
            let client = try Client(server: server, namespace: "/sessions/\(id)", token: speaker.accessToken, transports: transports)
            try await client.waitUntilReady()
            let uploaded = try await CoachingPipelineTests.upload(server, session: id, token: speaker.accessToken, file: wav, name: "talk.wav")
            #expect(uploaded.status == 201)
            let report = try await client.report()
            #expect(report["connected"] as? Bool == true, "\(report)")
            #expect(report["transport"] as? String == "websocket", "a default client upgrades: \(report["transport"] ?? "none")")
            let statuses = Self.events(report, named: "processing:status")
            #expect(statuses.allSatisfy { $0["type"] as? String == "processing:status" })
            let stages = statuses.compactMap { ($0["data"] as? [String: Any])?["stage"] as? String }
            #expect(stages.contains("prosody") && stages.contains("transcription") && stages.last == "completed", "\(stages) \(report["stderr"] ?? "")")
            let tokens = Self.events(report, named: "asr:token").compactMap { $0["data"] as? [String: Any] }
            #expect(tokens.contains { ($0["token"] as? String)?.lowercased().contains("morning") == true }, "\(tokens)")
            #expect(tokens.allSatisfy { $0["start"] is Double && $0["end"] is Double && $0["isFinal"] is Bool })
            let metrics = Self.events(report, named: "metrics:update").compactMap { $0["data"] as? [String: Any] }
            #expect(metrics.count >= 3)
            #expect(metrics.allSatisfy { $0["timestamp"] is Double && $0["wpm"] is Double && $0["pauses"] is [Any] })
        }
    }

    /// Binary audio over a WebSocket (after the default client's upgrade) and, base64-encoded,
    /// over long-polling alone.
    @Test(arguments: ["default", "polling"])
    func aSessionIsRecordedLiveOverTheNamespace(transports: String) async throws {
        let wav = try await TestMedia.speechWAV("Hello everyone. Today we talk about the weather in every region.")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("live-\(UUID().uuidString).wav")
        try wav.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        try await TestServer.with { server in
            let speaker = try await server.coachingAccount()
            let id = try await CoachingPipelineTests.createSession(server, token: speaker.accessToken)
            let client = try Client(server: server, namespace: "/sessions/\(id)", token: speaker.accessToken, audio: file, transports: transports)
            let report = try await client.report()
            #expect(report["transport"] as? String == (transports == "polling" ? "polling" : "websocket"), "\(report["transport"] ?? "none")")
            #expect(report["connected"] as? Bool == true, "\(report)")
            let acks = report["acks"] as? [[String: Any]] ?? []
            #expect(acks.count == 2 && acks.allSatisfy { $0["ok"] as? Bool == true }, "\(acks)")
            let live = Self.events(report, named: "metrics:update")
            #expect(live.count >= 3)
            let tokens = Self.events(report, named: "asr:token").compactMap { $0["data"] as? [String: Any] }
            #expect(tokens.contains { $0["isFinal"] as? Bool == true })
            let detail = try await server.waitForCoachingSession(id, token: speaker.accessToken)
            #expect(detail["status"] as? String == "completed", "\(detail)")
            let text = ((detail["transcript"] as? [String: Any])?["text"] as? String ?? "").lowercased()
            #expect(text.contains("weather") || text.contains("region"), "\(text)")
            let duration = detail["duration"] as? Double ?? 0
            #expect(abs(duration - Double(wav.count - 44) / 2 / 22_050) < 0.5, "\(duration)")
        }
    }

    @Test func aLiveRecordingCutOffByADroppedConnectionIsKeptAndProcessed() async throws {
        let wav = try await TestMedia.speechWAV("Good morning everyone. We will talk about every region.")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("drop-\(UUID().uuidString).wav")
        try wav.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        try await TestServer.with { server in
            let speaker = try await server.coachingAccount()
            let id = try await CoachingPipelineTests.createSession(server, token: speaker.accessToken)
            let report = try await Client(server: server, namespace: "/sessions/\(id)", token: speaker.accessToken, audio: file, drop: true).report()
            #expect(report["connected"] as? Bool == true, "\(report)")
            // No audio:end was sent: what arrived before the connection dropped becomes the session's media.
            let detail = try await server.waitForCoachingSession(id, token: speaker.accessToken)
            #expect(detail["status"] as? String == "completed", "\(detail)")
            let text = ((detail["transcript"] as? [String: Any])?["text"] as? String ?? "").lowercased()
            #expect(text.contains("morning") || text.contains("region"), "\(text)")
        }
    }

    /// On PostgreSQL, events cross processes: a socket held by one `serve` instance hears the
    /// processing that a `parley worker` process does for an upload another instance received.
    /// (SQLite is one process's database; there the test has nothing to show.)
    @Test func eventsFromAWorkerProcessReachASocketOnAnotherInstance() async throws {
        guard ProcessInfo.processInfo.environment["DATABASE_URL"]?.hasPrefix("postgres") == true else { return }
        let wav = try await TestMedia.speechWAV("Good morning everyone. The numbers are in.")
        try await TestServer.with({ $0.jobs.concurrency = 0 }) { first in
            try await TestServer.with({ $0.jobs.concurrency = 0 }, sharingDatabaseWith: first) { second in
                guard case .postgres(let url) = first.configuration.database else { return }
                let worker = Process()
                worker.executableURL = Self.root.appendingPathComponent(".build/debug/parley")
                worker.arguments = ["worker", "--concurrency", "1"]
                var environment = ProcessInfo.processInfo.environment
                environment["DATABASE_URL"] = url
                environment["PARLEY_DATA_DIR"] = first.configuration.dataDirectory
                environment["PARLEY_JWT_SECRET"] = "test-secret-that-is-at-least-32-bytes-long"
                environment["LOG_LEVEL"] = "warning"
                worker.environment = environment
                worker.standardOutput = FileHandle.nullDevice
                worker.standardError = FileHandle.nullDevice
                try worker.run()
                defer { worker.terminate() }

                let speaker = try await first.coachingAccount()
                let id = try await CoachingPipelineTests.createSession(first, token: speaker.accessToken)
                let client = try Client(server: first, namespace: "/sessions/\(id)", token: speaker.accessToken)
                try await client.waitUntilReady()
                let uploaded = try await CoachingPipelineTests.upload(second, session: id, token: speaker.accessToken, file: wav, name: "talk.wav")
                #expect(uploaded.status == 201)
                let report = try await client.report()
                let stages = Self.events(report, named: "processing:status").compactMap { ($0["data"] as? [String: Any])?["stage"] as? String }
                #expect(stages.contains("transcription") && stages.last == "completed", "\(stages) \(report["stderr"] ?? "")")
                #expect(!Self.events(report, named: "asr:token").isEmpty)
            }
        }
    }

    @Test func connectionsAreAuthenticatedScopedAndLimited() async throws {
        try await TestServer.with({ $0.rateLimits.coaching.concurrentSockets = 1 }) { server in
            let speaker = try await server.coachingAccount()
            let id = try await CoachingPipelineTests.createSession(server, token: speaker.accessToken)

            let anonymous = try await Client(server: server, namespace: "/sessions/\(id)", token: "not-a-token").report()
            #expect(anonymous["connected"] as? Bool == false)
            #expect(((anonymous["error"] as? [String: Any])?["data"] as? [String: Any])?["code"] as? String == "AUTHENTICATION_ERROR", "\(anonymous)")

            let stranger = try await server.coachingAccount()
            let foreign = try await Client(server: server, namespace: "/sessions/\(id)", token: stranger.accessToken).report()
            #expect(((foreign["error"] as? [String: Any])?["data"] as? [String: Any])?["code"] as? String == "AUTHORIZATION_ERROR", "\(foreign)")

            let unknown = try await Client(server: server, namespace: "/sessions/session_missing", token: speaker.accessToken).report()
            #expect(((unknown["error"] as? [String: Any])?["data"] as? [String: Any])?["code"] as? String == "NOT_FOUND", "\(unknown)")

            // The holder stays until told to go, so the second connection meets it however slow the machine.
            let stop = FileManager.default.temporaryDirectory.appendingPathComponent("sio-stop-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: stop) }
            let holder = try Client(server: server, namespace: "/sessions/\(id)", token: speaker.accessToken, until: "never", timeout: 120, stopFile: stop)
            try await holder.waitUntilReady()
            let second = try await Client(server: server, namespace: "/sessions/\(id)", token: speaker.accessToken).report()
            #expect(((second["error"] as? [String: Any])?["data"] as? [String: Any])?["code"] as? String == "RATE_LIMIT_EXCEEDED", "\(second)")
            _ = FileManager.default.createFile(atPath: stop.path, contents: nil)
            #expect(try await holder.report()["connected"] as? Bool == true)

            let unknownTransport = try await server.request(.GET, "/socket.io/?EIO=4&transport=carrier-pigeon")
            #expect(unknownTransport.status == 400 && unknownTransport.json["message"] as? String == "Transport unknown")
            let unknownSession = try await server.request(.GET, "/socket.io/?EIO=4&transport=polling&sid=nope")
            #expect(unknownSession.status == 400 && unknownSession.json["code"] as? Int == 1)
            let oldProtocol = try await server.request(.GET, "/socket.io/?EIO=3&transport=websocket")
            #expect(oldProtocol.status == 400)
        }
    }
}
