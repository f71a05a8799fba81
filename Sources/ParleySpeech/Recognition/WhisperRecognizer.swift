import Foundation
import ParleyAudio
import ParleyDomain

/// The embedded default: Whisper (tiny.en unless configured) in the supervised local service,
/// spoken to with the same OpenAI protocol client as hosted endpoints.
public struct WhisperRecognizer: SpeechRecognizer {
    public let service: WhisperService

    public init(service: WhisperService) {
        self.service = service
    }

    public var name: String { "whisper \(service.configuration.model)" }

    public func transcribe(_ audio: PCMAudio) async throws -> Transcript {
        let url = try await service.endpoint()
        do {
            return try await client(url).transcribe(audio)
        } catch SpeechError.serviceUnavailable(let service, let reason) {
            // The service may have died between requests: if it had, restart it and retry once.
            guard await self.service.recover() else {
                throw SpeechError.serviceUnavailable(service: service, reason: reason)
            }
            return try await client(try await self.service.endpoint()).transcribe(audio)
        }
    }

    private func client(_ url: URL) -> OpenAITranscriptionClient {
        OpenAITranscriptionClient(
            baseURL: url, model: service.configuration.model, timeout: service.configuration.requestTimeout,
            provider: "embedded Whisper service"
        )
    }
}
