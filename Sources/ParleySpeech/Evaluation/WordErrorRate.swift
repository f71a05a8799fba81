/// Word error rate: (substitutions + deletions + insertions) / reference words, after
/// lower-casing and dropping punctuation, so "Pricing." and "pricing" count as the same word.
public enum WordErrorRate {
    /// The words of `text` as compared: lower case, letters, digits and apostrophes only.
    public static func words(_ text: String) -> [String] {
        text.lowercased()
            .replacingOccurrences(of: "-", with: " ")
            .split(whereSeparator: { $0.isWhitespace })
            .map { $0.filter { $0.isLetter || $0.isNumber || $0 == "'" } }
            .filter { !$0.isEmpty }
    }

    /// Edit distance in words between reference and hypothesis.
    public static func errors(reference: [String], hypothesis: [String]) -> Int {
        guard !reference.isEmpty else { return hypothesis.count }
        var previous = Array(0...hypothesis.count)
        for (i, ref) in reference.enumerated() {
            var current = [i + 1] + Array(repeating: 0, count: hypothesis.count)
            for (j, hyp) in hypothesis.enumerated() {
                current[j + 1] = min(previous[j] + (ref == hyp ? 0 : 1), previous[j + 1] + 1, current[j] + 1)
            }
            previous = current
        }
        return previous[hypothesis.count]
    }

    /// The rate for one pair of texts.
    public static func rate(reference: String, hypothesis: String) -> Double {
        let reference = words(reference)
        return Double(errors(reference: reference, hypothesis: words(hypothesis))) / Double(max(reference.count, 1))
    }
}
