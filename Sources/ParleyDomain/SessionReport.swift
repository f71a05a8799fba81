import Foundation

/// A user's coaching sessions over a period: the summary, daily trends and one row per session,
/// as the `/reports/sessions` endpoint returns it and the CSV and PDF renderers draw it.
public struct SessionReport: Sendable, Codable, Hashable {
    /// The reporting period, inclusive.
    public struct Period: Sendable, Codable, Hashable {
        public var start: Date
        public var end: Date

        public init(start: Date, end: Date) {
            self.start = start
            self.end = end
        }
    }

    /// Totals over the period.
    public struct Summary: Sendable, Codable, Hashable {
        public var totalSessions: Int
        /// Seconds.
        public var totalDuration: Double
        /// Mean overall score (0–100) of the scored sessions; nil (written null) when none was scored.
        @NullWhenEmpty public var averageScore: Double?
        /// Mean score of the later half of the scored sessions minus that of the earlier half.
        @NullWhenEmpty public var improvement: Double?

        public init(totalSessions: Int, totalDuration: Double, averageScore: Double?, improvement: Double?) {
            self.totalSessions = totalSessions
            self.totalDuration = totalDuration
            self.averageScore = averageScore
            self.improvement = improvement
        }
    }

    /// The mean score of the sessions of one day.
    public struct ScorePoint: Sendable, Codable, Hashable {
        /// The day, as `yyyy-MM-dd` in UTC.
        public var date: String
        public var averageScore: Double

        public init(date: String, averageScore: Double) {
            self.date = date
            self.averageScore = averageScore
        }
    }

    /// The mean length in seconds of the sessions of one day.
    public struct DurationPoint: Sendable, Codable, Hashable {
        /// The day, as `yyyy-MM-dd` in UTC.
        public var date: String
        public var averageDuration: Double

        public init(date: String, averageDuration: Double) {
            self.date = date
            self.averageDuration = averageDuration
        }
    }

    /// Day by day series, oldest first (`duration` is the API's name for the durations series).
    public struct Trends: Sendable, Codable, Hashable {
        public var scores: [ScorePoint]
        public var duration: [DurationPoint]

        public init(scores: [ScorePoint], duration: [DurationPoint]) {
            self.scores = scores
            self.duration = duration
        }
    }

    /// One session of the period.
    public struct Row: Sendable, Codable, Hashable {
        public var date: Date
        public var title: String
        public var type: String
        public var status: String
        /// Seconds.
        public var duration: Double
        /// Overall score 0–100; nil when the session was not scored (failed, still processing).
        public var score: Double?

        public init(date: Date, title: String, type: String, status: String, duration: Double, score: Double?) {
            self.date = date
            self.title = title
            self.type = type
            self.status = status
            self.duration = duration
            self.score = score
        }
    }

    public var title: String
    public var ownerName: String
    public var period: Period
    public var summary: Summary
    public var trends: Trends
    /// Oldest first.
    public var rows: [Row]

    public init(title: String, ownerName: String, period: Period, summary: Summary, trends: Trends, rows: [Row]) {
        self.title = title
        self.ownerName = ownerName
        self.period = period
        self.summary = summary
        self.trends = trends
        self.rows = rows
    }

    /// A report whose summary and trends are computed from `rows`, so the three always agree.
    public init(title: String, ownerName: String, period: Period, rows: [Row]) {
        let rows = rows.sorted { $0.date < $1.date }
        let scores = rows.compactMap(\.score)
        let half = scores.count / 2
        let improvement: Double? = scores.count >= 2
            ? Self.mean(scores.suffix(half)) - Self.mean(scores.prefix(half)) : nil
        let byDay = Dictionary(grouping: rows) { Self.day($0.date) }
        let days = byDay.keys.sorted()
        self.init(
            title: title, ownerName: ownerName, period: period,
            summary: Summary(
                totalSessions: rows.count, totalDuration: rows.reduce(0) { $0 + $1.duration },
                averageScore: scores.isEmpty ? nil : Self.mean(scores[...]), improvement: improvement),
            trends: Trends(
                scores: days.compactMap { day in
                    let scored = byDay[day]!.compactMap(\.score)
                    return scored.isEmpty ? nil : ScorePoint(date: day, averageScore: Self.mean(scored[...]))
                },
                duration: days.map { day in
                    DurationPoint(date: day, averageDuration: Self.mean(byDay[day]!.map(\.duration)[...]))
                }),
            rows: rows)
    }

    /// `yyyy-MM-dd` of a moment, in UTC (the trends' day key).
    public static func day(_ date: Date) -> String {
        let parts = utcCalendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
    }

    /// The Gregorian calendar in UTC, so that days do not depend on the server's time zone.
    private static let utcCalendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    private static func mean(_ values: ArraySlice<Double>) -> Double {
        values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
    }
}
