import Foundation
import ParleyAudio
import ParleyDomain

/// The embedded default: Whisper (tiny.en unless configured) in the supervised local service,
/// spoken to with the same OpenAI protocol client as hosted endpoints.
public struct WhisperRecognizer: PromptableRecognizer {
    public let service: LocalSpeechService
    public let configuration: WhisperServiceConfiguration
    /// Whether this recogniser serves live turns: the service decodes them with the live beam,
    /// ahead of waiting uploads.
    public let live: Bool

    /// A recogniser using an existing service (one service can serve many recognisers).
    public init(service: LocalSpeechService, configuration: WhisperServiceConfiguration, live: Bool = false) {
        self.service = service
        self.configuration = configuration
        self.live = live
    }

    /// The same service, for live turns.
    public var forLiveTurns: WhisperRecognizer {
        WhisperRecognizer(service: service, configuration: configuration, live: true)
    }

    /// A recogniser with its own service, started on first use.
    public init(configuration: WhisperServiceConfiguration) {
        self.init(service: LocalSpeechService(command: configuration.command), configuration: configuration)
    }

    public var name: String { "whisper \(configuration.model)" }

    public func transcribe(_ audio: PCMAudio) async throws -> Transcript {
        try await transcribe(audio, prompt: nil)
    }

    public func transcribe(_ audio: PCMAudio, prompt: String?) async throws -> Transcript {
        let url = try await service.endpoint()
        do {
            return try await client(url, prompt: prompt).transcribe(audio)
        } catch SpeechError.serviceUnavailable(let service, let reason) {
            // The service may have died between requests: if it had, restart it and retry once.
            guard await self.service.recover() else {
                throw SpeechError.serviceUnavailable(service: service, reason: reason)
            }
            return try await client(try await self.service.endpoint(), prompt: prompt).transcribe(audio)
        }
    }

    private func client(_ url: URL, prompt: String?) -> OpenAITranscriptionClient {
        var client = OpenAITranscriptionClient(
            baseURL: url, model: configuration.model, timeout: configuration.requestTimeout,
            provider: "embedded Whisper service"
        )
        // Greedy/beam decoding at temperature 0 only: the same audio always gives the same words
        // (Whisper's fallback to sampling at higher temperatures made results vary run to run).
        client.temperature = 0
        client.prompt = prompt
        if live {
            client.extensionFields = [
                ("beam_size", String(configuration.liveBeamSize)), ("priority", "live"),
                ("window", configuration.fitsLiveWindow ? "fit" : "full"),
            ]
        }
        return client
    }
}
