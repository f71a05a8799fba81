import AsyncHTTPClient
import Foundation
import NIOCore
import ParleyCore
import ParleyServer
import ParleyTestSupport
import Testing

/// The Twilio path end to end against a local fake that speaks Twilio's REST, webhook and Media
/// Streams protocols as Twilio documents them (`scripts/tests/fake_twilio.py`): a campaign of a
/// person, a busy line and an answering machine is placed through the REST Calls resource; the
/// TwiML connects a media stream that the agent answers with its audio; talking over the agent
/// brings a `clear`; a callback with a bad signature is refused and changes nothing.
@Suite("Voice Agents: calls placed through Twilio (a local fake of its protocols)")
struct TwilioCallTests {
    static let accountSID = "AC" + String(repeating: "0123456789abcdef", count: 2)
    static let authToken = "twilio-test-auth-token"

    @Test(.timeLimit(.minutes(10)))
    func aCampaignRunsOverTwilioWithMediaStreamsBargeInAndSignedCallbacks() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("parley-twilio-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let lines = [
            "Hello, this is Jordan speaking.",
            "We mostly use spreadsheets for scheduling, and it takes a lot of time every week.",
            "That sounds interesting. Please send me more details by email.",
        ]
        func wavs(_ lines: [String], _ prefix: String) throws -> [String] {
            try lines.enumerated().map { index, line in
                let file = folder.appendingPathComponent("\(prefix)\(index).wav")
                try TestMedia.speechWAVFromProgram(line).write(to: file)
                return file.path
            }
        }
        let asksForPerson = ["Hello, this is Morgan.", "Please transfer me to a manager."]
        let fake = try await BackgroundScript("fake_twilio.py", ["--account-sid", Self.accountSID, "--auth-token", Self.authToken]
            + ["--callee-wav"] + (try wavs(lines, "line")) + ["--transfer-wav"] + (try wavs(asksForPerson, "transfer")))
        defer { fake.stop() }
        let fakeBase = "http://127.0.0.1:\(fake.port)"

        try await TestServer.with({ configuration in
            configuration.twilio = TwilioSettings(accountSID: Self.accountSID, authToken: Self.authToken, fromNumber: "+14155550199",
                                                  apiBase: fakeBase, ringTimeout: 20)
            // Twilio's minutes are priced; the embedded engines cost nothing whatever the table says.
            configuration.callPrices = CallPrices(perMinute: ["twilio": 0.6, "espeak": 5, "embedded": 5])
        }) { server in
            let user = try await server.register()
            let person = "+14155550123", busy = "+14155550000", machine = "+14155559999", transferred = "+14155557777"
            let agent = try await VoiceAgentTests.agent(server, user.accessToken, [
                "name": "Sam", "description": "Books demos of our scheduling assistant",
                "playbook": ["product": "our scheduling assistant", "value_proposition": "answer every call and book more jobs", "goal": "demo"],
                "call_control": ["transfer_number": "+1 415 555 0100", "transfer_mode": "announced", "send_digits": "1w2"],
            ])
            let created = try await server.request(.POST, "/campaigns", json: [
                "name": "Spring", "agent_id": agent, "phone_numbers": [person, busy, machine, transferred], "max_concurrent_calls": 4,
                "max_attempts": 1, "voicemail_action": "leave_message",
            ], token: user.accessToken)
            let id = try #require(created.json["id"] as? String, "\(created.text)")
            #expect(try await server.request(.POST, "/campaigns/\(id)/launch", token: user.accessToken).status == 200)
            let done = try await CampaignTests.waitUntil(server, user.accessToken, id, timeout: .seconds(300)) { $0.status == "completed" }
            #expect(done.counts["completed"] == 2 && done.counts["busy"] == 1 && done.counts["voicemail"] == 1, "\(done)")

            // What the fake saw: the REST request, the TwiML, the media stream and the callbacks.
            let report = try await Self.report(fakeBase)
            let calls = report["calls"] as? [[String: Any]] ?? []
            #expect((report["problems"] as? [Any])?.isEmpty == true, "the fake found problems: \(report["problems"] ?? "")")
            let answered = try #require(calls.first { $0["to"] as? String == person }, "\(calls)")
            #expect(answered["from"] as? String == "+14155550199")
            #expect((answered["events"] as? [String])?.sorted() == ["answered", "completed", "initiated", "ringing"])
            #expect(answered["machine_detection"] as? String == "DetectMessageEnd", "the campaign leaves messages on machines")
            #expect(answered["send_digits"] as? String == "1w2", "the agent's digits are dialled once the call is answered")
            let twiml = answered["twiml"] as? String ?? ""
            #expect(twiml.contains("<Connect><Stream url=\"ws://127.0.0.1:"), "\(twiml)")
            #expect(twiml.contains("/twilio/media/"), "\(twiml)")
            let media = answered["media"] as? [String: Any] ?? [:]
            #expect((media["agent_media"] as? Int ?? 0) > 50, "the agent's audio came back on the stream: \(media)")
            #expect((media["agent_audio_seconds"] as? Double ?? 0) > 3, "\(media)")
            #expect((media["marks"] as? Int ?? 0) >= 2, "\(media)")
            #expect((media["clears"] as? Int ?? 0) >= 1, "talking over the agent sends clear: \(media)")
            for webhook in (answered["webhooks"] as? [[String: Any]] ?? []) {
                #expect([200, 204].contains(webhook["status"] as? Int ?? 0), "\(webhook)")
            }
            let busyCall = try #require(calls.first { $0["to"] as? String == busy })
            #expect(busyCall["twiml"] == nil, "a busy line never answers")
            let machineCall = try #require(calls.first { $0["to"] as? String == machine })
            #expect((machineCall["media"] as? [String: Any])?["agent_media"] as? Int ?? 0 > 20, "the agent's message was played to the machine")

            // The call logs.
            let logs = try await server.request(.GET, "/call-logs?campaign_id=\(id)", token: user.accessToken).json["items"] as? [[String: Any]] ?? []
            let personLog = try #require(logs.first { $0["phone_number"] as? String == person })
            let detail = try await server.request(.GET, "/call-logs/\(personLog["id"] as? String ?? "")", token: user.accessToken).json
            #expect(detail["telephony"] as? String == "twilio")
            #expect(detail["status"] as? String == "completed")
            let turns = detail["transcript_turns"] as? [[String: Any]] ?? []
            let calleeSaid = turns.filter { $0["speaker"] as? String == "user" }.compactMap { $0["text"] as? String }.joined(separator: " ").lowercased()
            // Telephone audio (espeak-ng through μ-law 8 kHz) is recognised by the embedded Whisper.
            #expect(calleeSaid.contains("scheduling") && calleeSaid.contains("email"), "the callee's words went through recognition: \(turns)")
            #expect(turns.contains { $0["speaker"] as? String == "agent" })
            #expect(detail["recording_url"] is String, "\(detail)")
            let seconds = detail["duration_seconds"] as? Double ?? 0
            #expect(abs((detail["cost"] as? Double ?? 0) - seconds / 60 * 0.6) < 0.01, "cost \(detail["cost"] ?? "") for \(seconds) s")
            #expect((detail["latency"] as? [Any])?.isEmpty == false, "per-turn delays are kept: \(detail["latency"] ?? "")")
            #expect(turns.contains { $0["text"] as? String == "(pressed 5)" }, "the callee's key press is in the transcript: \(turns)")

            // The callee who asked for a person was put through, announced.
            let transferCall = try #require(calls.first { $0["to"] as? String == transferred })
            let transfer = transferCall["transfer"] as? [String: Any] ?? [:]
            #expect(transfer["number"] as? String == "+14155550100", "\(transferCall)")
            #expect(transfer["timeout"] as? String == "20" && transfer["caller_id"] as? String == "+14155550199")
            #expect((transfer["announcement"] as? String ?? "").contains("<Say>Transfer from Sam"), "\(transfer)")
            let transferLog = try #require(logs.first { $0["phone_number"] as? String == transferred })
            let transferDetail = try await server.request(.GET, "/call-logs/\(transferLog["id"] as? String ?? "")", token: user.accessToken).json
            #expect(transferDetail["end_reason"] as? String == "transferred:+14155550100 (announced)", "\(transferDetail["end_reason"] ?? ""): \(transferDetail["transcript_turns"] ?? "")")

            let machineLog = try #require(logs.first { $0["phone_number"] as? String == machine })
            #expect(machineLog["status"] as? String == "voicemail")
            let recording = try await server.request(.GET, "/call-recordings/\(personLog["id"] as? String ?? "")", token: user.accessToken)
            #expect(recording.status == 200)
            #expect((recording.json["duration_seconds"] as? Double ?? 0) > 5, "\(recording.text)")

            // A callback with a wrong signature is refused and changes nothing.
            let callback = try #require(answered["status_callback"] as? String)
            var forged = HTTPClientRequest(url: callback)
            forged.method = .POST
            forged.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            forged.headers.add(name: "X-Twilio-Signature", value: "bm90IGEgc2lnbmF0dXJl")
            forged.body = .bytes(ByteBuffer(string: "CallSid=\(answered["sid"] as? String ?? "")&CallStatus=busy"))
            let refused = try await HTTPClient.shared.execute(forged, timeout: .seconds(10))
            #expect(refused.status.code == 403)
            var unsigned = HTTPClientRequest(url: callback)
            unsigned.method = .POST
            unsigned.body = .bytes(ByteBuffer(string: "CallStatus=failed"))
            #expect(try await HTTPClient.shared.execute(unsigned, timeout: .seconds(10)).status.code == 403)
            let after = try await server.request(.GET, "/call-logs/\(personLog["id"] as? String ?? "")", token: user.accessToken).json
            #expect(after["status"] as? String == "completed")

            // A media stream for a call nobody placed is closed; the server carries on.
            let stray = try await TestWebSocket.connect(server, path: "/twilio/media/not-a-call")
            try await stray.send(["event": "start", "streamSid": "MZ0", "start": ["callSid": "CA0", "customParameters": [:] as [String: String]]])
            await stray.close()
            #expect(try await server.request(.GET, "/health").status == 200)
        }
    }

    static func report(_ base: String) async throws -> [String: Any] {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: "\(base)/__fake/report"), timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 16 << 20)
        return (try JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:]
    }
}
