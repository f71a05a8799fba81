import Foundation
import ParleyDomain
import Testing
@testable import ParleyAudio

@Suite("Loudness")
struct LoudnessTests {
    @Test("a sine's level in dBFS is measured within 0.1 dB", arguments: [-3.0, -12, -26, -40])
    func sineLevel(decibels: Double) {
        // dBFS here is the RMS level: a sine of amplitude A reads 20·log10(A/√2).
        let amplitude = pow(10, decibels / 20) * 2.0.squareRoot()
        let audio = PCMAudio(samples: Signals.tone(440, seconds: 1, amplitude: amplitude), sampleRate: 16_000)
        let analysis = AudioAnalyzer.analyze(audio)
        #expect(abs(analysis.volume.rms - decibels) < 0.1, "rms \(analysis.volume.rms)")
        #expect(abs(analysis.volume.mean! - decibels) < 0.1, "frame mean \(analysis.volume.mean!)")
        #expect(abs(analysis.volume.peak - 20 * log10(amplitude)) < 0.1, "peak \(analysis.volume.peak)")
    }

    @Test("white noise of known RMS is measured within 0.1 dB")
    func noiseLevel() {
        var random = Signals.Random(seed: 5)
        let samples = (0..<32_000).map { _ in Float(random.gaussian() * 0.05) }
        let truth = 10 * log10(samples.reduce(0.0) { $0 + Double($1 * $1) } / Double(samples.count))
        let analysis = AudioAnalyzer.analyze(PCMAudio(samples: samples, sampleRate: 16_000))
        #expect(abs(analysis.volume.rms - truth) < 0.1)
        #expect(abs(analysis.volume.mean! - truth) < 0.1)
    }

    @Test("levels survive resampling from 44.1 kHz within 0.1 dB")
    func resampledLevel() {
        let audio = PCMAudio(samples: Signals.tone(300, seconds: 1, amplitude: 0.25, rate: 44_100), sampleRate: 44_100)
        let analysis = AudioAnalyzer.analyze(audio)
        #expect(abs(analysis.volume.rms - 20 * log10(0.25 / 2.0.squareRoot())) < 0.1)
    }

    @Test("clipping is detected in an overdriven sine and not in a loud clean one")
    func clipping() {
        let overdriven = Signals.tone(200, seconds: 1, amplitude: 2).map { min(1, max(-1, $0)) }
        let clipped = AudioAnalyzer.analyze(PCMAudio(samples: overdriven, sampleRate: 16_000)).volume.clipping
        // |2 sin θ| ≥ 1 for two thirds of every period.
        #expect(clipped.detected)
        #expect(abs(clipped.ratio - 2.0 / 3) < 0.02, "ratio \(clipped.ratio)")
        #expect(clipped.events >= 390 && clipped.events <= 402, "events \(clipped.events)")

        let clean = AudioAnalyzer.analyze(PCMAudio(samples: Signals.tone(200, seconds: 1, amplitude: 0.95), sampleRate: 16_000))
        #expect(!clean.volume.clipping.detected)
        #expect(clean.volume.clipping.clippedSamples == 0)
    }

    @Test("a rising level has an increasing volume trend")
    func trend() {
        let phrase = Signals.phrases(pauses: [0.4, 0.4, 0.4], phraseSeconds: 1).samples
        let count = phrase.count
        let rising = phrase.enumerated().map { index, value in value * Float(pow(10, (-20 + 14 * Double(index) / Double(count)) / 20)) }
        let analysis = AudioAnalyzer.analyze(PCMAudio(samples: rising, sampleRate: 16_000))
        #expect(analysis.volume.trend == .increasing, "change \(analysis.volume.change ?? 0)")
    }
}
