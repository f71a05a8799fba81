import Foundation
import Testing
@testable import ParleyAudio
import ParleyDomain

@Suite("Voice activity and pauses")
struct PauseTests {
    static let truthPauses = [0.3, 0.45, 0.7, 1.2, 2.5]

    /// Each true pause must be found once with both boundaries within 30 ms, and nothing else.
    static func expectPauses(_ analysis: AudioAnalysis, truth: [(start: Double, end: Double)], tolerance: Double = 0.03) {
        #expect(analysis.pauses.count == truth.count, "found \(analysis.pauses.map { ($0.start, $0.end) })")
        for expected in truth {
            let match = analysis.pauses.first { abs($0.start - expected.start) <= tolerance && abs($0.end - expected.end) <= tolerance }
            #expect(match != nil, "pause \(expected) not found within \(tolerance) s in \(analysis.pauses.map { ($0.start, $0.end) })")
        }
    }

    @Test("pauses of 300 ms and more are found with boundaries within 30 ms")
    func cleanPauses() {
        let signal = Signals.phrases(pauses: Self.truthPauses)
        let analysis = AudioAnalyzer.analyze(PCMAudio(samples: signal.samples, sampleRate: 16_000))
        Self.expectPauses(analysis, truth: signal.pauses)
        #expect(analysis.pauses.map(\.type) == [.natural, .natural, .natural, .hesitation, .long])
    }

    @Test("the same pauses are found in white noise at 10 dB SNR")
    func whiteNoise() {
        let signal = Signals.phrases(pauses: Self.truthPauses, seed: 8)
        let noise = Signals.whiteNoise(count: signal.samples.count, matching: signal.samples, snr: 10)
        let analysis = AudioAnalyzer.analyze(PCMAudio(samples: Signals.mix(signal.samples, noise), sampleRate: 16_000))
        Self.expectPauses(analysis, truth: signal.pauses)
    }

    @Test("the same pauses are found in babble-like noise at 10 dB SNR")
    func babble() {
        let signal = Signals.phrases(pauses: Self.truthPauses, seed: 9)
        let noise = Signals.babble(count: signal.samples.count, matching: signal.samples, snr: 10)
        let analysis = AudioAnalyzer.analyze(PCMAudio(samples: Signals.mix(signal.samples, noise), sampleRate: 16_000))
        Self.expectPauses(analysis, truth: signal.pauses, tolerance: 0.03)
    }

    @Test("speech segments cover the phrases and leading/trailing silence is not a pause")
    func segments() {
        let signal = Signals.phrases(pauses: [0.6])
        let analysis = AudioAnalyzer.analyze(PCMAudio(samples: signal.samples, sampleRate: 16_000))
        #expect(analysis.speech.count == 2)
        #expect(abs(analysis.speech[0].start - 0.5) <= 0.03)
        #expect(abs(analysis.speech.last!.end - (analysis.duration - 0.5)) <= 0.03)
        #expect(analysis.totalPauses == 1)
        #expect(abs(analysis.pauseTime - 0.6) <= 0.06)
    }

    @Test("a pause after a held vowel (\"uhhh\") is a hesitation, the same pause after a phrase is natural")
    func heldVowel() {
        // `phrases` pads with 0.5 s of silence either side; take the phrase alone.
        let phrase = Array(Signals.phrases(pauses: [], phraseSeconds: 1, seed: 12).samples.dropFirst(8_000).dropLast(8_000))
        let held = Signals.vowel(f0: 115, seconds: 0.6, vibrato: 0, formants: (550, 1_500), amplitude: 0.3).samples
        let samples = phrase + held + Signals.silence(0.6) + phrase + Signals.silence(0.6) + phrase
        let analysis = AudioAnalyzer.analyze(PCMAudio(samples: samples, sampleRate: 16_000))
        #expect(analysis.pauses.map(\.type) == [.hesitation, .natural], "\(analysis.pauses)")
    }

    @Test("words decide hesitation: fillers and unpunctuated mid-sentence pauses")
    func pauseTypesWithWords() {
        let classifier = PauseClassifier(options: AnalysisOptions())
        let words = [
            Word(text: "So", start: 0, end: 0.3), Word(text: "um", start: 0.4, end: 0.7),
            Word(text: "we", start: 1.2, end: 1.4), Word(text: "grew.", start: 1.5, end: 1.9),
            Word(text: "Then", start: 3.1, end: 3.4), Word(text: "the", start: 3.5, end: 3.6),
            Word(text: "market", start: 4.8, end: 5.2),
        ]
        #expect(classifier.type(start: 0.7, end: 1.2, words: words) == .hesitation)  // after "um"
        #expect(classifier.type(start: 1.9, end: 3.1, words: words) == .natural)  // after "grew."
        #expect(classifier.type(start: 3.6, end: 4.8, words: words) == .hesitation)  // after "the"
        #expect(classifier.type(start: 5.2, end: 7.5, words: words) == .long)
        #expect(classifier.type(start: 0.3, end: 0.4, words: []) == .natural)
        #expect(classifier.type(start: 0, end: 1.1, words: []) == .hesitation)
    }
}
