import Foundation
import ParleyAudio
import Testing
@testable import ParleySpeech

@Suite("piper synthesis (supervised local service)")
struct PiperSynthesizerTests {
    @Test("piper speech round-trips through recognition; speed shortens it; bad input is typed")
    func roundTrip() async throws {
        let piper = PiperSynthesizer(service: LocalSpeechService(command: try PiperSynthesizer.command()))
        defer { Task { await piper.service.stop() } }
        let sentences = Array(SpeechCorpus.sentences.prefix(3))
        let recording = try await SpeechCorpus.record(
            sentences, condition: SpeechCorpus.Condition(voiceID: "professional_male", speed: 1.0), synthesizer: piper
        )
        let transcript = try await Shared.whisper.transcribe(recording.audio)
        let rate = WordErrorRate.rate(reference: recording.text, hypothesis: transcript.text.replacingOccurrences(of: "\n", with: " "))
        print("WER piper joe ×1.0: \(String(format: "%.3f", rate))")
        // Measured 0.019 on these sentences (one word); piper is easier for Whisper than espeak-ng.
        #expect(rate <= 0.05, "\(transcript.text)")

        let text = "We can start with a small pilot for one region."
        let normal = try await piper.synthesize(SpeechRequest(text: text, voiceID: "bella"))
        // Twice as fast: piper's fixed padding and random durations left ×1.5 right at the 0.8 line.
        let fast = try await piper.synthesize(SpeechRequest(text: text, voiceID: "bella", speed: 2.0))
        #expect(normal.audio.sampleRate == 22_050)
        #expect(fast.audio.duration < normal.audio.duration * 0.8)
        await #expect(throws: SpeechError.unknownVoice("rachel", valid: VoiceCatalog.piper.ids)) {
            try await piper.synthesize(SpeechRequest(text: text, voiceID: "rachel"))
        }
        let missing = PiperSynthesizer(service: piper.service, catalog: VoiceCatalog.piper.overridden(by: "bella=/nonexistent.onnx"))
        await #expect(throws: SpeechError.self) {
            try await missing.synthesize(SpeechRequest(text: text, voiceID: "bella"))
        }
    }
}
