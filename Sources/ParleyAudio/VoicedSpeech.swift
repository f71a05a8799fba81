import Foundation
import ParleyDomain

/// The voiced speech of a recording as speaker diarisation sees it: for every voiced frame inside
/// a speech segment, MFCCs 1–12 and the natural log of its pitch.
///
/// Speech, voicing and pitch come from `AudioAnalyzer` (the same VAD and YIN as every other
/// measure); only voiced frames are used because vowels carry a voice's timbre and pitch, while
/// fricatives and plosives mostly carry what is said.
struct VoicedSpeech: Sendable {
    /// Values per frame: 12 cepstral coefficients and log pitch.
    static let dimensions = MelCepstrum.coefficients + 1

    /// Indices (10 ms frames) of the voiced frames, ascending.
    private(set) var frames: [Int] = []
    /// `dimensions` values per voiced frame, frame after frame.
    private(set) var features: [Double] = []
    /// Speech segments in frames (end exclusive), as the analyser found them.
    private(set) var segments: [Range<Int>] = []
    /// For each segment, the range of `frames` that lie in it.
    private(set) var segmentFrames: [Range<Int>] = []

    init(_ audio: PCMAudio) {
        guard audio.sampleRate > 0, !audio.samples.isEmpty else { return }
        let audio = audio.forAnalysis()
        let analysis = AudioAnalyzer.analyze(audio)
        guard let track = analysis.frames else { return }
        let perSecond = Double(AudioAnalyzer.framesPerSecond)
        segments = analysis.speech.map {
            Int(($0.start * perSecond).rounded())..<Int(($0.end * perSecond).rounded())
        }
        let cepstrum = MelCepstrum()
        var scratch = MelCepstrum.Scratch()
        var next = 0
        for segment in segments {
            let first = frames.count
            let lower = Swift.max(segment.lowerBound, next)
            let upper = Swift.min(segment.upperBound, track.pitch.count, track.speech.count)
            for index in lower..<Swift.max(lower, upper) where track.speech[index] && track.pitch[index] > 0 {
                frames.append(index)
                cepstrum.append(frame: index, of: audio.samples, to: &features, scratch: &scratch)
                features.append(log(Double(track.pitch[index])))
            }
            next = Swift.max(next, segment.upperBound)
            segmentFrames.append(first..<frames.count)
        }
    }

    /// The mean feature vector of the voiced frames `range` (indices into `frames`; not empty).
    func mean(of range: Range<Int>) -> [Double] {
        var sum = [Double](repeating: 0, count: Self.dimensions)
        for frame in range {
            for dimension in 0..<Self.dimensions { sum[dimension] += features[frame * Self.dimensions + dimension] }
        }
        return sum.map { $0 / Double(range.count) }
    }
}

/// Mel-frequency cepstral coefficients 1–12 of a 25 ms frame at 16 kHz: Hamming window after
/// pre-emphasis, 512-point power spectrum, 24 triangular mel bands from 80 to 7,600 Hz, natural
/// log, DCT-II. c0 (overall level) is left out so that loudness, which depends on the distance to
/// the microphone, does not decide who is speaking.
struct MelCepstrum: Sendable {
    static let coefficients = 12
    static let bands = 24
    /// 25 ms at 16 kHz.
    static let window = 400
    static let fftSize = 512
    static let lowest = 80.0
    static let highest = 7_600.0
    static let preEmphasis = 0.97
    /// Added to band energies before the log: silence in a band (a telephone line above 4 kHz)
    /// stays finite, near 16-bit quantisation noise.
    static let floor = 1e-10

    /// Work buffers reused from frame to frame.
    struct Scratch {
        var frame = [Double](repeating: 0, count: MelCepstrum.fftSize)
        var power = [Double](repeating: 0, count: MelCepstrum.fftSize / 2 + 1)
        var re = [Double](repeating: 0, count: MelCepstrum.fftSize / 2)
        var im = [Double](repeating: 0, count: MelCepstrum.fftSize / 2)
        var logEnergies = [Double](repeating: 0, count: MelCepstrum.bands)
    }

    private let fft = RealFFT(size: fftSize)
    private let hamming: [Double]
    /// Per band: the first spectrum bin it covers and its weights from there.
    private let filters: [(first: Int, weights: [Double])]
    /// `coefficients × bands`, row k is the DCT-II basis of c(k+1), orthonormal scaling.
    private let dct: [Double]

    init() {
        let n = Self.window
        hamming = (0..<n).map { 0.54 - 0.46 * cos(2 * Double.pi * Double($0) / Double(n - 1)) }
        func mel(_ hertz: Double) -> Double { 2_595 * log10(1 + hertz / 700) }
        func hertz(_ mel: Double) -> Double { 700 * (pow(10, mel / 2_595) - 1) }
        let low = mel(Self.lowest)
        let high = mel(Self.highest)
        let edges = (0...(Self.bands + 1)).map { hertz(low + (high - low) * Double($0) / Double(Self.bands + 1)) }
        let binWidth = Double(PCMAudio.analysisSampleRate) / Double(Self.fftSize)
        filters = (0..<Self.bands).map { band in
            let (lower, centre, upper) = (edges[band], edges[band + 1], edges[band + 2])
            var first = -1
            var weights: [Double] = []
            for bin in 0...(Self.fftSize / 2) {
                let frequency = Double(bin) * binWidth
                let weight = Swift.max(0, Swift.min((frequency - lower) / (centre - lower), (upper - frequency) / (upper - centre)))
                guard weight > 0 else { continue }
                if first < 0 { first = bin }
                // Bins between first and this one with zero weight cannot occur: a triangle is convex.
                weights.append(weight)
            }
            return (Swift.max(first, 0), weights)
        }
        var dct = [Double](repeating: 0, count: Self.coefficients * Self.bands)
        let scale = (2 / Double(Self.bands)).squareRoot()
        for k in 1...Self.coefficients {
            for band in 0..<Self.bands {
                dct[(k - 1) * Self.bands + band] =
                    scale * cos(Double.pi * Double(k) * (Double(band) + 0.5) / Double(Self.bands))
            }
        }
        self.dct = dct
    }

    /// Appends the coefficients of 10 ms frame `index` (centred on sample 160·index + 80, as the
    /// analyser's frames are) of 16 kHz `samples` to `output`; samples outside the signal are silence.
    func append(frame index: Int, of samples: [Float], to output: inout [Double], scratch: inout Scratch) {
        let hop = PCMAudio.analysisSampleRate / AudioAnalyzer.framesPerSecond
        let start = index * hop + hop / 2 - Self.window / 2
        var previous = 0.0
        for offset in 0..<Self.window {
            let position = start + offset
            // As the analyser reads them: NaN is silence, anything beyond full scale is clipped.
            let raw = position >= 0 && position < samples.count ? samples[position] : 0
            let sample = raw.isNaN ? 0 : Double(Swift.min(1, Swift.max(-1, raw)))
            let emphasised = offset == 0 ? sample : sample - Self.preEmphasis * previous
            previous = sample
            scratch.frame[offset] = emphasised * hamming[offset]
        }
        for offset in Self.window..<Self.fftSize { scratch.frame[offset] = 0 }
        fft.powerSpectrum(scratch.frame, into: &scratch.power, re: &scratch.re, im: &scratch.im)
        for (band, filter) in filters.enumerated() {
            var energy = 0.0
            for (offset, weight) in filter.weights.enumerated() { energy += weight * scratch.power[filter.first + offset] }
            scratch.logEnergies[band] = log(energy + Self.floor)
        }
        for k in 0..<Self.coefficients {
            var sum = 0.0
            for band in 0..<Self.bands { sum += dct[k * Self.bands + band] * scratch.logEnergies[band] }
            output.append(sum)
        }
    }
}
