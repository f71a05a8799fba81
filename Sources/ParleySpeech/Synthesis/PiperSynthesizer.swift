import Foundation
import ParleyAudio

/// piper, the natural embedded voice, in a supervised local service spoken to with the OpenAI
/// speech protocol (the same client as hosted OpenAI-compatible speech). No word boundaries.
public struct PiperSynthesizer: SpeechSynthesizer {
    public let service: LocalSpeechService
    public let catalog: VoiceCatalog
    public let timeout: Duration

    public init(service: LocalSpeechService, catalog: VoiceCatalog = .piper, timeout: Duration = .seconds(60)) {
        self.service = service
        self.catalog = catalog
        self.timeout = timeout
    }

    /// The service command: `scripts/speech/piper_server.py` with the project's interpreter.
    public static func command(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(SpeechError) -> LocalServiceCommand {
        let (python, script) = try ProjectRoot.locate(
            script: "piper_server.py", override: "PARLEY_PIPER_SCRIPT", service: "speech synthesis", environment: environment
        )
        return LocalServiceCommand(service: "speech synthesis", python: python, script: script, arguments: [], startTimeout: .seconds(60))
    }

    public var name: String { "piper" }
    public var voiceIDs: [String] { catalog.ids }

    public func synthesize(_ request: SpeechRequest) async throws -> SynthesizedSpeech {
        _ = try catalog.prepare(request)
        let client = OpenAISpeechSynthesizer(
            baseURL: try await service.endpoint(), apiKey: nil, model: "piper", catalog: catalog, timeout: timeout
        )
        return try await client.synthesize(request)
    }
}

extension VoiceCatalog {
    /// piper voices for the documented ids: the one bundled voice (en_US joe, male) for all,
    /// until PARLEY_VOICES points ids at other piper .onnx files.
    public static let piper = VoiceCatalog(voices: Dictionary(uniqueKeysWithValues: VoiceCatalog.espeak.ids.map { ($0, "joe") }))
}
