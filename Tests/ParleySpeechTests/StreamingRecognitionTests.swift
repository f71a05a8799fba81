import Foundation
import ParleyAudio
import ParleyDomain
import Testing
@testable import ParleySpeech

@Suite("streaming recognition")
struct StreamingRecognitionTests {
    static let sentences = Array(SpeechCorpus.sentences.prefix(4))

    /// Feeds a recording in 100 ms chunks, as a live client would send them.
    static func chunks(_ audio: PCMAudio) -> AsyncStream<PCMAudio> {
        AsyncStream { continuation in
            let step = audio.sampleRate / 10
            for start in stride(from: 0, to: audio.samples.count, by: step) {
                continuation.yield(PCMAudio(samples: Array(audio.samples[start..<min(start + step, audio.samples.count)]), sampleRate: audio.sampleRate))
            }
            continuation.finish()
        }
    }

    @Test("utterances are found by voice activity; finals carry the words at stream times")
    func finals() async throws {
        let condition = SpeechCorpus.Condition(voiceID: "professional_male", speed: 1.0)
        let recording = try await Shared.recordings.recording(Self.sentences, condition, gap: 1.0)
        var events: [RecognitionEvent] = []
        for try await event in Shared.whisper.recognize(Self.chunks(recording.audio)) {
            events.append(event)
        }
        let finals = events.filter(\.isFinal).map(\.segment)
        // Sentences end in pauses of 1 s; espeak's comma pauses may also end an utterance.
        #expect(finals.count >= Self.sentences.count && finals.count <= Self.sentences.count * 2)
        #expect(finals.map(\.id) == Array(0..<finals.count))
        let text = finals.map(\.text).joined(separator: " ")
        let rate = WordErrorRate.rate(reference: Self.sentences.joined(separator: " "), hypothesis: text)
        #expect(rate <= 0.10, "\(text)")  // measured 0.03–0.05 (male voice, four sentences)
        let words = finals.flatMap(\.words)
        #expect(zip(words, words.dropFirst()).allSatisfy { $0.start <= $1.start + 0.05 })
        for final in finals {
            let start = try #require(final.start)
            let end = try #require(final.end)
            #expect(start >= 0 && end <= recording.audio.duration + 0.001 && start < end)
            // Each utterance lies in one sentence's speech (plus pre-roll and the endpoint silence).
            #expect(recording.spans.contains { start >= $0.start - 0.3 && end <= $0.end + 0.5 }, "\(final)")
            #expect(final.words.allSatisfy { $0.start >= start - 0.05 && $0.end <= end + 0.05 })
        }
    }

    @Test("partial results arrive while a long utterance is spoken, before its final")
    func partials() async throws {
        let condition = SpeechCorpus.Condition(voiceID: "professional_male", speed: 1.0)
        let text = "Our platform connects with your existing calendar and sends reminders to every customer automatically, and the reports arrive in your inbox every single morning."
        let recording = try await Shared.recordings.recording([text], condition, gap: 0.5)
        // A recogniser that never keeps the streamer busy, so partials are not skipped.
        let policy = { var policy = StreamingPolicy(); policy.partialInterval = .milliseconds(800); return policy }()
        var events: [RecognitionEvent] = []
        for try await event in UtteranceStreamer(recognizer: Shared.whisper, policy: policy).recognize(Self.chunks(recording.audio)) {
            events.append(event)
        }
        let firstFinal = try #require(events.firstIndex { $0.isFinal })
        let partials = events[..<firstFinal].filter { !$0.isFinal }
        #expect(!partials.isEmpty)
        #expect(partials.allSatisfy { $0.segment.id == 0 && !$0.segment.text.isEmpty })
    }

    @Test("silence and noise-free quiet produce no utterances; wrong sample rates are refused")
    func quiet() async throws {
        let silence = PCMAudio(samples: Array(repeating: 0, count: 48_000), sampleRate: 16_000)
        var events: [RecognitionEvent] = []
        for try await event in Shared.whisper.recognize(Self.chunks(silence)) { events.append(event) }
        #expect(events.isEmpty)
        let wrongRate = PCMAudio(samples: Array(repeating: 0, count: 4_410), sampleRate: 44_100)
        await #expect(throws: SpeechError.self) {
            for try await _ in Shared.whisper.recognize(Self.chunks(wrongRate)) {}
        }
    }

    @Test("the energy gate opens on speech and stays shut on low noise")
    func energyGate() {
        var gate = EnergyGate()
        var seed: UInt32 = 1
        let noise = (0..<320).map { _ -> Float in
            seed = seed &* 1_664_525 &+ 1_013_904_223
            return (Float(seed >> 8) / Float(1 << 24) - 0.5) * 0.002
        }
        let tone = (0..<320).map { Float(sin(Double($0) * 0.2)) * 0.3 }
        var opened = 0
        for _ in 0..<50 where gate.isSpeech(noise) { opened += 1 }
        #expect(opened == 0)
        let toneIsSpeech = gate.isSpeech(tone)
        #expect(toneIsSpeech)
    }

    @Test("an onset is 300 ms of speech: silence and a click are not, spoken words are, in any chunking")
    func speechOnset() async throws {
        var detector = SpeechOnsetDetector()
        let silence = detector.hearsSpeech(in: [Float](repeating: 0, count: 16_000))
        let click = (0..<1_600).map { Float(sin(Double($0) * 0.2)) * 0.5 }  // 100 ms
        let clicked = detector.hearsSpeech(in: click + [Float](repeating: 0, count: 8_000))
        #expect(!silence && !clicked)
        let speech = try await Shared.espeak.synthesize(SpeechRequest(text: "Sorry, can I stop you there?", voiceID: "professional_male"))
        let samples = speech.audio.resampled(to: 16_000).samples
        for chunk in [160, 1_600, 6_400] {
            var fresh = SpeechOnsetDetector()
            var heardAt: Int?
            for start in stride(from: 0, to: samples.count, by: chunk) where heardAt == nil {
                if fresh.hearsSpeech(in: Array(samples[start..<min(samples.count, start + chunk)])) { heardAt = start }
            }
            let at = try #require(heardAt, "no onset with \(chunk)-sample chunks")
            // Heard within the first second of the line.
            #expect(at < 16_000, "onset at sample \(at) with \(chunk)-sample chunks")
        }
    }
}
