import Foundation
import ParleyAudio
import ParleyTestSupport
import Testing

/// A web call: talking to an agent over its WebSocket with speech made by espeak-ng, the agent
/// answering in its voice, and the call kept as a call log with its transcript.
@Suite("Voice Agents: web calls")
struct WebCallTests {
    static func pcm(_ text: String) async throws -> Data {
        let audio = try WAVFile.decode(try await TestMedia.speechWAV(text)).resampled(to: 16_000)
        return (audio.samples + [Float](repeating: 0, count: 16_000 * 2)).reduce(into: Data()) { data, sample in
            withUnsafeBytes(of: Int16(max(-1, min(1, sample)) * 32767).littleEndian) { data.append(contentsOf: $0) }
        }
    }

    @Test func aSpokenWebCallIsAnsweredAndLogged() async throws {
        try await TestServer.with { server in
            let token = try await VoiceAgentTests.signIn(server)
            let agent = try await VoiceAgentTests.agent(server, token, [
                "name": "Riley", "description": "Books demos of our scheduling assistant",
                "playbook": ["organization": "Northwind Traders", "product": "our scheduling assistant", "goal": "demo"],
            ])
            // A browser sends the token in the address.
            let socket = try await TestWebSocket.connect(server, path: "/agents/\(agent)/web-call?token=\(token)")
            try await socket.send(["type": "config", "data": ["sample_rate": 16000, "channels": 1, "format": "pcm"]])
            let opening = await socket.next(type: "ai_response").message
            let openingText = (opening?["data"] as? [String: Any])?["text"] as? String ?? ""
            #expect(openingText.contains("Riley") && openingText.contains("Northwind Traders"), "\(openingText)")

            // One breath: espeak-ng's pause at a full stop is close to the pause that ends a turn.
            let pcm = try await Self.pcm("Hi Riley yes I have a minute and we spend hours every week booking jobs by phone")
            for offset in stride(from: 0, to: pcm.count, by: 6400) {
                try await socket.send(["type": "audio", "data": pcm[offset..<min(pcm.count, offset + 6400)].base64EncodedString()])
            }
            var heard = ""
            var answered = false
            while let message = await socket.next(timeout: .seconds(120)) {
                let data = message["data"] as? [String: Any]
                if message["type"] as? String == "transcript", data?["is_final"] as? Bool == true { heard = data?["text"] as? String ?? "" }
                if message["type"] as? String == "ai_response" {
                    #expect((data?["audio"] as? String).flatMap { Data(base64Encoded: $0) }?.count ?? 0 > 1_000)
                    answered = true
                    break
                }
                if message["type"] as? String == "error" { Issue.record("error: \(message)"); break }
            }
            #expect(answered && heard.lowercased().contains("booking"), "heard: \(heard)")

            try await socket.send(["type": "control", "action": "end"])
            var ended: [String: Any]?
            while let message = await socket.next(timeout: .seconds(60)) {
                if message["type"] as? String == "session_ended" { ended = message["data"] as? [String: Any]; break }
            }
            await socket.close()
            let callID = try #require(ended?["call_id"] as? String, "\(String(describing: ended))")
            let log = try await server.request(.GET, "/call-logs/\(callID)", token: token)
            #expect(log.status == 200 && log.json["telephony"] as? String == "web" && log.json["status"] as? String == "completed", "\(log.text.prefix(300))")
            #expect((log.json["transcript"] as? String)?.lowercased().contains("booking") == true)

            // Someone else's agent takes no web calls.
            let stranger = try await VoiceAgentTests.signIn(server)
            await #expect(throws: (any Error).self) { _ = try await TestWebSocket.connect(server, path: "/agents/\(agent)/web-call?token=\(stranger)") }
        }
    }

    @Test func everyFinishedCallIsReadIntoTheAgentsExtractionSchema() async throws {
        try await TestServer.with { server in
            let token = try await VoiceAgentTests.signIn(server)
            let schema: [[String: Any]] = [
                ["name": "email", "type": "text", "description": "Where to send the details"],
                ["name": "technicians", "type": "number", "description": "How many technicians they have"],
                ["name": "wants_demo", "type": "boolean", "description": "Whether they want a demo"],
                ["name": "plan", "type": "choice", "choices": ["Basic", "Pro", "Enterprise"]],
            ]
            let agent = try await VoiceAgentTests.agent(server, token, [
                "name": "Quinn", "description": "Books demos of our scheduling assistant", "extraction_schema": schema,
            ])
            let read = try await server.request(.GET, "/agents/\(agent)", token: token)
            #expect((read.json["extraction_schema"] as? [[String: Any]])?.map { $0["name"] as? String } == ["email", "technicians", "wants_demo", "plan"])

            // A typed web call.
            let socket = try await TestWebSocket.connect(server, path: "/agents/\(agent)/web-call?token=\(token)")
            try await socket.send(["type": "config", "data": ["format": "text"]])
            _ = await socket.next(type: "ai_response")
            for line in ["Yes, I have a minute.", "We have twelve technicians and we book every job by phone.",
                         "Yes, a demo would be great, the Pro plan looks right for us.", "Please send it to dana@northwind.example."] {
                try await socket.send(["type": "text", "data": line])
                _ = await socket.next(type: "ai_response")
            }
            try await socket.send(["type": "control", "action": "end"])
            let ended = await socket.next(type: "session_ended").message?["data"] as? [String: Any]
            await socket.close()
            let callID = try #require(ended?["call_id"] as? String)
            let log = try await server.request(.GET, "/call-logs/\(callID)", token: token).json
            let extracted = try #require(log["extracted_data"] as? [String: Any], "\(log)")
            #expect(extracted["email"] as? String == "dana@northwind.example")
            #expect(extracted["technicians"] as? Double == 12)
            #expect(extracted["wants_demo"] as? Bool == true)
            #expect(extracted["plan"] as? String == "Pro")
            #expect(log["extraction_source"] as? String == "rules", "no language model is configured")

            // Bad schemas name the entry at fault; nothing is stored.
            for (bad, field) in [
                ([["name": "1st", "type": "text"]], "extraction_schema[0].name"),
                ([["name": "a", "type": "text"], ["name": "A", "type": "number"]], "extraction_schema[1].name"),
                ([["name": "size", "type": "integer"]], "extraction_schema[0].type"),
                ([["name": "plan", "type": "choice", "choices": ["Only"]]], "extraction_schema[0].choices"),
                ([["name": "note", "type": "text", "choices": ["x", "y"]]], "extraction_schema[0].choices"),
            ] as [([[String: Any]], String)] {
                let refused = try await server.request(.PUT, "/agents/\(agent)", json: ["extraction_schema": bad], token: token)
                #expect(refused.status == 422, "\(bad): \(refused.text)")
                #expect(refused.text.contains(field), "\(refused.text)")
            }
            let unchanged = try await server.request(.GET, "/agents/\(agent)", token: token)
            #expect((unchanged.json["extraction_schema"] as? [Any])?.count == 4)
            // An empty schema clears it.
            let cleared = try await server.request(.PUT, "/agents/\(agent)", json: ["extraction_schema": [] as [Any]], token: token)
            #expect((cleared.json["extraction_schema"] as? [Any])?.isEmpty == true)
        }
    }

    @Test func aSilentCallerIsAskedAgainThenTheCallEnds() async throws {
        try await TestServer.with { server in
            let token = try await VoiceAgentTests.signIn(server)
            let agent = try await VoiceAgentTests.agent(server, token, [
                "name": "Avery", "call_control": ["silence_timeout_seconds": 3, "max_reprompts": 1],
            ])
            let read = try await server.request(.GET, "/agents/\(agent)", token: token).json["call_control"] as? [String: Any]
            #expect(read?["silence_timeout_seconds"] as? Double == 3 && read?["max_reprompts"] as? Int == 1 && read?["max_duration_seconds"] as? Double == 600)
            let socket = try await TestWebSocket.connect(server, path: "/agents/\(agent)/web-call?token=\(token)")
            try await socket.send(["type": "config", "data": ["format": "text"]])
            _ = await socket.next(type: "ai_response")
            // Nothing said: one re-prompt, then the call ends for silence.
            let reprompt = await socket.next(type: "ai_response", timeout: .seconds(60)).message?["data"] as? [String: Any]
            #expect(reprompt?["text"] as? String == "Sorry, I didn't catch that. Are you still there?")
            let ended = await socket.next(type: "session_ended", timeout: .seconds(60)).message?["data"] as? [String: Any]
            #expect(ended?["reason"] as? String == "silence", "\(String(describing: ended))")
            await socket.close()
            let log = try await server.request(.GET, "/call-logs/\(ended?["call_id"] as? String ?? "")", token: token).json
            #expect(log["end_reason"] as? String == "silence")

            // Bad call control names the field.
            for (control, field) in [(["max_duration_seconds": 5], "call_control.max_duration_seconds"),
                                     (["transfer_number": "call my boss"], "call_control.transfer_number"),
                                     (["transfer_mode": "warm"], "call_control.transfer_mode"),
                                     (["send_digits": "12a"], "call_control.send_digits")] as [([String: Any], String)] {
                let refused = try await server.request(.PUT, "/agents/\(agent)", json: ["call_control": control], token: token)
                #expect(refused.status == 422 && refused.text.contains(field), "\(refused.text)")
            }
        }
    }
}
