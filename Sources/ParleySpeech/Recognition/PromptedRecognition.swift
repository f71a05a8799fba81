import ParleyAudio
import ParleyDomain

/// A recogniser that can be told which words to expect (Whisper's initial prompt, the OpenAI
/// API's `prompt`): short clips such as one drill word are recognised far more reliably with it.
public protocol PromptableRecognizer: SpeechRecognizer {
    func transcribe(_ audio: PCMAudio, prompt: String?) async throws -> Transcript
}

extension SpeechRecognizer {
    /// Transcribes with `prompt` when this recogniser takes one, plainly otherwise.
    public func transcribe(_ audio: PCMAudio, expecting prompt: String?) async throws -> Transcript {
        if let prompt, let promptable = self as? any PromptableRecognizer {
            return try await promptable.transcribe(audio, prompt: prompt)
        }
        return try await transcribe(audio)
    }
}
