import Foundation
import ParleyDomain
import Testing
@testable import ParleyAudio

@Suite("Resampler")
struct ResamplerTests {
    static func rms(_ samples: ArraySlice<Float>) -> Double {
        (samples.reduce(0.0) { $0 + Double($1 * $1) } / Double(samples.count)).squareRoot()
    }

    @Test("keeps a 1 kHz tone's level and frequency", arguments: [8_000, 22_050, 44_100, 48_000, 44_123])
    func tone(inputRate: Int) {
        let input = Signals.tone(1_000, seconds: 0.5, amplitude: 0.5, rate: inputRate)
        let output = Resampler.resample(input, from: inputRate, to: 16_000)
        #expect(abs(output.count - 8_000) <= 1)
        let expected = Signals.tone(1_000, seconds: 0.5, amplitude: 0.5)
        // Away from the edges the output is the ideal 16 kHz tone.
        let worst = (400..<7_600).map { abs(output[$0] - expected[$0]) }.max() ?? 1
        #expect(worst < 0.002, "worst sample error \(worst)")
        #expect(abs(20 * log10(Self.rms(output[400..<7_600]) / Self.rms(expected[400..<7_600]))) < 0.01)
    }

    @Test("removes what would alias: a 10 kHz tone at 48 kHz is gone at 16 kHz")
    func antiAliasing() {
        let input = Signals.tone(10_000, seconds: 0.5, amplitude: 0.5, rate: 48_000)
        let output = Resampler.resample(input, from: 48_000, to: 16_000)
        #expect(20 * log10(Self.rms(output[400..<7_600]) / 0.3535) < -60)
    }

    @Test("chunked input gives identical output")
    func chunked() {
        let input = Signals.tone(440, seconds: 0.3, rate: 44_100)
        var resampler = Resampler(from: 44_100, to: 16_000)
        var output: [Float] = []
        var offset = 0
        var size = 1
        while offset < input.count {
            output += resampler.process(Array(input[offset..<min(input.count, offset + size)]))
            offset += size
            size = size * 3 % 997 + 1
        }
        output += resampler.finish()
        #expect(output == Resampler.resample(input, from: 44_100, to: 16_000))
    }

    @Test("PCMAudio.resampled(to:) changes the rate and keeps the duration")
    func audio() {
        let audio = PCMAudio(samples: Signals.tone(200, seconds: 1, rate: 48_000), sampleRate: 48_000)
        let converted = audio.resampled(to: 16_000)
        #expect(converted.sampleRate == 16_000)
        #expect(abs(converted.duration - 1) < 0.001)
        #expect(audio.resampled(to: 48_000) == audio)
    }
}
