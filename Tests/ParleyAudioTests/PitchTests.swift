import Foundation
import ParleyDomain
import Testing
@testable import ParleyAudio

@Suite("Pitch")
struct PitchTests {
    /// Voiced frame pitches away from the edges (the first and last 50 ms see silence).
    static func steadyPitches(_ analysis: AudioAnalysis, from: Double, to: Double) -> [Double] {
        let track = analysis.frames!
        return track.pitch.enumerated().compactMap { index, pitch in
            let time = (Double(index) + 0.5) * track.hop
            return time > from + 0.05 && time < to - 0.05 && pitch > 0 ? Double(pitch) : nil
        }
    }

    @Test("pure tones from 70 to 400 Hz are tracked within 1% on every voiced frame",
          arguments: [70.0, 85, 100, 130, 165, 210, 260, 330, 400])
    func tones(frequency: Double) {
        let audio = PCMAudio(
            samples: Signals.silence(0.2) + Signals.tone(frequency, seconds: 0.6) + Signals.silence(0.2), sampleRate: 16_000)
        let analysis = AudioAnalyzer.analyze(audio)
        let pitches = Self.steadyPitches(analysis, from: 0.2, to: 0.8)
        #expect(pitches.count >= 45, "voiced frames: \(pitches.count)")
        let worst = pitches.map { abs($0 - frequency) / frequency }.max() ?? 1
        #expect(worst < 0.01, "worst relative error \(worst)")
        #expect(abs(analysis.pitch.mean! - frequency) / frequency < 0.01)
    }

    @Test("a glide from 100 to 300 Hz is followed within 2% frame by frame")
    func glide() {
        let seconds = 2.0
        let audio = PCMAudio(samples: Signals.glide(from: 100, to: 300, seconds: seconds), sampleRate: 16_000)
        let analysis = AudioAnalyzer.analyze(audio)
        let track = analysis.frames!
        var errors: [Double] = []
        for (index, pitch) in track.pitch.enumerated() where pitch > 0 {
            let time = (Double(index) + 0.5) * track.hop
            guard time > 0.05 && time < seconds - 0.05 else { continue }
            let truth = 100 + 200 * time / seconds
            errors.append(abs(Double(pitch) - truth) / truth)
        }
        #expect(errors.count > 180)
        #expect((errors.max() ?? 1) < 0.02, "worst \(errors.max() ?? 1)")
        #expect(analysis.pitch.trend == .increasing)
    }

    @Test("pulse trains through formants: octave errors on under 2% of voiced frames",
          arguments: [80.0, 110, 150, 200, 260, 350])
    func pulseTrains(f0: Double) {
        let vowel = Signals.vowel(f0: f0, seconds: 1.5, vibrato: 1, phaseSeed: UInt64(f0))
        let audio = PCMAudio(samples: vowel.samples, sampleRate: 16_000)
        let analysis = AudioAnalyzer.analyze(audio)
        let track = analysis.frames!
        var voiced = 0
        var octaveErrors = 0
        var frames = 0
        for (index, pitch) in track.pitch.enumerated() {
            let centre = index * 160 + 80
            guard centre > 800 && centre < vowel.f0.count - 800 else { continue }
            frames += 1
            guard pitch > 0 else { continue }
            voiced += 1
            let ratio = Double(pitch) / vowel.f0[centre]
            if ratio > 1.5 || ratio < 0.75 { octaveErrors += 1 }
        }
        #expect(Double(voiced) > 0.9 * Double(frames), "voiced \(voiced) of \(frames)")
        #expect(Double(octaveErrors) < 0.02 * Double(voiced), "octave errors \(octaveErrors) of \(voiced)")
    }

    @Test("a pulse train in white noise at 10 dB SNR keeps octave errors under 2%")
    func noisyPulseTrain() {
        let vowel = Signals.vowel(f0: 130, seconds: 2, vibrato: 1)
        let noise = Signals.whiteNoise(count: vowel.samples.count, matching: vowel.samples, snr: 10)
        let analysis = AudioAnalyzer.analyze(PCMAudio(samples: Signals.mix(vowel.samples, noise), sampleRate: 16_000))
        let track = analysis.frames!
        var voiced = 0
        var octaveErrors = 0
        for (index, pitch) in track.pitch.enumerated() where pitch > 0 {
            let centre = min(index * 160 + 80, vowel.f0.count - 1)
            voiced += 1
            let ratio = Double(pitch) / vowel.f0[centre]
            if ratio > 1.5 || ratio < 0.75 { octaveErrors += 1 }
        }
        #expect(voiced > 150, "voiced \(voiced)")
        #expect(Double(octaveErrors) < 0.02 * Double(voiced), "octave errors \(octaveErrors) of \(voiced)")
    }

    @Test("silence and white noise are unvoiced")
    func unvoiced() {
        var random = Signals.Random(seed: 3)
        let noise = (0..<16_000).map { _ in Float(random.gaussian() * 0.1) }
        let analysis = AudioAnalyzer.analyze(PCMAudio(samples: Signals.silence(0.5) + noise, sampleRate: 16_000))
        #expect(analysis.pitch.voicedFrames < 5)
    }
}
