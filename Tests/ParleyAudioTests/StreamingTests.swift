import Foundation
import Testing
@testable import ParleyAudio
import ParleyDomain

@Suite("Streaming equals batch")
struct StreamingTests {
    static func streamed(_ audio: PCMAudio, chunkSizes: [Int], words: [Word] = []) -> (AudioAnalysis, [AudioAnalysisUpdate]) {
        var analyzer = AudioAnalyzer(inputSampleRate: audio.sampleRate)
        analyzer.append(words: words)
        var updates: [AudioAnalysisUpdate] = []
        var offset = 0
        var index = 0
        while offset < audio.samples.count {
            let size = chunkSizes[index % chunkSizes.count]
            let end = min(audio.samples.count, offset + size)
            updates += analyzer.append(Array(audio.samples[offset..<end]))
            offset = end
            index += 1
        }
        updates += analyzer.end()
        return (analyzer.finish(), updates)
    }

    static let speechLike: PCMAudio = {
        let signal = Signals.phrases(pauses: [0.35, 1.1], phraseSeconds: 0.8, seed: 31)
        let noise = Signals.whiteNoise(count: signal.samples.count, matching: signal.samples, snr: 15)
        return PCMAudio(samples: Signals.mix(signal.samples, noise), sampleRate: 16_000)
    }()

    static let speechLikeBatch = AudioAnalyzer.analyze(speechLike)

    @Test("any chunking gives exactly the batch result", arguments: [[1], [7, 160, 3], [4_095, 1, 12_345], [16_000]])
    func chunkings(sizes: [Int]) {
        let audio = Self.speechLike
        let batch = Self.speechLikeBatch
        let (streamed, updates) = Self.streamed(audio, chunkSizes: sizes)
        #expect(streamed == batch)
        #expect(updates.count == Int(audio.duration.rounded(.up)))
        #expect(updates.flatMap(\.pauses).count == batch.pauses.count)
    }

    @Test("at 44.1 kHz too, with random chunk sizes")
    func resampledChunking() {
        let tone = Signals.tone(180, seconds: 1.3, amplitude: 0.3, rate: 44_100)
        let audio = PCMAudio(samples: [Float](repeating: 0, count: 8_000) + tone + [Float](repeating: 0, count: 20_000), sampleRate: 44_100)
        var random = Signals.Random(seed: 99)
        let sizes = (0..<50).map { _ in 1 + Int(random.uniform() * 5_000) }
        #expect(Self.streamed(audio, chunkSizes: sizes).0 == AudioAnalyzer.analyze(audio))
    }

    @Test("live updates describe each second: timestamp, pitch and pauses so far")
    func updates() {
        let audio = PCMAudio(samples: Signals.silence(0.5) + Signals.tone(150, seconds: 2) + Signals.silence(1), sampleRate: 16_000)
        let (_, updates) = Self.streamed(audio, chunkSizes: [3_200])
        #expect(updates.map(\.timestamp) == [1, 2, 3, 3.5])
        #expect(abs((updates[1].pitch ?? 0) - 150) < 1.5)
        #expect(updates[0].volume != nil)
    }
}
