import Foundation
import Testing
@testable import ParleyDomain

@Suite("Learning analytics")
struct LearningAnalyticsTests {
    let analytics = LearningAnalytics()
    /// Wednesday 2024-01-17 12:00 UTC.
    let now = Date(timeIntervalSince1970: 1_705_492_800)

    func record(daysAgo: Double, score: Int, skills: [SalesSkill: Int] = [:], questions: Int = 4, raised: Int = 0, handled: Int = 0,
                nextStep: Bool = false, category: ScenarioCategory = .discovery, scenario: Int = 3, minutes: Double = 15) -> PracticeRecord {
        PracticeRecord(
            conversationID: UUID(), scenarioID: scenario, category: category,
            completedAt: now.addingTimeInterval(-daysAgo * 86400), duration: minutes * 60,
            outcome: PracticeOutcome(
                overallScore: score, skills: skills, talkTimeRatio: 0.6, questionCount: questions, questionRate: 0.4,
                responseTime: 1.5, sentiment: ["positive": 0.5, "neutral": 0.4, "negative": 0.1],
                objectionsRaised: raised, objectionsHandled: handled, nextStepAgreed: nextStep, feedback: []))
    }

    @Test func totalsTrendAndStreak() {
        let records = [
            record(daysAgo: 0, score: 80), record(daysAgo: 1, score: 70), record(daysAgo: 2, score: 60), record(daysAgo: 5, score: 50),
        ]
        let progress = analytics.progress(records: records, history: records, catalogue: BuiltInScenarios.all, now: now)
        #expect(progress.totalSessions == 4)
        #expect(progress.hoursPracticed == 1.0)
        #expect(progress.averageScore == 65)
        #expect(progress.improvementTrend == 20)  // (70+80)/2 − (50+60)/2
        #expect(progress.streakDays == 3)         // today, yesterday, two days ago
    }

    @Test func streakCountsFromYesterdayWhenNothingToday() {
        let records = [record(daysAgo: 1, score: 70), record(daysAgo: 2, score: 70), record(daysAgo: 4, score: 70)]
        #expect(analytics.progress(records: records, history: records, catalogue: [], now: now).streakDays == 2)
        #expect(analytics.progress(records: [], history: [record(daysAgo: 3, score: 70)], catalogue: [], now: now).streakDays == 0)
    }

    @Test func skillsUseTheLastThreeSessions() {
        let records = (0..<5).map { index in
            record(daysAgo: Double(10 - index), score: 70, skills: [.closing: 50 + index * 10, .discovery: 90])
        }
        let progress = analytics.progress(records: records, history: records, catalogue: [], now: now)
        let closing = progress.skills[.closing]
        #expect(closing?.score == 80)       // mean of 70, 80, 90
        #expect(closing?.improvement == 40) // 90 − 50
        #expect(closing?.sessionsPracticed == 5)
        #expect(closing?.level == .advanced)
        #expect(progress.skills[.discovery]?.level == .expert)
        #expect(progress.skills[.rapportBuilding] == nil)
    }

    @Test func achievementsAreEarnedByRealSessions() {
        let first = record(daysAgo: 6, score: 60, raised: 4, handled: 4)
        let second = record(daysAgo: 5, score: 70, raised: 3, handled: 2)  // one unhandled breaks the run
        let third = record(daysAgo: 4, score: 90, questions: 12, raised: 6, handled: 6)
        let fourth = record(daysAgo: 3, score: 75, raised: 4, handled: 4)
        let history = [first, second, third, fourth]
        let earned = Dictionary(uniqueKeysWithValues: analytics.achievements(history).map { ($0.name, $0.earnedAt) })
        #expect(earned["First Call"] == first.completedAt)
        #expect(earned["Three-Day Streak"] == third.completedAt)
        #expect(earned["Curious Mind"] == third.completedAt)
        #expect(earned["High Performer"] == third.completedAt)
        #expect(earned["Objection Master"] == fourth.completedAt)  // 2 + 6 + 4 after the break
        #expect(earned["Week Warrior"] == nil)
        #expect(earned["Closer"] == nil)
    }

    @Test func recommendationsTargetTheWeakestSkillAndSkipRecentScenarios() throws {
        let records = [record(daysAgo: 1, score: 70, skills: [.rapportBuilding: 85, .discovery: 80, .objectionHandling: 40, .closing: 75], scenario: 6)]
        let progress = analytics.progress(records: records, history: records, catalogue: BuiltInScenarios.all.enumerated().map {
            var scenario = $0.element
            scenario.id = $0.offset + 1
            return scenario
        }, now: now)
        #expect(progress.recommendedScenarios.count == 3)
        let catalogue = Dictionary(uniqueKeysWithValues: BuiltInScenarios.all.enumerated().map { ($0.offset + 1, $0.element) })
        let first = try #require(catalogue[progress.recommendedScenarios[0]])
        #expect([ScenarioCategory.objectionHandling, .negotiation, .renewal].contains(first.category))
        #expect(!progress.recommendedScenarios.contains(6), "just played")
    }

    @Test func detailedTrendsAndInsights() {
        let records = [
            record(daysAgo: 14, score: 60, skills: [.rapportBuilding: 60, .discovery: 50], nextStep: false),
            record(daysAgo: 7, score: 70, skills: [.rapportBuilding: 75, .discovery: 55], nextStep: false),
            record(daysAgo: 0, score: 80, skills: [.rapportBuilding: 85, .discovery: 60], nextStep: true),
        ]
        let detailed = analytics.detailed(records: records)
        #expect(detailed.scoresOverTime.map(\.score) == [60, 70, 80])
        #expect(detailed.skillProgression[.rapportBuilding] == [60, 75, 85])
        #expect(detailed.averageTalkTime == 0.6)
        #expect(detailed.responseTime == 1.5)
        #expect(detailed.sentimentDistribution["positive"] == 0.5)
        #expect(detailed.insights.contains { $0.contains("improving at building rapport") && $0.contains("asking discovery questions") })
        #expect(detailed.insights.contains { $0.contains("closing rate has improved") })
        #expect(analytics.detailed(records: []).insights.count == 1)
    }

    @Test func outcomesRoundTripAsJSONWithSkillNamesAsKeys() throws {
        let outcome = record(daysAgo: 0, score: 80, skills: [.closing: 70]).outcome
        let json = String(decoding: try JSONEncoder().encode(outcome), as: UTF8.self)
        #expect(json.contains(#""closing":70"#))
        #expect(try JSONDecoder().decode(PracticeOutcome.self, from: Data(json.utf8)) == outcome)
    }
}
