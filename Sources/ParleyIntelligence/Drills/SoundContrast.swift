import ParleyDomain

/// Where two pronunciations differ, sound by sound, in words a learner understands.
struct SoundContrast: Sendable {
    /// (expected sound, produced sound); nil on one side for a sound added or left out.
    var differences: [(expected: String?, produced: String?)]
    /// 0–1: share of the expected sounds produced as expected (edit distance over the longer form).
    var similarity: Double

    /// Aligns two sound sequences (phonemes, or letters when no phonemes are available).
    init(expected: [String], produced: [String]) {
        let alignment = SequenceAlignment(reference: expected, hypothesis: produced)
        differences = alignment.steps.compactMap { step in
            switch step {
            case .match: nil
            case .substitution(let expected, let produced): (expected, produced)
            case .deletion(let expected): (expected, nil)
            case .insertion(let produced): (nil, produced)
            }
        }
        similarity = max(0, 1 - Double(alignment.errors) / Double(max(expected.count, produced.count, 1)))
    }
    /// "/ɪ/ (short i, as in ship) came out as /iː/ (long ee, as in sheep)"; nil when identical.
    func describe(phonemic: Bool) -> String? {
        guard !differences.isEmpty else { return nil }
        let parts = differences.prefix(2).map { pair -> String in
            switch (pair.expected, pair.produced) {
            case let (expected?, produced?): "\(Self.name(expected, phonemic)) came out as \(Self.name(produced, phonemic))"
            case let (expected?, nil): "\(Self.name(expected, phonemic)) was left out"
            case let (nil, produced?): "an extra \(Self.name(produced, phonemic)) was added"
            default: ""
            }
        }
        return parts.joined(separator: "; ")
    }

    static func name(_ sound: String, _ phonemic: Bool) -> String {
        guard phonemic else { return "'\(sound)'" }
        return descriptions[sound].map { "/\(sound)/ (\($0))" } ?? "/\(sound)/"
    }

    /// Plain descriptions of the sounds the built-in pairs contrast, and a few common neighbours.
    static let descriptions: [String: String] = [
        "ɪ": "short i, as in ship", "iː": "long ee, as in sheep", "i": "ee, as in happy",
        "ʊ": "short oo, as in full", "uː": "long oo, as in fool",
        "ɛ": "e, as in bet", "æ": "a, as in bat", "a": "a, as in bat", "ʌ": "u, as in cut", "ɒ": "o, as in hot",
        "ɑː": "ah, as in father", "ɔː": "aw, as in law", "ə": "the weak 'uh' of about", "ɜː": "er, as in bird",
        "aɪ": "i, as in light", "eɪ": "ay, as in day", "oʊ": "o, as in vote", "əʊ": "o, as in vote", "aʊ": "ow, as in mouth",
        "θ": "th, as in think", "ð": "th, as in this", "s": "s, as in sink", "z": "z, as in zoo",
        "ʃ": "sh, as in ship", "tʃ": "ch, as in chip", "dʒ": "j, as in jeep",
        "v": "v, as in very", "b": "b, as in berry", "w": "w, as in west", "f": "f, as in fine",
        "l": "l, as in light", "ɹ": "r, as in right", "r": "r, as in right",
        "p": "p, as in pen", "t": "t, as in ten", "d": "d, as in den", "k": "k, as in cat", "ɡ": "g, as in go",
        "n": "n, as in no", "m": "m, as in man", "ŋ": "ng, as in sing", "h": "h, as in hat",
    ]
}
