import Foundation
import ParleyDomain
import ParleyServer
import ParleyTestSupport
import SQLKit
import Testing

/// Field Intelligence users: a profile with figures from the technician's field conversations,
/// a supervisor's technicians, and the access policy on both.
@Suite("Field Intelligence: users and technicians")
struct FieldUserTests {
    /// A finished, analysed field conversation of `seconds` with a customer-satisfaction score.
    static func visit(_ server: TestServer, userID: Int, seconds: Double, satisfaction: Double, daysAgo: Double = 0) async throws {
        let user = try #require(try await ParleyApplication.identity(server.app).store.user(id: userID))
        let id = UUID()
        let created = Date().addingTimeInterval(-daysAgo * 86_400)
        let scores = ScoreCard(overall: satisfaction, categories: ["customer_satisfaction": CategoryScore(score: satisfaction, weight: 0.2, factors: [:], findings: [])],
                               benchmarks: [:], improvements: [], fluency: 0)
        _ = try await server.app.parley.core.conversations.createConversation(Conversation(
            id: id, publicID: "CONV-TEST-\(id.uuidString.prefix(6))", organizationID: user.organizationID, userID: userID, kind: .field,
            scenarioID: nil, title: "Service visit", status: .completed, configuration: ConversationSettings(), details: ConversationDetails(),
            analysis: ConversationAnalysis(profile: .fieldVisit, scores: scores), createdAt: created, startedAt: created,
            completedAt: created.addingTimeInterval(seconds), duration: seconds, score: satisfaction))
        if daysAgo > 0 {
            // The store stamps new rows with the present; an older visit is moved back in time.
            let sql = try #require(server.app.db as? any SQLDatabase)
            try await sql.raw("UPDATE conversations SET created_at = \(bind: created) WHERE id = \(bind: id)").run()
        }
    }

    @Test func figuresComeFromFieldConversationsAndTheAccessPolicyDecidesWhoSeesThem() async throws {
        try await TestServer.with { server in
            let admin = try await server.admin()
            let coach = try await server.request(.POST, "/api/v1/admin/users", json: [
                "email": "field-coach@example.com", "password": "coaching123", "first_name": "Sarah", "last_name": "Supervisor", "role": "supervisor",
            ], token: admin.accessToken)
            let coachID = try #require(coach.json["id"] as? Int)
            let tech = try await server.register()
            let other = try await server.register()
            #expect(try await server.request(.PATCH, "/api/v1/admin/users/\(tech.id)", json: ["supervisor_id": coachID], token: admin.accessToken).status == 200)
            let supervisor = try await server.login(email: "field-coach@example.com", password: "coaching123")
            try await Self.visit(server, userID: tech.id, seconds: 600, satisfaction: 75)
            try await Self.visit(server, userID: tech.id, seconds: 900, satisfaction: 100, daysAgo: 3)

            // The technician's own profile: two calls, satisfaction (4 + 5) / 2 = 4.5 stars.
            let userID = "USER-" + String(format: "%05d", tech.id)
            let profile = try await server.request(.GET, "/v1/users/\(userID)", token: tech.accessToken)
            #expect(profile.status == 200, "\(profile.text)")
            #expect(profile.json["role"] as? String == "technician")
            let stats = try #require(profile.json["stats"] as? [String: Any])
            #expect(stats["total_calls"] as? Int == 2 && stats["avg_satisfaction"] as? Double == 4.5, "\(stats)")

            // The supervisor's technicians: today's call, the average length.
            let list = try await server.request(.GET, "/v1/users/technicians", token: supervisor.accessToken)
            #expect(list.status == 200, "\(list.text)")
            let technicians = try #require(list.json["technicians"] as? [[String: Any]])
            #expect(technicians.map { $0["user_id"] as? String } == [userID], "only the coach's technician: \(technicians)")
            let figures = try #require(technicians.first?["stats"] as? [String: Any])
            #expect(figures["calls_today"] as? Int == 1, "\(figures)")
            #expect((figures["avg_call_duration"] as? NSNumber)?.doubleValue == 750, "\(figures)")
            #expect((figures["customer_satisfaction"] as? NSNumber)?.doubleValue == 4.5, "\(figures)")
            #expect(try await server.request(.GET, "/v1/users/\(userID)", token: supervisor.accessToken).status == 200)

            // A technician lists nobody and reads nobody else; unknown ids are not found.
            let refused = try await server.request(.GET, "/v1/users/technicians", token: tech.accessToken)
            #expect(refused.status == 403 && (refused.json["error"] as? [String: Any])?["code"] as? String == "FORBIDDEN")
            #expect(try await server.request(.GET, "/v1/users/\(userID)", token: other.accessToken).status == 403)
            #expect(try await server.request(.GET, "/v1/users/USER-99999", token: admin.accessToken).status == 404)
            #expect(try await server.request(.GET, "/v1/users/42", token: admin.accessToken).status == 404)
            // An admin sees every technician of the organization.
            let all = try await server.request(.GET, "/v1/users/technicians", token: admin.accessToken).json["technicians"] as? [[String: Any]] ?? []
            #expect(Set(all.compactMap { $0["user_id"] as? String }).isSuperset(of: [userID, "USER-" + String(format: "%05d", other.id)]))
        }
    }
}
