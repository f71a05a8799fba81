import Foundation
import ParleyAudio

/// OpenAI-compatible `/v1/audio/speech`, asked for raw 24 kHz 16-bit PCM.
public struct OpenAISpeechSynthesizer: SpeechSynthesizer {
    public var baseURL: URL
    public var apiKey: String?
    public var model: String
    public var catalog: VoiceCatalog
    public var timeout: Duration

    /// The rate OpenAI's `pcm` response format is documented to use.
    static let sampleRate = 24_000

    public init(
        baseURL: URL, apiKey: String?, model: String = "tts-1", catalog: VoiceCatalog = .openAI,
        timeout: Duration = .seconds(60)
    ) {
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.model = model
        self.catalog = catalog
        self.timeout = timeout
    }

    public var name: String { "openai-compatible speech (\(model))" }
    public var voiceIDs: [String] { catalog.ids }

    public func synthesize(_ request: SpeechRequest) async throws -> SynthesizedSpeech {
        let voice = try catalog.prepare(request)
        let body = try JSONSerialization.data(withJSONObject: [
            "model": model, "input": request.text, "voice": voice, "response_format": "pcm",
            // OpenAI accepts 0.25...4, the same range Parley does.
            "speed": request.speed,
        ] as [String: Any])
        var headers = [("Content-Type", "application/json")]
        if let apiKey, !apiKey.isEmpty { headers.append(("Authorization", "Bearer \(apiKey)")) }
        let response = try await ProviderHTTP(provider: "OpenAI-compatible speech", timeout: timeout)
            .sendExpectingSuccess(.POST, baseURL.appendingPathComponent("audio/speech"), headers: headers, body: body)
        // The embedded piper service says its rate (22.05 kHz voices); OpenAI's pcm is 24 kHz.
        let rate = response.headers.first(name: "X-Sample-Rate").flatMap(Int.init) ?? Self.sampleRate
        return SynthesizedSpeech(audio: PCMAudio(samples: PCM16.decode(response.body), sampleRate: rate), words: [])
    }
}

/// ElevenLabs `POST /v1/text-to-speech/{voice_id}`, asked for raw 16 kHz 16-bit PCM.
public struct ElevenLabsSynthesizer: SpeechSynthesizer {
    public var baseURL: URL
    public var apiKey: String
    public var model: String
    public var catalog: VoiceCatalog
    public var timeout: Duration

    static let sampleRate = 16_000

    public init(
        baseURL: URL = URL(string: "https://api.elevenlabs.io")!, apiKey: String,
        model: String = "eleven_multilingual_v2", catalog: VoiceCatalog = .elevenLabs, timeout: Duration = .seconds(60)
    ) {
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.model = model
        self.catalog = catalog
        self.timeout = timeout
    }

    public var name: String { "elevenlabs (\(model))" }
    public var voiceIDs: [String] { catalog.ids }

    public func synthesize(_ request: SpeechRequest) async throws -> SynthesizedSpeech {
        let voice = try catalog.prepare(request)
        let settings: [String: Any] = [
            "stability": request.stability ?? 0.5, "similarity_boost": 0.75,
            // ElevenLabs takes 0.7...1.2; Parley's wider range is clamped into it.
            "speed": min(max(request.speed, 0.7), 1.2),
        ]
        let body = try JSONSerialization.data(withJSONObject: [
            "text": request.text, "model_id": model, "voice_settings": settings,
        ] as [String: Any])
        var components = URLComponents(
            url: baseURL.appendingPathComponent("v1/text-to-speech").appendingPathComponent(voice), resolvingAgainstBaseURL: false
        )!
        components.queryItems = [URLQueryItem(name: "output_format", value: "pcm_\(Self.sampleRate)")]
        let response = try await ProviderHTTP(provider: "ElevenLabs", timeout: timeout).sendExpectingSuccess(
            .POST, components.url!,
            headers: [("xi-api-key", apiKey), ("Content-Type", "application/json"), ("Accept", "audio/pcm")], body: body
        )
        return SynthesizedSpeech(audio: PCMAudio(samples: PCM16.decode(response.body), sampleRate: Self.sampleRate), words: [])
    }
}

extension VoiceCatalog {
    /// OpenAI's built-in voices for the documented ids.
    public static let openAI = VoiceCatalog(voices: [
        "professional_female": "nova",
        "professional_male": "onyx",
        "bella": "shimmer",
        "english_male": "fable",
        "english_female": "alloy",
    ])

    /// ElevenLabs premade voices for the documented ids (Rachel, Adam, Bella, George, Alice).
    public static let elevenLabs = VoiceCatalog(voices: [
        "professional_female": "21m00Tcm4TlvDq8ikWAM",
        "professional_male": "pNInz6obpgDQGcFmaJgB",
        "bella": "EXAVITQu4vr4xnSDxMaL",
        "english_male": "JBFqnCBsd6RMkjVDRZzb",
        "english_female": "Xb7hH8MSUJpSbSDYk0k2",
    ])
}
