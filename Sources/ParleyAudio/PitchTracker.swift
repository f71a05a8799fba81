import Foundation
import ParleyDomain

/// Fundamental-frequency estimation for one frame with YIN (de Cheveigné & Kawahara, 2002).
///
/// The search runs on every second sample (8 kHz) of a low-passed signal, which keeps the cost
/// a quarter of full rate, then refines the lag at 16 kHz with parabolic interpolation.
struct PitchTracker: Sendable {
    /// The pitch estimate of one frame.
    struct Estimate: Sendable, Equatable {
        /// Fundamental frequency in Hz, or 0 when the frame is unvoiced.
        var frequency: Float
        /// Cumulative-mean-normalised difference at the chosen lag: 0 is perfectly periodic.
        var aperiodicity: Float
    }

    let minimumPitch: Double
    let maximumPitch: Double
    /// First-dip threshold of YIN's absolute-threshold step.
    let dipThreshold: Float = 0.15
    /// Frames whose best aperiodicity is above this are unvoiced.
    let voicingThreshold: Float

    /// Integration window at 8 kHz (25 ms).
    let coarseWindow = 200
    let coarseMinimumLag: Int
    let coarseMaximumLag: Int
    /// Samples at 16 kHz the frame reads, centred on the frame.
    let span: Int

    private var difference: [Float]
    private var normalised: [Float]
    private var coarse: [Float]

    init(minimumPitch: Double, maximumPitch: Double, voicingThreshold: Float) {
        self.minimumPitch = minimumPitch
        self.maximumPitch = maximumPitch
        self.voicingThreshold = voicingThreshold
        coarseMinimumLag = max(2, Int((8_000 / maximumPitch).rounded(.down)))
        coarseMaximumLag = Int((8_000 / minimumPitch).rounded(.up))
        span = 2 * (coarseWindow + coarseMaximumLag) + 4
        difference = [Float](repeating: 0, count: coarseMaximumLag + 2)
        normalised = [Float](repeating: 1, count: coarseMaximumLag + 2)
        coarse = [Float](repeating: 0, count: coarseWindow + coarseMaximumLag + 2)
    }

    /// Estimates pitch from `span` samples at 16 kHz (`window[0]` is the first).
    mutating func estimate(_ window: UnsafeBufferPointer<Float>) -> Estimate {
        precondition(window.count >= span)
        let size = coarseWindow + coarseMaximumLag + 1
        for j in 0..<size { coarse[j] = window[2 * j] }

        // Borrow the scratch buffers so the closures below do not overlap accesses to `self`.
        var d: [Float] = []
        var dn: [Float] = []
        swap(&d, &difference)
        swap(&dn, &normalised)
        let search = (dipThreshold, coarseMinimumLag, coarseMaximumLag, coarseWindow)
        let lag: Int? = coarse.withUnsafeBufferPointer { y in
            d.withUnsafeMutableBufferPointer { d in
                dn.withUnsafeMutableBufferPointer { dn in
                    Self.searchLag(
                        y, difference: d, normalised: dn, threshold: search.0, lags: search.1...search.2,
                        window: search.3)
                }
            }
        }
        swap(&d, &difference)
        swap(&dn, &normalised)
        guard let lag else { return Estimate(frequency: 0, aperiodicity: 1) }
        let aperiodicity = normalised[lag]
        guard aperiodicity <= voicingThreshold else { return Estimate(frequency: 0, aperiodicity: aperiodicity) }

        // Refine at 16 kHz around twice the coarse lag.
        let fineWindow = 2 * coarseWindow
        let centre = 2 * lag
        var best = centre
        var values = [Float](repeating: 0, count: 5)
        for offset in -2...2 {
            values[offset + 2] = Self.squaredDifference(window, lag: centre + offset, count: fineWindow)
        }
        var bestIndex = 2
        for index in 0..<5 where values[index] < values[bestIndex] { bestIndex = index }
        best = centre + bestIndex - 2
        var refined = Double(best)
        if bestIndex > 0 && bestIndex < 4 {
            let (a, b, c) = (Double(values[bestIndex - 1]), Double(values[bestIndex]), Double(values[bestIndex + 1]))
            let curvature = a - 2 * b + c
            if curvature > 0 { refined += 0.5 * (a - c) / curvature }
        }
        let frequency = 16_000 / refined
        guard frequency >= minimumPitch * 0.97 && frequency <= maximumPitch * 1.03 else {
            return Estimate(frequency: 0, aperiodicity: aperiodicity)
        }
        return Estimate(frequency: Float(frequency), aperiodicity: aperiodicity)
    }

    /// YIN steps 2–4 at 8 kHz; stops as soon as the first dip under the threshold has bottomed out.
    private static func searchLag(
        _ y: UnsafeBufferPointer<Float>, difference d: UnsafeMutableBufferPointer<Float>,
        normalised dn: UnsafeMutableBufferPointer<Float>, threshold: Float, lags: ClosedRange<Int>, window: Int
    ) -> Int? {
        var runningSum: Float = 0
        var candidate: Int?
        var bestLag = -1
        var bestValue: Float = .infinity
        for lag in 1...lags.upperBound {
            d[lag] = squaredDifference(y, lag: lag, count: window)
            runningSum += d[lag]
            dn[lag] = runningSum > 0 ? d[lag] * Float(lag) / runningSum : 1
            guard lag >= lags.lowerBound else { continue }
            if let found = candidate {
                if dn[lag] < dn[found] {
                    candidate = lag
                } else {
                    return found
                }
            } else if dn[lag] < threshold {
                candidate = lag
            }
            if dn[lag] < bestValue {
                bestValue = dn[lag]
                bestLag = lag
            }
        }
        if let candidate { return candidate }
        return bestLag >= 0 && runningSum > 0 ? bestLag : nil
    }

    /// Σ (x[j] - x[j + lag])² over `count` samples, eight lanes at a time.
    @inline(__always)
    static func squaredDifference(_ x: UnsafeBufferPointer<Float>, lag: Int, count: Int) -> Float {
        let base = UnsafeRawPointer(x.baseAddress!)
        let stride = MemoryLayout<Float>.stride
        var sum = SIMD8<Float>()
        var j = 0
        while j + 8 <= count {
            let a = base.loadUnaligned(fromByteOffset: j * stride, as: SIMD8<Float>.self)
            let b = base.loadUnaligned(fromByteOffset: (j + lag) * stride, as: SIMD8<Float>.self)
            let delta = a - b
            sum += delta * delta
            j += 8
        }
        var total = sum.sum()
        while j < count {
            let delta = x[j] - x[j + lag]
            total += delta * delta
            j += 1
        }
        return total
    }
}
