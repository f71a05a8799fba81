import Foundation
import ParleyDomain

/// Running statistics of one measure in constant memory: moments, a histogram for percentiles,
/// and a least-squares line for the trend. Adding the same values in the same order always gives
/// the same result, which is what keeps streaming and batch analysis identical.
struct Distribution: Sendable, Equatable {
    private(set) var count = 0
    private var sum = 0.0
    private var sumSquares = 0.0
    /// Histogram over the scaled value (semitones for pitch, dB for loudness).
    private var bins: [Int32]
    private let lowest: Double
    private let binWidth: Double
    /// Sums for the regression of the scaled value on time.
    private var sumT = 0.0, sumTT = 0.0, sumY = 0.0, sumTY = 0.0
    private var firstTime = 0.0, lastTime = 0.0

    init(lowest: Double, highest: Double, binWidth: Double) {
        self.lowest = lowest
        self.binWidth = binWidth
        bins = [Int32](repeating: 0, count: Int(((highest - lowest) / binWidth).rounded(.up)))
    }

    /// Adds a value (its mean and spread are in `value`; percentiles and trend in `scaled`).
    mutating func add(_ value: Double, scaled: Double, at time: Double) {
        if count == 0 { firstTime = time }
        lastTime = time
        count += 1
        sum += value
        sumSquares += value * value
        let bin = Int(((scaled - lowest) / binWidth).rounded(.down))
        bins[Swift.min(bins.count - 1, Swift.max(0, bin))] += 1
        sumT += time
        sumTT += time * time
        sumY += scaled
        sumTY += time * scaled
    }

    var mean: Double? { count > 0 ? sum / Double(count) : nil }

    var standardDeviation: Double? {
        guard count > 0 else { return nil }
        let mean = sum / Double(count)
        return Swift.max(0, sumSquares / Double(count) - mean * mean).squareRoot()
    }

    /// The scaled value below which `fraction` of the values lie (centre of the histogram bin).
    func percentile(_ fraction: Double) -> Double? {
        guard count > 0 else { return nil }
        let target = Swift.max(1, Int((fraction * Double(count)).rounded(.up)))
        var seen = 0
        for (index, binCount) in bins.enumerated() {
            seen += Int(binCount)
            if seen >= target { return lowest + (Double(index) + 0.5) * binWidth }
        }
        return lowest + (Double(bins.count) - 0.5) * binWidth
    }

    /// Change of the scaled value predicted by the least-squares line from the first to the last value.
    var change: Double? {
        guard count >= 2 else { return nil }
        let n = Double(count)
        let denominator = n * sumTT - sumT * sumT
        guard denominator > 0 else { return nil }
        let slope = (n * sumTY - sumT * sumY) / denominator
        return slope * (lastTime - firstTime)
    }

    /// Classifies `change` against a threshold in scaled units.
    func trend(threshold: Double) -> Trend {
        guard let change else { return .stable }
        if change > threshold { return .increasing }
        if change < -threshold { return .decreasing }
        return .stable
    }
}
