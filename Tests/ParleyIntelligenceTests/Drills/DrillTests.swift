import Foundation
import ParleyDomain
import ParleySpeech
import Testing

@testable import ParleyIntelligence

/// The scorer as the surfaces use it: phonemes from espeak-ng.
enum DrillFixtures {
    static let phonemizer = Phonemizer()
    static let scorer = DrillScorer(phonemes: { try await phonemizer.phonemes($0) })

    static func exercise(_ drillID: String, _ index: Int) throws -> DrillExercise {
        try BuiltInDrills.drill(id: drillID).exercise(at: index)
    }

    static func category(_ score: Double, _ factors: [String: Double] = [:]) -> CategoryScore {
        CategoryScore(score: score, weight: 0.25, factors: factors)
    }
}

@Suite("Drills: catalogue")
struct DrillCatalogueTests {
    @Test("ids are unique, every category has all three difficulties, pairs differ")
    func catalogue() throws {
        let drills = BuiltInDrills.all
        #expect(Set(drills.map(\.id)).count == drills.count)
        for category in DrillCategory.allCases {
            let levels = Set(drills.filter { $0.category == category }.map(\.difficulty))
            #expect(levels == [.beginner, .intermediate, .advanced], "\(category)")
        }
        let pairs = drills.flatMap(\.exercises).compactMap { if case .minimalPair(let pair) = $0 { pair } else { nil } }
        #expect(pairs.count >= 20)
        #expect(pairs.allSatisfy { $0.targetWord.lowercased() != $0.distractorWord.lowercased() })
        #expect(drills.allSatisfy { !$0.exercises.isEmpty && $0.duration > 0 })
    }

    @Test("exercises encode flat with their type and decode back")
    func codable() throws {
        let drill = try BuiltInDrills.drill(id: "drill_minimal_pairs_1")
        let data = try JSONEncoder().encode(drill)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let first = try #require((object["exercises"] as? [[String: Any]])?.first)
        #expect(first["type"] as? String == "minimal_pair")
        #expect(first["word1"] as? String == "ship" && first["word2"] as? String == "sheep")
        #expect(try JSONDecoder().decode(Drill.self, from: data) == drill)
        for drill in BuiltInDrills.all {
            #expect(try JSONDecoder().decode(Drill.self, from: JSONEncoder().encode(drill)) == drill)
        }
    }

    @Test("every minimal pair differs by espeak-ng phonemes, and the phonemizer gives IPA units")
    func phonemes() async throws {
        #expect(try await DrillFixtures.phonemizer.phonemes("sheep") == ["ʃ", "iː", "p"])
        #expect(try await DrillFixtures.phonemizer.phonemes("think") == ["θ", "ɪ", "ŋ", "k"])
        #expect(try await DrillFixtures.phonemizer.phonemes("  ").isEmpty)
        for case .minimalPair(let pair) in BuiltInDrills.all.flatMap(\.exercises) {
            let a = try await DrillFixtures.phonemizer.phonemes(pair.word1)
            let b = try await DrillFixtures.phonemizer.phonemes(pair.word2)
            #expect(a != b && !a.isEmpty && !b.isEmpty, "\(pair.word1)/\(pair.word2)")
        }
    }

    @Test("unknown drills and exercise indices are typed errors with a message")
    func errors() throws {
        #expect(throws: DrillError.unknownDrill("drill_nope")) { try BuiltInDrills.drill(id: "drill_nope") }
        let drill = try BuiltInDrills.drill(id: "drill_pace_1")
        #expect(throws: DrillError.exerciseOutOfRange(drillID: "drill_pace_1", index: 3, count: 3)) { try drill.exercise(at: 3) }
        #expect(throws: DrillError.exerciseOutOfRange(drillID: "drill_pace_1", index: -1, count: 3)) { try drill.exercise(at: -1) }
        #expect(DrillError.exerciseOutOfRange(drillID: "drill_pace_1", index: 3, count: 3).description.contains("0 to 2"))
        #expect(DrillError.emptyResponse.domainError == .validation(field: "response", message: DrillError.emptyResponse.description))
    }
}

@Suite("Drills: scoring typed responses")
struct DrillScoringTests {
    let scorer = DrillFixtures.scorer

    @Test("minimal pair: the target scores 100, the distractor scores low and names the confused sound")
    func minimalPair() async throws {
        let exercise = try DrillFixtures.exercise("drill_minimal_pairs_1", 0)  // say "ship", not "sheep"
        let right = try await scorer.score(exercise, response: DrillResponse(typed: "Ship."))
        #expect(right.score == 100 && right.accuracy == 1 && right.correctAnswer == "ship")
        let wrong = try await scorer.score(exercise, response: DrillResponse(typed: "sheep"))
        #expect(wrong.score <= 30)
        #expect(wrong.feedback.contains("\"sheep\" instead of \"ship\""))
        #expect(wrong.feedback.contains("/ɪ/") && wrong.feedback.contains("/iː/"), "\(wrong.feedback)")
        #expect(wrong.correctAnswer == "ship")
        // Another word is graded by phoneme similarity: "shop" shares two of three sounds with "ship".
        let near = try await scorer.score(exercise, response: DrillResponse(typed: "shop"))
        #expect(near.score > wrong.score && near.score < 70)
        #expect(abs(near.accuracy - 0.67) < 0.01)
        let far = try await scorer.score(exercise, response: DrillResponse(typed: "banana"))
        #expect(far.score < near.score)
    }

    @Test("minimal pair with the second word as target, and consonant contrasts named")
    func consonants() async throws {
        let think = try DrillFixtures.exercise("drill_minimal_pairs_4", 0)  // say "think"
        let sink = try await scorer.score(think, response: DrillResponse(typed: "sink"))
        #expect(sink.score <= 30 && sink.feedback.contains("/θ/") && sink.feedback.contains("/s/"), "\(sink.feedback)")
        let vote = try DrillFixtures.exercise("drill_minimal_pairs_5", 1)  // say "boat" (target 2)
        #expect(try await scorer.score(vote, response: DrillResponse(typed: "boat")).score == 100)
        let said = try await scorer.score(vote, response: DrillResponse(typed: "vote"))
        #expect(said.score <= 30 && said.correctAnswer == "boat" && said.feedback.contains("/b/"), "\(said.feedback)")
    }

    @Test("without phonemes the pair is still judged, letter by letter")
    func lettersOnly() async throws {
        let exercise = try DrillFixtures.exercise("drill_minimal_pairs_1", 0)
        let scorer = DrillScorer()
        #expect(try await scorer.score(exercise, response: DrillResponse(typed: "ship")).score == 100)
        let wrong = try await scorer.score(exercise, response: DrillResponse(typed: "sheep"))
        #expect(wrong.score <= 30 && wrong.feedback.contains("instead of"))
    }

    @Test("read aloud typed: accuracy from the word alignment, missed and changed words named, no pace")
    func readAloudTyped() async throws {
        let exercise = try DrillFixtures.exercise("drill_pace_1", 0)
        let exact = try await scorer.score(exercise, response: DrillResponse(typed: "thank you all for coming today i will keep this short and clear"))
        #expect(exact.score == 100 && exact.accuracy == 1 && exact.wordsPerMinute == nil && exact.pace == nil)
        let sloppy = try await scorer.score(exercise, response: DrillResponse(typed: "Thank you for coming today. I will keep this short and fear."))
        #expect(sloppy.accuracy < 0.9 && sloppy.accuracy > 0.8)
        #expect(sloppy.feedback.contains("missed \"all\"") && sloppy.feedback.contains("\"clear\" (heard \"fear\")"), "\(sloppy.feedback)")
        #expect(sloppy.feedback.contains("Pace is only measured from a recording"))
    }

    @Test("alignment words: punctuation dropped, written numbers spelled as they are said")
    func alignmentWords() {
        #expect(WordAlignment.words("Revenue grew 18% to $4.2 million.") == ["revenue", "grew", "eighteen", "percent", "to", "four", "point", "two", "million", "dollars"])
        #expect(WordAlignment.words("It costs $5 today, about 12,000 calls; 21 to 29%.") ==
                ["it", "costs", "five", "dollars", "today", "about", "twelve", "thousand", "calls", "twenty", "one", "to", "twenty", "nine", "percent"])
        #expect(WordAlignment.words("In 1,305 cases... We're done!") == ["in", "one", "thousand", "three", "hundred", "five", "cases", "we're", "done"])
        let numbers = WordAlignment(reference: "Revenue grew eighteen percent to four point two million dollars.", hypothesis: "Revenue grew 18% to $4.2 million.")
        #expect(numbers.errors == 0)
    }

    @Test("read aloud with word timings: words per minute against the target range")
    func readAloudTimed() async throws {
        let exercise = try DrillFixtures.exercise("drill_pace_1", 0)  // 13 words, target 120–160
        let text = "Thank you all for coming today. I will keep this short and clear."
        func response(seconds: Double) -> DrillResponse {
            let words = WordAlignment.words(text)
            let step = seconds / Double(words.count)
            let timed = words.enumerated().map { Word(text: $0.element, start: Double($0.offset) * step, end: Double($0.offset + 1) * step) }
            return DrillResponse(recognised: Transcript(segments: [TranscriptSegment(id: 0, speaker: .unknown, text: text, words: timed)]), audioDuration: seconds + 1)
        }
        let slow = try await scorer.score(exercise, response: response(seconds: 13))  // 60 wpm
        let good = try await scorer.score(exercise, response: response(seconds: 5.5))  // ~142 wpm
        let fast = try await scorer.score(exercise, response: response(seconds: 3))  // 260 wpm
        #expect(slow.pace == .tooSlow && good.pace == .onTarget && fast.pace == .tooFast)
        #expect(abs((good.wordsPerMinute ?? 0) - 141.8) < 0.2)
        #expect(good.score == 100 && slow.score < good.score && fast.score < good.score)
        #expect(fast.feedback.contains("faster than the 120–160 target"))
    }

    @Test("filler-laden answers score below clean ones; the correct answer drops the fillers")
    func fillers() async throws {
        let exercise = try DrillFixtures.exercise("drill_fillers_1", 0)  // at least 25 words
        let clean = "I wake up at seven, make coffee and read the news. Then I walk the dog around the park and start work at nine after a short stand-up call."
        let filled = "Um, I wake up at seven, uh, make coffee and, like, read the news. Then I, um, walk the dog around the park and, you know, start work at nine after a short call."
        let good = try await scorer.score(exercise, response: DrillResponse(typed: clean))
        let poor = try await scorer.score(exercise, response: DrillResponse(typed: filled))
        #expect(good.score == 100 && good.feedback.contains("No fillers"))
        #expect(poor.score < 60 && poor.score < good.score)
        #expect(poor.feedback.contains("\"um\" ×2") && poor.feedback.contains("\"you know\" ×1"), "\(poor.feedback)")
        #expect(!WordAlignment.words(poor.correctAnswer).contains("um") && !poor.correctAnswer.contains("you know"), "\(poor.correctAnswer)")
        #expect(poor.correctAnswer == "I wake up at seven make coffee and read the news. Then I walk the dog around the park and start work at nine after a short call.", "\(poor.correctAnswer)")
        #expect(poor.accuracy < good.accuracy)
        let short = try await scorer.score(exercise, response: DrillResponse(typed: "I wake up and make coffee."))
        #expect(short.score < 40 && short.feedback.contains("aim for at least 25"))
    }

    @Test("confident statements: hedges and fillers cost, a committed statement scores high")
    func confidence() async throws {
        let exercise = try DrillFixtures.exercise("drill_confidence_2", 0)
        let firm = try await scorer.score(exercise, response: DrillResponse(typed: "I recommend the second vendor. They will cut our setup time in half and I will manage the rollout."))
        let hedged = try await scorer.score(exercise, response: DrillResponse(typed: "I guess maybe the second vendor could be, um, sort of better, I am not sure."))
        #expect(firm.score >= 90, "\(firm)")
        #expect(hedged.score <= 40, "\(hedged)")
        #expect(hedged.feedback.contains("\"i guess\"") && hedged.feedback.contains("\"maybe\""), "\(hedged.feedback)")
        #expect(hedged.correctAnswer.hasPrefix("I recommend the second vendor"))
    }

    @Test("empty or punctuation-only responses are a typed error, for every exercise type")
    func empty() async throws {
        for drill in ["drill_minimal_pairs_1", "drill_pace_1", "drill_fillers_1", "drill_confidence_1"] {
            let value = try BuiltInDrills.drill(id: drill)
            await #expect(throws: DrillError.emptyResponse) {
                try await scorer.score(value, exercise: 0, response: DrillResponse(typed: " ... "))
            }
        }
        let drill = try BuiltInDrills.drill(id: "drill_minimal_pairs_1")
        await #expect(throws: DrillError.exerciseOutOfRange(drillID: drill.id, index: 9, count: 5)) {
            try await scorer.score(drill, exercise: 9, response: DrillResponse(typed: "ship"))
        }
    }
}

@Suite("Drills: personalisation")
struct DrillPlannerTests {
    let planner = DrillPlanner()

    @Test("drills come weakest skill first, with the reason")
    func weakestFirst() {
        let scores = [
            "clarity": DrillFixtures.category(85, ["pronunciation": 88, "articulation": 82, "volume": 85]),
            "pace": DrillFixtures.category(48, ["speed": 35, "rhythm": 60, "pauses": 50]),
            "engagement": DrillFixtures.category(70),
            "confidence": DrillFixtures.category(72, ["fillers": 55, "assertiveness": 80, "steadiness": 81]),
        ]
        let list = planner.recommend(scores: scores)
        #expect(list.count == BuiltInDrills.all.count)
        let order = list.map(\.drill.category)
        // pace (speed 35) < fillers (55) < confidence (80) < pronunciation (82)
        #expect(order.firstIndex(of: .pace)! < order.firstIndex(of: .fillers)!)
        #expect(order.lastIndex(of: .pace)! < order.firstIndex(of: .fillers)!)
        #expect(order.lastIndex(of: .fillers)! < order.firstIndex(of: .confidence)!)
        #expect(order.lastIndex(of: .confidence)! < order.firstIndex(of: .pronunciation)!)
        #expect(list[0].drill.difficulty == .beginner)  // speed 35 suits a beginner drill
        #expect(list[0].reason.contains("pace") && list[0].reason.contains("speed factor 35"), "\(list[0].reason)")
        #expect(list[0].skillScore == 35)
    }

    @Test("a different weakness reorders: weak pronunciation first, advanced confidence for a strong speaker")
    func otherWeakness() {
        let scores = [
            "clarity": DrillFixtures.category(50, ["pronunciation": 40, "articulation": 60]),
            "pace": DrillFixtures.category(90, ["speed": 95, "rhythm": 90, "pauses": 88]),
            "confidence": DrillFixtures.category(85, ["fillers": 90, "assertiveness": 84, "steadiness": 86]),
        ]
        let list = planner.recommend(scores: scores)
        #expect(list.first?.drill.category == .pronunciation)
        let confidence = list.filter { $0.drill.category == .confidence }
        #expect(confidence.first?.drill.difficulty == .advanced)
    }

    @Test("averages several sessions; no history keeps catalogue order and says so")
    func averagingAndEmpty() {
        let averaged = DrillPlanner.average([
            ["pace": DrillFixtures.category(40, ["speed": 30])],
            ["pace": DrillFixtures.category(60, ["speed": 50]), "clarity": DrillFixtures.category(80, ["pronunciation": 80])],
        ])
        #expect(averaged["pace"]?.score == 50 && averaged["pace"]?.factors["speed"] == 40)
        #expect(averaged["clarity"]?.score == 80)
        let none = planner.recommend(scores: [:])
        #expect(none.map(\.drill.id) == BuiltInDrills.all.map(\.id))
        #expect(none.allSatisfy { $0.skillScore == nil && $0.reason.contains("No scored sessions") })
    }

    @Test("difficulty, category and limit filters; bad filter values are typed errors")
    func filters() throws {
        let scores = ["pace": DrillFixtures.category(40, ["speed": 40])]
        let pronunciation = planner.recommend(scores: scores, filter: DrillFilter(category: .pronunciation))
        #expect(!pronunciation.isEmpty && pronunciation.allSatisfy { $0.drill.category == .pronunciation })
        let advanced = planner.recommend(scores: scores, filter: try DrillFilter.parse(difficulty: "advanced", category: nil, limit: nil))
        #expect(!advanced.isEmpty && advanced.allSatisfy { $0.drill.difficulty == .advanced })
        #expect(advanced.first?.drill.category == .pace)
        let two = planner.recommend(scores: scores, filter: DrillFilter(limit: 2))
        #expect(two.count == 2 && two.allSatisfy { $0.drill.category == .pace })
        #expect(planner.recommend(scores: scores, filter: DrillFilter(difficulty: .advanced, category: .fillers, limit: 1)).map(\.drill.id) == ["drill_fillers_3"])
        #expect(throws: DrillError.self) { try DrillFilter.parse(difficulty: "expert", category: nil, limit: nil) }
        #expect(throws: DrillError.self) { try DrillFilter.parse(difficulty: nil, category: "posture", limit: nil) }
        #expect(throws: DrillError.self) { try DrillFilter.parse(difficulty: nil, category: nil, limit: 0) }
    }
}
