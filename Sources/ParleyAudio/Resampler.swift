import Foundation
import ParleyDomain

/// Band-limited sample-rate conversion (Kaiser-windowed sinc, polyphase), usable in chunks.
///
/// Output sample `n` sits exactly at input time `n * inputRate / outputRate` and is computed from
/// the input samples around it only, so feeding the input in any chunking yields identical output.
public struct Resampler: Sendable {
    public let inputRate: Int
    public let outputRate: Int

    /// Interpolation factor L and decimation factor M of the reduced ratio `outputRate / inputRate`.
    private let up: Int
    private let down: Int
    /// Taps either side of the output position, in input samples.
    private let halfTaps: Int
    /// Row length of the table: `2 * halfTaps` rounded up to whole SIMD8 lanes (zero-padded).
    private let rowWidth: Int
    /// `phases × (2 * halfTaps)` coefficients; the phase is the fractional input position.
    private let table: [Float]
    private let phaseCount: Int

    /// Input not yet consumed; `history[0]` is absolute input sample `historyStart`.
    private var history: [Float] = []
    private var historyStart = 0
    private var inputCount = 0
    private var nextOutput = 0

    /// Largest polyphase table before phases are quantised (keeps odd rates like 44,123 Hz cheap).
    private static let maximumPhases = 1_024

    /// - Parameter zeroCrossings: sinc lobes each side at the lower of the two rates; 16 keeps
    ///   passband ripple and aliasing well below what speech analysis can notice.
    public init(from inputRate: Int, to outputRate: Int, zeroCrossings: Int = 16) {
        precondition(inputRate > 0 && outputRate > 0, "sample rates must be positive")
        self.inputRate = inputRate
        self.outputRate = outputRate
        let divisor = Self.gcd(inputRate, outputRate)
        up = outputRate / divisor
        down = inputRate / divisor

        // Cutoff relative to the input rate: just under the lower Nyquist frequency.
        let cutoff = 0.5 * min(1, Double(outputRate) / Double(inputRate)) * 0.94
        let halfWidth = Double(zeroCrossings) / (2 * cutoff)
        halfTaps = Int(halfWidth.rounded(.up))
        phaseCount = min(up, Self.maximumPhases)
        let width = 2 * halfTaps
        rowWidth = (width + 7) / 8 * 8
        let beta = 8.6
        let besselBeta = Self.besselI0(beta)
        var table = [Float](repeating: 0, count: phaseCount * rowWidth)
        for phase in 0..<phaseCount {
            let fraction = Double(phase) / Double(phaseCount)
            var row = [Double](repeating: 0, count: width)
            var sum = 0.0
            for tap in 0..<width {
                // Tap `tap` reads input sample floor(position) - halfTaps + 1 + tap.
                let t = Double(tap - halfTaps + 1) - fraction
                guard abs(t) < halfWidth else { continue }
                let x = 2 * cutoff * t
                let sinc = x == 0 ? 1 : sin(Double.pi * x) / (Double.pi * x)
                let ratio = t / halfWidth
                let window = Self.besselI0(beta * (1 - ratio * ratio).squareRoot()) / besselBeta
                row[tap] = 2 * cutoff * sinc * window
                sum += row[tap]
            }
            // Unity gain at DC for every phase, so levels (dBFS) survive resampling exactly.
            for tap in 0..<width { table[phase * rowWidth + tap] = Float(row[tap] / sum) }
        }
        self.table = table
    }

    /// Converts a whole signal in one go.
    public static func resample(_ samples: [Float], from inputRate: Int, to outputRate: Int) -> [Float] {
        guard inputRate != outputRate else { return samples }
        var resampler = Resampler(from: inputRate, to: outputRate)
        return resampler.process(samples) + resampler.finish()
    }

    /// Feeds input; returns every output sample whose input neighbourhood is now complete.
    public mutating func process(_ input: [Float]) -> [Float] {
        // NaN would spread to every output that reads it; treat it as silence.
        history.append(contentsOf: input.map { $0.isNaN ? 0 : $0 })
        inputCount += input.count
        return produce(final: false)
    }

    /// Ends the input (treating what follows as silence) and returns the remaining output.
    public mutating func finish() -> [Float] {
        produce(final: true)
    }

    private mutating func produce(final: Bool) -> [Float] {
        let total = final ? (inputCount * up + down - 1) / down : Int.max
        var output: [Float] = []
        let width = rowWidth
        var window = [Float](repeating: 0, count: width)
        while nextOutput < total {
            let numerator = nextOutput * down
            let whole = numerator / up
            let last = whole + halfTaps  // last input sample the output needs
            if !final && last >= inputCount { break }
            let phase = (numerator % up) * phaseCount / up
            let first = whole - halfTaps + 1
            let row = phase * width
            let value: Float
            if first >= historyStart && first + width <= historyStart + history.count {
                let offset = first - historyStart
                value = history.withUnsafeBufferPointer { samples in
                    table.withUnsafeBufferPointer { taps in
                        Self.dot(taps.baseAddress! + row, samples.baseAddress! + offset, count: width)
                    }
                }
            } else {
                // Near either end: samples outside the signal (or not yet read) are silence; the
                // taps there are zero, so the sum is the same as the fast path would give.
                for tap in 0..<width {
                    let index = first + tap - historyStart
                    window[tap] = index >= 0 && index < history.count ? history[index] : 0
                }
                value = window.withUnsafeBufferPointer { samples in
                    table.withUnsafeBufferPointer { taps in
                        Self.dot(taps.baseAddress! + row, samples.baseAddress!, count: width)
                    }
                }
            }
            output.append(value)
            nextOutput += 1
        }
        // Drop input no future output can reach.
        let needed = (nextOutput * down) / up - halfTaps + 1
        let drop = min(history.count, needed - historyStart)
        if drop > 4_096 || (final && drop > 0) {
            history.removeFirst(drop)
            historyStart += drop
        }
        return output
    }

    /// Dot product of `count` (a multiple of 8) floats, eight lanes at a time.
    @inline(__always)
    private static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        let left = UnsafeRawPointer(a)
        let right = UnsafeRawPointer(b)
        var sum = SIMD8<Float>()
        var offset = 0
        while offset < count * 4 {
            sum += left.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
                * right.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
            offset += 32
        }
        return sum.sum()
    }

    private static func gcd(_ a: Int, _ b: Int) -> Int {
        var (a, b) = (a, b)
        while b != 0 { (a, b) = (b, a % b) }
        return a
    }

    /// Modified Bessel function of the first kind, order 0 (for the Kaiser window).
    private static func besselI0(_ x: Double) -> Double {
        var sum = 1.0
        var term = 1.0
        var k = 1.0
        while term > 1e-12 * sum {
            term *= (x / (2 * k)) * (x / (2 * k))
            sum += term
            k += 1
        }
        return sum
    }
}

extension PCMAudio {
    /// The same audio at another sample rate (band-limited; unchanged when the rate already matches).
    public func resampled(to rate: Int) -> PCMAudio {
        guard rate != sampleRate, sampleRate > 0, rate > 0 else { return self }
        return PCMAudio(samples: Resampler.resample(samples, from: sampleRate, to: rate), sampleRate: rate)
    }

    /// The same audio at the analysis rate, 16 kHz.
    public func forAnalysis() -> PCMAudio { resampled(to: Self.analysisSampleRate) }
}

/// 8 → 16 kHz for a stream of frames (a telephone line's audio for the recogniser): linear
/// interpolation that carries the last sample across frames, so frame edges do not click.
public struct FrameUpsampler: Sendable {
    private var last: Float = 0

    public init() {}

    public mutating func twice(_ samples: [Float]) -> [Float] {
        var out = [Float]()
        out.reserveCapacity(samples.count * 2)
        for sample in samples {
            out.append((last + sample) / 2)
            out.append(sample)
            last = sample
        }
        return out
    }
}

