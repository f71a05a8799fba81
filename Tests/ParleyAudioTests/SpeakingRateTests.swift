import Foundation
import Testing
@testable import ParleyAudio
import ParleyDomain

@Suite("Speaking rate")
struct SpeakingRateTests {
    /// Ordinary prose: about 1.5 syllables a word, which is what espeak's rate setting assumes.
    static let text = """
        Thank you all for coming today. I want to talk about how our team can work better with customers \
        over the next few months. Our quarterly results show steady growth across every region, although \
        the market remains competitive. During the next quarter, we will introduce several improvements to \
        the analytics dashboard and simplify the onboarding process.
        """

    @Test("with word timings: synthetic timings give the exact rate")
    func syntheticTimings() {
        // 150 words, one every 0.4 s: 150 wpm.
        let words = (0..<150).map { Word(text: "word\($0)", start: Double($0) * 0.4, end: Double($0) * 0.4 + 0.3) }
        let audio = PCMAudio(samples: Signals.phrases(pauses: [0.5]).samples, sampleRate: 16_000)
        let analysis = AudioAnalyzer.analyze(audio, words: words)
        #expect(analysis.speakingRate.source == .words)
        #expect(abs(analysis.wpm! - 150 * 60 / 59.9) < 0.01)
    }

    @Test("espeak speech: within 10% of the rate setting with espeak's word timings, 20% without",
          arguments: [120, 170, 220])
    func espeak(setting: Int) throws {
        let utterance = try Espeak.speak(Self.text, wordsPerMinute: setting)
        let timed = AudioAnalyzer.analyze(utterance.audio, words: utterance.words)
        let measured = try #require(timed.wpm)
        #expect(timed.speakingRate.source == .words)
        #expect(abs(measured - Double(setting)) / Double(setting) < 0.10, "measured \(measured) at setting \(setting)")

        // The syllable estimate never reads the words, so it is the no-transcript rate.
        let estimated = try #require(timed.speakingRate.syllableEstimate)
        #expect(abs(estimated - Double(setting)) / Double(setting) < 0.20, "estimated \(estimated) at setting \(setting)")
        if setting == 170 {
            let untimed = AudioAnalyzer.analyze(utterance.audio)
            #expect(untimed.speakingRate.source == .syllables)
            #expect(untimed.wpm == estimated)
        }
    }
}
