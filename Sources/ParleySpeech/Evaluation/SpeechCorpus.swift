import Foundation
import ParleyAudio

/// Speech with known words, made with espeak-ng at test or benchmark time: sales-call sentences
/// at two voices and two speeds, and a noisy telephone-band variant.
public enum SpeechCorpus {
    /// Sales-call sentences without digits, so no number formatting blurs the word error rate.
    public static let sentences = [
        "Thanks for taking my call today, I wanted to follow up on the proposal we sent last week.",
        "Before we talk about pricing, could you tell me how your team handles customer support right now?",
        "I understand the budget is tight this quarter, so let me show you where the savings come from.",
        "Our platform connects with your existing calendar and sends reminders to every customer automatically.",
        "What would it mean for your business if you could cut the time spent on scheduling in half?",
        "We can start with a small pilot for one region and expand once you see the results.",
        "Who else on your team should be part of the decision before we send the contract?",
        "If the timeline works for you, I can have the onboarding specialist call you on Monday morning.",
    ]

    /// One way the corpus is spoken.
    public struct Condition: Sendable, Hashable, CustomStringConvertible {
        public var voiceID: String
        public var speed: Double
        /// Band-limited to 300–3400 Hz with white noise 20 dB below the speech.
        public var telephone: Bool

        public init(voiceID: String, speed: Double, telephone: Bool = false) {
            self.voiceID = voiceID
            self.speed = speed
            self.telephone = telephone
        }

        public var description: String {
            "\(voiceID) ×\(speed)\(telephone ? " telephone+noise" : "")"
        }
    }

    /// Two voices at two speeds, and the telephone variant of the first voice.
    public static let conditions = [
        Condition(voiceID: "professional_female", speed: 1.0),
        Condition(voiceID: "professional_male", speed: 1.0),
        Condition(voiceID: "professional_female", speed: 1.3),
        Condition(voiceID: "professional_male", speed: 1.3),
        Condition(voiceID: "professional_male", speed: 1.0, telephone: true),
    ]

    /// A recording: the sentences spoken in a row with `gap` seconds of silence between them,
    /// at 16 kHz, with where each sentence starts and ends.
    public struct Recording: Sendable {
        public var audio: PCMAudio
        public var text: String
        /// Start and end in seconds of each sentence's audio.
        public var spans: [(start: Double, end: Double)]
    }

    /// Speaks `sentences` under `condition` into one recording.
    public static func record(
        _ sentences: [String], condition: Condition, gap: Double = 0.8,
        synthesizer: some SpeechSynthesizer = EspeakSynthesizer()
    ) async throws -> Recording {
        let rate = PCMAudio.analysisSampleRate
        let silence = [Float](repeating: 0, count: Int(gap * Double(rate)))
        var samples = silence
        var spans: [(start: Double, end: Double)] = []
        for sentence in sentences {
            let speech = try await synthesizer.synthesize(
                SpeechRequest(text: sentence, voiceID: condition.voiceID, speed: condition.speed)
            )
            let resampled = speech.audio.resampled(to: rate)
            spans.append((Double(samples.count) / Double(rate), Double(samples.count + resampled.samples.count) / Double(rate)))
            samples += resampled.samples
            samples += silence
        }
        var audio = PCMAudio(samples: samples, sampleRate: rate)
        if condition.telephone { audio = telephoneBand(audio, signalToNoise: 20) }
        return Recording(audio: audio, text: sentences.joined(separator: " "), spans: spans)
    }

    /// Band-limits to a telephone channel (300–3400 Hz) and adds seeded white noise at the
    /// given signal-to-noise ratio in dB (measured over the whole recording).
    public static func telephoneBand(_ audio: PCMAudio, signalToNoise: Double) -> PCMAudio {
        var high = Biquad.highPass(cutoff: 300, sampleRate: Double(audio.sampleRate))
        var low = Biquad.lowPass(cutoff: 3400, sampleRate: Double(audio.sampleRate))
        var band = audio.samples.map { low.process(high.process($0)) }
        let power = band.reduce(0.0) { $0 + Double($1 * $1) } / Double(max(band.count, 1))
        let noiseLevel = (power / pow(10, signalToNoise / 10) * 3).squareRoot()  // uniform: variance a²/3
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        for index in band.indices {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let uniform = Double(seed >> 11) / Double(1 << 53) * 2 - 1
            band[index] += Float(uniform * noiseLevel)
        }
        return PCMAudio(samples: band, sampleRate: audio.sampleRate)
    }
}

/// A second-order filter (RBJ audio-EQ cookbook), for the telephone channel.
/// (ParleyAudio has one too, internal to it; this one only shapes test and benchmark speech.)
struct Biquad {
    var b0, b1, b2, a1, a2: Double
    var x1 = 0.0, x2 = 0.0, y1 = 0.0, y2 = 0.0

    static func lowPass(cutoff: Double, sampleRate: Double, q: Double = 0.7071) -> Biquad {
        let w = 2 * Double.pi * cutoff / sampleRate, alpha = sin(w) / (2 * q), c = cos(w), a0 = 1 + alpha
        return Biquad(b0: (1 - c) / 2 / a0, b1: (1 - c) / a0, b2: (1 - c) / 2 / a0, a1: -2 * c / a0, a2: (1 - alpha) / a0)
    }

    static func highPass(cutoff: Double, sampleRate: Double, q: Double = 0.7071) -> Biquad {
        let w = 2 * Double.pi * cutoff / sampleRate, alpha = sin(w) / (2 * q), c = cos(w), a0 = 1 + alpha
        return Biquad(b0: (1 + c) / 2 / a0, b1: -(1 + c) / a0, b2: (1 + c) / 2 / a0, a1: -2 * c / a0, a2: (1 - alpha) / a0)
    }

    mutating func process(_ sample: Float) -> Float {
        let x = Double(sample)
        let y = b0 * x + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2
        x2 = x1; x1 = x; y2 = y1; y1 = y
        return Float(y)
    }
}
