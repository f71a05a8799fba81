import Foundation
import ParleyDomain

/// A period of days (UTC) that figures are kept for: a day, a week from Monday, a month.
public struct FieldPeriod: Sendable, Equatable {
    /// What leaderboards rank over.
    public enum Kind: String, Sendable, CaseIterable {
        case daily, weekly, monthly
    }

    public var kind: Kind
    public var start: Date
    /// Exclusive.
    public var end: Date

    /// The period of `kind` that holds `date`.
    public init(_ kind: Kind, containing date: Date) {
        let utc = FieldAnalytics.utc
        let day = utc.startOfDay(for: date)
        self.kind = kind
        switch kind {
        case .daily:
            start = day
            end = utc.date(byAdding: .day, value: 1, to: day)!
        case .weekly:
            // Weeks start on Monday, as the document's example (2024-10-28 to 2024-11-03).
            let weekday = utc.component(.weekday, from: day)  // 1 = Sunday
            start = utc.date(byAdding: .day, value: -((weekday + 5) % 7), to: day)!
            end = utc.date(byAdding: .day, value: 7, to: start)!
        case .monthly:
            start = utc.date(from: utc.dateComponents([.year, .month], from: day))!
            end = utc.date(byAdding: .month, value: 1, to: start)!
        }
    }

    /// The last day in the period.
    public var lastDay: Date { end.addingTimeInterval(-86_400) }
}

/// One technician's place on a leaderboard.
public struct FieldRanking: Sendable, Equatable {
    public var rank: Int
    public var technician: User
    public var score: Double
    public var figures: FieldPeriodFigures
}

/// Whether a figure went up, down or stayed, week on week.
public enum FieldTrend: String, Sendable {
    case up, down, stable
}

/// One week of a technician's figures.
public struct FieldWeek: Sendable {
    public var start: Date
    public var figures: FieldPeriodFigures
}

/// A technician's trends: this week against the one before, by the rules `FieldAnalytics` states.
public struct FieldTrends: Sendable {
    public var calls: FieldTrend
    public var satisfaction: FieldTrend
    public var upsells: FieldTrend
    /// The last four weeks, oldest first.
    public var weeks: [FieldWeek]
}

/// A supervisor's team this week.
public struct FieldTeamOverview: Sendable {
    public var week: FieldPeriod
    public var figures: FieldPeriodFigures
    public var topPerformer: FieldRanking?
    public var technicians: Int
    public var nudges: (shown: Int, dismissed: Int, accepted: Int)
}

/// Field figures for supervisors and technicians, computed in SQL and read through the access
/// policy: daily metrics, trends, a team's week and leaderboards.
///
/// - Satisfaction is the analysis's customer-satisfaction score (0–100), shown as 1–5 stars: 1 + 4 × score / 100.
/// - Trends compare the last 7 days with the 7 before: calls move when they change by more
///   than 10 % (any calls after none is up), satisfaction when it moves by more than 3 points
///   of 100, upsells when the conversion moves by more than 5 points.
/// - The leaderboard score (0–100) is 40 % satisfaction (score / 100), 30 % upsell conversion
///   and 30 % calls relative to the busiest technician of the period; equal scores (to 0.1)
///   share a rank, the next rank skipping (1, 1, 3), and are listed by name.
public struct FieldAnalytics: Sendable {
    static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    let stores: any StoreAccess

    public init(stores: any StoreAccess) {
        self.stores = stores
    }

    /// Stars (1–5, one decimal) for a satisfaction score of 0–100.
    public static func stars(_ score: Double?) -> Double? {
        score.map { ((1 + 4 * min(100, max(0, $0)) / 100) * 10).rounded() / 10 }
    }

    var team: FieldTeam { FieldTeam(stores: stores) }

    /// A technician `viewer` may read.
    public func technician(_ id: Int, visibleTo viewer: User) async throws -> User {
        try await team.person(id: id, visibleTo: viewer)
    }

    /// Figures of several technicians over [from, to), one row each (zeros for the quiet ones).
    public func figures(of technicians: [User], from: Date, to: Date) async throws -> [Int: FieldPeriodFigures] {
        guard let organizationID = technicians.first?.organizationID else { return [:] }
        let rows = try await stores.field.figures(organizationID: organizationID, userIDs: technicians.map(\.id), from: from, to: to, daily: false)
        var byUser: [Int: FieldPeriodFigures] = [:]
        for technician in technicians { byUser[technician.id] = rows.first { $0.userID == technician.id } ?? Self.empty(technician.id, day: nil) }
        return byUser
    }

    /// A technician's days in [from, to]: one row per UTC day that had conversations.
    public func daily(of technician: User, from: Date, through: Date) async throws -> [FieldPeriodFigures] {
        try await stores.field.figures(
            organizationID: technician.organizationID, userIDs: [technician.id], from: Self.utc.startOfDay(for: from),
            to: Self.utc.date(byAdding: .day, value: 1, to: Self.utc.startOfDay(for: through))!, daily: true)
    }

    public func trends(of technician: User, now: Date = Date()) async throws -> FieldTrends {
        let today = Self.utc.date(byAdding: .day, value: 1, to: Self.utc.startOfDay(for: now))!
        var weeks: [FieldWeek] = []
        for back in (0..<4).reversed() {
            let end = Self.utc.date(byAdding: .day, value: -7 * back, to: today)!
            let start = Self.utc.date(byAdding: .day, value: -7, to: end)!
            let figures = try await figures(of: [technician], from: start, to: end)[technician.id] ?? Self.empty(technician.id, day: nil)
            weeks.append(FieldWeek(start: start, figures: figures))
        }
        let (last, before) = (weeks[3].figures, weeks[2].figures)
        return FieldTrends(
            calls: Self.trend(Double(last.calls), Double(before.calls), relative: 0.10),
            satisfaction: Self.trend(last.averageSatisfaction, before.averageSatisfaction, by: 3),
            upsells: Self.trend(last.upsellConversion, before.upsellConversion, by: 0.05),
            weeks: weeks)
    }

    static func trend(_ now: Double, _ before: Double, relative: Double) -> FieldTrend {
        if before == 0 { return now > 0 ? .up : .stable }
        let change = (now - before) / before
        return change > relative ? .up : change < -relative ? .down : .stable
    }

    static func trend(_ now: Double?, _ before: Double?, by margin: Double) -> FieldTrend {
        guard let now, let before else { return .stable }
        return now - before > margin ? .up : before - now > margin ? .down : .stable
    }

    /// The leaderboard of the technicians `viewer` oversees (a technician sees their team's) for a period.
    public func leaderboard(_ period: FieldPeriod, visibleTo viewer: User) async throws -> [FieldRanking] {
        let people = try await team.technicians(inViewOf: viewer)
        let figures = try await figures(of: people, from: period.start, to: period.end)
        return Self.rank(people.map { ($0, figures[$0.id] ?? Self.empty($0.id, day: nil)) })
    }

    static func rank(_ entries: [(User, FieldPeriodFigures)]) -> [FieldRanking] {
        let busiest = Double(entries.map(\.1.calls).max() ?? 0)
        let scored = entries.map { technician, figures -> (User, FieldPeriodFigures, Double) in
            let satisfaction = (figures.averageSatisfaction ?? 0) / 100
            let conversion = figures.upsellConversion ?? 0
            let activity = busiest > 0 ? Double(figures.calls) / busiest : 0
            let score = ((40 * satisfaction + 30 * conversion + 30 * activity) * 10).rounded() / 10
            return (technician, figures, score)
        }.sorted { a, b in
            if a.2 != b.2 { return a.2 > b.2 }
            let (left, right) = ("\(a.0.firstName) \(a.0.lastName)".lowercased(), "\(b.0.firstName) \(b.0.lastName)".lowercased())
            return left != right ? left < right : a.0.id < b.0.id
        }
        var rankings: [FieldRanking] = []
        for (index, entry) in scored.enumerated() {
            let rank = index > 0 && rankings[index - 1].score == entry.2 ? rankings[index - 1].rank : index + 1
            rankings.append(FieldRanking(rank: rank, technician: entry.0, score: entry.2, figures: entry.1))
        }
        return rankings
    }

    /// A supervisor's (or admin's) team this week, with its top performer and nudge use.
    public func overview(for viewer: User, now: Date = Date()) async throws -> FieldTeamOverview {
        let week = FieldPeriod(.weekly, containing: now)
        let people = try await team.technicians(visibleTo: viewer)
        let rankings = Self.rank(try await figures(of: people, from: week.start, to: week.end).map { id, figures in
            (people.first { $0.id == id }!, figures)
        })
        let rows = rankings.map(\.figures)
        let analysed = rows.reduce(0) { $0 + $1.analysedCalls }
        let satisfaction = analysed > 0
            ? rows.reduce(0.0) { $0 + ($1.averageSatisfaction ?? 0) * Double($1.analysedCalls) } / Double(analysed) : nil
        let durations = rows.filter { $0.averageDuration != nil }
        let totals = FieldPeriodFigures(
            userID: viewer.id, day: nil, calls: rows.reduce(0) { $0 + $1.calls }, analysedCalls: analysed,
            averageDuration: durations.isEmpty ? nil : durations.reduce(0.0) { $0 + ($1.averageDuration ?? 0) } / Double(durations.count),
            averageSatisfaction: satisfaction, upsellsIdentified: rows.reduce(0) { $0 + $1.upsellsIdentified },
            upsellsClosed: rows.reduce(0) { $0 + $1.upsellsClosed }, upsellRevenue: rows.reduce(0) { $0 + $1.upsellRevenue },
            coachingMoments: rows.reduce(0) { $0 + $1.coachingMoments }, recordedCalls: rows.reduce(0) { $0 + $1.recordedCalls })
        let nudges = try await stores.field.nudgeCounts(organizationID: viewer.organizationID, userIDs: people.map(\.id), from: week.start, to: week.end)
        return FieldTeamOverview(week: week, figures: totals, topPerformer: rankings.first { $0.figures.calls > 0 },
                                 technicians: people.count, nudges: nudges)
    }

    static func empty(_ userID: Int, day: String?) -> FieldPeriodFigures {
        FieldPeriodFigures(userID: userID, day: day, calls: 0, analysedCalls: 0, averageDuration: nil, averageSatisfaction: nil,
                           upsellsIdentified: 0, upsellsClosed: 0, upsellRevenue: 0, coachingMoments: 0, recordedCalls: 0)
    }
}
