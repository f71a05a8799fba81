import ParleyDomain

/// Word error rate: (substitutions + deletions + insertions) / reference words, after
/// lower-casing and dropping punctuation, so "Pricing." and "pricing" count as the same word.
/// The alignment itself lives in ParleyDomain (`WordAlignment`) so drill scoring shares it.
public enum WordErrorRate {
    /// The words of `text` as compared: lower case, letters, digits and apostrophes only.
    public static func words(_ text: String) -> [String] {
        WordAlignment.words(text)
    }

    /// Edit distance in words between reference and hypothesis.
    public static func errors(reference: [String], hypothesis: [String]) -> Int {
        WordAlignment(reference: reference, hypothesis: hypothesis).errors
    }

    /// The rate for one pair of texts.
    public static func rate(reference: String, hypothesis: String) -> Double {
        WordAlignment(reference: reference, hypothesis: hypothesis).errorRate
    }
}
