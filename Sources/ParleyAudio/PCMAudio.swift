import Foundation
import ParleyDomain

/// Mono audio as Float32 samples in -1...1 at a known sample rate; engines work at 16 kHz.
public struct PCMAudio: Sendable, Equatable {
    /// The sample rate every analysis and recognition engine works at.
    public static let analysisSampleRate = 16_000

    public var samples: [Float]
    public var sampleRate: Int

    public init(samples: [Float], sampleRate: Int) {
        self.samples = samples
        self.sampleRate = sampleRate
    }

    /// Length in seconds.
    public var duration: Double {
        sampleRate > 0 ? Double(samples.count) / Double(sampleRate) : 0
    }
}

extension PCMAudio {
    /// Root-mean-square level of samples in −1…1 (0 for none): someone speaking on a line is
    /// well above 0.01 (−40 dBFS), line noise below it.
    public static func rms(_ samples: [Float]) -> Float {
        guard !samples.isEmpty else { return 0 }
        return (samples.reduce(0) { $0 + $1 * $1 } / Float(samples.count)).squareRoot()
    }
}

