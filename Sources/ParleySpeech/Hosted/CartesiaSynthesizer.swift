import Foundation
import ParleyAudio

/// Cartesia's Sonic text-to-speech, `POST /tts/bytes` (API version `2025-04-16`), asked for raw
/// 16-bit PCM at 16 kHz (`output_format` `raw`/`pcm_s16le`); the voice is one of Cartesia's by id.
public struct CartesiaSynthesizer: SpeechSynthesizer {
    public var baseURL: URL
    public var apiKey: String
    public var model: String
    public var catalog: VoiceCatalog
    public var timeout: Duration

    static let sampleRate = 16_000
    static let apiVersion = "2025-04-16"

    public init(
        baseURL: URL = URL(string: "https://api.cartesia.ai")!, apiKey: String, model: String = "sonic-2",
        catalog: VoiceCatalog = .cartesia, timeout: Duration = .seconds(60)
    ) {
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.model = model
        self.catalog = catalog
        self.timeout = timeout
    }

    public var name: String { "cartesia (\(model))" }
    public var voiceIDs: [String] { catalog.ids }

    public func synthesize(_ request: SpeechRequest) async throws -> SynthesizedSpeech {
        let voice = try catalog.prepare(request)
        var body: [String: Any] = [
            "model_id": model, "transcript": request.text, "language": "en",
            "voice": ["mode": "id", "id": voice],
            "output_format": ["container": "raw", "encoding": "pcm_s16le", "sample_rate": Self.sampleRate],
        ]
        if request.speed != 1 {
            // Sonic's generation config takes a speed of 0.6…1.5; Parley's wider range is clamped into it.
            body["generation_config"] = ["speed": min(max(request.speed, 0.6), 1.5)]
        }
        let response = try await ProviderHTTP(provider: "Cartesia", timeout: timeout).sendExpectingSuccess(
            .POST, baseURL.appendingPathComponent("tts/bytes"),
            headers: [("Authorization", "Bearer \(apiKey)"), ("Cartesia-Version", Self.apiVersion), ("Content-Type", "application/json")],
            body: try JSONSerialization.data(withJSONObject: body))
        return SynthesizedSpeech(audio: PCMAudio(samples: PCM16.decode(response.body), sampleRate: Self.sampleRate), words: [])
    }
}

extension VoiceCatalog {
    /// Cartesia's stock voices for the documented ids (Katie, Blake, Brooke, a British man and a
    /// British lady); `PARLEY_VOICES` maps them to others.
    public static let cartesia = VoiceCatalog(voices: [
        "professional_female": "f786b574-daa5-4673-aa0c-cbe3e8534c02",
        "professional_male": "a167e0f3-df7e-4d52-a9c3-f949145efdab",
        "bella": "e07c00bc-4134-4eae-9ea4-1a55fb45746b",
        "english_male": "63ff761f-c1e8-414b-b969-d1833d1c870c",
        "english_female": "79a125e8-cd45-4c13-8a67-188112f4dd22",
    ])
}
