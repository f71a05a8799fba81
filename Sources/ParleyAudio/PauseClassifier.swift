import Foundation
import ParleyDomain

/// Names a pause `natural`, `hesitation` or `long` from its length and, when a transcript exists,
/// the words around it.
///
/// - `long`: at least `AnalysisOptions.longPause` (2 s by default).
/// - `hesitation`: right after a held vowel (an "uhhh" the audio shows, see `HeldVowelDetector`);
///   next to a filler word ("um", "uh", …); or, when the transcript is punctuated, a
///   pause of at least `hesitationPause` that does not follow a clause or sentence end; or,
///   without punctuation to tell, any pause of at least `hesitationPause` (1 s).
/// - `natural`: everything else — breaths and boundaries between phrases.
struct PauseClassifier: Sendable {
    let options: AnalysisOptions

    static let fillers: Set<String> = ["um", "umm", "uh", "uhh", "er", "erm", "ah", "eh", "hmm", "mm", "uhm"]

    func type(start: Double, end: Double, words: [Word], afterHeldVowel: Bool = false) -> PauseType {
        let duration = end - start
        if duration >= options.longPause { return .long }
        if afterHeldVowel { return .hesitation }
        // Words touching the pause (recognisers and VAD disagree by a few tens of ms).
        let before = words.last { $0.end <= start + 0.15 }
        let after = words.first { $0.start >= end - 0.15 }
        if [before, after].contains(where: { $0.map { Self.fillers.contains(Self.bare($0.text)) } ?? false }) {
            return .hesitation
        }
        guard duration >= options.hesitationPause else { return .natural }
        let punctuated = words.contains { $0.text.last.map(Self.isBoundary) ?? false }
        if punctuated, let before, let last = before.text.last, Self.isBoundary(last) { return .natural }
        return .hesitation
    }

    private static func isBoundary(_ character: Character) -> Bool { ".,;:?!".contains(character) }

    private static func bare(_ text: String) -> String {
        text.lowercased().filter { $0.isLetter }
    }
}
