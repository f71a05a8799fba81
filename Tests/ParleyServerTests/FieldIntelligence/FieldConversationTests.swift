import Foundation
import ParleyAudio
import ParleyCore
import ParleyDomain
import ParleyServer
import ParleyTestSupport
import SQLKit
import Testing

/// Field Intelligence conversations through the running app (every answer checked against the
/// OpenAPI description): numbering under concurrent starts, chunks refused with the field named
/// and nothing stored half, consent holding analysis back, settings, webhooks, upsells through
/// the sale, and the figures analytics compute in SQL.
@Suite("Field Intelligence: conversations")
struct FieldConversationTests {
    static func errorField(_ response: TestResponse) -> String? {
        ((response.json["error"] as? [String: Any])?["details"] as? [String: Any])?["field"] as? String
    }

    static func chunk(_ server: TestServer, _ conversation: String, sequence: String?, data: Data?, name: String = "chunk.wav",
                      token: String) async throws -> TestResponse {
        var parts: [(name: String, fileName: String?, contentType: String?, data: Data)] = []
        if let data { parts.append((name: "chunk", fileName: name, contentType: "audio/wav", data: data)) }
        if let sequence { parts.append((name: "sequence", fileName: nil, contentType: nil, data: Data(sequence.utf8))) }
        let form = TestMedia.multipart(parts)
        return try await server.request(.POST, "/v1/conversations/\(conversation)/upload-audio", body: form.body, token: token,
                                         headers: [("Content-Type", form.contentType)])
    }

    @Test func conversationsAreNumberedPerOrganizationAndDayEvenWhenStartedTogether() async throws {
        try await TestServer.with { server in
            let technician = try await server.register()
            let ids = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<12 {
                    group.addTask {
                        let started = try await server.request(.POST, "/v1/conversations/start", json: ["customer_name": "Phoenix Mills"], token: technician.accessToken)
                        #expect(started.status == 201, "\(started.text)")
                        return started.json["conversation_id"] as? String ?? ""
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let day = ISO8601DateFormatter().string(from: Date()).prefix(10).replacingOccurrences(of: "-", with: "")
            #expect(Set(ids) == Set((1...12).map { "CONV-\(day)-" + String(format: "%03d", $0) }), "\(ids.sorted())")
            // Another organization counts from 1 on the same day, and cannot read this one's.
            let (_, otherAdmin) = try await server.adminOfNewOrganization(name: "Other Field Co")
            let theirs = try await server.request(.POST, "/v1/conversations/start", json: [:], token: otherAdmin.accessToken)
            #expect(theirs.json["conversation_id"] as? String == "CONV-\(day)-001", "\(theirs.text)")
            #expect(try await server.request(.GET, "/v1/conversations/CONV-\(day)-002", token: otherAdmin.accessToken).status == 404)
            #expect(try await server.request(.GET, "/v1/conversations/CONV-\(day)-002", token: technician.accessToken).status == 200)
            #expect(try await server.request(.GET, "/v1/conversations/not-an-id", token: technician.accessToken).status == 404)
        }
    }

    @Test func badChunksAreRefusedWithTheFieldNamedAndNothingIsStoredHalf() async throws {
        try await TestServer.with { server in
            let technician = try await server.register()
            let colleague = try await server.register()
            let started = try await server.request(.POST, "/v1/conversations/start", json: ["job_id": "JOB-1"], token: technician.accessToken)
            let id = try #require(started.json["conversation_id"] as? String)
            let speech = try await TestMedia.speechWAV("Let me check the pressure gauge.")

            var refused = try await Self.chunk(server, id, sequence: "three", data: speech, token: technician.accessToken)
            #expect(refused.status == 422 && Self.errorField(refused) == "sequence", "\(refused.text)")
            refused = try await Self.chunk(server, id, sequence: "-1", data: speech, token: technician.accessToken)
            #expect(refused.status == 422 && Self.errorField(refused) == "sequence", "\(refused.text)")
            refused = try await Self.chunk(server, id, sequence: nil, data: speech, token: technician.accessToken)
            #expect(refused.status == 422 && Self.errorField(refused) == "sequence", "\(refused.text)")
            refused = try await Self.chunk(server, id, sequence: "1", data: Data("not audio at all, just words".utf8), name: "a.txt", token: technician.accessToken)
            #expect(refused.status == 422 && Self.errorField(refused) == "chunk", "\(refused.text)")
            refused = try await Self.chunk(server, id, sequence: "1", data: nil, token: technician.accessToken)
            #expect(refused.status == 422 && Self.errorField(refused) == "chunk", "\(refused.text)")
            let plain = try await server.request(.POST, "/v1/conversations/\(id)/upload-audio", json: ["sequence": 1], token: technician.accessToken)
            #expect(plain.status == 422 && Self.errorField(plain) == "chunk", "\(plain.text)")
            // An MP4 header over garbage is damaged, not a crash.
            var damaged = Data([0, 0, 0, 0x18]) + Data("ftypM4A ".utf8)
            damaged.append(Data(repeating: 0xFF, count: 4000))
            refused = try await Self.chunk(server, id, sequence: "1", data: damaged, name: "c.m4a", token: technician.accessToken)
            #expect(refused.status == 422 && Self.errorField(refused) == "chunk", "\(refused.text)")
            #expect(try await Self.chunk(server, id, sequence: "1", data: speech, token: colleague.accessToken).status == 403)
            #expect(try await Self.chunk(server, "CONV-20200101-999", sequence: "1", data: speech, token: technician.accessToken).status == 404)

            let owner = try #require(try await ParleyApplication.identity(server.app).store.user(id: technician.id))
            let visitID = try #require(FieldVisitID(client: id, organizationID: owner.organizationID))
            let conversation = try #require(try await server.app.parley.core.conversations.conversation(
                publicID: visitID.stored, organizationID: owner.organizationID))
            #expect(try await server.app.parley.core.fieldVisits.chunks(of: conversation).isEmpty, "refused chunks left nothing behind")
            let folder = URL(fileURLWithPath: server.configuration.dataDirectory).appendingPathComponent("field/\(conversation.id.uuidString.lowercased())")
            #expect(((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).isEmpty, "no partial files")

            // Good chunks: a repeat is the same chunk; a gap is reported at stop; later chunks are refused.
            let first = try await Self.chunk(server, id, sequence: "0", data: speech, token: technician.accessToken)
            #expect(first.status == 201 && first.json["duplicate"] as? Bool == false, "\(first.text)")
            let again = try await Self.chunk(server, id, sequence: "0", data: speech, token: technician.accessToken)
            #expect(again.status == 200 && again.json["duplicate"] as? Bool == true && again.json["chunk_id"] as? String == first.json["chunk_id"] as? String)
            #expect(try await Self.chunk(server, id, sequence: "2", data: try TestMedia.convert(speech, to: "m4a"), name: "c.m4a",
                                         token: technician.accessToken).status == 201)
            let stopped = try await server.request(.POST, "/v1/conversations/\(id)/stop", token: technician.accessToken)
            #expect(stopped.status == 200 && stopped.json["missing_chunks"] as? [Int] == [1] && stopped.json["status"] as? String == "processing",
                    "\(stopped.text)")
            refused = try await Self.chunk(server, id, sequence: "3", data: speech, token: technician.accessToken)
            #expect(refused.status == 422 && Self.errorField(refused) == "conversation_id", "\(refused.text)")
            let twice = try await server.request(.POST, "/v1/conversations/\(id)/stop", token: technician.accessToken)
            #expect(twice.status == 422 && Self.errorField(twice) == "conversation_id")
            #expect(try await server.app.parley.core.fieldVisits.chunks(of: conversation).map(\.sequence) == [0, 2])

            // A conversation stopped without any recording is over, with nothing to analyse.
            let empty = try await server.request(.POST, "/v1/conversations/start", json: [:], token: technician.accessToken)
            let emptyID = try #require(empty.json["conversation_id"] as? String)
            let ended = try await server.request(.POST, "/v1/conversations/\(emptyID)/stop", token: technician.accessToken)
            #expect(ended.json["status"] as? String == "completed" && ended.json["recording_url"] is NSNull, "\(ended.text)")
            let analyse = try await server.request(.POST, "/v1/conversations/\(emptyID)/analyze", token: technician.accessToken)
            #expect(analyse.status == 422 && Self.errorField(analyse) == "conversation_id", "\(analyse.text)")
        }
    }

    /// Polls a conversation until it leaves processing (the job runs in the server).
    static func settled(_ server: TestServer, _ id: String, token: String) async throws -> [String: Any] {
        for _ in 0..<240 {
            let read = try await server.request(.GET, "/v1/conversations/\(id)", token: token)
            if let status = read.json["status"] as? String, status != "processing" { return read.json }
            try await Task.sleep(for: .milliseconds(500))
        }
        Issue.record("conversation \(id) never settled")
        return [:]
    }

    @Test func consentTheOrganizationRequiresHoldsAnalysisUntilGiven() async throws {
        try await TestServer.with { server in
            let admin = try await server.admin()
            let technician = try await server.register()
            #expect(try await server.request(.PUT, "/v1/settings", json: ["require_all_party_consent": true], token: technician.accessToken).status == 403)
            let badCatalogue = try await server.request(.PUT, "/v1/settings", json: ["upsell_catalogue": ["entries": "none"]], token: admin.accessToken)
            #expect(badCatalogue.status == 422 && Self.errorField(badCatalogue) == "upsell_catalogue", "\(badCatalogue.text)")
            let saved = try await server.request(.PUT, "/v1/settings", json: [
                "require_all_party_consent": true,
                "upsell_catalogue": ["currency": "USD", "entries": [[
                    "type": "water_softener", "title": "Water Softener", "description": "Hard water damages equipment.", "estimated_value": 1500,
                    "value_low": 1000, "value_high": 3000, "triggers": ["hard water", "limescale", "lime scale", "white scale", "water ~ very hard"],
                ]]],
            ], token: admin.accessToken)
            #expect(saved.status == 200, "\(saved.text)")
            let catalogue = try #require((try await server.request(.GET, "/v1/settings", token: technician.accessToken)).json["upsell_catalogue"] as? [String: Any])
            #expect(catalogue["custom"] as? Bool == true && (catalogue["entries"] as? [[String: Any]])?.first?["type"] as? String == "water_softener")

            let started = try await server.request(.POST, "/v1/conversations/start", json: ["consent": [["party": "technician"]]], token: technician.accessToken)
            let id = try #require(started.json["conversation_id"] as? String)
            let badConsent = try await server.request(.POST, "/v1/conversations/start", json: ["consent": [["party": "dog"]]], token: technician.accessToken)
            #expect(badConsent.status == 422 && Self.errorField(badConsent) == "consent[0].party")
            // Two voices (the customer's words are where upsells are found), long enough to tell apart.
            let speech = try await Self.dialogue([
                "Good morning, I am here to look at the boiler today. Can you show me where it is installed?",
                "Of course, it is in the basement next to the laundry room. Follow me down the stairs please.",
                "Thank you. How long have you had this boiler, and has it given you any trouble recently?",
                "About six years. The water here is very hard, there is white scale on every tap and in the kettle.",
                "That explains the noise in the pipes. I will flush the heat exchanger and check the pressure.",
                "That sounds good to me. Please let me know what you find when you are finished down there.",
                "The pressure is fine now. The relief valve was sticking, so I cleaned it and tested it twice.",
                "Great, thank you. Is there anything else we should keep an eye on over the winter months?",
                "Just bleed the radiators once a month and call us straight away if the pressure drops again.",
                "Will do. Thanks again for coming out so quickly, we really appreciate the careful work today.",
            ])
            #expect(try await Self.chunk(server, id, sequence: "1", data: speech, token: technician.accessToken).status == 201)
            let stopped = try await server.request(.POST, "/v1/conversations/\(id)/stop", token: technician.accessToken)
            #expect(stopped.json["status"] as? String == "awaiting_consent" && (stopped.json["analysis_held"] as? String)?.contains("customer") == true,
                    "\(stopped.text)")
            let early = try await server.request(.POST, "/v1/conversations/\(id)/analyze", token: technician.accessToken)
            #expect(early.status == 422 && Self.errorField(early) == "consent", "\(early.text)")
            let agreed = try await server.request(.POST, "/v1/conversations/\(id)/consent", json: ["party": "customer", "name": "Raj"], token: technician.accessToken)
            #expect(agreed.status == 200 && agreed.json["status"] as? String == "processing", "\(agreed.text)")
            let done = try await Self.settled(server, id, token: technician.accessToken)
            #expect(done["status"] as? String == "analyzed", "\(done)")
            // The organization's own catalogue found its opportunity, valued in its range by confidence.
            let upsells = try await server.request(.GET, "/v1/conversations/\(id)/upsells", token: technician.accessToken)
            let heard = try await server.request(.GET, "/v1/conversations/\(id)/transcript", token: technician.accessToken)
            let found = try #require((upsells.json["opportunities"] as? [[String: Any]])?.first { $0["opportunity_type"] as? String == "water_softener" },
                                     "\(upsells.text) from \(heard.text)")
            let value = try #require((found["estimated_value"] as? NSNumber)?.doubleValue)
            #expect(value >= 1000 && value <= 3000, "\(found)")
            #expect(["scale", "hard"].contains { (found["trigger_phrase"] as? String)?.lowercased().contains($0) == true }, "\(found)")
            // Analysing again keeps one set of findings.
            let again = try await server.request(.POST, "/v1/conversations/\(id)/analyze", token: technician.accessToken)
            #expect(again.status == 202, "\(again.text)")
            #expect(try await Self.settled(server, id, token: technician.accessToken)["status"] as? String == "analyzed")
            let after = try await server.request(.GET, "/v1/conversations/\(id)/upsells", token: technician.accessToken)
            #expect((after.json["opportunities"] as? [[String: Any]])?.filter { $0["opportunity_type"] as? String == "water_softener" }.count == 1)
            let transcript = try await server.request(.GET, "/v1/conversations/\(id)/transcript", token: technician.accessToken)
            #expect(transcript.json["final"] as? Bool == true && (transcript.json["total_segments"] as? Int ?? 0) >= 1, "\(transcript.text)")
        }
    }

    /// Lines spoken in turn by two voices (the first line the technician's), as one WAV.
    static func dialogue(_ lines: [String]) async throws -> Data {
        var samples: [Float] = []
        for (index, line) in lines.enumerated() {
            let audio = try WAVFile.decode(try await TestMedia.speechWAV(line, voice: index % 2 == 0 ? "professional_male" : "professional_female"))
            samples += audio.resampled(to: PCMAudio.analysisSampleRate).samples + [Float](repeating: 0, count: PCMAudio.analysisSampleRate * 6 / 10)
        }
        return WAVFile.encode(PCMAudio(samples: samples, sampleRate: PCMAudio.analysisSampleRate))
    }

    /// A finished field conversation written straight to the store, `daysAgo` back, with upsells.
    static func visit(_ server: TestServer, technician: Int, satisfaction: Double, daysAgo: Double = 0, won: Double? = nil) async throws -> Conversation {
        let user = try #require(try await ParleyApplication.identity(server.app).store.user(id: technician))
        let created = Date().addingTimeInterval(-daysAgo * 86_400)
        let number = try await server.app.parley.core.fieldVisits.start(by: user, FieldVisitStart(
            jobID: nil, jobTitle: "Visit", customerName: "Customer", customerPhone: nil, locationAddress: nil, consent: []), at: created)
        var conversation = number
        conversation.status = .completed
        conversation.score = satisfaction
        conversation.duration = 600
        conversation.category = "recorded"
        try await server.app.parley.core.conversations.updateConversation(conversation)
        let sql = try #require(server.app.db as? any SQLDatabase)
        try await sql.raw("UPDATE conversations SET created_at = \(bind: created) WHERE id = \(bind: conversation.id)").run()
        let upsell = FieldUpsell(organizationID: user.organizationID, conversationID: conversation.id, userID: technician, type: "maintenance_plan",
                                 title: "Maintenance Plan", description: "", triggerPhrase: "it keeps breaking", timestampInCall: 10, confidence: 0.8,
                                 estimatedValue: 1800, priority: "medium", createdAt: created, updatedAt: created)
        let stored = try await server.app.parley.core.fieldVisits.keepFindings(of: conversation, upsells: [upsell], moments: [])
        if let won, let id = stored.first?.id {
            let admin = try #require(try await ParleyApplication.identity(server.app).store.users(organizationID: user.organizationID, limit: 50, offset: 0)
                .first { $0.role == .admin })
            _ = try await server.app.parley.core.fieldVisits.updateUpsell(id: id, to: .closedWon, actualValue: won, notes: nil, by: admin)
        }
        return conversation
    }

    @Test func analyticsAreComputedInSQLAndLeaderboardTiesShareARank() async throws {
        try await TestServer.with { server in
            let admin = try await server.admin()
            let (ann, bob, cy) = (try await server.register(), try await server.register(), try await server.register())
            for (account, name) in [(ann, "Ann"), (bob, "Bob"), (cy, "Cy")] {
                #expect(try await server.request(.PATCH, "/api/v1/admin/users/\(account.id)", json: ["first_name": name, "last_name": "Tech"],
                                                 token: admin.accessToken).status == 200)
            }
            // Ann and Bob: the same week, the same figures; Cy: a quieter week.
            for account in [ann, bob] {
                _ = try await Self.visit(server, technician: account.id, satisfaction: 100, won: 5000)
                _ = try await Self.visit(server, technician: account.id, satisfaction: 50)
            }
            _ = try await Self.visit(server, technician: cy.id, satisfaction: 75)
            // Ann had one call in the week before: her calls trend up.
            _ = try await Self.visit(server, technician: ann.id, satisfaction: 75, daysAgo: 8)

            let board = try await server.request(.GET, "/v1/analytics/leaderboard/weekly", token: admin.accessToken)
            #expect(board.status == 200, "\(board.text)")
            let rankings = try #require(board.json["rankings"] as? [[String: Any]])
            let mine = rankings.filter { ["Ann Tech", "Bob Tech", "Cy Tech"].contains($0["full_name"] as? String ?? "") }
            // Ann and Bob: 40 × 0.75 + 30 × 0.5 + 30 × 1 = 75, sharing first; Cy: 40 × 0.75 + 0 + 30 × 0.5 = 45, third.
            #expect(mine.map { $0["full_name"] as? String } == ["Ann Tech", "Bob Tech", "Cy Tech"], "\(mine)")
            #expect(mine.map { $0["rank"] as? Int } == [1, 1, 3], "\(mine)")
            #expect(mine.map { ($0["score"] as? NSNumber)?.doubleValue } == [75, 75, 45], "\(mine)")
            #expect(((mine.first?["metrics"] as? [String: Any])?["revenue"] as? NSNumber)?.doubleValue == 5000)
            #expect(try await server.request(.GET, "/v1/analytics/leaderboard/yearly", token: admin.accessToken).status == 422)

            let annID = "USER-" + String(format: "%05d", ann.id)
            let daily = try await server.request(.GET, "/v1/analytics/technician/\(annID)/daily", token: ann.accessToken)
            let today = try #require((daily.json["metrics"] as? [[String: Any]])?.last, "\(daily.text)")
            #expect(today["total_calls"] as? Int == 2 && (today["upsell_revenue"] as? NSNumber)?.doubleValue == 5000
                    && (today["avg_customer_satisfaction"] as? NSNumber)?.doubleValue == 4, "\(today)")
            let bad = try await server.request(.GET, "/v1/analytics/technician/\(annID)/daily?start_date=2024-02-30", token: ann.accessToken)
            #expect(bad.status == 422 && Self.errorField(bad) == "start_date")
            let trends = try #require(try await server.request(.GET, "/v1/analytics/technician/\(annID)/trends", token: ann.accessToken).json["trends"] as? [String: Any])
            #expect(trends["calls_trend"] as? String == "up" && (trends["weekly_stats"] as? [Any])?.count == 4, "\(trends)")
            #expect(try await server.request(.GET, "/v1/analytics/technician/\(annID)/trends", token: bob.accessToken).status == 403)
            #expect(try await server.request(.GET, "/v1/analytics/team/overview", token: ann.accessToken).status == 403)
            let overview = try #require(try await server.request(.GET, "/v1/analytics/team/overview", token: admin.accessToken).json["team_stats"] as? [String: Any])
            #expect((overview["total_upsell_revenue"] as? NSNumber)?.doubleValue == 10000, "\(overview)")
            #expect(((overview["recording_coverage"] as? [String: Any])?["with_recording"] as? Int ?? 0) >= 5, "\(overview)")
        }
    }

    @Test func webhooksAnnounceTheDocumentsEventsAndUpsellsMoveOnlyForward() async throws {
        try await TestServer.with({ $0.webhooksMayTargetPrivateNetworks = true }) { server in
            let admin = try await server.admin()
            let technician = try await server.register()
            let bad = try await server.request(.POST, "/v1/webhooks", json: ["url": "http://127.0.0.1:9/hook", "events": ["lead.created"]], token: technician.accessToken)
            #expect(bad.status == 422 && Self.errorField(bad) == "events", "\(bad.text)")
            let hook = try await server.request(.POST, "/v1/webhooks", json: ["url": "http://127.0.0.1:9/hook"], token: technician.accessToken)
            #expect(hook.status == 201 && Set(hook.json["events"] as? [String] ?? []) == ["conversation.completed", "insights.generated", "upsell.identified", "feedback.submitted"],
                    "\(hook.text)")
            let hookID = try #require(hook.json["id"] as? String)
            let started = try await server.request(.POST, "/v1/conversations/start", json: [:], token: technician.accessToken)
            let id = try #require(started.json["conversation_id"] as? String)
            #expect(try await server.request(.POST, "/v1/conversations/\(id)/stop", token: technician.accessToken).status == 200)
            let feedback = try await server.request(.POST, "/v1/coach/calls/\(id)/feedback", json: ["overall_rating": 5, "rapport_rating": 0], token: admin.accessToken)
            #expect(feedback.status == 422 && Self.errorField(feedback) == "rapport_rating", "\(feedback.text)")
            #expect(try await server.request(.POST, "/v1/coach/calls/\(id)/feedback", json: ["overall_rating": 5], token: technician.accessToken).status == 403)
            #expect(try await server.request(.POST, "/v1/coach/calls/\(id)/feedback", json: ["overall_rating": 5], token: admin.accessToken).status == 201)
            let deliveries = try await server.request(.GET, "/v1/webhooks/\(hookID)/deliveries", token: technician.accessToken)
            let events = (deliveries.json["deliveries"] as? [[String: Any]] ?? []).compactMap { $0["event"] as? String }
            #expect(Set(events) == ["conversation.completed", "feedback.submitted"], "\(deliveries.text)")
            let payload = try #require((deliveries.json["deliveries"] as? [[String: Any]])?.first?["payload"] as? String)
            #expect(payload.contains("\"conversation_id\":\"\(id)\""), "\(payload)")

            let conversation = try await Self.visit(server, technician: technician.id, satisfaction: 80)
            let upsell = try #require(try await server.app.parley.core.fieldVisits.upsells(of: conversation).first)
            let path = "/v1/coach/upsells/\(upsell.id)/status"
            let noValue = try await server.request(.PUT, path, json: ["status": "closed_won"], token: admin.accessToken)
            #expect(noValue.status == 422 && Self.errorField(noValue) == "actual_value", "\(noValue.text)")
            #expect(try await server.request(.PUT, path, json: ["status": "pitched"], token: admin.accessToken).json["status"] as? String == "pitched")
            let unknown = try await server.request(.PUT, path, json: ["status": "sold"], token: admin.accessToken)
            #expect(unknown.status == 422 && Self.errorField(unknown) == "status")
            let back = try await server.request(.PUT, path, json: ["status": "identified"], token: admin.accessToken)
            #expect(back.status == 422 && Self.errorField(back) == "status", "\(back.text)")
            #expect(try await server.request(.PUT, path, json: ["status": "closed_lost"], token: technician.accessToken).status == 403)
            #expect(try await server.request(.PUT, "/v1/coach/upsells/999999/status", json: ["status": "pitched"], token: admin.accessToken).status == 404)
        }
    }

    @Test func aTechniciansVoiceIsEnrolledFromASample() async throws {
        try await TestServer.with { server in
            let technician = try await server.register()
            let sample = try await TestMedia.speechWAV(
                "Good morning, this is my voice for the enrolment. I service boilers, pumps and air handlers across the city every day of the week.")
            let enrolled = try await server.request(.POST, "/v1/users/me/voice-sample", body: sample, token: technician.accessToken,
                                                    headers: [("Content-Type", "audio/wav")])
            #expect(enrolled.status == 201 && enrolled.json["enrolled"] as? Bool == true, "\(enrolled.text)")
            let silence = WAVFile.encode(PCMAudio(samples: [Float](repeating: 0, count: 48_000), sampleRate: 16_000))
            let refused = try await server.request(.POST, "/v1/users/me/voice-sample", body: silence, token: technician.accessToken,
                                                   headers: [("Content-Type", "audio/wav")])
            #expect(refused.status == 422 && Self.errorField(refused) == "sample", "\(refused.text)")
        }
    }

    @Test func historyCommentsAndTheDocumentsLimits() async throws {
        try await TestServer.with({ $0.rateLimits.field.socketsPerUser = 2; $0.rateLimits.field.uploadBytes.limit = 150_000 }) { server in
            let admin = try await server.admin()
            let technician = try await server.register()
            let other = try await server.register()
            var ids: [String] = []
            for _ in 0..<3 {
                let started = try await server.request(.POST, "/v1/conversations/start", json: ["customer_name": "Acme"], token: technician.accessToken)
                ids.append(try #require(started.json["conversation_id"] as? String))
            }
            #expect(try await server.request(.POST, "/v1/conversations/\(ids[0])/stop", token: technician.accessToken).status == 200)

            // History: newest first, paged, filtered by the document's statuses, read as the access policy allows.
            let userID = "USER-" + String(format: "%05d", technician.id)
            let page = try await server.request(.GET, "/v1/conversations/technician/\(userID)?limit=2", token: technician.accessToken)
            #expect(page.status == 200 && page.json["total"] as? Int == 3, "\(page.text)")
            #expect((page.json["conversations"] as? [[String: Any]])?.compactMap { $0["conversation_id"] as? String } == [ids[2], ids[1]], "\(page.text)")
            let live = try await server.request(.GET, "/v1/conversations/technician/\(userID)?status=in_progress", token: technician.accessToken)
            #expect(live.json["total"] as? Int == 2, "\(live.text)")
            let bad = try await server.request(.GET, "/v1/conversations/technician/\(userID)?status=done", token: technician.accessToken)
            #expect(bad.status == 422 && Self.errorField(bad) == "status", "\(bad.text)")
            #expect(try await server.request(.GET, "/v1/conversations/technician/\(userID)", token: other.accessToken).status == 403)
            #expect(try await server.request(.GET, "/v1/conversations/technician/\(userID)", token: admin.accessToken).status == 200)

            // Comments pinned to a moment, by whoever may read the conversation.
            let pinned = try await server.request(.POST, "/v1/conversations/\(ids[1])/comments", json: ["text": "Good opening", "at_seconds": 1.5],
                                                  token: admin.accessToken)
            #expect(pinned.status == 201, "\(pinned.text)")
            let empty = try await server.request(.POST, "/v1/conversations/\(ids[1])/comments", json: ["text": " "], token: admin.accessToken)
            #expect(empty.status == 422 && Self.errorField(empty) == "text", "\(empty.text)")
            #expect(try await server.request(.POST, "/v1/conversations/\(ids[1])/comments", json: ["text": "Hi"], token: other.accessToken).status == 403)
            let read = try await server.request(.GET, "/v1/conversations/\(ids[1])/comments", token: technician.accessToken)
            #expect((read.json["comments"] as? [[String: Any]])?.map { $0["text"] as? String } == ["Good opening"], "\(read.text)")

            // Sockets per user (2 here): the third is refused before the upgrade.
            let first = try await TestWebSocket.connect(server, path: "/v1/conversations/\(ids[1])/transcribe", token: technician.accessToken)
            let second = try await TestWebSocket.connect(server, path: "/v1/conversations/\(ids[1])/nudges", token: technician.accessToken)
            await #expect(throws: (any Error).self) {
                _ = try await TestWebSocket.connect(server, path: "/v1/conversations/\(ids[2])/transcribe", token: technician.accessToken)
            }
            await #expect(throws: (any Error).self) {
                _ = try await TestWebSocket.connect(server, path: "/v1/conversations/\(ids[1])/transcribe", token: other.accessToken)
            }
            await first.close()
            await second.close()

            // Upload bytes a minute (150 kB here): past the budget a chunk is refused with the rate headers.
            let speech = try await TestMedia.speechWAV("Let me check the pressure gauge and the controller first.")
            var statuses: [Int] = []
            var refused: TestResponse?
            for sequence in 0..<4 {
                let answer = try await Self.chunk(server, ids[1], sequence: String(sequence), data: speech, token: technician.accessToken)
                statuses.append(answer.status)
                if answer.status == 429 { refused = answer; break }
            }
            let limited = try #require(refused, "\(statuses), each chunk \(speech.count) bytes")
            #expect(limited.headers.first(name: "Retry-After") != nil && (limited.json["error"] as? [String: Any])?["code"] as? String == "RATE_LIMIT_EXCEEDED",
                    "\(limited.headers) \(limited.text)")
            #expect(statuses.dropLast().allSatisfy { $0 == 201 }, "\(statuses)")
        }
    }
}
