import Foundation
import ParleyDomain
import ParleyStore
import ParleyTestSupport
import Testing

@Suite("Sales Trainer learning analytics over HTTP")
struct LearningTests {
    /// Stores a completed session with an outcome, as the end of a live session does.
    func completeSession(_ server: TestServer, user: Int, scenario: Int, daysAgo: Double, score: Int, skills: [SalesSkill: Int]) async throws {
        let store = FluentConversationStore(database: server.app.db)
        guard let owner = try await FluentIdentityStore(database: server.app.db).user(id: user) else { return }
        let outcome = PracticeOutcome(
            overallScore: score, skills: skills, talkTimeRatio: 0.55, questionCount: 6, questionRate: 0.5, responseTime: 1.2,
            sentiment: ["positive": 0.6, "neutral": 0.3, "negative": 0.1], objectionsRaised: 2, objectionsHandled: 2,
            nextStepAgreed: score > 70, feedback: [])
        let analysis = ConversationAnalysis.practice(outcome)
        let completed = Date().addingTimeInterval(-daysAgo * 86400)
        _ = try await store.createConversation(Conversation(
            id: UUID(), publicID: "session_t\(UUID().uuidString.prefix(8))", organizationID: owner.organizationID, userID: user,
            kind: .practice, scenarioID: scenario, title: nil, status: .completed, configuration: ConversationSettings(), details: ConversationDetails(),
            analysis: analysis, createdAt: completed.addingTimeInterval(-900), startedAt: completed.addingTimeInterval(-900),
            completedAt: completed, duration: 900))
    }

    @Test func progressReflectsCompletedSessions() async throws {
        try await TestServer.with { server in
            let rep = try await server.register()
            let empty = try await server.request(.GET, "/api/v1/learning/progress", token: rep.accessToken)
            #expect(empty.status == 200)
            #expect((empty.json["overall_progress"] as? [String: Any])?["total_sessions"] as? Int == 0)
            #expect((empty.json["recommended_scenarios"] as? [Int])?.count == 3)

            try await completeSession(server, user: rep.id, scenario: 6, daysAgo: 1, score: 60, skills: [.objectionHandling: 50, .rapportBuilding: 80])
            try await completeSession(server, user: rep.id, scenario: 6, daysAgo: 0, score: 80, skills: [.objectionHandling: 70, .rapportBuilding: 90])
            try await completeSession(server, user: rep.id, scenario: 3, daysAgo: 60, score: 40, skills: [.discovery: 40])

            let month = try await server.request(.GET, "/api/v1/learning/progress?time_range=month", token: rep.accessToken).json
            let overall = try #require(month["overall_progress"] as? [String: Any])
            #expect(overall["total_sessions"] as? Int == 2)
            #expect(overall["average_score"] as? Int == 70)
            #expect(overall["improvement_trend"] as? Int == 20)
            #expect(overall["streak_days"] as? Int == 2)
            #expect(overall["hours_practiced"] as? Double == 0.5)
            let skills = try #require(month["skill_breakdown"] as? [String: [String: Any]])
            #expect(skills["objection_handling"]?["score"] as? Int == 60)
            #expect(skills["objection_handling"]?["improvement"] as? Int == 20)
            #expect(skills["discovery"] == nil, "outside the month")
            let names = (month["recent_achievements"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            #expect(names.contains("First Call"))
            #expect(!names.contains("Week Warrior"))

            let year = try await server.request(.GET, "/api/v1/learning/progress?time_range=year", token: rep.accessToken).json
            #expect((year["overall_progress"] as? [String: Any])?["total_sessions"] as? Int == 3)
            #expect(try await server.request(.GET, "/api/v1/learning/progress?time_range=decade", token: rep.accessToken).status == 422)

            // Another rep sees nothing of this.
            let other = try await server.register()
            let theirs = try await server.request(.GET, "/api/v1/learning/progress?time_range=year", token: other.accessToken).json
            #expect((theirs["overall_progress"] as? [String: Any])?["total_sessions"] as? Int == 0)
        }
    }

    @Test func detailedAnalyticsFilterByScenarioAndDates() async throws {
        try await TestServer.with { server in
            let rep = try await server.register()
            try await completeSession(server, user: rep.id, scenario: 6, daysAgo: 8, score: 60, skills: [.closing: 60])
            try await completeSession(server, user: rep.id, scenario: 6, daysAgo: 0, score: 80, skills: [.closing: 80])
            try await completeSession(server, user: rep.id, scenario: 2, daysAgo: 0, score: 50, skills: [.closing: 50])

            let all = try await server.request(.GET, "/api/v1/learning/analytics/detailed", token: rep.accessToken)
            #expect(all.status == 200)
            let analysis = try #require(all.json["conversation_analysis"] as? [String: Any])
            #expect(analysis["average_talk_time"] as? Double == 0.55)
            #expect((analysis["sentiment_distribution"] as? [String: Double])?["positive"] == 0.6)
            #expect((all.json["personalized_insights"] as? [String])?.isEmpty == false)

            let scenario = try await server.request(.GET, "/api/v1/learning/analytics/detailed?scenario_id=6", token: rep.accessToken).json
            let trends = try #require(scenario["performance_trends"] as? [String: Any])
            let points = try #require(trends["scores_over_time"] as? [[String: Any]])
            #expect(points.compactMap { $0["score"] as? Int }.sorted() == [60, 80])
            #expect((points.first?["date"] as? String)?.count == 10)

            let today = String(ISO8601DateFormatter().string(from: Date()).prefix(10))
            let recent = try await server.request(.GET, "/api/v1/learning/analytics/detailed?start_date=\(today)", token: rep.accessToken).json
            let recentPoints = ((recent["performance_trends"] as? [String: Any])?["scores_over_time"] as? [[String: Any]]) ?? []
            #expect(recentPoints.count == 1)
            #expect(recentPoints.first?["score"] as? Int == 65)
            #expect(try await server.request(.GET, "/api/v1/learning/analytics/detailed?start_date=yesterday", token: rep.accessToken).status == 422)
        }
    }
}
