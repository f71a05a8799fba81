import Foundation
import ParleyDomain
import Vapor

extension SalesTrainer {
    /// `/api/v1/learning`: progress and detailed analytics computed from the rep's completed sessions.
    enum LearningRoutes {
        static func register(on routes: any RoutesBuilder) {
            let learning = routes.grouped("learning")
            learning.get("progress", use: progress)
            learning.get("analytics", "detailed", use: detailed)
        }

        static func progress(_ request: Request) async throws -> LearningProgressDTO {
            let user = try await SalesTrainer.subject(of: request)
            let range = request.query[String.self, at: "time_range"] ?? "month"
            let days: [String: Int] = ["week": 7, "month": 30, "quarter": 91, "year": 365]
            guard let span = days[range] else {
                throw APIError.validation("time_range", "must be one of week, month, quarter, year")
            }
            let now = Date()
            let history = try await practiceRecords(for: user, in: request)
            let period = history.filter { $0.completedAt >= now.addingTimeInterval(-Double(span) * 86400) }
            let catalogue = try await request.core.scenarios.scenarios(ScenarioQuery(organizationID: user.organizationID, limit: 500))
            return LearningProgressDTO(LearningAnalytics().progress(records: period, history: history, catalogue: catalogue, now: now))
        }

        static func detailed(_ request: Request) async throws -> DetailedAnalyticsDTO {
            let user = try await SalesTrainer.subject(of: request)
            var records = try await practiceRecords(for: user, in: request)
            if let raw = request.query[String.self, at: "scenario_id"] {
                guard let scenarioID = Int(raw) else { throw APIError.validation("scenario_id", "must be an integer") }
                records = records.filter { $0.scenarioID == scenarioID }
            }
            let start = try date(request, "start_date")
            let end = try date(request, "end_date")
            if let start, let end, end < start { throw APIError.validation("end_date", "must not be before start_date") }
            if let start { records = records.filter { $0.completedAt >= start } }
            if let end { records = records.filter { $0.completedAt < end.addingTimeInterval(86400) } }
            return DetailedAnalyticsDTO(LearningAnalytics().detailed(records: records))
        }

        /// Every completed practice session of the user that has an outcome, oldest first.
        static func practiceRecords(for user: User, in request: Request) async throws -> [PracticeRecord] {
            let store = request.conversations
            let sessions = try await store.conversations(ConversationQuery(
                organizationID: user.organizationID, userID: user.id, kind: .practice, status: .completed, limit: 5000))
            var categories: [Int: ScenarioCategory] = [:]
            for scenario in try await request.core.scenarios.scenarios(ScenarioQuery(organizationID: user.organizationID, includeInactive: true, limit: 1000)) {
                categories[scenario.id] = scenario.category
            }
            return sessions.compactMap { session -> PracticeRecord? in
                guard let outcome = session.analysis?.outcome, let completedAt = session.completedAt else { return nil }
                return PracticeRecord(
                    conversationID: session.id, scenarioID: session.scenarioID, category: session.scenarioID.flatMap { categories[$0] },
                    completedAt: completedAt, duration: session.duration ?? 0, outcome: outcome)
            }.sorted { $0.completedAt < $1.completedAt }
        }

        static func date(_ request: Request, _ name: String) throws -> Date? {
            guard let raw = request.query[String.self, at: name] else { return nil }
            return try QueryDate.parse(raw, field: name, allowingInstants: false)
        }
    }

    /// `GET /learning/progress` as the document shows it.
    struct LearningProgressDTO: Content {
        struct Overall: Content {
            var total_sessions: Int
            var hours_practiced: Double
            var average_score: Int
            var improvement_trend: Int
            var streak_days: Int
        }

        struct Skill: Content {
            var current_level: String
            var score: Int
            var sessions_practiced: Int
            var improvement: Int
        }

        struct Achievement: Content {
            var name: String
            var description: String
            var earned_at: String
        }

        var overall_progress: Overall
        var skill_breakdown: [String: Skill]
        var recent_achievements: [Achievement]
        var recommended_scenarios: [Int]

        init(_ progress: LearningProgress) {
            overall_progress = Overall(
                total_sessions: progress.totalSessions, hours_practiced: progress.hoursPracticed, average_score: progress.averageScore,
                improvement_trend: progress.improvementTrend, streak_days: progress.streakDays)
            skill_breakdown = Dictionary(uniqueKeysWithValues: progress.skills.map { skill, value in
                (skill.rawValue, Skill(current_level: value.level.rawValue, score: value.score, sessions_practiced: value.sessionsPracticed, improvement: value.improvement))
            })
            recent_achievements = progress.achievements.map { Achievement(name: $0.name, description: $0.description, earned_at: Timestamp.iso8601($0.earnedAt)) }
            recommended_scenarios = progress.recommendedScenarios
        }
    }

    /// `GET /learning/analytics/detailed` as the document shows it.
    struct DetailedAnalyticsDTO: Content {
        struct Trends: Content {
            struct Point: Content {
                var date: String
                var score: Int
            }
            var scores_over_time: [Point]
            var skill_progression: [String: [Int]]
        }

        struct ConversationAnalysis: Content {
            var average_talk_time: Double
            var question_frequency: Double
            /// Null until a practice call has measured one (typed practice has no timing).
            @NullWhenEmpty var response_time: Double?
            var sentiment_distribution: [String: Double]
        }

        var performance_trends: Trends
        var conversation_analysis: ConversationAnalysis
        var personalized_insights: [String]

        init(_ analytics: DetailedAnalytics) {
            performance_trends = Trends(
                scores_over_time: analytics.scoresOverTime.map { .init(date: String(Timestamp.iso8601($0.date).prefix(10)), score: $0.score) },
                skill_progression: Dictionary(uniqueKeysWithValues: analytics.skillProgression.map { ($0.key.rawValue, $0.value) }))
            conversation_analysis = ConversationAnalysis(
                average_talk_time: analytics.averageTalkTime, question_frequency: analytics.questionFrequency,
                response_time: analytics.responseTime, sentiment_distribution: analytics.sentimentDistribution)
            personalized_insights = analytics.insights
        }
    }
}
