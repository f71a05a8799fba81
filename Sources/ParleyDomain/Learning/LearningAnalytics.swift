import Foundation

/// Proficiency bands for a skill score.
public enum SkillLevel: String, Sendable, Codable {
    case beginner, intermediate, advanced, expert

    public init(score: Double) {
        switch score {
        case ..<60: self = .beginner
        case ..<80: self = .intermediate
        case ..<90: self = .advanced
        default: self = .expert
        }
    }
}

/// An achievement from the catalogue, with the moment it was earned.
public struct EarnedAchievement: Sendable, Hashable {
    public var name: String
    public var description: String
    public var earnedAt: Date
}

/// A rep's progress over a period: totals, trend, streak, skills, achievements, recommendations.
public struct LearningProgress: Sendable {
    public struct Skill: Sendable, Hashable {
        public var level: SkillLevel
        public var score: Int
        public var sessionsPracticed: Int
        public var improvement: Int
    }

    public var totalSessions: Int
    public var hoursPracticed: Double
    public var averageScore: Int
    /// Points gained between the earlier and the later half of the period's sessions.
    public var improvementTrend: Int
    public var streakDays: Int
    public var skills: [SalesSkill: Skill]
    public var achievements: [EarnedAchievement]
    public var recommendedScenarios: [Int]
}

/// Scores over time and conversation habits, for the detailed analytics view.
public struct DetailedAnalytics: Sendable {
    public struct Point: Sendable, Hashable {
        public var date: Date
        public var score: Int
    }

    public var scoresOverTime: [Point]
    public var skillProgression: [SalesSkill: [Int]]
    public var averageTalkTime: Double
    public var questionFrequency: Double
    public var responseTime: Double?
    public var sentimentDistribution: [String: Double]
    public var insights: [String]
}

/// Computes learning analytics from completed practice sessions; everything is derived from
/// the records, so achievements are earned by real sessions and recomputed the same way each time.
public struct LearningAnalytics: Sendable {
    public var calendar: Calendar

    public init(timeZone: TimeZone = TimeZone(identifier: "UTC")!) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        self.calendar = calendar
    }

    // MARK: progress

    /// Progress over `records` (the period's sessions) with achievements and streak read from
    /// `history` (all of the rep's sessions) and recommendations chosen from `catalogue`.
    public func progress(records: [PracticeRecord], history: [PracticeRecord], catalogue: [Scenario], now: Date) -> LearningProgress {
        let sorted = records.sorted { $0.completedAt < $1.completedAt }
        let scores = sorted.map { Double($0.outcome.overallScore) }
        var skills: [SalesSkill: LearningProgress.Skill] = [:]
        for skill in SalesSkill.allCases {
            let values = sorted.compactMap { $0.outcome.skills[skill] }.map(Double.init)
            guard !values.isEmpty else { continue }
            let recent = Self.mean(values.suffix(3))
            skills[skill] = .init(level: SkillLevel(score: recent), score: Int(recent.rounded()), sessionsPracticed: values.count,
                                  improvement: Int((values.last! - values.first!).rounded()))
        }
        return LearningProgress(
            totalSessions: sorted.count,
            hoursPracticed: (sorted.reduce(0) { $0 + $1.duration } / 3600 * 10).rounded() / 10,
            averageScore: scores.isEmpty ? 0 : Int(Self.mean(scores).rounded()),
            improvementTrend: Self.trend(scores),
            streakDays: streak(history, now: now),
            skills: skills,
            achievements: achievements(history),
            recommendedScenarios: recommendations(history: history, skills: skills, catalogue: catalogue))
    }

    /// Points between the mean of the earlier half and of the later half of the scores.
    static func trend(_ scores: [Double]) -> Int {
        guard scores.count >= 2 else { return 0 }
        let half = scores.count / 2
        return Int((mean(scores.suffix(scores.count - half)) - mean(scores.prefix(half))).rounded())
    }

    /// Consecutive days, ending today or yesterday, with at least one completed session.
    func streak(_ history: [PracticeRecord], now: Date) -> Int {
        let days = Set(history.map { calendar.startOfDay(for: $0.completedAt) })
        var day = calendar.startOfDay(for: now)
        if !days.contains(day) { day = calendar.date(byAdding: .day, value: -1, to: day)! }
        var count = 0
        while days.contains(day) {
            count += 1
            day = calendar.date(byAdding: .day, value: -1, to: day)!
        }
        return count
    }

    /// The achievement catalogue: each is earned by the first session that satisfies it.
    public static let achievementCatalogue: [(name: String, description: String)] = [
        ("First Call", "Completed your first practice session"),
        ("Three-Day Streak", "Practised three days in a row"),
        ("Week Warrior", "Practised seven days in a row"),
        ("Curious Mind", "Asked ten or more questions in one session"),
        ("Objection Master", "Successfully handled 10 objections in a row"),
        ("Closer", "Agreed a next step in five sessions"),
        ("High Performer", "Scored 85 or more overall"),
        ("Well Rounded", "Practised five different scenario categories"),
        ("Ten Hours", "Practised for ten hours in total"),
    ]

    func achievements(_ history: [PracticeRecord]) -> [EarnedAchievement] {
        let sorted = history.sorted { $0.completedAt < $1.completedAt }
        var earned: [String: Date] = [:]
        func earn(_ name: String, _ date: Date) { if earned[name] == nil { earned[name] = date } }
        var days = Set<Date>()
        var handledInARow = 0
        var nextSteps = 0
        var categories = Set<ScenarioCategory>()
        var seconds = 0.0
        for record in sorted {
            let outcome = record.outcome
            earn("First Call", record.completedAt)
            days.insert(calendar.startOfDay(for: record.completedAt))
            let run = consecutiveDays(endingAt: calendar.startOfDay(for: record.completedAt), in: days)
            if run >= 3 { earn("Three-Day Streak", record.completedAt) }
            if run >= 7 { earn("Week Warrior", record.completedAt) }
            if outcome.questionCount >= 10 { earn("Curious Mind", record.completedAt) }
            // Objections count in order: unhandled ones in a session break the run.
            let unhandled = max(0, outcome.objectionsRaised - outcome.objectionsHandled)
            handledInARow = unhandled > 0 ? outcome.objectionsHandled : handledInARow + outcome.objectionsHandled
            if handledInARow >= 10 { earn("Objection Master", record.completedAt) }
            if outcome.nextStepAgreed { nextSteps += 1 }
            if nextSteps >= 5 { earn("Closer", record.completedAt) }
            if outcome.overallScore >= 85 { earn("High Performer", record.completedAt) }
            if let category = record.category { categories.insert(category) }
            if categories.count >= 5 { earn("Well Rounded", record.completedAt) }
            seconds += record.duration
            if seconds >= 36_000 { earn("Ten Hours", record.completedAt) }
        }
        return Self.achievementCatalogue.compactMap { item in
            earned[item.name].map { EarnedAchievement(name: item.name, description: item.description, earnedAt: $0) }
        }.sorted { $0.earnedAt > $1.earnedAt }
    }

    private func consecutiveDays(endingAt day: Date, in days: Set<Date>) -> Int {
        var count = 0
        var cursor = day
        while days.contains(cursor) {
            count += 1
            cursor = calendar.date(byAdding: .day, value: -1, to: cursor)!
        }
        return count
    }

    /// Scenarios that train the weakest skills, at a fitting difficulty, not played recently.
    func recommendations(history: [PracticeRecord], skills: [SalesSkill: LearningProgress.Skill], catalogue: [Scenario]) -> [Int] {
        let trains: [ScenarioCategory: [SalesSkill]] = [
            .coldCalling: [.rapportBuilding], .discovery: [.discovery], .demo: [.discovery, .closing],
            .objectionHandling: [.objectionHandling], .negotiation: [.objectionHandling, .closing], .closing: [.closing],
            .renewal: [.rapportBuilding, .objectionHandling], .upsell: [.discovery, .closing], .fieldService: [.rapportBuilding, .discovery],
        ]
        // Unpractised skills count as weakest, so a new rep is guided through all of them.
        let weakness = Dictionary(uniqueKeysWithValues: SalesSkill.allCases.map { ($0, Double(skills[$0]?.score ?? 0)) })
        let overall = skills.isEmpty ? 0 : Self.mean(skills.values.map { Double($0.score) })
        let fitting: Difficulty = overall < 60 ? .beginner : overall < 75 ? .intermediate : overall < 88 ? .advanced : .expert
        let recent = Set(history.sorted { $0.completedAt > $1.completedAt }.prefix(3).compactMap(\.scenarioID))
        let ranked = catalogue.filter(\.isActive).map { scenario -> (Int, Double) in
            let need = (trains[scenario.category] ?? []).map { 100 - (weakness[$0] ?? 0) }.max() ?? 0
            let distance = abs(Double(Difficulty.allCases.firstIndex(of: scenario.difficulty)! - Difficulty.allCases.firstIndex(of: fitting)!))
            let penalty = recent.contains(scenario.id) ? 60.0 : 0
            return (scenario.id, need - distance * 15 - penalty)
        }
        return ranked.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }.prefix(3).map(\.0)
    }

    // MARK: detailed

    /// Weekly score trends, skill progression, conversation habits and plain-language insights.
    public func detailed(records: [PracticeRecord]) -> DetailedAnalytics {
        let sorted = records.sorted { $0.completedAt < $1.completedAt }
        let weeks = Dictionary(grouping: sorted) { startOfWeek($0.completedAt) }.sorted { $0.key < $1.key }
        let points = weeks.map { DetailedAnalytics.Point(date: $0.key, score: Int(Self.mean($0.value.map { Double($0.outcome.overallScore) }).rounded())) }
        var progression: [SalesSkill: [Int]] = [:]
        for skill in SalesSkill.allCases {
            let series = weeks.compactMap { week -> Int? in
                let values = week.value.compactMap { $0.outcome.skills[skill] }.map(Double.init)
                return values.isEmpty ? nil : Int(Self.mean(values).rounded())
            }
            if !series.isEmpty { progression[skill] = series }
        }
        let responseTimes = sorted.compactMap(\.outcome.responseTime)
        var sentiment: [String: Double] = ["positive": 0, "neutral": 0, "negative": 0]
        if !sorted.isEmpty {
            for label in sentiment.keys {
                sentiment[label] = (Self.mean(sorted.map { $0.outcome.sentiment[label] ?? 0 }) * 100).rounded() / 100
            }
        }
        let analytics = DetailedAnalytics(
            scoresOverTime: points, skillProgression: progression,
            averageTalkTime: sorted.isEmpty ? 0 : (Self.mean(sorted.map(\.outcome.talkTimeRatio)) * 100).rounded() / 100,
            questionFrequency: sorted.isEmpty ? 0 : (Self.mean(sorted.map(\.outcome.questionRate)) * 100).rounded() / 100,
            responseTime: responseTimes.isEmpty ? nil : (Self.mean(responseTimes) * 10).rounded() / 10,
            sentimentDistribution: sentiment, insights: [])
        return withInsights(analytics, records: sorted)
    }

    private func withInsights(_ analytics: DetailedAnalytics, records: [PracticeRecord]) -> DetailedAnalytics {
        var analytics = analytics
        var insights: [String] = []
        guard !records.isEmpty else {
            analytics.insights = ["Complete a practice session to see your insights."]
            return analytics
        }
        let names: [SalesSkill: String] = [.rapportBuilding: "building rapport", .discovery: "asking discovery questions",
                                           .objectionHandling: "handling objections", .closing: "closing"]
        let changes = analytics.skillProgression.compactMapValues { $0.count >= 2 ? $0.last! - $0.first! : nil }
        let latest = analytics.skillProgression.compactMapValues(\.last)
        if let best = changes.max(by: { $0.value < $1.value }), best.value > 0 {
            var line = "You're improving at \(names[best.key]!) (+\(best.value) points)"
            if let weakest = latest.min(by: { $0.value < $1.value }), weakest.key != best.key {
                line += " but could work on \(names[weakest.key]!)"
            }
            insights.append(line)
        } else if let weakest = latest.min(by: { $0.value < $1.value }) {
            insights.append("Your lowest skill is \(names[weakest.key]!) (\(weakest.value)); practise a scenario that trains it")
        }
        let half = records.count / 2
        if half >= 1 {
            let rate = { (slice: ArraySlice<PracticeRecord>) in Double(slice.filter(\.outcome.nextStepAgreed).count) / Double(slice.count) }
            let before = rate(records.prefix(half)), after = rate(records.suffix(records.count - half))
            if after > before {
                insights.append("Your closing rate has improved from \(Int(before * 100))% to \(Int(after * 100))% of calls ending with a next step")
            } else if after < before {
                insights.append("Fewer of your recent calls end with an agreed next step (\(Int(after * 100))%, was \(Int(before * 100))%)")
            }
        }
        if analytics.averageTalkTime > 0.65 {
            insights.append("You talk \(Int(analytics.averageTalkTime * 100))% of the time; aim for under 60% and let the prospect speak")
        }
        if analytics.questionFrequency < 0.3 {
            insights.append("Ask more discovery questions: only \(Int(analytics.questionFrequency * 100)) of every 100 turns contain one")
        }
        let raised = records.reduce(0) { $0 + $1.outcome.objectionsRaised }
        let handled = records.reduce(0) { $0 + $1.outcome.objectionsHandled }
        if raised > 0, Double(handled) / Double(raised) < 0.6 {
            insights.append("Consider practising more challenging objection scenarios: you addressed \(handled) of \(raised) objections")
        }
        analytics.insights = insights
        return analytics
    }

    func startOfWeek(_ date: Date) -> Date {
        calendar.dateInterval(of: .weekOfYear, for: date)?.start ?? calendar.startOfDay(for: date)
    }

    static func mean<C: Collection>(_ values: C) -> Double where C.Element == Double {
        values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
    }
}
