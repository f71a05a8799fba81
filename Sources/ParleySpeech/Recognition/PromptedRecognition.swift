import ParleyAudio
import ParleyDomain

/// A recogniser that can be told which words to expect (Whisper's initial prompt, the OpenAI
/// API's `prompt`): short clips such as one drill word are recognised far more reliably with it.
public protocol PromptableRecognizer: SpeechRecognizer {
    func transcribe(_ audio: PCMAudio, prompt: String?) async throws -> Transcript
}

extension SpeechRecognizer {
    /// Transcribes with `prompt` when this recogniser takes one, plainly otherwise. A prompted
    /// Whisper invents whole sentences from silence or noise (measured with tiny.en), so audio in
    /// which voice activity detection finds no speech gives an empty transcript without a request.
    public func transcribe(_ audio: PCMAudio, expecting prompt: String?) async throws -> Transcript {
        guard let prompt, let promptable = self as? any PromptableRecognizer else { return try await transcribe(audio) }
        guard AudioAnalyzer.analyze(audio.forAnalysis()).speechTime > 0 else { return Transcript(segments: [], language: nil) }
        return try await promptable.transcribe(audio, prompt: prompt)
    }
}
