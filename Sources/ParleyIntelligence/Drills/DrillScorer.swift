import Foundation
import ParleyDomain

/// Scores one response to one drill exercise: a 0–100 score, specific feedback, the correct
/// answer and an accuracy. Deterministic; the only outside input is the phoneme lookup.
public struct DrillScorer: Sendable {
    /// Phonemes for minimal pairs (espeak-ng through ParleySpeech's `Phonemizer`); without it the
    /// pair is compared letter by letter and the feedback names letters instead of sounds.
    public var phonemes: PhonemeLookup?
    public var analyzer: TextAnalyzer

    public init(phonemes: PhonemeLookup? = nil, analyzer: TextAnalyzer = TextAnalyzer()) {
        self.phonemes = phonemes
        self.analyzer = analyzer
    }

    /// Scores exercise `index` of `drill`; a bad index or an empty response is a typed `DrillError`.
    public func score(_ drill: Drill, exercise index: Int, response: DrillResponse) async throws -> DrillScore {
        try await score(try drill.exercise(at: index), response: response)
    }

    public func score(_ exercise: DrillExercise, response: DrillResponse) async throws -> DrillScore {
        guard !WordAlignment.words(response.text).isEmpty else { throw DrillError.emptyResponse }
        switch exercise {
        case .minimalPair(let pair): return try await minimalPair(pair, response)
        case .readAloud(let passage): return readAloud(passage, response)
        case .fillerFree(let task): return fillerFree(task, response)
        case .confidentStatement(let task): return confidentStatement(task, response)
        }
    }

    // MARK: minimal pairs

    /// The word heard is compared with the target AND the distractor: the distractor scores low and
    /// the feedback names the sound that changed; another word is graded by phoneme similarity.
    func minimalPair(_ pair: DrillExercise.MinimalPair, _ response: DrillResponse) async throws -> DrillScore {
        let target = pair.targetWord.lowercased(), distractor = pair.distractorWord.lowercased()
        let said = WordAlignment.words(response.text)
        let phonemic = phonemes != nil
        func sounds(_ word: String) async throws -> [String] {
            if let phonemes { return try await phonemes(word) }
            return word.map { String($0) }
        }
        let targetSounds = try await sounds(target)
        let distractorSounds = try await sounds(distractor)
        let contrast = SoundContrast(expected: targetSounds, produced: distractorSounds)
        let key = contrast.differences.first.flatMap { $0.expected }.map { SoundContrast.name($0, phonemic) }

        // Which word was meant: the target or distractor if either was heard, else the closest word.
        let heard: String
        var heardSounds: [String]
        // The first of the two said counts: a prompted recogniser sometimes runs on after the word
        // ("pen. Thank you."), and "ship, I mean sheep" should not pass as "ship".
        if let first = said.first(where: { $0 == target || $0 == distractor }) {
            heard = first; heardSounds = first == target ? targetSounds : distractorSounds
        } else {
            var best: (word: String, sounds: [String], closeness: Double)?
            for word in said {
                let candidate = try await sounds(word)
                let closeness = max(SoundContrast(expected: targetSounds, produced: candidate).similarity,
                                    SoundContrast(expected: distractorSounds, produced: candidate).similarity)
                if best == nil || closeness > best!.closeness { best = (word, candidate, closeness) }
            }
            heard = best?.word ?? said[0]; heardSounds = best?.sounds ?? []
        }
        let versusTarget = SoundContrast(expected: targetSounds, produced: heardSounds)
        let versusDistractor = SoundContrast(expected: distractorSounds, produced: heardSounds)
        let accuracy = rounded(versusTarget.similarity, places: 2)

        if heard == target {
            // Recogniser confidence is not used to grade: measured with Whisper tiny.en, a correctly
            // recognised single word (prompted with the pair) gets word probabilities of 0.00–0.06.
            var feedback = "Correct: \"\(pair.targetWord)\" was heard, not \"\(pair.distractorWord)\"."
            if let key { feedback += " Your \(key) came through." }
            return DrillScore(score: 100, feedback: feedback, correctAnswer: pair.targetWord, accuracy: 1, heard: heard)
        }
        if heard == distractor {
            let change = contrast.describe(phonemic: phonemic).map { " \($0.prefix(1).uppercased() + $0.dropFirst())." } ?? ""
            let feedback = "You said \"\(pair.distractorWord)\" instead of \"\(pair.targetWord)\": the two sounds were confused.\(change)"
            return DrillScore(score: Int((25 * versusTarget.similarity).rounded()), feedback: feedback,
                              correctAnswer: pair.targetWord, accuracy: accuracy, heard: heard)
        }
        // Another word: partial credit by similarity, halved when it leans towards the distractor.
        let leansWrong = versusDistractor.similarity > versusTarget.similarity
        let score = 70 * versusTarget.similarity * (leansWrong ? 0.5 : 1)
        var feedback = "We heard \"\(heard)\", not \"\(pair.targetWord)\"."
        if let change = versusTarget.describe(phonemic: phonemic) { feedback += " Compared with \"\(pair.targetWord)\": \(change)." }
        if leansWrong { feedback += " It is closer to \"\(pair.distractorWord)\"." }
        return DrillScore(score: Int(score.rounded()), feedback: feedback, correctAnswer: pair.targetWord, accuracy: accuracy, heard: heard)
    }

    // MARK: read aloud

    /// Word accuracy (1 − word error rate against the passage) and, for audio, pace against the target.
    func readAloud(_ passage: DrillExercise.ReadAloud, _ response: DrillResponse) -> DrillScore {
        let alignment = WordAlignment(reference: passage.text, hypothesis: response.text)
        let accuracy = max(0, 1 - alignment.errorRate)
        var problems: [String] = []
        var missed: [String] = [], changed: [String] = []
        for step in alignment.steps {
            switch step {
            case .deletion(let word): missed.append("\"\(word)\"")
            case .substitution(let word, let said): changed.append("\"\(word)\" (heard \"\(said)\")")
            default: break
            }
        }
        if !missed.isEmpty { problems.append("missed " + missed.prefix(4).joined(separator: ", ")) }
        if !changed.isEmpty { problems.append("changed " + changed.prefix(4).joined(separator: ", ")) }
        var feedback = String(format: "%.0f%% of the passage read correctly", accuracy * 100)
        feedback += problems.isEmpty ? "." : ": " + problems.joined(separator: "; ") + "."

        let target = passage.targetWPM
        guard response.isSpoken, let seconds = response.speakingSeconds, seconds > 0 else {
            feedback += " Pace is only measured from a recording."
            return DrillScore(score: Int((accuracy * 100).rounded()), feedback: feedback, correctAnswer: passage.text,
                              accuracy: rounded(accuracy, places: 2), heard: response.text)
        }
        let wpm = Double(alignment.hypothesis.count) / seconds * 60
        let verdict: PaceVerdict = wpm < target.lowerBound ? .tooSlow : wpm > target.upperBound ? .tooFast : .onTarget
        let paceScore = SpeechCoach.band(wpm, ideal: target, zeroBelow: target.lowerBound - 70, zeroAbove: target.upperBound + 90)
        let range = String(format: "%.0f–%.0f", target.lowerBound, target.upperBound)
        switch verdict {
        case .onTarget: feedback += String(format: " Pace %.0f words per minute, inside the %@ target.", wpm, range)
        case .tooSlow: feedback += String(format: " Pace %.0f words per minute is slower than the %@ target: keep the words flowing and shorten pauses.", wpm, range)
        case .tooFast: feedback += String(format: " Pace %.0f words per minute is faster than the %@ target: slow down and pause at full stops.", wpm, range)
        }
        let score = 0.6 * accuracy * 100 + 0.4 * paceScore
        return DrillScore(score: Int(score.rounded()), feedback: feedback, correctAnswer: passage.text,
                          accuracy: rounded(accuracy, places: 2), heard: response.text,
                          wordsPerMinute: rounded(wpm, places: 1), pace: verdict)
    }

    // MARK: fillers and confidence

    /// Fillers per 100 words (the same analysis and curve as SpeechCoach's fillers factor), scaled
    /// down when the answer is shorter than asked.
    func fillerFree(_ task: DrillExercise.FillerFree, _ response: DrillResponse) -> DrillScore {
        let segment = TranscriptSegment(id: 0, speaker: .rep, text: response.text, words: response.words)
        let text = SegmentText(segment)
        let fillers = Fluency.fillers(in: text)
        let words = max(1, text.wordCount)
        let fillerWords = fillers.reduce(0) { $0 + ($1.end - $1.start) }
        let rate = Double(fillers.count) * 100 / Double(words)
        let fillerScore = max(0, 100 - rate * 10)
        let length = min(1, Double(text.wordCount) / Double(max(1, task.minimumWords)))
        var feedback: String
        if fillers.isEmpty {
            feedback = "No fillers in \(text.wordCount) words."
        } else {
            var counts: [String: Int] = [:]
            for filler in fillers { counts[filler.word, default: 0] += 1 }
            let listed = counts.sorted { $0.value > $1.value || $0.value == $1.value && $0.key < $1.key }
                .map { "\"\($0.key)\" ×\($0.value)" }.joined(separator: ", ")
            feedback = String(format: "%d filler%@ in %d words (%.1f per 100): %@. Replace each with a short pause.",
                              fillers.count, fillers.count == 1 ? "" : "s", text.wordCount, rate, listed)
        }
        if length < 1 { feedback += " The answer was \(text.wordCount) words; aim for at least \(task.minimumWords)." }
        let cleaned = Self.removing(fillers, from: text)
        return DrillScore(score: Int((fillerScore * length).rounded()), feedback: feedback, correctAnswer: cleaned,
                          accuracy: rounded(1 - Double(fillerWords) / Double(words), places: 2), heard: response.text)
    }

    /// Hedges ("maybe", "I guess", "sort of"), fillers and whether the statement reads as committed.
    func confidentStatement(_ task: DrillExercise.ConfidentStatement, _ response: DrillResponse) -> DrillScore {
        let segment = TranscriptSegment(id: 0, speaker: .rep, text: response.text, words: response.words)
        let text = SegmentText(segment)
        let analysis = analyzer.analyze(segment: segment)
        let fillers = Fluency.fillers(in: text)
        let fillerStarts = Set(fillers.map(\.start))
        // "sort of" / "kind of" count once, as fillers, when Fluency already took them.
        let hedges = ToneReader.patterns.hits(in: text.terms)
            .filter { $0.label == .hesitant && !fillerStarts.contains($0.start) }
            .map { text.phrase(terms: $0.start, $0.end).lowercased() }
        let committed = analysis.tones.contains { $0.tone == .confident }
        let words = max(1, text.wordCount)
        var score = 100.0 - 20 * Double(hedges.count) - 10 * Double(fillers.count) - (committed ? 0 : 10)
        var notes: [String] = []
        if !hedges.isEmpty { notes.append("Hedges weaken it: " + hedges.map { "\"\($0)\"" }.joined(separator: ", ") + ". State it plainly.") }
        if !fillers.isEmpty { notes.append("Fillers: " + fillers.map { "\"\($0.word)\"" }.joined(separator: ", ") + ".") }
        if text.wordCount < 6 {
            score -= 20
            notes.append("Too short to carry a point: say what you will do and why.")
        }
        if notes.isEmpty {
            notes.append(committed ? "Clear and committed: no hedges or fillers." : "No hedges or fillers; add a firm commitment (\"I will\", \"I recommend\") to sound decisive.")
        }
        let weak = hedges.count + fillers.count
        return DrillScore(score: Int(min(100, max(0, score)).rounded()), feedback: notes.joined(separator: " "),
                          correctAnswer: task.example, accuracy: rounded(max(0, 1 - Double(weak) / Double(words)), places: 2),
                          heard: response.text)
    }

    /// The response with its fillers, and the commas that set them off, taken out
    /// ("I, um, walk" → "I walk"; "coffee, you know." → "coffee.").
    static func removing(_ fillers: [(word: String, start: Int, end: Int)], from text: SegmentText) -> String {
        var dropped = Set<Int>()
        func isComma(_ term: Int) -> Bool {
            text.terms.indices.contains(term) && text.terms[term].isPunctuation && text.tokens[text.terms[term].token].text == ","
        }
        for filler in fillers {
            for term in filler.start..<filler.end { dropped.insert(text.terms[term].token) }
            for term in [filler.start - 1, filler.end] where isComma(term) { dropped.insert(text.terms[term].token) }
        }
        var result = ""
        for (index, token) in text.tokens.enumerated() where !dropped.contains(index) {
            if token.kind != .punctuation, !result.isEmpty { result += " " }
            result += token.text
        }
        guard let first = result.first else { return result }
        return first.uppercased() + result.dropFirst()
    }
}
