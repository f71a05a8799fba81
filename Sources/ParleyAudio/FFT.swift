import Foundation

/// Power spectrum of a real signal by a radix-2 FFT.
///
/// A real input of N samples is packed into N/2 complex values (even samples real, odd
/// imaginary), transformed at half size and then untangled, which halves the work.
struct RealFFT: Sendable {
    /// Input length N, a power of two (at least 4).
    let size: Int
    private let half: Int
    /// e^(-2πik/(N/2)) for the half-size transform, k < N/4.
    private let twiddleCos: [Double]
    private let twiddleSin: [Double]
    /// e^(-2πik/N) for untangling, k ≤ N/2.
    private let splitCos: [Double]
    private let splitSin: [Double]
    private let bitReversed: [Int]

    init(size: Int) {
        precondition(size >= 4 && size & (size - 1) == 0, "FFT size must be a power of two")
        self.size = size
        half = size / 2
        let half = size / 2
        twiddleCos = (0..<(half / 2)).map { cos(-2 * Double.pi * Double($0) / Double(half)) }
        twiddleSin = (0..<(half / 2)).map { sin(-2 * Double.pi * Double($0) / Double(half)) }
        splitCos = (0...half).map { cos(-2 * Double.pi * Double($0) / Double(size)) }
        splitSin = (0...half).map { sin(-2 * Double.pi * Double($0) / Double(size)) }
        let bits = half.trailingZeroBitCount
        bitReversed = (0..<half).map { index in
            var reversed = 0
            for bit in 0..<bits where index & (1 << bit) != 0 { reversed |= 1 << (bits - 1 - bit) }
            return reversed
        }
    }

    /// |X[k]|² for k in 0...N/2 of `input` (exactly `size` samples) into `power` (N/2 + 1 values).
    /// `re` and `im` are scratch of N/2 values each, passed in so a caller's loop allocates nothing.
    func powerSpectrum(_ input: [Double], into power: inout [Double], re: inout [Double], im: inout [Double]) {
        precondition(input.count == size && power.count == half + 1 && re.count == half && im.count == half)
        for index in 0..<half {
            let target = bitReversed[index]
            re[target] = input[2 * index]
            im[target] = input[2 * index + 1]
        }
        // Iterative decimation-in-time butterflies.
        var span = 1
        while span < half {
            let step = half / (2 * span)
            var start = 0
            while start < half {
                for offset in 0..<span {
                    let wr = twiddleCos[offset * step]
                    let wi = twiddleSin[offset * step]
                    let a = start + offset
                    let b = a + span
                    let tr = re[b] * wr - im[b] * wi
                    let ti = re[b] * wi + im[b] * wr
                    re[b] = re[a] - tr
                    im[b] = im[a] - ti
                    re[a] += tr
                    im[a] += ti
                }
                start += 2 * span
            }
            span *= 2
        }
        // Untangle: X[k] = E[k] + e^(-2πik/N) O[k], with E and O the spectra of the even and odd samples.
        for k in 0...half {
            let (zr, zi) = k < half ? (re[k], im[k]) : (re[0], im[0])
            let mirror = k == 0 ? 0 : half - k
            let (cr, ci) = (re[mirror], -im[mirror])  // conj(Z[N/2 - k])
            let er = 0.5 * (zr + cr)
            let ei = 0.5 * (zi + ci)
            // O[k] = (Z[k] - conj(Z[N/2 - k])) / 2i
            let odr = 0.5 * (zi - ci)
            let odi = -0.5 * (zr - cr)
            let xr = er + splitCos[k] * odr - splitSin[k] * odi
            let xi = ei + splitCos[k] * odi + splitSin[k] * odr
            power[k] = xr * xr + xi * xi
        }
    }
}
