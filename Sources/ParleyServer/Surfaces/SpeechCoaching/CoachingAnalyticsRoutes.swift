import Foundation
import ParleyDomain
import ParleyIntelligence
import Vapor

extension SpeechCoaching {
    /// `GET /coaching/analytics/progress`: this period against the one before, from completed sessions.
    enum CoachingAnalyticsRoutes {
        static let periods = ["week": 7, "month": 30, "quarter": 91, "year": 365]
        static let metricNames = ["overallScore", "categoryScores", "practiceTime", "improvements"]

        /// A score now and in the period before; every key is always present (null without data),
        /// as the document's clients read them.
        struct Change: Encodable, Sendable {
            @NullWhenEmpty var current: Double?
            @NullWhenEmpty var previous: Double?
            @NullWhenEmpty var change: Double?
            @NullWhenEmpty var trend: String?
        }

        struct PracticeTime: Encodable, Sendable {
            var total: Double
            var average: Double
            var sessions: Int
        }

        struct Improvement: Encodable, Sendable {
            var category: String
            var improvement: Double
            var sessions: Int
        }

        struct AnalyticsDTO: Encodable, Sendable {
            var period: String
            var start: String
            var end: String
            var overallScore: Change?
            var categoryScores: [String: Change]?
            var practiceTime: PracticeTime?
            var improvements: [Improvement]?
        }

        static func register(on routes: any RoutesBuilder) {
            routes.get("analytics", "progress", use: progress)
        }

        static func progress(_ request: Request) async throws -> Response {
            let user = try request.principal.user
            let period = request.query[String.self, at: "period"] ?? "month"
            guard let days = periods[period] else { throw APIError.validation("period", "must be one of week, month, quarter, year") }
            var wanted = Set(metricNames)
            if let raw = request.query[String.self, at: "metrics"], !raw.isEmpty {
                let names = raw.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                if let unknown = names.first(where: { !metricNames.contains($0) }) {
                    throw APIError.validation("metrics", "'\(unknown)' is not one of \(metricNames.joined(separator: ", "))")
                }
                wanted = Set(names)
            }
            return try await respond(request, user: user, period: period, days: days, wanted: wanted)
        }

        static func respond(_ request: Request, user: User, period: String, days: Int, wanted: Set<String>) async throws -> Response {
            let end = Date()
            let start = end.addingTimeInterval(-Double(days) * 86_400)
            let previousStart = start.addingTimeInterval(-Double(days) * 86_400)
            func sessions(_ from: Date, _ to: Date) async throws -> [(Conversation, ScoreCard?)] {
                try await request.conversations.conversations(ConversationQuery(
                    organizationID: user.organizationID, userID: user.id, kind: .coaching, status: .completed,
                    createdAfter: from, createdBefore: to, limit: 10_000)
                ).map { ($0, $0.analysis?.scores) }
            }
            let current = try await sessions(start, end)
            let previous = try await sessions(previousStart, start)
            func mean(_ values: [Double]) -> Double? { values.isEmpty ? nil : round1(values.reduce(0, +) / Double(values.count)) }
            func change(_ now: Double?, _ before: Double?) -> Change {
                let delta = now.flatMap { now in before.map { round1(now - $0) } }
                let trend = delta.map { $0 > 1 ? "improving" : $0 < -1 ? "declining" : "stable" }
                return Change(current: now, previous: before, change: delta, trend: trend)
            }
            var dto = AnalyticsDTO(period: period, start: Timestamp.iso8601(start), end: Timestamp.iso8601(end))
            if wanted.contains("overallScore") {
                dto.overallScore = change(mean(current.compactMap(\.0.score)), mean(previous.compactMap(\.0.score)))
            }
            var categories: [String: Change] = [:]
            for name in SpeechCoach.weights.keys.sorted() {
                categories[name] = change(mean(current.compactMap { $0.1?.categories[name]?.score }),
                                          mean(previous.compactMap { $0.1?.categories[name]?.score }))
            }
            if wanted.contains("categoryScores") { dto.categoryScores = categories }
            if wanted.contains("practiceTime") {
                let durations = current.compactMap(\.0.duration)
                dto.practiceTime = PracticeTime(total: round1(durations.reduce(0, +)), average: mean(durations) ?? 0, sessions: current.count)
            }
            if wanted.contains("improvements") {
                dto.improvements = categories.compactMap { name, value in
                    guard let delta = value.change, delta > 0 else { return nil }
                    return Improvement(category: name, improvement: delta, sessions: current.filter { $0.1?.categories[name] != nil }.count)
                }.sorted { $0.improvement > $1.improvement }
            }
            return try request.coaching(["analytics": dto])
        }
    }
}
