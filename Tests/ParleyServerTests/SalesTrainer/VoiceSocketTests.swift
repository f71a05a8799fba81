import Foundation
import NIOConcurrencyHelpers
import ParleyAudio
import ParleyIntelligence
import ParleyTestSupport
import Testing
import Vapor

@Suite("Sales Trainer voice WebSocket")
struct VoiceSocketTests {
    func newSession(_ server: TestServer, _ token: String, scenario: Int = 1, coaching: Bool = true) async throws -> String {
        let response = try await server.request(.POST, "/api/v1/sessions", json: [
            "scenario_id": scenario, "configuration": ["coaching_enabled": coaching, "voice_id": "professional_male"],
        ], token: token)
        return try #require(response.json["id"] as? String)
    }

    static let goodRep = [
        "Hi Mark, this is Dana from Acme. Thanks for picking up, did I catch you at an okay time?",
        "I'll be brief. How do you manage your developer tooling today?",
        "That sounds frustrating. What does onboarding a new engineer look like for your team?",
        "I understand. Teams like yours use our platform to cut onboarding from weeks to days by putting every tool in one place.",
        "That's a fair concern, and I hear you. Many IT directors felt the same until they saw the license savings.",
        "Would you be open to a 30 minute call next Tuesday at 10am to see if it fits?",
    ]

    @Test func aTypedRolePlayRunsToCompletionAndIsScored() async throws {
        try await TestServer.with { server in
            let rep = try await server.register()
            let id = try await newSession(server, rep.accessToken)
            let socket = try await TestWebSocket.connect(server, path: "/ws/voice/\(id)", token: rep.accessToken)
            try await socket.send(["type": "config", "data": ["format": "text"]])
            #expect(await socket.next()?["type"] as? String == "session_started")
            let opening = try #require(await socket.next(type: "ai_response").message?["data"] as? [String: Any])
            #expect((opening["text"] as? String)?.isEmpty == false)
            let audio = try #require(Data(base64Encoded: opening["audio"] as? String ?? ""))
            #expect(String(decoding: audio.prefix(4), as: UTF8.self) == "RIFF")
            #expect(opening["sentiment"] is String && opening["intent"] is String)

            var coaching: [[String: Any]] = []
            var ended = false
            for line in Self.goodRep {
                try await socket.send(["type": "text", "data": line])
                let (reply, skipped) = await socket.next(type: "ai_response")
                #expect(reply != nil)
                coaching += skipped.filter { $0["type"] as? String == "coaching" }
                if skipped.contains(where: { $0["type"] as? String == "session_ended" }) { ended = true; break }
            }
            if !ended { try await socket.send(["type": "control", "action": "end"]) }
            let finished = await socket.next(type: "session_ended")
            coaching += finished.skipped.filter { $0["type"] as? String == "coaching" }
            if !ended {
                let data = try #require(finished.message?["data"] as? [String: Any])
                #expect(data["status"] as? String == "completed")
                #expect((data["performance_metrics"] as? [String: Any])?["overall_score"] is Int)
            }
            #expect(!coaching.isEmpty, "coaching is enabled, so the rep hears some")
            await socket.close()

            let detail = try await server.request(.GET, "/api/v1/sessions/\(id)", token: rep.accessToken).json
            #expect(detail["status"] as? String == "completed")
            let transcript = try #require(detail["transcript"] as? [[String: Any]])
            #expect(transcript.first?["speaker"] as? String == "ai")
            #expect(transcript.filter { $0["speaker"] as? String == "user" }.count >= 3)
            let metrics = try #require(detail["performance_metrics"] as? [String: Any])
            for key in ["overall_score", "talk_time_ratio", "question_count", "objection_handling_score", "rapport_building_score", "closing_effectiveness"] {
                #expect(metrics[key] != nil, "performance_metrics.\(key)")
            }
            #expect((metrics["question_count"] as? Int ?? 0) >= 2)
            let feedback = try #require(detail["coaching_feedback"] as? [[String: Any]])
            #expect(!feedback.isEmpty)
            for item in feedback {
                #expect(item["category"] is String && item["feedback"] is String && item["improvement_tip"] is String && item["score"] is Int)
            }
            let progress = try await server.request(.GET, "/api/v1/learning/progress", token: rep.accessToken).json
            #expect((progress["overall_progress"] as? [String: Any])?["total_sessions"] as? Int == 1)
            // A completed session cannot be connected to again.
            await #expect(throws: (any Error).self) { try await TestWebSocket.connect(server, path: "/ws/voice/\(id)", token: rep.accessToken) }
        }
    }

    @Test func protocolErrorsAreAnsweredAndTheConnectionStaysUsable() async throws {
        try await TestServer.with { server in
            let rep = try await server.register()
            let id = try await newSession(server, rep.accessToken)
            let socket = try await TestWebSocket.connect(server, path: "/ws/voice/\(id)?token=\(rep.accessToken)")
            func expectError(_ code: String, after message: [String: Any]? = nil, raw: String? = nil) async throws {
                if let message { try await socket.send(message) }
                if let raw { try await socket.sendRaw(raw) }
                let reply = await socket.next()
                #expect(reply?["type"] as? String == "error")
                #expect(reply?["error_code"] as? String == code)
                #expect(reply?["retry_allowed"] as? Bool == true)
            }
            try await expectError("CONFIG_REQUIRED", after: ["type": "audio", "data": "AAAA"])
            try await expectError("CONFIG_REQUIRED", after: ["type": "text", "data": "hello"])
            try await expectError("INVALID_AUDIO_FORMAT", after: ["type": "config", "data": ["sample_rate": 44100, "channels": 2, "format": "pcm"]])
            try await expectError("INVALID_MESSAGE", after: ["type": "config", "data": ["sample_rate": 16000, "channels": 1, "format": "pcm", "interim_results": "yes"]])
            try await expectError("INVALID_MESSAGE", raw: "{not json")
            try await expectError("UNKNOWN_MESSAGE_TYPE", after: ["type": "dance"])
            try await socket.send(["type": "config", "data": ["sample_rate": 16000, "channels": 1, "format": "pcm"]])
            #expect(await socket.next(type: "session_started").message != nil)
            #expect(await socket.next(type: "ai_response").message != nil)
            try await expectError("INVALID_AUDIO_FORMAT", after: ["type": "audio", "data": "%%% not base64 %%%"])
            try await expectError("INVALID_AUDIO_FORMAT", after: ["type": "audio", "data": Data([1, 2, 3]).base64EncodedString()])
            try await expectError("AUDIO_FRAME_TOO_LARGE", after: ["type": "audio", "data": Data(count: 200_000).base64EncodedString()])
            try await expectError("INVALID_MESSAGE", after: ["type": "control", "action": "explode"])
            try await socket.send(["type": "control", "action": "pause"])
            #expect(await socket.next()?["type"] as? String == "session_paused")
            try await expectError("SESSION_PAUSED", after: ["type": "text", "data": "are you there?"])
            try await socket.send(["type": "control", "action": "resume"])
            #expect(await socket.next()?["type"] as? String == "session_resumed")
            try await socket.send(["type": "text", "data": "Hi, this is Dana from Acme."])
            #expect(await socket.next(type: "ai_response").message != nil)
            await socket.close()
        }
    }

    @Test func onlyTheOwnerConnects() async throws {
        try await TestServer.with { server in
            let rep = try await server.register()
            let other = try await server.register()
            let id = try await newSession(server, rep.accessToken)
            await #expect(throws: (any Error).self) { try await TestWebSocket.connect(server, path: "/ws/voice/\(id)") }
            await #expect(throws: (any Error).self) { try await TestWebSocket.connect(server, path: "/ws/voice/\(id)", token: other.accessToken) }
            await #expect(throws: (any Error).self) { try await TestWebSocket.connect(server, path: "/ws/voice/session_nope", token: rep.accessToken) }
            // One connection per session: a second one is refused while the first is open.
            let first = try await TestWebSocket.connect(server, path: "/ws/voice/\(id)", token: rep.accessToken)
            await #expect(throws: (any Error).self) { try await TestWebSocket.connect(server, path: "/ws/voice/\(id)", token: rep.accessToken) }
            await first.close()
        }
    }

    /// The document's 5 concurrent voice connections per user (reachable once a rep may hold more
    /// than 5 open sessions): the sixth is refused with 429, and a closed one frees its place.
    @Test func atMostFiveVoiceConnectionsPerUser() async throws {
        try await TestServer.with({ $0.openSessionLimit = 8 }) { server in
            let rep = try await server.register()
            var ids: [String] = []
            for _ in 0..<6 { ids.append(try await newSession(server, rep.accessToken)) }
            var open: [TestWebSocket] = []
            for id in ids.prefix(5) { open.append(try await TestWebSocket.connect(server, path: "/ws/voice/\(id)", token: rep.accessToken)) }
            do {
                _ = try await TestWebSocket.connect(server, path: "/ws/voice/\(ids[5])", token: rep.accessToken)
                Issue.record("a sixth voice connection was accepted")
            } catch {
                #expect("\(error)".contains("429") || "\(error)".contains("tooManyRequests"), "\(error)")
            }
            // Another rep is not affected.
            let other = try await server.register()
            let theirs = try await TestWebSocket.connect(server, path: "/ws/voice/\(try await newSession(server, other.accessToken))", token: other.accessToken)
            await theirs.close()
            await open.removeFirst().close()
            // The server notices the close asynchronously; the freed place is taken as soon as it has.
            var sixth: TestWebSocket?
            for _ in 0..<50 where sixth == nil {
                sixth = try? await TestWebSocket.connect(server, path: "/ws/voice/\(ids[5])", token: rep.accessToken)
                if sixth == nil { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(sixth != nil, "the place of a closed connection was not freed")
            await sixth?.close()
            for socket in open { await socket.close() }
        }
    }

    @Test func aDroppedConnectionLosesNothingAndReconnectingResumes() async throws {
        try await TestServer.with { server in
            let rep = try await server.register()
            let id = try await newSession(server, rep.accessToken, coaching: false)
            let first = try await TestWebSocket.connect(server, path: "/ws/voice/\(id)", token: rep.accessToken)
            try await first.send(["type": "config", "data": ["format": "text"]])
            #expect(await first.next(type: "ai_response").message != nil)
            try await first.send(["type": "text", "data": Self.goodRep[0]])
            #expect(await first.next(type: "ai_response").message != nil)
            await first.close()

            var detail: [String: Any] = [:]
            for _ in 0..<100 {
                detail = try await server.request(.GET, "/api/v1/sessions/\(id)", token: rep.accessToken).json
                if detail["status"] as? String == "abandoned" { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(detail["status"] as? String == "abandoned")
            #expect((detail["transcript"] as? [[String: Any]])?.count == 3)

            let second = try await TestWebSocket.connect(server, path: "/ws/voice/\(id)", token: rep.accessToken)
            try await second.send(["type": "config", "data": ["format": "text"]])
            #expect(await second.next()?["type"] as? String == "session_resumed")
            try await second.send(["type": "text", "data": Self.goodRep[1]])
            #expect(await second.next(type: "ai_response").message != nil)
            try await second.send(["type": "control", "action": "end"])
            #expect(await second.next(type: "session_ended").message != nil)
            let transcript = try await server.request(.GET, "/api/v1/sessions/\(id)", token: rep.accessToken).json["transcript"] as? [[String: Any]]
            #expect(transcript?.count == 5)
        }
    }

    /// A whole role-play spoken with espeak-ng: each line is heard and answered with audio, the
    /// coach speaks up, and the ended session has metrics, feedback and counts in progress.
    @Test func aWholeRolePlayIsSpoken() async throws {
        try await TestServer.with { server in
            let rep = try await server.register()
            let id = try await newSession(server, rep.accessToken, coaching: true)
            let socket = try await TestWebSocket.connect(server, path: "/ws/voice/\(id)", token: rep.accessToken)
            try await socket.send(["type": "config", "data": ["sample_rate": 16000, "channels": 1, "format": "pcm"]])
            #expect(await socket.next(type: "ai_response").message != nil)
            var replies = 0
            var coaching: [[String: Any]] = []
            // Each line in one breath: espeak-ng's pause at a full stop is close to the 300 ms
            // that ends a turn, so a two-sentence line was sometimes heard as two turns.
            for line in ["Hello Mark this is Dana from Acme so how do you manage your tooling today",
                         "Can we book a short demo next Tuesday at ten?"] {
                let speech = try await TestMedia.speechWAV(line)
                let audio = try WAVFile.decode(speech).resampled(to: 16_000)
                let pcm = (audio.samples + [Float](repeating: 0, count: 16_000 * 2)).reduce(into: Data()) { data, sample in
                    withUnsafeBytes(of: Int16(max(-1, min(1, sample)) * 32767).littleEndian) { data.append(contentsOf: $0) }
                }
                for offset in stride(from: 0, to: pcm.count, by: 6400) {
                    try await socket.send(["type": "audio", "data": pcm[offset..<min(pcm.count, offset + 6400)].base64EncodedString()])
                }
                while let message = await socket.next(timeout: .seconds(120)) {
                    let data = message["data"] as? [String: Any]
                    if message["type"] as? String == "coaching" { coaching.append(data ?? [:]) }
                    if message["type"] as? String == "ai_response" {
                        #expect((data?["audio"] as? String).flatMap { Data(base64Encoded: $0) }?.count ?? 0 > 1_000)
                        replies += 1
                        break
                    }
                    if message["type"] as? String == "error" { Issue.record("error: \(message)"); break }
                }
            }
            #expect(replies == 2)
            try await socket.send(["type": "control", "action": "end"])
            while let message = await socket.next(timeout: .seconds(120)), message["type"] as? String != "session_ended" {
                if message["type"] as? String == "coaching" { coaching.append(message["data"] as? [String: Any] ?? [:]) }
            }
            #expect(!coaching.isEmpty, "the coach said nothing during the spoken role-play")
            #expect(coaching.allSatisfy { $0["message"] is String && $0["category"] is String && $0["urgency"] is String })
            await socket.close()
            let detail = try await server.request(.GET, "/api/v1/sessions/\(id)", token: rep.accessToken).json
            #expect(detail["status"] as? String == "completed")
            #expect((detail["performance_metrics"] as? [String: Any])?["overall_score"] is Int)
            #expect((detail["coaching_feedback"] as? [[String: Any]])?.isEmpty == false)
            #expect(((detail["transcript"] as? [[String: Any]]) ?? []).filter { $0["speaker"] as? String == "user" }.count == 2)
            let progress = try await server.request(.GET, "/api/v1/learning/progress", token: rep.accessToken).json
            #expect((progress["overall_progress"] as? [String: Any])?["total_sessions"] as? Int == 1)
        }
    }

    /// Speech made with espeak-ng goes in as PCM frames; the recogniser hears it and the
    /// prospect answers. Partial transcripts come only to a client that asked for them.
    @Test(arguments: [false, true])
    func spokenAudioIsRecognisedAndAnswered(interimResults: Bool) async throws {
        try await TestServer.with { server in
            let rep = try await server.register()
            let id = try await newSession(server, rep.accessToken, coaching: false)
            // One breath (no pauses inside), so the line is one utterance.
            let speech = try await TestMedia.speechWAV("Hi this is Dana from Acme and I wanted to ask how your team manages its tooling today")
            let samples = try WAVFile.decode(speech).resampled(to: 16_000).samples + [Float](repeating: 0, count: 16_000 * 2)
            let pcm = samples.reduce(into: Data()) { data, sample in
                withUnsafeBytes(of: Int16(max(-1, min(1, sample)) * 32767).littleEndian) { data.append(contentsOf: $0) }
            }

            let socket = try await TestWebSocket.connect(server, path: "/ws/voice/\(id)", token: rep.accessToken)
            var config: [String: Any] = ["sample_rate": 16000, "channels": 1, "format": "pcm"]
            if interimResults { config["interim_results"] = true }
            try await socket.send(["type": "config", "data": config])
            #expect(await socket.next(type: "ai_response").message != nil)
            for offset in stride(from: 0, to: pcm.count, by: 6400) {
                try await socket.send(["type": "audio", "data": pcm[offset..<min(pcm.count, offset + 6400)].base64EncodedString()])
            }
            var heard: String?
            var partials = 0
            while let message = await socket.next(timeout: .seconds(120)) {
                let data = message["data"] as? [String: Any]
                if message["type"] as? String == "transcript" {
                    if data?["is_final"] as? Bool == true {
                        heard = data?["text"] as? String
                    } else if heard == nil {
                        partials += 1
                    }
                }
                if message["type"] as? String == "ai_response" { break }
                if message["type"] as? String == "error" { Issue.record("error: \(message)"); break }
            }
            let text = try #require(heard).lowercased()
            #expect(text.contains("dana") || text.contains("tooling") || text.contains("manage"))
            // The 5 s line reaches the server at once: the first second of speech starts one
            // partial recognition, which finishes before the final.
            #expect(interimResults ? partials >= 1 : partials == 0)
            let transcript = try await server.request(.GET, "/api/v1/sessions/\(id)", token: rep.accessToken).json["transcript"] as? [[String: Any]]
            #expect(transcript?.contains { $0["speaker"] as? String == "user" } == true)
            await socket.close()
        }
    }
}

extension VoiceSocketTests {
    /// Barge-in: a rep who talks while the prospect's opening still plays interrupts it at once
    /// (before their words are recognised), is heard, and is answered.
    @Test func talkingOverTheProspectInterruptsItAndIsHeard() async throws {
        try await TestServer.with { server in
            let rep = try await server.register()
            let id = try await newSession(server, rep.accessToken, coaching: false)
            let speech = try await TestMedia.speechWAV("Sorry to jump in but how do you manage your tooling today")
            let line = try WAVFile.decode(speech).resampled(to: 16_000).samples
            func pcm(_ samples: [Float]) -> Data {
                samples.reduce(into: Data()) { data, sample in
                    withUnsafeBytes(of: Int16(max(-1, min(1, sample)) * 32767).littleEndian) { data.append(contentsOf: $0) }
                }
            }
            let socket = try await TestWebSocket.connect(server, path: "/ws/voice/\(id)", token: rep.accessToken)
            try await socket.send(["type": "config", "data": ["sample_rate": 16000, "channels": 1, "format": "pcm"]])
            let opening = try #require(await socket.next(type: "ai_response").message?["data"] as? [String: Any])
            let openingAudio = try #require((opening["audio"] as? String).flatMap { Data(base64Encoded: $0) })
            // The opening lasts seconds; the client says it is playing it (as a browser does when
            // playback starts), so the test does not race the clock on a busy machine.
            #expect(try WAVFile.decode(openingAudio).duration > 1.5)
            try await socket.send(["type": "playback", "data": ["state": "playing"]])
            func stream(_ audio: Data) async throws {
                for offset in stride(from: 0, to: audio.count, by: 6400) {
                    try await socket.send(["type": "audio", "data": audio[offset..<min(audio.count, offset + 6400)].base64EncodedString()])
                }
            }
            // A second of silence, then the line without the silence after it: the rep has not
            // stopped, so nothing can have been recognised yet, and the interruption must come
            // from hearing them start.
            let lastVoiced = line.lastIndex { abs($0) > 0.01 } ?? line.count - 1
            try await stream(pcm([Float](repeating: 0, count: 16_000)) + pcm(Array(line[...lastVoiced])))
            let interruption = await socket.next(timeout: .seconds(30))
            #expect(interruption?["type"] as? String == "ai_interrupted", "\(interruption ?? [:])")
            try await stream(pcm([Float](repeating: 0, count: 32_000)))
            var order: [String] = []
            while let message = await socket.next(timeout: .seconds(120)), let type = message["type"] as? String {
                let data = message["data"] as? [String: Any]
                if type == "transcript", data?["is_final"] as? Bool == true { order.append("heard: \(data?["text"] as? String ?? "")") }
                if type == "ai_interrupted" { order.append("interrupted") }
                if type == "ai_response" { order.append("answered"); break }
                if type == "error" { Issue.record("error: \(message)"); break }
            }
            #expect(order.count == 2 && order.last == "answered", "\(order)")
            let heard = order.first?.lowercased() ?? ""
            #expect(heard.contains("tooling") || heard.contains("manage"), "\(order)")
            await socket.close()
        }
    }
}

/// A configured language model words the prospect's live lines (an OpenAI-compatible local server).
@Suite("Sales Trainer prospect wording by a language model")
struct ProspectWordingTests {
    @Test func aConfiguredModelWordsTheProspectsLinesInCharacter() async throws {
        let requests = NIOLockedValueBox<[String]>([])
        let provider = try await Application.make(Environment(name: "testing", arguments: ["provider"]))
        provider.http.server.configuration.port = 0
        provider.logger.logLevel = .error
        provider.post("v1", "chat", "completions") { request -> Response in
            requests.withLockedValue { $0.append(request.body.string ?? "") }
            let body = #"{"id":"chatcmpl-1","object":"chat.completion","model":"local","choices":[{"index":0,"message":{"role":"assistant","content":"Honestly, our tools barely talk to each other."},"finish_reason":"stop"}]}"#
            return Response(status: .ok, headers: ["Content-Type": "application/json"], body: .init(string: body))
        }
        do {
            try await provider.startup()
            let base = "http://127.0.0.1:\(provider.http.server.shared.localAddress?.port ?? 0)/v1"
            let model = OpenAICompatibleLanguageModel(apiKey: nil, model: "local", baseURL: base, policy: RetryPolicy(maxAttempts: 1, timeout: 5))
            try await TestServer.with(prospectWording: model) { server in
                let rep = try await server.register()
                let created = try await server.request(.POST, "/api/v1/sessions", json: ["scenario_id": 1], token: rep.accessToken)
                let id = try #require(created.json["id"] as? String)
                let socket = try await TestWebSocket.connect(server, path: "/ws/voice/\(id)", token: rep.accessToken)
                try await socket.send(["type": "config", "data": ["format": "text"]])
                let opening = await socket.next(type: "ai_response").message?["data"] as? [String: Any]
                #expect(opening?["text"] as? String == "Honestly, our tools barely talk to each other.")
                try await socket.send(["type": "text", "data": "How do you manage your tooling today?"])
                let reply = await socket.next(type: "ai_response").message?["data"] as? [String: Any]
                #expect(reply?["text"] as? String == "Honestly, our tools barely talk to each other.")
                await socket.close()
            }
            let sent = requests.withLockedValue { $0 }
            #expect(sent.count >= 2)
            #expect(sent.allSatisfy { $0.contains("Mark Chen") && $0.contains("Stay in character") })
            try await provider.asyncShutdown()
        } catch {
            try? await provider.asyncShutdown()
            throw error
        }
    }
}
