import Foundation
import ParleyAudio
import ParleyTestSupport
import Testing
import Vapor

/// AI voice calls to leads, driven as the document's clients drive them: a call spoken over the
/// realtime WebSocket, a typed call over the HTTP endpoints, and the bad input around both.
@Suite("Leads & Voice Calls: calls")
struct CallTests {
    static func newLead(_ server: TestServer, _ token: String, email: String = "sam-\(UUID().uuidString.prefix(6))@acme.com") async throws -> String {
        let lead = try await LeadTests.create(server, token: token, [
            "first_name": "Sam", "last_name": "Rivera", "email": email, "phone": "+1-555-123-4567", "company": "Acme Corp",
            "title": "Head of Sales", "industry": "technology",
        ])
        return try #require(lead["id"] as? String)
    }

    static func newCall(_ server: TestServer, _ token: String, lead: String) async throws -> String {
        let call = try await server.request(.POST, "/api/v1/voice/calls", json: [
            "lead_id": lead, "phone_number": "+1-555-123-4567", "call_type": "outbound", "purpose": "Discovery call to understand needs",
            "voice_settings": ["voice_id": "bella", "speed": 1.0, "language": "en-US"],
        ], token: token)
        #expect(call.status == 201, "\(call.text)")
        #expect(call.json["status"] as? String == "created" && call.json["lead_id"] as? String == lead)
        return try #require(call.json["call_id"] as? String)
    }

    static func pcm(_ line: String) async throws -> Data {
        let speech = try await TestMedia.speechWAV(line)
        let audio = try WAVFile.decode(speech).resampled(to: 16_000)
        return (audio.samples + [Float](repeating: 0, count: 16_000 * 2)).reduce(into: Data()) { data, sample in
            withUnsafeBytes(of: Int16(max(-1, min(1, sample)) * 32767).littleEndian) { data.append(contentsOf: $0) }
        }
    }

    /// The lead's side of a willing call, each line in one breath so it is heard as one turn.
    static let willingLead = [
        "Hi Sarah yes I have a few minutes to chat",
        "Honestly manual reporting takes days every month",
        "Yes leads go cold before anyone calls them back and it is a real problem",
        "That sounds interesting tell me more",
        "Sure that works send me the invite",
        "Yes Tuesday at ten works for me",
        "Sure let us book it",
    ]

    @Test func aWholeCallIsSpokenOverTheRealtimeSocket() async throws {
        let subscriber = try await LeadTests.Subscriber()
        defer { Task { await subscriber.endpoint.stop() } }
        try await TestServer.with({ $0.jobs.retryBase = 0.2; $0.webhooksMayTargetPrivateNetworks = true }) { server in
            let rep = try await server.register()
            let token = rep.accessToken
            let secret = "a-calls-subscriber-secret"
            let hook = try await server.request(.POST, "/api/v1/webhooks", json: [
                "url": subscriber.url, "events": ["call.started", "call.completed"], "secret": secret,
            ], token: token)
            #expect(hook.status == 201, "\(hook.text)")
            let lead = try await Self.newLead(server, token)
            let scoreBefore = try await server.request(.GET, "/api/v1/leads/\(lead)/score/history", token: token)
            let historyBefore = (scoreBefore.json["history"] as? [[String: Any]])?.count ?? 0
            let call = try await Self.newCall(server, token, lead: lead)

            let socket = try await TestWebSocket.connect(server, path: "/api/v1/voice/calls/\(call)/realtime", token: token)
            let opening = await socket.next(type: "ai_response", timeout: .seconds(60)).message
            #expect((opening?["text"] as? String)?.isEmpty == false)
            #expect((opening?["audio"] as? String).flatMap { Data(base64Encoded: $0) }?.count ?? 0 > 1_000)
            var states: [String] = []
            var heard: [String] = []
            var ended: [String: Any]?
            spoken: for line in Self.willingLead {
                let pcm = try await Self.pcm(line)
                for offset in stride(from: 0, to: pcm.count, by: 6400) {
                    try await socket.send(["type": "audio_chunk", "data": pcm[offset..<min(pcm.count, offset + 6400)].base64EncodedString()])
                }
                while let message = await socket.next(timeout: .seconds(120)) {
                    switch message["type"] as? String {
                    case "transcript": heard.append(message["text"] as? String ?? "")
                    case "ai_response":
                        #expect((message["audio"] as? String).flatMap { Data(base64Encoded: $0) }?.count ?? 0 > 1_000)
                        let analysis = message["analysis"] as? [String: Any]
                        #expect((-1...1).contains(analysis?["sentiment"] as? Double ?? -9) && analysis?["intent"] is String)
                        states.append(message["conversation_state"] as? String ?? "")
                        if message["should_continue"] as? Bool == false {
                            ended = await socket.next(type: "call_ended", timeout: .seconds(30)).message
                            break spoken
                        }
                        continue spoken
                    case "error": Issue.record("error: \(message)")
                    default: break
                    }
                }
            }
            #expect(!heard.isEmpty)
            #expect(states.contains("discovery") && states.contains("closing"), "states \(states), heard \(heard)")
            if ended == nil {
                try await socket.send(["type": "end_call", "reason": "completed"])
                ended = await socket.next(type: "call_ended", timeout: .seconds(30)).message
            }
            let summary = try #require(ended?["summary"] as? [String: Any], "no call_ended; heard \(heard)")
            #expect(summary["conversation_state"] as? String == "closing")
            #expect((summary["recommendation"] as? String)?.isEmpty == false)
            await socket.close()

            // Stored: the call, its summary, its spoken turns; the lead took it in.
            let stored = try await server.request(.GET, "/api/v1/voice/calls/\(call)", token: token)
            #expect(stored.json["status"] as? String == "completed")
            #expect((stored.json["summary"] as? [String: Any])?["conversation_state"] as? String == "closing")
            let transcript = try await server.request(.GET, "/api/v1/voice/calls/\(call)/transcript", token: token)
            let turns = transcript.json["turns"] as? [[String: Any]] ?? []
            #expect(turns.filter { $0["speaker"] as? String == "customer" }.count == heard.count)
            #expect(turns.first?["speaker"] as? String == "ai")
            let activities = try await server.request(.GET, "/api/v1/leads/\(lead)/activities", token: token)
            #expect((activities.json["activities"] as? [[String: Any]])?.contains { $0["activity_type"] as? String == "call_completed" } == true,
                    "\(activities.text)")
            let history = try await server.request(.GET, "/api/v1/leads/\(lead)/score/history", token: token)
            #expect((history.json["history"] as? [[String: Any]])?.count ?? 0 > historyBefore, "the lead was not rescored")
            let leadNow = try await server.request(.GET, "/api/v1/leads/\(lead)", token: token)
            #expect(leadNow.json["status"] as? String != "new")

            // The subscriber hears the call start and end, signed.
            let deadline = ContinuousClock.now + .seconds(30)
            while subscriber.received.withLockedValue({ $0.count }) < 2, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
            }
            let deliveries = subscriber.received.withLockedValue { $0 }
            #expect(Set(deliveries.compactMap(\.event)) == ["call.started", "call.completed"])
            for delivery in deliveries {
                let expected = HMAC<SHA256>.authenticationCode(for: Data(delivery.body.utf8), using: SymmetricKey(data: Data(secret.utf8)))
                    .map { String(format: "%02x", $0) }.joined()
                #expect(delivery.signature == expected)
            }
            let completed = deliveries.first { $0.event == "call.completed" }.flatMap {
                try? JSONSerialization.jsonObject(with: Data($0.body.utf8)) as? [String: Any]
            }
            let data = completed?["data"] as? [String: Any]
            #expect((data?["call"] as? [String: Any])?["id"] as? String == call)
            #expect((data?["lead"] as? [String: Any])?["id"] as? String == lead)

            // The ended call takes no more realtime connections.
            await #expect(throws: (any Error).self) {
                _ = try await TestWebSocket.connect(server, path: "/api/v1/voice/calls/\(call)/realtime", token: token)
            }
        }
    }

    @Test func aTypedCallEndsWithAnOptOutAndTheLeadIsNeverCalledAgain() async throws {
        try await TestServer.with { server in
            let rep = try await server.register()
            let token = rep.accessToken
            let lead = try await Self.newLead(server, token)
            let call = try await Self.newCall(server, token, lead: lead)

            let early = try await server.request(.POST, "/api/v1/voice/calls/\(call)/respond", json: ["text": "Hello?"], token: token)
            #expect(early.status == 409 && early.json["error_code"] as? String == "CALL_NOT_STARTED")

            let started = try await server.request(.POST, "/api/v1/voice/calls/\(call)/start", json: [
                "voice_config": ["provider": "elevenlabs", "voice_id": "bella", "language": "en-US", "speed": 1.0, "stability": 0.75],
            ], token: token)
            #expect(started.status == 200, "\(started.text)")
            #expect((started.json["opening_message"] as? String)?.contains("Sam") == true)
            let info = started.json["session_info"] as? [String: Any]
            #expect(info?["state"] as? String == "greeting")
            #expect((info?["context"] as? [String: Any])?["company"] as? String == "Acme Corp")
            let again = try await server.request(.POST, "/api/v1/voice/calls/\(call)/start", token: token)
            #expect(again.status == 409 && again.json["error_code"] as? String == "CALL_ALREADY_STARTED")

            let first = try await server.request(.POST, "/api/v1/voice/calls/\(call)/respond", json: ["text": "Hi Sarah, yes I have a few minutes to chat"], token: token)
            #expect(first.status == 200, "\(first.text)")
            #expect(first.json["conversation_state"] as? String == "discovery" && first.json["should_continue"] as? Bool == true)
            #expect((first.json["analysis"] as? [String: Any])?["intent"] as? String == "general_inquiry")
            #expect((first.json["audio_data"] as? String).flatMap { Data(base64Encoded: $0) }?.count ?? 0 > 1_000)

            // Spoken audio_data is recognised and answered too.
            let spoken = try await TestMedia.speechWAV("Honestly manual reporting takes days every month")
            let heard = try await server.request(.POST, "/api/v1/voice/calls/\(call)/respond", json: ["audio_data": spoken.base64EncodedString()], token: token)
            #expect(heard.status == 200, "\(heard.text)")
            #expect((heard.json["customer_text"] as? String)?.lowercased().contains("report") == true, "\(heard.json)")

            let optOut = try await server.request(.POST, "/api/v1/voice/calls/\(call)/respond", json: ["text": "Please remove me from your list and stop calling me."], token: token)
            #expect(optOut.status == 200 && optOut.json["should_continue"] as? Bool == false, "\(optOut.text)")
            #expect((optOut.json["analysis"] as? [String: Any])?["intent"] as? String == "opt_out")

            // Nothing more is taken; end gives the documented summary and analytics.
            let after = try await server.request(.POST, "/api/v1/voice/calls/\(call)/respond", json: ["text": "Wait, actually..."], token: token)
            #expect(after.status == 409 && after.json["error_code"] as? String == "CALL_ENDED")
            let end = try await server.request(.POST, "/api/v1/voice/calls/\(call)/end", json: ["reason": "completed"], token: token)
            #expect(end.status == 200, "\(end.text)")
            let summary = end.json["summary"] as? [String: Any]
            #expect(summary?["do_not_call"] as? Bool == true && (summary?["recommendation"] as? String)?.hasPrefix("Do not contact") == true)
            #expect(summary?["total_exchanges"] as? Int ?? 0 >= 6)
            let analytics = end.json["analytics"] as? [String: Any]
            #expect(analytics?["conversion_probability"] as? Double == 0 && analytics?["total_turns"] as? Int == 7)
            let transcript = try await server.request(.GET, "/api/v1/voice/calls/\(call)/transcript", token: token)
            #expect(transcript.json["total"] as? Int == 7)

            let leadNow = try await server.request(.GET, "/api/v1/leads/\(lead)", token: token)
            #expect(leadNow.json["do_not_call"] as? Bool == true)
            let listed = try await server.request(.GET, "/api/v1/voice/calls?lead_id=\(lead)", token: token)
            #expect(listed.json["total"] as? Int == 1 && (listed.json["calls"] as? [[String: Any]])?.first?["status"] as? String == "completed")

            let refused = try await server.request(.POST, "/api/v1/voice/calls", json: ["lead_id": lead], token: token)
            #expect(refused.status == 409 && refused.json["error_code"] as? String == "LEAD_DO_NOT_CALL")
        }
    }

    @Test func theCallerSpeaksForTheOrganizationAndWhatTheLeadVoicesMovesTheirIntent() async throws {
        try await TestServer.with { server in
            let (_, admin) = try await server.adminOfNewOrganization(name: "Northwind Traders")
            let token = admin.accessToken
            let lead = try await Self.newLead(server, token)
            let before = try await server.request(.POST, "/api/v1/leads/\(lead)/score", token: token)
            let intentBefore = try #require(before.json["intent_score"] as? Double, "\(before.text)")

            let call = try await Self.newCall(server, token, lead: lead)
            let started = try await server.request(.POST, "/api/v1/voice/calls/\(call)/start", token: token)
            #expect((started.json["opening_message"] as? String)?.contains("Northwind Traders") == true, "\(started.text)")
            for line in ["Yes, I have a few minutes.", "That sounds interesting. Could you show me a demo? And how much does it cost per month?"] {
                let answer = try await server.request(.POST, "/api/v1/voice/calls/\(call)/respond", json: ["text": line], token: token)
                #expect(answer.status == 200, "\(answer.text)")
            }
            let end = try await server.request(.POST, "/api/v1/voice/calls/\(call)/end", json: ["reason": "completed"], token: token)
            #expect(end.status == 200, "\(end.text)")

            let after = try await server.request(.POST, "/api/v1/leads/\(lead)/score", token: token)
            let positive = ((after.json["factors"] as? [String: Any])?["positive_factors"] as? [String]) ?? []
            #expect(positive.contains("Asked for a demo on a call"), "\(after.text)")
            #expect(try #require(after.json["intent_score"] as? Double) > intentBefore)
        }
    }

    @Test func badInputAroundCallsIsRefusedAndCorruptsNothing() async throws {
        try await TestServer.with { server in
            let rep = try await server.register()
            let token = rep.accessToken
            let lead = try await Self.newLead(server, token)
            func post(_ path: String, _ json: Any) async throws -> TestResponse {
                try await server.request(.POST, "/api/v1/voice/calls\(path)", json: json, token: token)
            }
            #expect(try await post("", ["lead_id": "lead_nope"]).status == 404)
            #expect(LeadTests.field(try await post("", ["phone_number": "+1-555"])) == "lead_id")
            #expect(LeadTests.field(try await post("", ["lead_id": lead, "phone_number": "call me maybe"])) == "phone_number")
            #expect(LeadTests.field(try await post("", ["lead_id": lead, "call_type": "sideways"])) == "call_type")
            #expect(LeadTests.field(try await post("", ["lead_id": lead, "voice_settings": ["voice_id": "nobody"]])) == "voice_settings.voice_id")
            #expect(LeadTests.field(try await post("", ["lead_id": lead, "voice_settings": ["speed": 9]])) == "voice_settings.speed")
            #expect(try await server.request(.POST, "/api/v1/voice/calls", body: Data("{".utf8), token: token, headers: [("Content-Type", "application/json")]).status == 400)
            #expect(try await server.request(.POST, "/api/v1/voice/calls", json: ["lead_id": lead]).status == 401)

            let call = try await Self.newCall(server, token, lead: lead)
            #expect(try await server.request(.GET, "/api/v1/voice/calls/call_000000000000", token: token).status == 404)
            #expect(try await post("/call_000000000000/start", [:]).status == 404)
            #expect(try await server.request(.POST, "/api/v1/voice/calls/\(call)/start", token: token).status == 200)
            #expect(LeadTests.field(try await post("/\(call)/respond", [:])) == "text")
            #expect(LeadTests.field(try await post("/\(call)/respond", ["audio_data": "%%%not base64%%%"])) == "audio_data")
            #expect(LeadTests.field(try await post("/\(call)/respond", ["audio_data": Data("not audio at all!".utf8).base64EncodedString()])) == "audio_data")
            #expect(LeadTests.field(try await post("/\(call)/respond", ["text": 42])) == "text")
            #expect(LeadTests.field(try await post("/\(call)/end", ["reason": 7])) == "reason")

            // Another organization sees neither the call nor the lead.
            let (_, outsider) = try await server.adminOfNewOrganization(name: "Elsewhere Inc")
            #expect(try await server.request(.GET, "/api/v1/voice/calls/\(call)", token: outsider.accessToken).status == 404)
            #expect(try await server.request(.POST, "/api/v1/voice/calls/\(call)/respond", json: ["text": "hi"], token: outsider.accessToken).status == 404)
            #expect(try await server.request(.POST, "/api/v1/voice/calls", json: ["lead_id": lead], token: outsider.accessToken).status == 404)
            await #expect(throws: (any Error).self) {
                _ = try await TestWebSocket.connect(server, path: "/api/v1/voice/calls/\(call)/realtime", token: outsider.accessToken)
            }
            #expect(try await server.request(.GET, "/api/v1/voice/calls/\(call)/realtime", token: token).status == 426)

            // Ending twice gives the same summary; nothing more is taken; the transcript is intact.
            let end = try await post("/\(call)/end", [:])
            #expect(end.status == 200)
            let endAgain = try await post("/\(call)/end", ["reason": "completed"])
            #expect(endAgain.status == 200 && (endAgain.json["summary"] as? NSDictionary) == (end.json["summary"] as? NSDictionary))
            let late = try await post("/\(call)/respond", ["text": "Hello?"])
            #expect(late.status == 409 && late.json["error_code"] as? String == "CALL_ENDED")
            let transcript = try await server.request(.GET, "/api/v1/voice/calls/\(call)/transcript", token: token)
            #expect(transcript.json["total"] as? Int == 1)
            let activities = try await server.request(.GET, "/api/v1/leads/\(lead)/activities", token: token)
            #expect((activities.json["activities"] as? [[String: Any]])?.filter { $0["activity_type"] as? String == "call_completed" }.count == 1)
        }
    }
}
