import Foundation
import ParleyDomain

/// Finds fillers, repetitions and grammar slips in spoken English.
enum Fluency {
    static let hesitations: Set<String> = ["um", "umm", "uh", "uhh", "uhm", "er", "erm", "ah", "ahh", "hmm", "hm"]
    static let alwaysFillers: Set<String> = ["basically", "literally"]
    static let subjectPronouns: Set<String> = ["i", "you", "we", "they", "he", "she", "it", "people", "customers", "folks", "who", "that"]
    static let auxiliaries: Set<String> = [
        "do", "does", "did", "would", "will", "can", "could", "should", "might", "may", "must", "to", "not", "shall",
    ]
    static let determiners: Set<String> = [
        "a", "an", "the", "what", "this", "that", "which", "any", "some", "every", "one", "same", "different", "no",
        "your", "our", "my", "their", "his", "her", "its", "these", "those", "all", "whatever", "each", "another",
    ]
    /// Verbs after which "like" is a preposition ("looks like", "feel like").
    static let likePrepositionHosts: Set<String> = [
        "look", "looks", "looked", "looking", "sound", "sounds", "sounded", "feel", "feels", "felt", "seem", "seems",
        "something", "anything", "nothing", "things", "stuff", "more", "exactly", "much", "just", "seemed", "act",
        "treat", "unlike", "units", "ones", "companies", "businesses", "thing", "someone", "one", "people",
    ]
    static let copulas: Set<String> = ["is", "was", "were", "are", "be", "been"]
    static let intensityWords: Set<String> = ["really", "so", "super", "totally", "very", "completely", "way", "almost", "about", "maybe"]
    static let discourseStarts: Set<String> = ["and", "but", "so", "or", "then", "because", "um", "uh", "well", "oh", "yeah", "okay"]

    /// Fillers in one segment as (canonical word, first term, end term).
    static func fillers(in text: SegmentText) -> [(word: String, start: Int, end: Int)] {
        let terms = text.terms
        var found: [(word: String, start: Int, end: Int)] = []
        var i = 0
        func previous(_ index: Int) -> String? {
            index > 0 && !terms[index - 1].isPunctuation ? terms[index - 1].text : nil
        }
        func next(_ index: Int) -> Term? { index < terms.count ? terms[index] : nil }
        while i < terms.count {
            let term = terms[i]
            if term.isPunctuation { i += 1; continue }
            let word = term.text
            let prev = previous(i)
            if hesitations.contains(word) || alwaysFillers.contains(word) {
                found.append((word == "umm" || word == "uhm" ? "um" : word == "uhh" ? "uh" : word, i, i + 1))
            } else if word == "like" && isFillerLike(terms, at: i) {
                found.append(("like", i, i + 1))
            } else if word == "you", next(i + 1)?.text == "know", isFillerYouKnow(terms, at: i) {
                found.append(("you know", i, i + 2)); i += 2; continue
            } else if word == "i", next(i + 1)?.text == "mean", isFillerIMean(terms, at: i) {
                found.append(("i mean", i, i + 2)); i += 2; continue
            } else if word == "sort" || word == "kind", next(i + 1)?.text == "of", !(prev.map(determiners.contains) ?? false),
                !(prev.map { $0.hasSuffix("s") && $0 != "is" && $0 != "was" && $0 != "its" } ?? false)
            {
                found.append((word + " of", i, i + 2)); i += 2; continue
            }
            i += 1
        }
        return found
    }

    static func isFillerLike(_ terms: [Term], at i: Int) -> Bool {
        let prev: String? = i > 0 && !terms[i - 1].isPunctuation ? terms[i - 1].text : nil
        let next: Term? = i + 1 < terms.count ? terms[i + 1] : nil
        let nextText = next.map { $0.isPunctuation ? "," : $0.text }
        // "like I said", "like we discussed": a conjunction, not a filler.
        if let n = nextText, ["i", "we", "you", "they", "he", "she"].contains(n), i + 2 < terms.count,
            ["said", "mentioned", "discussed", "say", "told", "talked"].contains(terms[i + 2].text)
        {
            return false
        }
        guard let prev else {
            // Sentence- or clause-initial "like" followed by a pronoun-led clause is usually a
            // filler ("Like, we tried that"); "Like this one" is a preposition.
            if let n = nextText, ["this", "that", "these", "those"].contains(n) { return false }
            return true
        }
        if subjectPronouns.contains(prev) || auxiliaries.contains(prev) || likePrepositionHosts.contains(prev) { return false }
        if ["would", "really", "also", "definitely", "actually", "d", "might", "all", "probably", "certainly", "kinda"].contains(prev) { return false }
        if hesitations.contains(prev) || ["and", "but", "so", "or", "because", "yeah", "well", "oh", "okay", "it's", "know"].contains(prev) {
            // "and like" / "um like" at a clause edge.
            return true
        }
        if copulas.contains(prev) {
            guard let n = nextText else { return true }
            return n == "," || NumberWords.isNumber(n) || intensityWords.contains(n) || hesitations.contains(n) || n == "a" && i + 2 < terms.count && NumberWords.isNumber(terms[i + 2].text)
        }
        if let n = nextText, NumberWords.isNumber(n) || n == "," {
            // "for like three weeks", "it takes like, forever".
            return !["feel", "felt"].contains(prev)
        }
        return false
    }

    static func isFillerYouKnow(_ terms: [Term], at i: Int) -> Bool {
        let prev: String? = i > 0 && !terms[i - 1].isPunctuation ? terms[i - 1].text : nil
        if let prev, auxiliaries.contains(prev) || ["if", "whether", "as", "let", "tell", "so", "make", "that", "what", "because", "let's", "want", "how"].contains(prev) {
            return false
        }
        // "you know what I mean" / "you know what, let's do it" are fillers; "you know the model?" is not.
        if i + 2 < terms.count, !terms[i + 2].isPunctuation {
            let after = terms[i + 2].text
            // "you know, it's been like this": a clause follows, so "you know" is a filler.
            if ["it", "that", "this", "they", "we", "i"].contains(after), i + 3 < terms.count,
                ["is", "was", "has", "will", "would", "are", "were", "had", "been", "am"].contains(terms[i + 3].text)
            {
                return true
            }
            if ["the", "a", "an", "how", "who", "where", "when", "which", "if", "him", "her", "them", "about", "it", "that", "this", "your", "our"].contains(after) {
                return prev == nil && i + 3 < terms.count && terms[i + 3].isPunctuation ? true : false
            }
        }
        return true
    }

    static func isFillerIMean(_ terms: [Term], at i: Int) -> Bool {
        let prev: String? = i > 0 && !terms[i - 1].isPunctuation ? terms[i - 1].text : nil
        if let prev, !(discourseStarts.contains(prev) || hesitations.contains(prev)) { return false }
        if i + 2 < terms.count, !terms[i + 2].isPunctuation, ["it", "to", "what", "business", "that", "no", "every"].contains(terms[i + 2].text) {
            return false
        }
        return true
    }

    /// Immediate repetitions of one to three words, excluding legitimate doubles.
    static func repetitions(in text: SegmentText) -> [(phrase: String, start: Int, end: Int)] {
        let words = text.terms.indices.filter { !text.terms[$0].isPunctuation }
        var result: [(phrase: String, start: Int, end: Int)] = []
        var k = 0
        while k < words.count {
            var matched = false
            for n in stride(from: 3, through: 1, by: -1) where k + 2 * n <= words.count {
                let first = (0..<n).map { text.terms[words[k + $0]].text }
                let second = (0..<n).map { text.terms[words[k + n + $0]].text }
                guard first == second else { continue }
                if n == 1 && (legitimateDoubles.contains(first[0]) || Fluency.hesitations.contains(first[0])) { continue }
                // Distinct source tokens only: "kinda" expands to two terms of one token.
                if text.terms[words[k]].token == text.terms[words[k + n]].token { continue }
                result.append((first.joined(separator: " "), words[k], words[k + 2 * n - 1] + 1))
                k += 2 * n - 1
                matched = true
                break
            }
            if !matched { k += 1 }
        }
        return result
    }

    static let legitimateDoubles: Set<String> = ["that", "had", "is", "very", "really", "no", "so", "bye", "yeah", "yes", "okay", "well", "knock", "tsk", "ha", "far", "long", "more", "again", "two", "day", "by", "over", "blah", "round", "on", "and"]

    // MARK: Grammar

    static let vowelSoundExceptions: Set<String> = ["hour", "hours", "honest", "honestly", "honor", "honour", "heir", "hourly", "herb"]
    static let consonantSoundPrefixes = ["uni", "use", "usu", "uti", "ura", "eu", "one", "once", "ufo", "uk", "us "]
    static let vowelLetterNames: Set<Character> = ["a", "e", "f", "h", "i", "l", "m", "n", "o", "r", "s", "x"]

    /// Whether a word starts with a vowel sound (for a/an).
    static func startsWithVowelSound(_ token: Token) -> Bool? {
        let word = token.text
        guard let first = word.lowercased().first else { return nil }
        if token.kind == .number {
            return word.hasPrefix("8") || word.hasPrefix("11") || word.hasPrefix("18")
        }
        let isAcronym = word.count >= 2 && word.count <= 5 && word == word.uppercased() && word.allSatisfy(\.isLetter)
        if isAcronym { return vowelLetterNames.contains(first) }
        let lower = word.lowercased()
        if vowelSoundExceptions.contains(lower) { return true }
        if consonantSoundPrefixes.contains(where: { lower.hasPrefix($0) }) { return false }
        return "aeiou".contains(first)
    }

    static func grammar(in text: SegmentText) -> [GrammarIssue] {
        var issues: [GrammarIssue] = []
        let tokens = text.tokens
        // a / an, on raw tokens (contractions do not matter here).
        for (i, token) in tokens.enumerated() where token.kind == .word && i + 1 < tokens.count {
            let lower = token.text.lowercased()
            guard lower == "a" || lower == "an", tokens[i + 1].kind != .punctuation,
                let vowel = startsWithVowelSound(tokens[i + 1])
            else { continue }
            // "a" as a letter ("plan A", "a or b") is rare in speech; only flag clear cases.
            if lower == "a" && vowel {
                issues.append(issue("Article a/an", "a -> an", token: i, through: i + 1, text))
            } else if lower == "an" && !vowel {
                issues.append(issue("Article a/an", "an -> a", token: i, through: i + 1, text))
            }
        }
        let terms = text.terms
        for i in terms.indices where !terms[i].isPunctuation && i + 1 < terms.count && !terms[i + 1].isPunctuation {
            let subject = terms[i].text
            let verb = terms[i + 1].text
            let prev: String? = i > 0 && !terms[i - 1].isPunctuation ? terms[i - 1].text : nil
            // Inverted questions ("does he have", "is it are"?) and causatives ("let it go").
            if let prev, auxiliaries.contains(prev) || copulas.contains(prev) || ["let", "make", "makes", "help", "see", "watch", "have", "has", "had", "hear", "if", "than", "and", "or", "that", "what"].contains(prev) {
                if !(["they", "we", "you"].contains(subject) && ["was", "is", "has", "does"].contains(verb)) { continue }
            }
            var fix: String?
            switch subject {
            case "he", "she", "it":
                switch verb {
                case "do" where i + 2 < terms.count && terms[i + 2].text == "not": fix = "don't -> doesn't"
                case "have": fix = "have -> has"
                case "are": fix = "are -> is"
                case "need", "want", "go", "work", "run", "cost", "take", "look", "seem", "know", "leak", "make", "keep", "break":
                    fix = "\(verb) -> \(thirdPerson(verb))"
                default: break
                }
            case "they", "we", "you":
                switch verb {
                case "is": fix = "is -> are"
                case "was": fix = "was -> were"
                case "has": fix = "has -> have"
                case "does": fix = "does -> do"
                default: break
                }
            case "i":
                switch verb {
                case "is": fix = "is -> am"
                case "are": fix = "are -> am"
                case "has": fix = "has -> have"
                case "does": fix = "does -> do"
                default: break
                }
            case "there":
                // "there is/was three units": agreement with a plural count that follows.
                if (verb == "is" || verb == "was"), i + 2 < terms.count, !terms[i + 2].isPunctuation {
                    let after = terms[i + 2].text
                    let plural = ["many", "several", "few", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "a few"].contains(after)
                        || (Double(after).map { $0 > 1 } ?? false)
                    if plural && !(i + 3 < terms.count && ["of", "percent", "%", "hundred", "thousand", "dollars", "bucks", "minutes", "years"].contains(terms[i + 3].text) && after != "few") {
                        fix = verb == "is" ? "is -> are" : "was -> were"
                    }
                }
            default: break
            }
            if let fix {
                let firstToken = terms[i].token
                let lastToken = terms[i + 1].token
                issues.append(issue("Subject-verb agreement", fix, token: firstToken, through: lastToken, text))
            }
        }
        for repetition in repetitions(in: text) where !repetition.phrase.contains(" ") {
            let suggestion = "\(repetition.phrase) \(repetition.phrase) -> \(repetition.phrase)"
            issues.append(issue("Repeated word", suggestion, token: terms[repetition.start].token, through: terms[repetition.end - 1].token, text, severity: "low"))
        }
        return issues.sorted { $0.position < $1.position }
    }

    private static func thirdPerson(_ verb: String) -> String {
        switch verb {
        case "go": "goes"
        case "do": "does"
        case "have": "has"
        default: verb + "s"
        }
    }

    private static func issue(_ error: String, _ suggestion: String, token: Int, through last: Int, _ text: SegmentText, severity: String = "medium") -> GrammarIssue {
        let start = text.times[token]?.start
        let end = text.times[last]?.end
        return GrammarIssue(
            error: error, suggestion: suggestion, position: text.tokens[token].offset, severity: severity,
            evidence: Evidence(segmentID: text.id, start: start, end: end, phrase: text.phrase(tokens: token, last)))
    }

    /// Builds the fluency report for a set of segments.
    static func report(_ texts: [SegmentText]) -> FluencyReport {
        var occurrences: [FillerOccurrence] = []
        var repetitionGroups: [String: Repetition] = [:]
        var repetitionOrder: [String] = []
        var grammar: [GrammarIssue] = []
        var words = 0
        for text in texts {
            words += text.wordCount
            for filler in fillers(in: text) {
                let time = text.times[text.terms[filler.start].token]
                let endTime = text.times[text.terms[filler.end - 1].token]
                occurrences.append(FillerOccurrence(word: filler.word, segmentID: text.id, start: time?.start, end: endTime?.end))
            }
            for repetition in repetitions(in: text) {
                let evidence = text.evidence(terms: repetition.start, repetition.end)
                if repetitionGroups[repetition.phrase] == nil {
                    repetitionOrder.append(repetition.phrase)
                    repetitionGroups[repetition.phrase] = Repetition(phrase: repetition.phrase, count: 0, timestamps: [], evidence: [])
                }
                repetitionGroups[repetition.phrase]!.count += 1
                if let start = evidence.start { repetitionGroups[repetition.phrase]!.timestamps.append(start) }
                repetitionGroups[repetition.phrase]!.evidence.append(evidence)
            }
            grammar += Fluency.grammar(in: text)
        }
        var summaries: [String: FillerSummary] = [:]
        var order: [String] = []
        for occurrence in occurrences {
            if summaries[occurrence.word] == nil {
                order.append(occurrence.word)
                summaries[occurrence.word] = FillerSummary(word: occurrence.word, count: 0, timestamps: [], frequency: 0, ratePer100Words: 0)
            }
            summaries[occurrence.word]!.count += 1
            if let start = occurrence.start { summaries[occurrence.word]!.timestamps.append(start) }
        }
        let total = occurrences.count
        let per100 = { (count: Int) -> Double in words > 0 ? rounded(Double(count) * 100 / Double(words)) : 0 }
        let fillerWords = order.map { word -> FillerSummary in
            var summary = summaries[word]!
            summary.frequency = rounded(Double(summary.count) / Double(max(total, 1)))
            summary.ratePer100Words = per100(summary.count)
            return summary
        }.sorted { $0.count > $1.count }
        let repetitions = repetitionOrder.map { repetitionGroups[$0]! }
        let repetitionCount = repetitions.reduce(0) { $0 + $1.count }
        let penalty = words > 0
            ? (Double(total) * 2.5 + Double(repetitionCount) * 2 + Double(grammar.count) * 3) * 100 / Double(words)
            : 0
        return FluencyReport(
            wordCount: words, fillers: occurrences, fillerWords: fillerWords, fillerCount: total,
            fillerRatePer100Words: per100(total), repetitions: repetitions, grammarErrors: grammar,
            overallFluency: rounded(max(0, min(100, 100 - penalty))))
    }
}

/// Rounds to two decimals for stable, readable JSON.
func rounded(_ value: Double, places: Int = 2) -> Double {
    let scale = pow(10.0, Double(places))
    return (value * scale).rounded() / scale
}
