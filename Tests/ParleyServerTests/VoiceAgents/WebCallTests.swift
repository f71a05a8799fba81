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
}
