import Foundation
import NIOConcurrencyHelpers
import ParleyTestSupport
import Testing
import Vapor

/// Leads: create, list, search, change, score with reasons and history, activities,
/// analytics, and tenant isolation, driven over HTTP as the document's clients do.
@Suite("Leads & Voice Calls: leads")
struct LeadTests {
    static func create(_ server: TestServer, token: String, _ fields: [String: Any]) async throws -> [String: Any] {
        let response = try await server.request(.POST, "/api/v1/leads", json: fields, token: token)
        #expect(response.status == 201, "\(response.text)")
        return response.json
    }

    static func field(_ response: TestResponse) -> String? {
        (response.json["details"] as? [String: Any])?["field"] as? String
    }

    @Test func leadsAreCreatedListedSearchedChangedScoredAndDeleted() async throws {
        try await TestServer.with { server in
            let rep = try await server.register()
            let token = rep.accessToken
            let john = try await Self.create(server, token: token, [
                "first_name": "John", "last_name": "Doe", "email": "john.doe@company.com", "phone": "+1-555-123-4567",
                "company": "Acme Corp", "title": "VP of Sales", "industry": "technology", "source": "website",
                "notes": "Interested in our AI solution",
            ])
            let id = try #require(john["id"] as? String)
            #expect(id.hasPrefix("lead_") && john["status"] as? String == "new")
            let score = try #require(john["score"] as? [String: Any])
            for key in ["overall_score", "demographic_score", "behavioral_score", "engagement_score", "conversion_probability"] {
                #expect((0...1).contains(score[key] as? Double ?? -1), "\(key)")
            }
            #expect(["A", "B", "C", "D"].contains(score["band"] as? String ?? ""))

            // The document's validation example, the duplicate and the missing identity.
            let invalid = try await server.request(.POST, "/api/v1/leads", json: ["first_name": "X", "email": "not-an-email"], token: token)
            #expect(invalid.status == 422 && Self.field(invalid) == "email")
            #expect((invalid.json["details"] as? [String: Any])?["message"] as? String == "Invalid email format")
            #expect(invalid.json["status_code"] as? Int == 422 && invalid.json["error"] != nil)
            let duplicate = try await server.request(.POST, "/api/v1/leads", json: ["first_name": "J", "email": "JOHN.DOE@company.com"], token: token)
            #expect(duplicate.status == 409)
            let empty = try await server.request(.POST, "/api/v1/leads", json: ["company": "Nobody Inc"], token: token)
            #expect(empty.status == 422)
            let badStatus = try await server.request(.POST, "/api/v1/leads", json: ["first_name": "A", "status": "hot"], token: token)
            #expect(badStatus.status == 422 && Self.field(badStatus) == "status")
            #expect(try await server.request(.POST, "/api/v1/leads", body: Data("{".utf8), token: token, headers: [("Content-Type", "application/json")]).status == 400)

            _ = try await Self.create(server, token: token, ["first_name": "Mary", "last_name": "Major", "email": "mary@globex.io", "company": "Globex", "source": "referral"])
            _ = try await Self.create(server, token: token, ["first_name": "Sam", "email": "sam@gmail.com", "source": "website", "status": "contacted"])

            let listed = try await server.request(.GET, "/api/v1/leads?page=1&per_page=2", token: token)
            #expect(listed.status == 200 && listed.json["total"] as? Int == 3 && listed.json["total_pages"] as? Int == 2)
            #expect((listed.json["leads"] as? [[String: Any]])?.count == 2)
            #expect(listed.header("X-RateLimit-Limit") == "100")
            let searched = try await server.request(.GET, "/api/v1/leads?search=acm", token: token)
            #expect((searched.json["leads"] as? [[String: Any]])?.map { $0["id"] as? String } == [id])
            let byEmailPart = try await server.request(.GET, "/api/v1/leads?search=globex", token: token)
            #expect(byEmailPart.json["total"] as? Int == 1)
            let both = try await server.request(.GET, "/api/v1/leads?search=john%20doe&source=website&status=new", token: token)
            #expect(both.json["total"] as? Int == 1)
            let minimum = try await server.request(.GET, "/api/v1/leads?min_score=0.99", token: token)
            #expect(minimum.json["total"] as? Int == 0)
            #expect(try await server.request(.GET, "/api/v1/leads?per_page=101", token: token).status == 422)
            #expect(try await server.request(.GET, "/api/v1/leads?min_score=2", token: token).status == 422)

            let updated = try await server.request(.PUT, "/api/v1/leads/\(id)", json: [
                "status": "qualified", "notes": "Had productive call, very interested", "deal_value": 12000,
            ], token: token)
            #expect(updated.status == 200 && updated.json["status"] as? String == "qualified")
            #expect(updated.json["company"] as? String == "Acme Corp" && updated.json["deal_value"] as? Double == 12000)
            let cleared = try await server.request(.PUT, "/api/v1/leads/\(id)", json: ["phone": NSNull()], token: token)
            #expect(cleared.json["phone"] is NSNull)

            let activity = try await server.request(.POST, "/api/v1/leads/\(id)/activities", json: [
                "activity_type": "demo_requested", "description": "Asked for a demo",
                "metadata": ["email_subject": "Demo of our AI solution", "campaign_id": "campaign_123"],
            ], token: token)
            #expect(activity.status == 201 && activity.json["activity_type"] as? String == "demo_requested")
            let custom = try await server.request(.POST, "/api/v1/leads/\(id)/activities", json: ["activity_type": "webinar_attended"], token: token)
            #expect(custom.json["activity_type"] as? String == "custom" && custom.json["custom_type"] as? String == "webinar_attended")
            let activities = try await server.request(.GET, "/api/v1/leads/\(id)/activities", token: token)
            #expect((activities.json["activities"] as? [[String: Any]])?.count == 2)

            let scored = try await server.request(.POST, "/api/v1/leads/\(id)/score", token: token)
            #expect(scored.status == 200)
            let factors = try #require(scored.json["factors"] as? [String: Any])
            let positive = factors["positive_factors"] as? [String] ?? []
            #expect(positive.contains("Requested product demo") && positive.contains("Senior title/decision maker"))
            #expect((factors["recommendations"] as? [String])?.isEmpty == false)
            #expect(scored.json["calibrated"] as? Bool == false)
            let history = try await server.request(.GET, "/api/v1/leads/\(id)/score/history", token: token)
            let entries = history.json["history"] as? [[String: Any]] ?? []
            #expect(entries.first?["reason"] as? String == "created")
            #expect(entries.contains { $0["reason"] as? String == "activity:demo_requested" })
            let top = try await server.request(.GET, "/api/v1/leads/scoring/factors", token: token)
            #expect(((top.json["positive_factors"] as? [[String: Any]]) ?? []).contains { $0["factor"] as? String == "Has company information" })
            #expect((top.json["calibration"] as? [String: Any])?["minimum_closed_leads"] as? Int == 20)

            let dashboard = try await server.request(.GET, "/api/v1/analytics/dashboard?days=30", token: token)
            #expect(dashboard.status == 200 && dashboard.json["totalLeads"] as? Int == 3 && dashboard.json["voiceAICallsActive"] as? Int == 0)
            let overview = try await server.request(.GET, "/api/v1/leads/analytics/overview?days=30", token: token)
            #expect(overview.json["total_leads"] as? Int == 3 && overview.json["qualified_leads"] as? Int == 1)
            #expect((overview.json["by_source"] as? [String: Any])?["website"] as? Int == 2)

            // Another rep of the organization sees the lead but may not remove it.
            let colleague = try await server.register()
            #expect(try await server.request(.GET, "/api/v1/leads/\(id)", token: colleague.accessToken).status == 200)
            #expect(try await server.request(.DELETE, "/api/v1/leads/\(id)", token: colleague.accessToken).status == 403)
            let assigned = try await server.request(.PUT, "/api/v1/leads/\(id)", json: ["assigned_to": "user_\(colleague.id)"], token: token)
            #expect(assigned.json["assigned_to"] as? Int == colleague.id)
            let byAssignee = try await server.request(.GET, "/api/v1/leads?assigned_to=\(colleague.id)", token: token)
            #expect(byAssignee.json["total"] as? Int == 1)

            func companies() async throws -> Int? {
                let top = try await server.request(.GET, "/api/v1/leads/scoring/factors?limit=100", token: token)
                return (top.json["positive_factors"] as? [[String: Any]])?.first { $0["factor"] as? String == "Has company information" }?["leads"] as? Int
            }
            #expect(try await companies() == 2)
            #expect(try await server.request(.DELETE, "/api/v1/leads/\(id)", token: token).status == 204)
            #expect(try await server.request(.GET, "/api/v1/leads/\(id)", token: token).status == 404)
            #expect(try await companies() == 1)
            #expect(try await server.request(.GET, "/api/v1/leads", token: nil).status == 401)
        }
    }

    @Test func anotherOrganizationsLeadsAreNotFound() async throws {
        try await TestServer.with { server in
            let rep = try await server.register()
            let lead = try await Self.create(server, token: rep.accessToken, ["first_name": "Ann", "email": "ann@initech.com", "company": "Initech"])
            let id = try #require(lead["id"] as? String)
            let (_, outsider) = try await server.adminOfNewOrganization(name: "Other Org")
            let token = outsider.accessToken
            #expect(try await server.request(.GET, "/api/v1/leads/\(id)", token: token).status == 404)
            #expect(try await server.request(.PUT, "/api/v1/leads/\(id)", json: ["status": "qualified"], token: token).status == 404)
            #expect(try await server.request(.DELETE, "/api/v1/leads/\(id)", token: token).status == 404)
            #expect(try await server.request(.POST, "/api/v1/leads/\(id)/score", token: token).status == 404)
            #expect(try await server.request(.POST, "/api/v1/leads/\(id)/activities", json: ["activity_type": "email_sent"], token: token).status == 404)
            #expect(try await server.request(.GET, "/api/v1/leads/\(id)/activities", token: token).status == 404)
            #expect(try await server.request(.GET, "/api/v1/leads/\(id)/score/history", token: token).status == 404)
            #expect(try await server.request(.GET, "/api/v1/leads/lead_000000000000", token: token).status == 404)
            let theirs = try await server.request(.GET, "/api/v1/leads?search=initech", token: token)
            #expect(theirs.json["total"] as? Int == 0)
            let export = try await server.request(.GET, "/api/v1/leads/export?format=json", token: token)
            #expect((export.json["leads"] as? [[String: Any]])?.isEmpty == true)
            // The same e-mail is free in another organization; a user of another one cannot be assigned.
            let same = try await server.request(.POST, "/api/v1/leads", json: ["first_name": "Ann", "email": "ann@initech.com"], token: token)
            #expect(same.status == 201)
            let foreign = try await server.request(.POST, "/api/v1/leads", json: ["first_name": "B", "assigned_to": rep.id], token: token)
            #expect(foreign.status == 422 && Self.field(foreign) == "assigned_to")
            let dashboard = try await server.request(.GET, "/api/v1/analytics/dashboard", token: token)
            #expect(dashboard.json["totalLeads"] as? Int == 1)
        }
    }

    /// A subscriber endpoint that records what it receives.
    final class Subscriber: Sendable {
        let received = NIOLockedValueBox<[(body: String, signature: String?, event: String?)]>([])
        let endpoint: LocalEndpoint
        var url: String { endpoint.baseURL + "/hook" }

        init() async throws {
            let received = self.received
            endpoint = try await LocalEndpoint.start { app in
                app.post("hook") { request -> HTTPStatus in
                    received.withLockedValue {
                        $0.append((request.body.string ?? "", request.headers.first(name: "X-Webhook-Signature"), request.headers.first(name: "X-Webhook-Event")))
                    }
                    return .ok
                }
            }
        }
    }

    @Test func leadEventsAreDeliveredSignedToASubscriber() async throws {
        let subscriber = try await Subscriber()
        defer { Task { await subscriber.endpoint.stop() } }
        try await TestServer.with({ $0.jobs.retryBase = 0.2; $0.webhooksMayTargetPrivateNetworks = true }) { server in
            let rep = try await server.register()
            let token = rep.accessToken
            let secret = "a-leads-subscriber-secret"
            let hook = try await server.request(.POST, "/api/v1/webhooks", json: [
                "url": subscriber.url, "events": ["lead.created", "lead.score_changed"], "secret": secret,
            ], token: token)
            #expect(hook.status == 201 && hook.json["secret"] as? String == secret)
            let hookID = try #require(hook.json["id"] as? String)
            let bad = try await server.request(.POST, "/api/v1/webhooks", json: ["url": subscriber.url, "events": ["lead.exploded"]], token: token)
            #expect(bad.status == 422 && Self.field(bad) == "events")
            let listed = try await server.request(.GET, "/api/v1/webhooks", token: token)
            #expect((listed.json["webhooks"] as? [[String: Any]])?.first?["secret"] == nil)

            let lead = try await Self.create(server, token: token, ["first_name": "Wes", "last_name": "Hook", "email": "wes@hooli.com", "company": "Hooli"])
            let id = try #require(lead["id"] as? String)
            let activity = try await server.request(.POST, "/api/v1/leads/\(id)/activities", json: ["activity_type": "meeting_booked"], token: token)
            #expect(activity.status == 201)
            let test = try await server.request(.POST, "/api/v1/webhooks/\(hookID)/test", token: token)
            #expect(test.status == 202)

            let deadline = ContinuousClock.now + .seconds(30)
            while subscriber.received.withLockedValue({ $0.count }) < 3, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
            }
            let calls = subscriber.received.withLockedValue { $0 }
            #expect(Set(calls.compactMap(\.event)) == ["lead.created", "lead.score_changed", "webhook.test"])
            for call in calls {
                let expected = HMAC<SHA256>.authenticationCode(for: Data(call.body.utf8), using: SymmetricKey(data: Data(secret.utf8)))
                    .map { String(format: "%02x", $0) }.joined()
                #expect(call.signature == expected)
            }
            func payload(_ event: String) -> [String: Any] {
                let body = calls.first { $0.event == event }?.body ?? ""
                return (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:]
            }
            let created = payload("lead.created")
            #expect(created["event"] as? String == "lead.created" && created["timestamp"] is String)
            #expect(((created["data"] as? [String: Any])?["lead"] as? [String: Any])?["id"] as? String == id)
            let changed = payload("lead.score_changed")["data"] as? [String: Any] ?? [:]
            let old = (changed["old_score"] as? [String: Any])?["overall_score"] as? Double ?? -1
            let new = (changed["new_score"] as? [String: Any])?["overall_score"] as? Double ?? -1
            #expect(new > old && old >= 0)

            let log = try await server.request(.GET, "/api/v1/webhooks/\(hookID)/deliveries", token: token)
            #expect((log.json["deliveries"] as? [[String: Any]])?.count == 3)
            let other = try await server.register()
            #expect(try await server.request(.DELETE, "/api/v1/webhooks/\(hookID)", token: other.accessToken).status == 403)
            #expect(try await server.request(.DELETE, "/api/v1/webhooks/\(hookID)", token: token).status == 204)
        }
    }
}

/// Calibration: once an organization has closed enough leads, won and lost, the conversion
/// probability comes from a logistic regression on its own outcomes.
@Suite("Leads & Voice Calls: calibration")
struct LeadCalibrationTests {
    @Test func closedLeadsCalibrateTheConversionProbability() async throws {
        try await TestServer.with { server in
            let admin = try await server.admin()
            let token = admin.accessToken
            var ids: [(String, Bool)] = []
            for index in 0..<22 {
                // Won leads are senior with a company; lost ones are bare personal addresses.
                let won = index % 2 == 0
                let fields: [String: Any] = won
                    ? ["first_name": "W\(index)", "email": "w\(index)@firm\(index).com", "company": "Firm \(index)", "title": "CEO", "source": "referral"]
                    : ["first_name": "L\(index)", "email": "l\(index)@gmail.com"]
                let created = try await server.request(.POST, "/api/v1/leads", json: fields, token: token)
                ids.append((created.json["id"] as? String ?? "", won))
            }
            let before = try await server.request(.POST, "/api/v1/leads/\(ids[0].0)/score", token: token)
            #expect(before.json["calibrated"] as? Bool == false)
            for (id, won) in ids.prefix(19) {
                #expect(try await server.request(.PUT, "/api/v1/leads/\(id)", json: ["status": won ? "closed_won" : "closed_lost"], token: token).status == 200)
            }
            let factors = try await server.request(.GET, "/api/v1/leads/scoring/factors", token: token)
            #expect((factors.json["calibration"] as? [String: Any])?["calibrated"] as? Bool == false)
            for (id, won) in ids[19...] {
                _ = try await server.request(.PUT, "/api/v1/leads/\(id)", json: ["status": won ? "closed_won" : "closed_lost"], token: token)
            }
            let calibrated = try await server.request(.GET, "/api/v1/leads/scoring/factors", token: token)
            let calibration = calibrated.json["calibration"] as? [String: Any] ?? [:]
            #expect(calibration["calibrated"] as? Bool == true && calibration["closed_leads"] as? Int == 22)
            let strong = try await server.request(.POST, "/api/v1/leads", json: ["first_name": "S", "email": "s@bigco.com", "company": "BigCo", "title": "VP Sales"], token: token)
            let weak = try await server.request(.POST, "/api/v1/leads", json: ["first_name": "P", "email": "p@yahoo.com"], token: token)
            let strongScore = try await server.request(.POST, "/api/v1/leads/\(strong.json["id"] as? String ?? "")/score", token: token)
            let weakScore = try await server.request(.POST, "/api/v1/leads/\(weak.json["id"] as? String ?? "")/score", token: token)
            #expect(strongScore.json["calibrated"] as? Bool == true)
            #expect((strongScore.json["conversion_probability"] as? Double ?? 0) > (weakScore.json["conversion_probability"] as? Double ?? 1))
        }
    }
}
