import Foundation
import ParleyTestSupport
import Testing

@Suite("Sales Trainer voice synthesis over HTTP")
struct VoiceTests {
    @Test func synthesizeReturnsAWorkingAbsoluteAudioURL() async throws {
        try await TestServer.with { server in
            let rep = try await server.register()
            let response = try await server.request(.POST, "/api/v1/voice/synthesize", json: [
                "text": "Hello, this is a test message for voice synthesis", "voice_id": "professional_female", "speed": 1.0, "stability": 0.7,
            ], token: rep.accessToken)
            #expect(response.status == 200)
            #expect(response.header("X-RateLimit-Limit") == "60")
            let url = try #require(response.json["audio_url"] as? String)
            #expect(url.hasPrefix(server.baseURL + "/audio/temp_"))
            #expect(url.hasSuffix(".mp3"))
            #expect(response.json["format"] as? String == "mp3")
            let duration = try #require(response.json["duration"] as? Double)
            #expect(duration > 1 && duration < 10)

            let audio = try await server.request(.GET, String(url.dropFirst(server.baseURL.count)))
            #expect(audio.status == 200)
            #expect(audio.header("Content-Type") == "audio/mpeg")
            // An MP3 stream starts with an ID3 tag or an MPEG frame sync.
            let bytes = [UInt8](audio.body.prefix(3))
            #expect(bytes == Array("ID3".utf8) || (bytes.count >= 2 && bytes[0] == 0xFF && bytes[1] & 0xE0 == 0xE0))
            #expect(audio.body.count > 4000)

            let wav = try await server.request(.POST, "/api/v1/voice/synthesize", json: ["text": "A WAV preview.", "format": "wav"], token: rep.accessToken)
            let wavURL = try #require(wav.json["audio_url"] as? String)
            let wavBody = try await server.request(.GET, String(wavURL.dropFirst(server.baseURL.count))).body
            #expect(String(decoding: wavBody.prefix(4), as: UTF8.self) == "RIFF")
        }
    }

    @Test func badSynthesisRequests() async throws {
        try await TestServer.with { server in
            let rep = try await server.register()
            let unknownVoice = try await server.request(.POST, "/api/v1/voice/synthesize", json: ["text": "Hi", "voice_id": "darth"], token: rep.accessToken)
            #expect(unknownVoice.status == 422)
            #expect((unknownVoice.json["details"] as? [String: Any])?["field"] as? String == "voice_id")
            #expect((unknownVoice.json["detail"] as? String)?.contains("professional_male") == true)
            for (body, field) in [(["text": ""], "text"), (["text": "Hi", "speed": 9], "speed"), (["text": "Hi", "stability": 2], "stability"),
                                  (["text": "Hi", "format": "ogg"], "format"), (["voice_id": "bella"], "text")] as [([String: any Sendable], String)] {
                let response = try await server.request(.POST, "/api/v1/voice/synthesize", json: body, token: rep.accessToken)
                #expect(response.status == 422, "\(body)")
                #expect((response.json["details"] as? [String: Any])?["field"] as? String == field)
            }
            #expect(try await server.request(.POST, "/api/v1/voice/synthesize", json: ["text": "Hi"]).status == 401)
            for name in ["temp_doesnotexist1.mp3", "..%2F..%2Fetc%2Fpasswd", "temp_x.exe"] {
                #expect(try await server.request(.GET, "/audio/\(name)").status == 404)
            }
        }
    }
}

@Suite("Sales Trainer synthesised audio expiry")
struct VoiceExpiryTests {
    @Test func audioURLsExpireAfterTheConfiguredTime() async throws {
        // A long lifetime: served, and the promised expiry is that far ahead.
        try await TestServer.with({ $0.audioLifetime = 600 }) { server in
            let rep = try await server.register()
            let response = try await server.request(.POST, "/api/v1/voice/synthesize", json: ["text": "Kept a while."], token: rep.accessToken)
            let url = try #require(response.json["audio_url"] as? String)
            #expect(try await server.request(.GET, String(url.dropFirst(server.baseURL.count))).status == 200)
            let expires = try #require((response.json["expires_at"] as? String).flatMap { try? Date($0, strategy: .iso8601) })
            #expect(expires.timeIntervalSinceNow > 300)
        }
        // A one-second lifetime: gone once it has passed.
        try await TestServer.with({ $0.audioLifetime = 1 }) { server in
            let rep = try await server.register()
            let response = try await server.request(.POST, "/api/v1/voice/synthesize", json: ["text": "Short lived."], token: rep.accessToken)
            let url = try #require(response.json["audio_url"] as? String)
            try await Task.sleep(for: .milliseconds(1_500))
            let expired = try await server.request(.GET, String(url.dropFirst(server.baseURL.count)))
            #expect(expired.status == 404 && expired.text.contains("expired"))
        }
    }
}
