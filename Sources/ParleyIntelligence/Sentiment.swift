import Foundation
import ParleyDomain

/// Tone labels the surfaces show (`confident`, `empathetic`, `hesitant`, ...).
public enum Tone: String, Sendable, Codable, Hashable, CaseIterable {
    case confident
    case empathetic
    case hesitant
    case enthusiastic
    case frustrated
    case concerned
    case satisfied
    case relieved
    case curious
    case neutral
}

/// A tone with the phrases that support it.
public struct ToneFinding: Sendable, Codable, Hashable {
    public var tone: Tone
    public var evidence: [String]
}

/// Lexicon sentiment tuned for spoken business conversation: negation flips, intensifiers
/// and hedges scale, "but" shifts weight to what follows, and multi-word idioms win over words.
enum SentimentScorer {
    static let threshold = 0.15

    static let words: [String: Double] = [
        // positive
        "great": 2.2, "good": 1.6, "excellent": 2.8, "perfect": 2.6, "awesome": 2.6, "fantastic": 2.8, "amazing": 2.7,
        "wonderful": 2.6, "love": 2.5, "loved": 2.5, "like": 0.0, "liked": 1.4, "happy": 2.0, "glad": 1.9, "pleased": 2.0,
        "excited": 2.2, "exciting": 2.0, "interested": 1.4, "interesting": 1.2, "helpful": 1.9, "appreciate": 1.8,
        "thanks": 1.0, "thank": 1.0, "nice": 1.5, "impressive": 2.2, "impressed": 2.1, "easy": 1.3, "easier": 1.3,
        "reliable": 1.6, "professional": 1.6, "thorough": 1.5, "quick": 0.4, "fast": 0.8, "fair": 1.0, "reasonable": 1.2,
        "affordable": 1.4, "valuable": 1.8, "value": 0.6, "benefit": 1.0, "benefits": 1.0, "save": 1.2, "saves": 1.2,
        "savings": 1.2, "works": 0.4, "working": 0.3, "solved": 1.6, "fixed": 1.2, "resolved": 1.6, "improved": 1.5,
        "improve": 0.9, "better": 1.3, "best": 1.8, "smooth": 1.4, "comfortable": 1.4, "confident": 1.5, "sure": 0.3,
        "definitely": 0.6, "absolutely": 0.6, "exactly": 0.8, "right": 0.2, "yes": 0.6, "yeah": 0.3, "okay": 0.2,
        "agree": 1.2, "recommend": 1.4, "trust": 1.4, "enjoy": 1.8, "enjoyed": 1.8, "relief": 1.6, "relieved": 1.7,
        "satisfied": 1.8, "friendly": 1.6, "clean": 1.0, "quiet": 0.8, "efficient": 1.5, "win": 1.5, "success": 1.8,
        "successful": 1.8, "fine": 0.4, "cool": 1.0, "brilliant": 2.5, "super": 1.5, "welcome": 1.2, "promising": 1.6,
        "ideal": 2.0, "lovely": 2.2, "convenient": 1.4, "grateful": 2.0, "wow": 1.4, "fun": 1.6, "incredible": 2.5,
        "huge": 0.4, "beautiful": 2.2, "sweet": 1.4, "solid": 1.2, "top": 0.6, "well": 0.2, "hope": 0.6, "hopefully": 0.5,
        // negative
        "bad": -2.0, "terrible": -2.8, "awful": -2.8, "horrible": -2.8, "poor": -1.8, "worse": -2.0, "worst": -2.6,
        "problem": -1.4, "problems": -1.4, "issue": -1.1, "issues": -1.2, "broken": -1.9, "broke": -1.6, "breaks": -1.5,
        "breaking": -1.5, "failed": -1.9, "fail": -1.8, "fails": -1.8, "failing": -1.8, "failure": -1.9, "leak": -1.3,
        "leaking": -1.5, "leaks": -1.3, "noisy": -1.2, "noise": -0.8, "slow": -1.2, "expensive": -1.5, "pricey": -1.3,
        "costly": -1.5, "overpriced": -2.2, "frustrated": -2.2, "frustrating": -2.2, "annoyed": -2.0, "annoying": -2.0,
        "angry": -2.5, "upset": -2.1, "disappointed": -2.2, "disappointing": -2.2, "unhappy": -2.1, "hate": -2.6,
        "worried": -1.7, "worry": -1.3, "concerned": -1.4, "concern": -1.1, "concerns": -1.1, "confusing": -1.6,
        "confused": -1.4, "difficult": -1.4, "hard": -0.8, "complicated": -1.3, "waste": -2.0, "wasted": -2.0,
        "complaint": -1.6, "complaints": -1.6, "unfortunately": -1.4, "sorry": -0.7, "late": -1.0, "delay": -1.3,
        "delayed": -1.4, "useless": -2.5, "ridiculous": -2.3, "unacceptable": -2.6, "fed": -0.6,
        "tired": -1.2, "stressed": -1.6, "stress": -1.4, "risk": -1.0, "risky": -1.4, "mess": -1.8, "hassle": -1.7,
        "pain": -1.5, "painful": -1.8, "struggle": -1.5, "struggling": -1.6, "skeptical": -1.3, "doubt": -1.1,
        "burned": -1.6, "scam": -2.6, "cold": -0.4, "hot": -0.4, "nightmare": -2.6, "disaster": -2.6, "outage": -1.7,
        "downtime": -1.5, "damage": -1.6, "damaged": -1.7, "dirty": -1.4, "mold": -1.5, "smell": -0.8, "rude": -2.3,
        "busy": -0.6, "tight": -0.8, "unclear": -1.2, "wrong": -1.6, "lost": -1.2, "losing": -1.3, "cancel": -0.8,
        "no": -0.5, "stuck": -1.4, "sucks": -2.2, "crazy": -1.0, "again": -0.6, "swamped": -1.2, "slammed": -1.2,
        "challenge": -1.0, "challenges": -1.0, "headache": -1.6, "headaches": -1.6, "expired": -1.0, "dust": -0.8, "weird": -1.2,
        "steep": -1.2, "catch": -0.8, "died": -1.8, "dead": -1.6, "musty": -1.2, "brutal": -1.8, "overcharged": -2.0,
        "understand": 1.0, "waived": 1.4, "guarantee": 1.2, "guaranteed": 1.2, "difference": 0.8, "opening": 0.8,
        "neat": 1.4, "overkill": -1.2, "waiting": -0.6, "limping": -1.4, "dying": -1.6, "tripping": -1.0, "shot": -1.0,
        "sauna": -1.0, "unbearably": -1.5, "unbearable": -1.8, "care": 0.8, "mud": -0.8, "meh": -0.3, "doubled": -1.0, "anymore": -0.8, "pricier": -1.2, "yikes": -1.2, "salesy": -1.2, "convinced": 1.0, "rusted": -1.4, "rust": -1.0, "flagged": -1.0,
        "stale": -1.0, "froze": -1.0, "buried": -1.2, "optimistic": -0.5, "patched": -0.8, "condensation": -0.8, "complaining": -1.2, "intrigued": 1.4, "smoothly": 1.4, "adequate": 0.3, "mildew": -1.2, "smells": -0.8,
        "hiring": 0.8, "expanding": 0.8, "growing": 0.8, "bought": 0.3, "free": 0.8, "included": 0.6, "weak": -1.3, "unreliable": -2.0,
        "inconvenient": -1.5, "overdue": -1.2, "dropped": -1.2, "hurt": -1.6, "afraid": -1.4, "unsure": -1.0, "hesitant": -1.0,
    ]

    /// Multi-word idioms scored as one unit; checked before single words.
    static let idioms: [(String, Double)] = [
        ("no problem", 1.4), ("not a problem", 1.4), ("no worries", 1.4), ("no issues", 1.2), ("no issue", 1.0),
        ("no complaints", 1.6), ("can not complain", 1.6), ("could not be happier", 3.0), ("makes sense", 1.2),
        ("sounds good", 1.8), ("sounds great", 2.2), ("that works", 1.2), ("works for me", 1.5), ("works for us", 1.5),
        ("not interested", -2.0), ("no thanks", -1.4), ("no thank you", -1.4), ("too expensive", -2.2), ("too much", -1.2),
        ("fed up", -2.4), ("not working", -1.8), ("does not work", -1.8), ("did not work", -1.8), ("stopped working", -2.0),
        ("keeps breaking", -2.2), ("out of budget", -1.6), ("over budget", -1.6), ("waste of time", -2.4),
        ("not sure", -0.6), ("not happy", -2.0), ("not great", -1.4), ("not bad", 1.0), ("not too bad", 1.1),
        ("looking forward", 1.8), ("thank you so much", 2.4), ("thanks so much", 2.4), ("all set", 0.2), ("we are all set", -0.8), ("i am all set", -0.8), ("we are good", -0.4),
        ("piece of junk", -2.6), ("on its last legs", -1.8), ("last legs", -1.8), ("at least", 0.0), ("of course", 0.8),
        ("right away", 0.6), ("give up", -1.2), ("a lot of money", -1.2), ("kind of", 0), ("sort of", 0),
        ("well done", 2.0), ("good job", 2.0), ("no way", -1.2), ("what a relief", 2.0), ("that is fair", 1.0),
        ("not a priority", -0.8), ("not right now", -0.8), ("not the right time", -0.8), ("pass for now", -1.0),
        ("we will pass", -1.2), ("i will pass", -1.2), ("not for us", -1.4), ("not a fit", -1.4), ("good question", 1.0),
        ("good morning", 0.8), ("good afternoon", 0.8), ("good evening", 0.8), ("acting up", -1.6), ("locked into", -1.0),
        ("locked in", -1.0), ("through the roof", -1.8), ("can not keep up", -1.6), ("too good to be true", -1.8), ("had to fix", -1.2),
        ("had to call", -1.0), ("had to replace", -1.0), ("third time", -1.2), ("keep having to", -1.2), ("nobody checks", -1.0),
        ("in ages", -0.6), ("went up", -0.8), ("nothing happened", -1.2), ("could work", 1.4), ("might work", 1.0), ("would work", 1.0),
        ("open to", 1.2), ("pay for itself", 2.0), ("pays for itself", 2.0), ("real difference", 1.6), ("can do that", 1.0),
        ("cut|cuts|reduce|reduces|lower|lowers|lowering|reducing|cutting ~ repairs|bills|costs|downtime|cost|breakdowns", 2.0),
        ("i hear you", 1.0), ("on time", 1.0), ("duct tape", -1.4), ("keeps you up at night", -1.4), ("believe it when", -1.2),
        ("got my attention", 1.4), ("deal breaker", -1.8), ("killing us", -1.8), ("conked out", -1.6), ("could be better", -1.2),
        ("pleasantly surprised", 2.0), ("sticking point", -1.2), ("jaw drop", -1.6), ("every penny", -1.0), ("big number", -1.0), ("done here", -1.4),
        ("mixed things", -1.2), ("never showed up", -1.4), ("nobody ever showed up", -1.6), ("load off", 1.6), ("i am sold", 1.6), ("up for", 1.0),
        ("set money aside", 1.0), ("hurts the wallet", -1.6), ("ouch", -1.2), ("out of business", -1.2), ("no-brainer", 1.4),
        ("no brainer", 1.4), ("a lot of promises", -1.2), ("running fine", 1.2), ("no question", 1.0), ("budget approved", 1.2), ("hear you", 1.0), ("no extra cost", 1.2), ("more times than i can count", -1.4), ("adds up", -1.0), ("never saw", -1.2), ("never have to", 1.2),
        ("short on", -1.0), ("doing just fine", 1.0), ("breaking ground", 1.0), ("brand new", 1.0), ("signed off", 1.0), ("move ahead", 1.0), ("completely fair", 1.2), ("totally fair", 1.2), ("taking over", 0.8), ("take us off", -1.2), ("bad things", -1.6), ("left a mess", -1.8), ("never came back", -1.4), ("goes down", -1.0), ("go down", -1.0), ("going down", -1.0), ("make sense", 1.0), ("too soon", -1.0), ("hold off", -0.8), ("happy with our current", -0.4),
        ("happy with what we have", -0.4), ("happy with our", -0.2), ("a lot better", 2.0), ("much better", 2.0),
        ("works great", 2.2), ("working great", 2.2), ("running great", 2.0), ("too busy", -1.2), ("not in the budget", -1.6),
        ("bit of a", 0), ("went well", 1.8), ("happy to help", 1.6), ("glad to hear", 1.8), ("sorry to hear", -0.6),
        ("let down", -1.8), ("not enough", -1.0), ("can not afford", -1.8), ("cool in here", 0.4), ("same problem", -1.6),
    ]

    static let intensifiers: [String: Double] = [
        "very": 0.3, "really": 0.3, "extremely": 0.45, "so": 0.25, "super": 0.35, "incredibly": 0.45, "absolutely": 0.4,
        "totally": 0.35, "completely": 0.4, "truly": 0.3, "quite": 0.15, "pretty": 0.12, "highly": 0.35, "seriously": 0.35,
        "most": 0.2, "too": 0.25, "such": 0.2, "real": 0.2, "way": 0.2, "especially": 0.2, "always": 0.15,
    ]
    static let diminishers: Set<String> = ["slightly", "somewhat", "barely", "kinda", "little", "bit", "marginally", "fairly", "kind", "sort", "mostly"]

    private static let idiomPatterns: PatternSet<Int> = {
        PatternSet(idioms.enumerated().map { ($0.offset, [$0.element.0]) })
    }()

    /// Scores terms `range` of a segment.
    /// Objections that read as negative whatever the words: a refusal on price or need. (Timing
    /// deferrals are as often polite and neutral as negative, so they are left to the words.)
    static let negativeObjections: Set<ObjectionType> = [.price, .need]

    static func score(_ text: SegmentText, range: Range<Int>? = nil, objections: [Signal<ObjectionType>] = []) -> Sentiment {
        let terms = text.terms
        let range = range ?? 0..<terms.count
        var contributions: [(index: Int, end: Int, value: Double)] = []
        var covered = Set<Int>()
        // Idioms first (they may contain negators that must not flip them again).
        for hit in idiomPatterns.hits(in: Array(terms[range])) {
            let start = hit.start + range.lowerBound
            let end = hit.end + range.lowerBound
            if (start..<end).contains(where: covered.contains) { continue }
            var value = idioms[hit.label].1
            if value != 0, Negation.isNegated(terms, before: start, window: 2), !idioms[hit.label].0.hasPrefix("not"), !idioms[hit.label].0.hasPrefix("no") {
                value *= value > 0 ? -0.75 : -0.4
            }
            contributions.append((start, end, value))
            covered.formUnion(start..<end)
        }
        for i in range where !terms[i].isPunctuation && !covered.contains(i) {
            guard var value = words[terms[i].text], value != 0 else { continue }
            // Intensifiers and diminishers directly before scale the word.
            var j = i - 1
            var scale = 1.0
            while j >= range.lowerBound && j >= i - 2 && !terms[j].isPunctuation {
                if let boost = intensifiers[terms[j].text] { scale += boost }
                if diminishers.contains(terms[j].text) { scale *= 0.7 }
                j -= 1
            }
            value *= scale
            // A negated positive is clearly negative ("not great"); a negated negative is only mildly positive ("not an issue").
            if Negation.isNegated(terms, before: i, window: 4) { value *= value > 0 ? -0.75 : -0.4 }
            contributions.append((i, i + 1, value))
        }
        // "I/we like" and "I/we would like" as liking.
        for i in range where terms[i].text == "like" && i > 0 && ["i", "we", "really", "definitely", "also"].contains(terms[i - 1].text) {
            if i + 1 < terms.count && terms[i + 1].text == "to" { continue }  // "we'd like to schedule" is neutral
            let value = Negation.isNegated(terms, before: i, window: 2) ? -1.4 : 1.5
            contributions.append((i, i + 1, value))
        }
        // Questions and "if" clauses voice less of the speaker's own feeling.
        let questionSentences = text.sentences.filter { Questions.classify(terms, $0) != nil }
        var conditional = Set<Int>()
        for i in range where terms[i].text == "if" {
            var j = i + 1
            while j < range.upperBound && !terms[j].isPunctuation { conditional.insert(j); j += 1 }
        }
        contributions = contributions.map { item in
            var value = item.value
            if questionSentences.contains(where: { $0.contains(item.index) }) { value *= 0.45 }
            if conditional.contains(item.index) { value *= 0.3 }
            return (item.index, item.end, value)
        }
        // Hedges ("I guess", "maybe") soften the whole utterance.
        let hedged = range.contains { i in terms[i].text == "maybe" || terms[i].text == "guess" && i > 0 && terms[i - 1].text == "i" || terms[i].text == "suppose" }
        if hedged { contributions = contributions.map { ($0.index, $0.end, $0.value * 0.6) } }
        // "but": what follows weighs more than what precedes (within the range).
        if let pivot = range.first(where: { terms[$0].text == "but" || terms[$0].text == "however" }) {
            contributions = contributions.map { $0.index < pivot ? ($0.index, $0.end, $0.value * 0.5) : ($0.index, $0.end, $0.value * 1.5) }
        }
        var total = contributions.reduce(0) { $0 + $1.value }
        var objectionDriver: SentimentDriver?
        // Trust objections voiced as statements ("every salesperson tells me that") read negative; asked as questions they are neutral.
        let asked = !questionSentences.isEmpty
        if let objection = objections.first(where: { negativeObjections.contains($0.type) || $0.type == .trust && !asked }) {
            let weight = objection.type == .need ? -0.8 : -1.2
            total += weight
            objectionDriver = SentimentDriver(phrase: objection.evidence.phrase, weight: weight)
        }
        let exclamations = range.filter { terms[$0].text == "!" }.count
        if total != 0 && exclamations > 0 { total += (total > 0 ? 1 : -1) * Double(min(exclamations, 3)) * 0.29 }
        let score = total / (total * total + 15).squareRoot()
        let drivers = contributions.sorted { abs($0.value) > abs($1.value) }.prefix(5).map {
            SentimentDriver(phrase: text.phrase(terms: $0.index, $0.end), weight: rounded($0.value))
        }
        return Sentiment(score: rounded(score, places: 3), label: label(score), drivers: (objectionDriver.map { [$0] } ?? []) + Array(drivers))
    }

    static func label(_ score: Double) -> SentimentLabel {
        score >= threshold ? .positive : score <= -threshold ? .negative : .neutral
    }

    /// Averages segment sentiments weighted by their length in words.
    static func combine(_ parts: [(Sentiment, Int)]) -> Sentiment {
        let weight = parts.reduce(0) { $0 + max(1, $1.1) }
        guard weight > 0 else { return Sentiment(score: 0, label: .neutral, drivers: []) }
        let score = parts.reduce(0.0) { $0 + $1.0.score * Double(max(1, $1.1)) } / Double(weight)
        let drivers = parts.flatMap(\.0.drivers).sorted { abs($0.weight) > abs($1.weight) }.prefix(8)
        return Sentiment(score: rounded(score, places: 3), label: label(score), drivers: Array(drivers))
    }
}

/// Tone labels from phrases, fillers and sentiment, only where the evidence supports them.
enum ToneReader {
    static let patterns: PatternSet<Tone> = PatternSet([
        (.confident, [
            "i am confident", "i am certain", "i guarantee", "we guarantee", "i recommend", "i would recommend", "my recommendation",
            "definitely", "absolutely", "without a doubt", "i know for a fact", "we will make sure", "i will make sure",
            "you can count on", "i can promise", "rest assured", "i am sure", "no doubt", "the best option is", "here is what we will do",
            "we can absolutely", "i will take care of", "i will handle",
        ]),
        (.empathetic, [
            "i understand", "i hear you", "i can imagine", "that must be", "that sounds frustrating", "i am sorry", "sorry to hear",
            "i totally get", "i get it", "i get that", "that makes sense", "i appreciate", "i know how", "fair concern",
            "that is a fair", "completely understand", "totally understand", "i would feel the same", "that is understandable",
            "you are not alone", "i see why", "i can see why", "i hear what you", "that is tough", "that is rough",
        ]),
        (.hesitant, [
            "i guess", "maybe", "perhaps", "i am not sure", "not sure", "i do not know", "i think maybe", "possibly",
            "i suppose", "kind of", "sort of", "probably", "might", "i am not certain", "hard to say", "we will see",
            "let me think", "i would have to think", "i am on the fence", "not really sure",
        ]),
        (.enthusiastic, [
            "love", "excited", "amazing", "awesome", "fantastic", "can not wait", "that is great", "great news", "incredible",
            "wow", "this is exactly", "that is exactly", "brilliant", "sounds amazing", "thrilled",
        ]),
        (.frustrated, [
            "frustrated", "frustrating", "fed up", "annoyed", "annoying", "ridiculous", "again", "third time", "every time",
            "keeps breaking", "sick of", "tired of", "unacceptable", "still not", "still broken", "waste of time", "nobody called",
            "no one called", "not happy",
        ]),
        (.concerned, [
            "worried", "concerned", "concern", "nervous", "afraid", "what if", "risk", "scared", "worry", "uneasy",
        ]),
        (.satisfied, [
            "thank you", "thanks", "works great", "working great", "that works", "perfect", "happy with the", "great job",
            "good job", "well done", "appreciate it", "exactly what we needed", "very happy", "so happy", "satisfied", "pleased",
        ]),
        (.relieved, [
            "relief", "relieved", "phew", "thank goodness", "thank god", "glad that is fixed", "glad it is fixed", "finally working",
            "finally fixed", "back up and running", "what a relief",
        ]),
        (.curious, ["i am curious", "i wonder", "tell me more", "how does", "how do", "what does", "interesting", "interested in"]),
    ])

    static func tones(_ text: SegmentText, sentiment: Sentiment, fillerCount: Int, questionCount: Int) -> [ToneFinding] {
        var evidence: [Tone: [String]] = [:]
        for hit in patterns.hits(in: text.terms) {
            // Negated cues do not count ("I am not confident", "not frustrated").
            if Negation.isNegated(text.terms, before: hit.start, window: 2), hit.label != .hesitant { continue }
            evidence[hit.label, default: []].append(text.phrase(terms: hit.start, hit.end))
        }
        let words = max(1, text.wordCount)
        if fillerCount >= 2 || fillerCount > 0 && Double(fillerCount) / Double(words) > 0.12 {
            evidence[.hesitant, default: []].append("\(fillerCount) fillers")
        }
        if questionCount > 0, evidence[.curious] == nil, text.speaker != .rep {
            evidence[.curious, default: []].append("asked \(questionCount) question\(questionCount == 1 ? "" : "s")")
        }
        // Sentiment must agree with the emotional tones.
        if sentiment.score < 0.1 { evidence[.enthusiastic] = nil; evidence[.satisfied] = nil; evidence[.relieved] = nil }
        if sentiment.score > 0.3 { evidence[.frustrated] = nil }
        if evidence[.frustrated] != nil, sentiment.score > -0.1, (evidence[.frustrated]?.count ?? 0) < 2 { evidence[.frustrated] = nil }
        // Confidence and hesitation exclude each other: the stronger evidence wins.
        if let confident = evidence[.confident], let hesitant = evidence[.hesitant] {
            if hesitant.count >= confident.count { evidence[.confident] = nil } else { evidence[.hesitant] = nil }
        }
        // Assertive rep statements without hedges or fillers read as confident.
        if text.speaker == .rep, evidence[.hesitant] == nil, evidence[.confident] == nil, fillerCount == 0, text.wordCount >= 8,
            text.terms.contains(where: { ["will", "can"].contains($0.text) }), sentiment.score >= 0
        {
            evidence[.confident] = ["assertive statement without hedges or fillers"]
        }
        let ordered = Tone.allCases.compactMap { tone in evidence[tone].map { ToneFinding(tone: tone, evidence: $0) } }
        return ordered.isEmpty ? [ToneFinding(tone: .neutral, evidence: [])] : ordered
    }
}
