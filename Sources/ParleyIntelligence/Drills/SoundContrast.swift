/// Where two pronunciations differ, sound by sound, in words a learner understands.
struct SoundContrast: Sendable {
    /// (expected sound, produced sound); nil on one side for a sound added or left out.
    var differences: [(expected: String?, produced: String?)]
    /// 0–1: share of the expected sounds produced as expected (edit distance over the longer form).
    var similarity: Double

    /// Aligns two sound sequences (phonemes, or letters when no phonemes are available).
    init(expected: [String], produced: [String]) {
        let n = expected.count, m = produced.count
        var cost = Array(repeating: Array(repeating: 0, count: m + 1), count: n + 1)
        for i in 0...n { cost[i][0] = i }
        for j in 0...m { cost[0][j] = j }
        if n > 0 && m > 0 {
            for i in 1...n {
                for j in 1...m {
                    cost[i][j] = min(cost[i - 1][j - 1] + (expected[i - 1] == produced[j - 1] ? 0 : 1), cost[i - 1][j] + 1, cost[i][j - 1] + 1)
                }
            }
        }
        var differences: [(expected: String?, produced: String?)] = []
        var i = n, j = m
        while i > 0 || j > 0 {
            if i > 0, j > 0, cost[i][j] == cost[i - 1][j - 1] + (expected[i - 1] == produced[j - 1] ? 0 : 1) {
                if expected[i - 1] != produced[j - 1] { differences.append((expected[i - 1], produced[j - 1])) }
                i -= 1; j -= 1
            } else if i > 0, cost[i][j] == cost[i - 1][j] + 1 {
                differences.append((expected[i - 1], nil)); i -= 1
            } else {
                differences.append((nil, produced[j - 1])); j -= 1
            }
        }
        self.differences = differences.reversed()
        self.similarity = max(0, 1 - Double(cost[n][m]) / Double(max(n, m, 1)))
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
