import Foundation
import ParleyDomain

/// A phrase that characterises a conversation, with how often it was said.
public struct KeyPhrase: Sendable, Codable, Hashable {
    public var phrase: String
    public var count: Int
    public var score: Double
    /// The first time it was said.
    public var evidence: Evidence
}

/// A phrase counted across many conversations (the Voice Agents `top-phrases`).
public struct TopPhrase: Sendable, Codable, Hashable {
    public var phrase: String
    /// Conversations that contain the phrase.
    public var count: Int
    /// Percentage of conversations that contain it (0…100).
    public var frequency: Double
}

/// A topic of one conversation ("Equipment Age", "Pricing") with where it came up.
public struct Topic: Sendable, Codable, Hashable {
    public var name: String
    public var mentions: Int
    public var evidence: [Evidence]
}

/// What the customer praised and what they found lacking (Field Intelligence insight keywords).
public struct Keywords: Sendable, Codable, Hashable {
    public var positive: [String]
    public var improvement: [String]

    static func from(_ segments: [SegmentAnalysis]) -> Keywords {
        var positive: [String] = []
        var improvement: [String] = []
        for segment in segments where segment.speaker != .rep {
            for driver in segment.sentiment.drivers {
                let phrase = driver.phrase.lowercased()
                if driver.weight >= 1, !positive.contains(phrase) { positive.append(phrase) }
                if driver.weight <= -1, !improvement.contains(phrase) { improvement.append(phrase) }
            }
        }
        return Keywords(positive: Array(positive.prefix(8)), improvement: Array(improvement.prefix(8)))
    }
}

/// Key phrases by a RAKE-like score: content-word n-grams, frequent and long ones first.
public enum KeyPhrases {
    static let stopwords: Set<String> = [
        "a", "an", "the", "and", "or", "but", "so", "if", "then", "of", "to", "in", "on", "at", "for", "with", "by", "from", "up",
        "about", "into", "over", "after", "before", "is", "are", "was", "were", "be", "been", "being", "am", "do", "does", "did",
        "have", "has", "had", "will", "would", "can", "could", "should", "may", "might", "must", "shall", "not", "no", "yes",
        "i", "you", "he", "she", "it", "we", "they", "me", "him", "her", "us", "them", "my", "your", "his", "its", "our", "their",
        "this", "that", "these", "those", "there", "here", "what", "which", "who", "whom", "how", "when", "where", "why", "all",
        "any", "some", "just", "really", "very", "also", "too", "well", "okay", "ok", "yeah", "right", "like", "know", "mean",
        "think", "get", "got", "go", "going", "um", "uh", "er", "erm", "ah", "hmm", "oh", "thing", "things", "lot", "one", "out",
        "now", "then", "than", "as", "because", "let", "sure", "great", "good", "thanks", "thank", "hi", "hello", "more", "much",
        "kind", "sort", "actually", "basically", "literally", "want", "need", "see", "say", "said", "make", "take", "come", "look",
        "again", "still", "even", "only", "back", "way", "time", "other", "something", "anything", "everything", "off", "would",
        "sounds", "sound", "maybe", "probably", "definitely", "absolutely", "tell", "ask", "were", "gonna", "wanna", "today", "hey",
        "did", "done", "doing", "dont", "im", "cant", "why", "while", "each", "every", "both", "few", "many", "own", "same", "such",
        "again", "further", "once", "bit", "little", "pretty", "quite", "able", "sir", "ma'am", "mean", "guess", "yes", "nope", "yep",
    ]

    static func extract(_ texts: [SegmentText], limit: Int = 10) -> [KeyPhrase] {
        var counts: [String: (count: Int, evidence: Evidence, length: Int)] = [:]
        for text in texts {
            let terms = text.terms
            var run: [Int] = []
            func flush() {
                guard !run.isEmpty else { return }
                for n in 1...min(3, run.count) {
                    for s in 0...(run.count - n) {
                        let slice = run[s..<(s + n)]
                        let phrase = slice.map { terms[$0].text }.joined(separator: " ")
                        if let existing = counts[phrase] {
                            counts[phrase] = (existing.count + 1, existing.evidence, n)
                        } else {
                            counts[phrase] = (1, text.evidence(terms: slice.first!, slice.last! + 1), n)
                        }
                    }
                }
                run.removeAll(keepingCapacity: true)
            }
            for (i, term) in terms.enumerated() {
                let word = term.text
                if term.isPunctuation || stopwords.contains(word) || word.count < 3 || Fluency.hesitations.contains(word) || Double(word) != nil {
                    flush()
                } else {
                    run.append(i)
                }
            }
            flush()
        }
        let scored = counts.compactMap { phrase, value -> KeyPhrase? in
            guard value.count >= 2 || value.length >= 2 && value.count >= 1 && texts.count <= 3 else { return nil }
            let score = Double(value.count) * (1 + 0.6 * Double(value.length - 1))
            return KeyPhrase(phrase: phrase, count: value.count, score: rounded(score), evidence: value.evidence)
        }
        // Drop single words already covered by a kept longer phrase with the same count.
        let sorted = scored.sorted { ($0.score, $1.phrase) > ($1.score, $0.phrase) }
        var kept: [KeyPhrase] = []
        for candidate in sorted {
            if kept.contains(where: { $0.phrase.contains(candidate.phrase) && $0.count >= candidate.count }) { continue }
            kept.append(candidate)
            if kept.count == limit { break }
        }
        return kept
    }

    /// Phrases counted across conversations: how many conversations say each key phrase.
    public static func top(across conversations: [[KeyPhrase]], limit: Int = 20) -> [TopPhrase] {
        var counts: [String: Int] = [:]
        for phrases in conversations {
            for phrase in Set(phrases.map(\.phrase)) { counts[phrase, default: 0] += 1 }
        }
        let total = max(1, conversations.count)
        return counts.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(limit).map {
            TopPhrase(phrase: $0.key, count: $0.value, frequency: rounded(Double($0.value) * 100 / Double(total), places: 1))
        }
    }
}

/// Topics from a small taxonomy of sales and field-service subjects.
enum Topics {
    static let taxonomy = PatternSet<String>([
        ("Pricing", ["price", "prices", "pricing", "cost", "costs", "budget", "quote", "expensive", "afford", "estimate", "how much", "dollars", "investment"]),
        ("Equipment Age", ["years old", "year old", "original unit", "getting old", "outdated", "end of life", "last legs", "ancient"]),
        ("Frequent Repairs", ["times this year", "times this month", "keeps breaking", "repairs", "fixed it", "broke again", "broken again", "third time", "twice this"]),
        ("Replacement Options", ["replace", "replacement", "replacing", "new unit", "new system", "upgrade", "new one"]),
        ("Maintenance", ["maintenance", "service plan", "tune-up", "tune up", "serviced", "preventive", "filter", "filters"]),
        ("Scheduling", ["schedule", "appointment", "calendar", "tomorrow", "next week", "book", "available", "availability"]),
        ("Competition", ["competitor", "current provider", "current vendor", "another company", "other vendor", "someone else", "under contract"]),
        ("Decision Process", ["boss", "approval", "decision", "sign off", "manager", "board", "owner decides"]),
        ("Timeline", ["timeline", "how soon", "how long", "deadline", "by next", "lead time", "asap"]),
        ("Billing", ["billing", "invoice", "invoices", "charged", "charge", "payment", "refund", "bill"]),
        ("Account Access", ["login", "log in", "password", "account access", "locked out", "reset"]),
        ("Installation", ["install", "installation", "installed", "installer"]),
        ("Warranty", ["warranty", "guarantee", "covered"]),
        ("Energy Efficiency", ["energy", "efficient", "efficiency", "utility bills", "electric bill", "power bill"]),
        ("Air Quality", ["dust", "humidity", "allergies", "air quality", "musty", "mold"]),
        ("Product Demo", ["demo", "trial", "pilot", "walkthrough"]),
        ("Contract", ["contract", "agreement", "paperwork", "sign"]),
        ("Safety and Compliance", ["inspection", "code", "compliance", "fire marshal", "safety", "certification"]),
        ("Features and Integration", ["feature", "features", "integration", "integrate", "dashboard", "reporting", "crm"]),
        ("Staffing and Training", ["training", "staff", "hire", "hiring", "onboarding", "team"]),
    ])

    static func find(_ texts: [SegmentText], phrases: [KeyPhrase], limit: Int = 6) -> [Topic] {
        var found: [String: Topic] = [:]
        var order: [String] = []
        for text in texts {
            for hit in taxonomy.hits(in: text.terms) {
                if found[hit.label] == nil {
                    found[hit.label] = Topic(name: hit.label, mentions: 0, evidence: [])
                    order.append(hit.label)
                }
                found[hit.label]!.mentions += 1
                if found[hit.label]!.evidence.count < 3 { found[hit.label]!.evidence.append(text.evidence(terms: hit.start, hit.end)) }
            }
        }
        var topics = order.compactMap { found[$0] }.sorted { $0.mentions > $1.mentions }
        // Conversations outside the taxonomy still get topics: their strongest multi-word key phrases.
        if topics.count < 3 {
            for phrase in phrases where phrase.phrase.contains(" ") && topics.count < 3 {
                topics.append(Topic(name: phrase.phrase.capitalized, mentions: phrase.count, evidence: [phrase.evidence]))
            }
        }
        return Array(topics.prefix(limit))
    }
}
