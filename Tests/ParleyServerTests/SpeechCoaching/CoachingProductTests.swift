import Foundation
import ParleyTestSupport
import Testing

/// Clips (ffmpeg, probed), reports (CSV and a PDF read back), and drills over HTTP and Socket.IO.
@Suite("Speech Coaching clips, reports and drills")
struct CoachingProductTests {
    static func data(_ response: TestResponse) -> [String: Any] { response.json["data"] as? [String: Any] ?? [:] }
    static func field(_ response: TestResponse) -> String? {
        ((response.json["error"] as? [String: Any])?["details"] as? [String: Any])?["field"] as? String
    }

    /// Runs a tool (ffprobe, pdftotext) on a file and returns its standard output.
    static func tool(_ path: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: output, as: UTF8.self)
    }

    static func file(_ data: Data, _ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(UUID().uuidString.prefix(8))-\(name)")
        try data.write(to: url)
        return url
    }

    @Test func clipsAndReportsAreRealFiles() async throws {
        try await TestServer.with({ $0.rateLimits.enabled = false }) { server in
            let speaker = try await server.coachingAccount()
            let id = try await CoachingPipelineTests.createSession(server, token: speaker.accessToken, title: "Board update")
            let wav = try await TestMedia.speechWAV("Good morning everyone. Thank you for joining the meeting today. We will talk about every region.")
            #expect(try await CoachingPipelineTests.upload(server, session: id, token: speaker.accessToken, file: wav, name: "talk.wav").status == 201)
            let session = try await server.waitForCoachingSession(id, token: speaker.accessToken)
            let duration = session["duration"] as? Double ?? 0
            #expect(duration > 4)

            for (body, field) in [(["startTime": 1, "endTime": duration + 5], "endTime"), (["startTime": 3, "endTime": 2], "endTime"),
                                  (["startTime": 0, "endTime": 2, "format": "avi"], "format"), (["startTime": -1, "endTime": 2], "startTime"),
                                  (["startTime": 0, "endTime": 2, "captionsStyle": "comic"], "captionsStyle")] as [([String: Any], String)] {
                let bad = try await server.request(.POST, "/coaching/sessions/\(id)/clips", json: body, token: speaker.accessToken)
                #expect(bad.status == 422 && Self.field(bad) == field, "\(body): \(bad.text)")
            }
            var clips: [(id: String, format: String, length: Double)] = []
            for (format, start, end) in [("mp4", 0.5, 3.5), ("webm", 1.0, 3.0), ("gif", 1.0, 2.5)] {
                let created = try await server.request(.POST, "/coaching/sessions/\(id)/clips", json: [
                    "title": "Opening \(format)", "startTime": start, "endTime": end, "format": format, "quality": "low",
                    "includeCaptions": true, "captionsStyle": "modern",
                ], token: speaker.accessToken)
                #expect(created.status == 202, "\(created.text)")
                let clip = Self.data(created)["clip"] as? [String: Any] ?? [:]
                #expect(clip["status"] as? String == "processing" && clip["downloadUrl"] is NSNull && clip["estimatedTime"] is Int)
                clips.append((clip["id"] as? String ?? "", format, end - start))
            }
            for clip in clips {
                var status: [String: Any] = [:]
                let deadline = ContinuousClock.now + .seconds(120)
                while ContinuousClock.now < deadline {
                    status = Self.data(try await server.request(.GET, "/coaching/clips/\(clip.id)/status", token: speaker.accessToken))["clip"] as? [String: Any] ?? [:]
                    if status["status"] as? String != "processing" { break }
                    try await Task.sleep(for: .milliseconds(200))
                }
                #expect(status["status"] as? String == "completed", "\(clip.format): \(status)")
                #expect(status["progress"] as? Int == 100)
                let url = status["downloadUrl"] as? String ?? ""
                let download = try await server.request(.GET, String(url.dropFirst(server.baseURL.count)), token: speaker.accessToken)
                #expect(download.status == 200 && download.body.count == status["fileSize"] as? Int)
                let local = try Self.file(download.body, "clip.\(clip.format)")
                defer { try? FileManager.default.removeItem(at: local) }
                let probe = try Self.tool("/usr/bin/ffprobe", ["-v", "error", "-show_entries", "format=duration,format_name", "-of", "json", local.path])
                let format = (try? JSONSerialization.jsonObject(with: Data(probe.utf8)) as? [String: Any])?["format"] as? [String: Any]
                let measured = Double(format?["duration"] as? String ?? "") ?? 0
                #expect(abs(measured - clip.length) < 0.3, "\(clip.format): \(probe)")
                #expect((format?["format_name"] as? String)?.contains(clip.format == "mp4" ? "mp4" : clip.format == "webm" ? "webm" : "gif") == true)
                let thumbnail = try await server.request(.GET, "/coaching/clips/\(clip.id)/thumbnail", token: speaker.accessToken)
                #expect(thumbnail.body.starts(with: [0xFF, 0xD8]))
            }
            let listed = try await server.request(.GET, "/coaching/sessions/\(id)/clips", token: speaker.accessToken)
            #expect((Self.data(listed)["clips"] as? [[String: Any]])?.count == 3)
            let stranger = try await server.coachingAccount()
            #expect(try await server.request(.GET, "/coaching/clips/\(clips[0].id)/status", token: stranger.accessToken).status == 403)
            #expect(try await server.request(.GET, "/coaching/clips/clip_nope/status", token: speaker.accessToken).status == 404)

            for format in ["json", "csv", "pdf"] {
                let report = try await server.request(.GET, "/coaching/reports/sessions?format=\(format)&startDate=2020-01-01", token: speaker.accessToken)
                #expect(report.status == 200, "\(report.text)")
                let body = Self.data(report)["report"] as? [String: Any] ?? [:]
                #expect((body["summary"] as? [String: Any])?["totalSessions"] as? Int == 1)
                let url = body["downloadUrl"] as? String ?? ""
                let file = try await server.request(.GET, String(url.dropFirst(server.baseURL.count)), token: speaker.accessToken)
                #expect(file.status == 200)
                switch format {
                case "pdf":
                    #expect(file.body.starts(with: Array("%PDF".utf8)))
                    let local = try Self.file(file.body, "report.pdf")
                    defer { try? FileManager.default.removeItem(at: local) }
                    let text = try Self.tool("/usr/bin/pdftotext", [local.path, "-"])
                    #expect(text.contains("Board update") && text.contains("Speech coaching sessions"), "\(text.prefix(500))")
                case "csv":
                    let lines = file.text.components(separatedBy: "\r\n").filter { !$0.isEmpty }
                    #expect(lines.count == 2 && lines[1].contains("Board update"), "\(file.text)")
                default:
                    #expect((file.json["rows"] as? [[String: Any]])?.first?["title"] as? String == "Board update")
                }
                #expect(try await server.request(.GET, String(url.dropFirst(server.baseURL.count)), token: stranger.accessToken).status == 403)
            }
            let badFormat = try await server.request(.GET, "/coaching/reports/sessions?format=docx", token: speaker.accessToken)
            #expect(badFormat.status == 422 && Self.field(badFormat) == "format")
            let backwards = try await server.request(.GET, "/coaching/reports/sessions?startDate=2024-02-01&endDate=2024-01-01", token: speaker.accessToken)
            #expect(backwards.status == 422 && Self.field(backwards) == "startDate")

            // Deleting the session removes its clips' files with the media.
            #expect(try await server.request(.DELETE, "/coaching/sessions/\(id)", token: speaker.accessToken).status == 200)
            #expect(try await server.request(.GET, "/coaching/clips/\(clips[0].id)/status", token: speaker.accessToken).status == 404)
        }
    }

    @Test func drillsArePersonalisedStartedAndScored() async throws {
        try await TestServer.with({ $0.rateLimits.enabled = false }) { server in
            let speaker = try await server.coachingAccount()
            let listed = try await server.request(.GET, "/coaching/drills?limit=3", token: speaker.accessToken)
            let drills = Self.data(listed)["drills"] as? [[String: Any]] ?? []
            #expect(drills.count == 3)
            #expect(drills.allSatisfy { ($0["exercises"] as? [[String: Any]])?.first?["audioUrl"] is String && $0["reason"] is String })
            let pronunciation = try await server.request(.GET, "/coaching/drills?category=pronunciation&difficulty=beginner", token: speaker.accessToken)
            #expect((Self.data(pronunciation)["drills"] as? [[String: Any]])?.allSatisfy { $0["category"] as? String == "pronunciation" && $0["difficulty"] as? String == "beginner" } == true)
            let badDifficulty = try await server.request(.GET, "/coaching/drills?difficulty=impossible", token: speaker.accessToken)
            #expect(badDifficulty.status == 422 && Self.field(badDifficulty) == "difficulty", "\(badDifficulty.text)")

            let drill = "drill_minimal_pairs_1"
            let model = try await server.request(.GET, "/coaching/drills/\(drill)/exercises/0/audio", token: speaker.accessToken)
            #expect(model.status == 200 && model.header("Content-Type") == "audio/mpeg" && model.body.count > 500)

            let started = try await server.request(.POST, "/coaching/drills/\(drill)/start", token: speaker.accessToken)
            #expect(started.status == 201)
            let drillSession = Self.data(started)["drillSession"] as? [String: Any] ?? [:]
            #expect(drillSession["status"] as? String == "active" && (drillSession["websocketUrl"] as? String)?.contains("/drills/drill_session_") == true)

            let typed = try await server.request(.POST, "/coaching/drills/\(drill)/submit", json: ["response": "ship", "exerciseIndex": 0], token: speaker.accessToken)
            let good = Self.data(typed)
            #expect(typed.status == 200 && good["score"] as? Int == 100 && good["correctAnswer"] as? String == "ship", "\(typed.text)")
            let wrong = Self.data(try await server.request(.POST, "/coaching/drills/\(drill)/submit", json: ["response": "sheep", "exerciseIndex": 0], token: speaker.accessToken))
            #expect((wrong["score"] as? Int ?? 100) < 50 && (wrong["feedback"] as? String)?.isEmpty == false)

            let spoken = try await TestMedia.speechWAV("ship")
            let heard = try await server.request(.POST, "/coaching/drills/\(drill)/submit", json: ["audioData": spoken.base64EncodedString(), "exerciseIndex": 0], token: speaker.accessToken)
            #expect(heard.status == 200, "\(heard.text)")
            #expect(Self.data(heard)["correctAnswer"] as? String == "ship" && Self.data(heard)["accuracy"] is Double)

            for (body, field) in [(["response": "ship", "exerciseIndex": 99], "exerciseIndex"), (["exerciseIndex": 0], "audioData"),
                                  (["audioData": "not base64 audio!!", "exerciseIndex": 0], "audioData")] as [([String: Any], String)] {
                let bad = try await server.request(.POST, "/coaching/drills/\(drill)/submit", json: body, token: speaker.accessToken)
                #expect(bad.status == 422 && Self.field(bad) == field, "\(body): \(bad.text)")
            }
            #expect(try await server.request(.POST, "/coaching/drills/drill_nope/start", token: speaker.accessToken).status == 404)

            // The drill session's namespace scores answers sent over Socket.IO.
            let sessionID = drillSession["id"] as? String ?? ""
            let client = try CoachingSocketIOTests.Client(
                server: server, namespace: "/drills/\(sessionID)", token: speaker.accessToken, until: "never", timeout: 1,
                calls: [#"drill:submit={"exerciseIndex": 1, "response": "seat"}"#])
            let report = try await client.report()
            #expect(report["connected"] as? Bool == true, "\(report)")
            let ack = (report["acks"] as? [[String: Any]])?.first
            #expect(ack?["ok"] as? Bool == true && (ack?["result"] as? [String: Any])?["score"] as? Int == 100, "\(report)")
            #expect(CoachingSocketIOTests.events(report, named: "drill:result").count == 1)
            let other = try await server.coachingAccount()
            let refused = try await CoachingSocketIOTests.Client(server: server, namespace: "/drills/\(sessionID)", token: other.accessToken).report()
            #expect(((refused["error"] as? [String: Any])?["data"] as? [String: Any])?["code"] as? String == "AUTHORIZATION_ERROR")
        }
    }
}
