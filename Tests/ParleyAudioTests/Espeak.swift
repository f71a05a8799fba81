import Foundation
import ParleyAudio
import ParleyDomain
import ParleySpeech

/// Speech made at test time with espeak-ng, with word timings from espeak's own word events
/// (the truth for speaking-rate tests). It goes through ParleySpeech's synthesiser because
/// espeak-ng's state is global to the process: one owner must serialise every call, or tests
/// running side by side would overwrite each other's audio callback.
enum Espeak {
    /// Speech and the start of every word; a word ends where the next begins, the last where the sound stops.
    struct Utterance: Sendable {
        var audio: PCMAudio
        var words: [Word]
    }

    /// espeak-ng's rate at `speed` 1 (its `espeakRATE_NORMAL`).
    static let normalWordsPerMinute = 175.0

    /// `voiceID` is one of the catalogue's ids (`professional_male` is en-us+m3, `professional_female` en-us+f2).
    static func speak(_ text: String, wordsPerMinute: Int, voiceID: String = "professional_male") async throws -> Utterance {
        let speech = try await EspeakSynthesizer().synthesize(
            SpeechRequest(text: text, voiceID: voiceID, speed: Double(wordsPerMinute) / normalWordsPerMinute))
        let samples = speech.audio.samples
        let lastSound = Double((samples.lastIndex { abs($0) > 0.003 } ?? samples.count) + 1) / Double(speech.audio.sampleRate)
        let words = speech.words.enumerated().map { index, word in
            Word(text: word.text, start: word.start,
                 end: index + 1 < speech.words.count ? speech.words[index + 1].start : lastSound)
        }
        return Utterance(audio: speech.audio, words: words)
    }
}
