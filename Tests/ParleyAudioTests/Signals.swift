import Foundation
import ParleyDomain
@testable import ParleyAudio

/// Test signals with known answers. Randomness is seeded so every run hears the same audio.
enum Signals {
    static let rate = 16_000

    /// A small deterministic generator (SplitMix64).
    struct Random {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        /// Uniform in [0, 1).
        mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }
        /// Standard normal (Box–Muller).
        mutating func gaussian() -> Double {
            let u = max(uniform(), 1e-12)
            return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * uniform())
        }
    }

    static func silence(_ seconds: Double) -> [Float] { [Float](repeating: 0, count: Int(seconds * Double(rate))) }

    static func tone(_ frequency: Double, seconds: Double, amplitude: Double = 0.5, rate: Int = rate) -> [Float] {
        (0..<Int(seconds * Double(rate))).map { Float(amplitude * sin(2 * Double.pi * frequency * Double($0) / Double(rate))) }
    }

    /// A linear glide; the instantaneous frequency at time t is `from + (to - from) * t / seconds`.
    static func glide(from: Double, to: Double, seconds: Double, amplitude: Double = 0.5) -> [Float] {
        let count = Int(seconds * Double(rate))
        var phase = 0.0
        return (0..<count).map { index in
            let t = Double(index) / Double(rate)
            let frequency = from + (to - from) * t / seconds
            defer { phase += 2 * Double.pi * frequency / Double(rate) }
            return Float(amplitude * sin(phase))
        }
    }

    /// Voiced speech-like sound: a glottal pulse train at `f0` (with slow vibrato of `vibrato`
    /// semitones) through two formant resonators; returns the samples and the f0 at every sample.
    static func vowel(
        f0: Double, seconds: Double, vibrato: Double = 0.5, formants: (Double, Double) = (600, 1_400),
        amplitude: Double = 0.3, phaseSeed: UInt64 = 1
    ) -> (samples: [Float], f0: [Double]) {
        let count = Int(seconds * Double(rate))
        var random = Random(seed: phaseSeed)
        let vibratoRate = 4 + random.uniform() * 2
        var samples = [Double](repeating: 0, count: count)
        var truth = [Double](repeating: 0, count: count)
        var phase = random.uniform()
        for index in 0..<count {
            let t = Double(index) / Double(rate)
            let frequency = f0 * pow(2, vibrato / 12 * sin(2 * Double.pi * vibratoRate * t))
            truth[index] = frequency
            phase += frequency / Double(rate)
            if phase >= 1 {
                phase -= 1
                samples[index] = 1
            }
        }
        var first = Resonator(frequency: formants.0, bandwidth: 90)
        var second = Resonator(frequency: formants.1, bandwidth: 120)
        var filtered = samples.map { first.process($0) * 0.6 + second.process($0) * 0.4 }
        // Smooth 10 ms onset and offset, then scale to the asked peak.
        let ramp = rate / 100
        for index in 0..<min(ramp, count) {
            let gain = Double(index) / Double(ramp)
            filtered[index] *= gain
            filtered[count - 1 - index] *= gain
        }
        let peak = filtered.map(abs).max() ?? 1
        return (filtered.map { Float($0 / max(peak, 1e-9) * amplitude) }, truth)
    }

    /// A two-pole resonator (for formants).
    struct Resonator {
        let a1: Double, a2: Double, gain: Double
        var y1 = 0.0, y2 = 0.0
        init(frequency: Double, bandwidth: Double) {
            let r = exp(-Double.pi * bandwidth / Double(Signals.rate))
            a1 = 2 * r * cos(2 * Double.pi * frequency / Double(Signals.rate))
            a2 = -r * r
            gain = 1 - r
        }
        mutating func process(_ x: Double) -> Double {
            let y = gain * x + a1 * y1 + a2 * y2
            y2 = y1
            y1 = y
            return y
        }
    }

    /// Speech-like phrases: syllables (voiced bursts of 120–220 ms with 40–80 ms dips between
    /// them) of `phraseSeconds` each, separated by silences of the given lengths.
    /// Returns the samples and the true pauses (start, end) in seconds.
    static func phrases(
        pauses: [Double], phraseSeconds: Double = 1.2, seed: UInt64 = 7
    ) -> (samples: [Float], pauses: [(start: Double, end: Double)]) {
        var random = Random(seed: seed)
        var samples = silence(0.5)
        var truth: [(Double, Double)] = []
        for index in 0...pauses.count {
            var phrase: [Float] = []
            while Double(phrase.count) < phraseSeconds * Double(rate) {
                if !phrase.isEmpty { phrase += silence(0.04 + random.uniform() * 0.04) }
                let syllable = vowel(
                    f0: 100 + random.uniform() * 80, seconds: 0.12 + random.uniform() * 0.1,
                    formants: (500 + random.uniform() * 300, 1_200 + random.uniform() * 800),
                    amplitude: 0.2 + random.uniform() * 0.2, phaseSeed: random.next())
                phrase += syllable.samples
            }
            samples += phrase
            if index < pauses.count {
                let start = Double(samples.count) / Double(rate)
                samples += silence(pauses[index])
                truth.append((start, Double(samples.count) / Double(rate)))
            }
        }
        samples += silence(0.5)
        return (samples, truth)
    }

    /// White Gaussian noise scaled so that `signal` (over its non-silent samples) sits `snr` dB above it.
    static func whiteNoise(count: Int, matching signal: [Float], snr: Double, seed: UInt64 = 11) -> [Float] {
        var random = Random(seed: seed)
        let noise = (0..<count).map { _ in random.gaussian() }
        return scale(noise, against: signal, snr: snr)
    }

    /// Babble-like noise: six overlapping streams of random "syllables" with different pitches
    /// and formants, summed — speech-shaped and fluctuating, but without gaps.
    static func babble(count: Int, matching signal: [Float], snr: Double, seed: UInt64 = 23) -> [Float] {
        var random = Random(seed: seed)
        var sum = [Double](repeating: 0, count: count)
        for _ in 0..<6 {
            var position = Int(random.uniform() * 2_000)
            while position < count {
                let syllable = vowel(
                    f0: 90 + random.uniform() * 150, seconds: 0.1 + random.uniform() * 0.15,
                    formants: (400 + random.uniform() * 500, 1_000 + random.uniform() * 1_500),
                    amplitude: 0.2 + random.uniform() * 0.2, phaseSeed: random.next()).samples
                for (offset, value) in syllable.enumerated() where position + offset < count {
                    sum[position + offset] += Double(value)
                }
                position += syllable.count + Int(random.uniform() * 400)
            }
        }
        return scale(sum, against: signal, snr: snr)
    }

    private static func scale(_ noise: [Double], against signal: [Float], snr: Double) -> [Float] {
        let active = signal.filter { $0 != 0 }
        let signalPower = active.reduce(0.0) { $0 + Double($1 * $1) } / Double(max(1, active.count))
        let noisePower = noise.reduce(0.0) { $0 + $1 * $1 } / Double(max(1, noise.count))
        let gain = (signalPower / noisePower / pow(10, snr / 10)).squareRoot()
        return noise.map { Float($0 * gain) }
    }

    static func mix(_ a: [Float], _ b: [Float]) -> [Float] { zip(a, b).map { $0 + $1 } }
}
