import Foundation
import ParleyAudio
import ParleyDomain

/// Which speech engines run and how to reach them, read once from the environment.
///
/// `PARLEY_STT_PROVIDER`: `embedded` (default: Whisper in the local service), `openai`
/// (OPENAI_BASE_URL, OPENAI_API_KEY, PARLEY_OPENAI_STT_MODEL), `deepgram` (DEEPGRAM_API_KEY,
/// DEEPGRAM_BASE_URL), or `none`. `PARLEY_TTS_PROVIDER`: `espeak` (default), `piper` (the
/// natural local voice), `openai`
/// (PARLEY_OPENAI_TTS_MODEL), `elevenlabs` (ELEVENLABS_API_KEY, ELEVENLABS_BASE_URL,
/// ELEVENLABS_MODEL), or `cartesia` (CARTESIA_API_KEY, CARTESIA_BASE_URL, CARTESIA_MODEL). `PARLEY_VOICES` ("id=voice,…") remaps voice ids for the chosen
/// synthesiser; `PARLEY_SPEECH_TIMEOUT` (seconds) bounds every hosted call.
/// `PARLEY_SENTENCE_ENCODER`: `embedded` (default: all-MiniLM-L6-v2 in the local service, read by
/// the text analysis's learned heads) or `none` (rules and the term model alone).
public struct SpeechConfiguration: Sendable {
    /// A recogniser choice.
    public enum Recognition: String, Sendable, CaseIterable {
        case embedded, openai, deepgram, none
    }

    /// A synthesiser choice.
    public enum Synthesis: String, Sendable, CaseIterable {
        case espeak, piper, openai, elevenlabs, cartesia
    }

    public var recognition: Recognition = .embedded
    public var synthesis: Synthesis = .espeak
    public var openAIBaseURL = URL(string: "https://api.openai.com/v1")!
    public var openAIKey: String?
    public var openAITranscriptionModel = "whisper-1"
    public var openAISpeechModel = "tts-1"
    public var deepgramBaseURL = URL(string: "https://api.deepgram.com")!
    public var deepgramKey: String?
    public var deepgramModel = "nova-2"
    public var elevenLabsBaseURL = URL(string: "https://api.elevenlabs.io")!
    public var elevenLabsKey: String?
    public var elevenLabsModel = "eleven_multilingual_v2"
    public var cartesiaBaseURL = URL(string: "https://api.cartesia.ai")!
    public var cartesiaKey: String?
    public var cartesiaModel = "sonic-2"
    public var voiceOverrides: String?
    public var timeout: Duration = .seconds(60)
    /// The embedded Whisper service; nil when its script cannot be found.
    public var whisper: WhisperServiceConfiguration?
    /// Why `whisper` is nil, for the "unavailable" error.
    public var whisperProblem: String?
    /// The piper service; nil when its script cannot be found.
    public var piper: LocalServiceCommand?
    /// The embedded sentence encoder's service; nil when turned off or its script cannot be found.
    public var encoder: LocalServiceCommand?

    public init() {}

    /// Reads the variables above; unknown provider names are a typed error naming the valid ones.
    public static func fromEnvironment(
        _ environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(SpeechError) -> SpeechConfiguration {
        var configuration = SpeechConfiguration()
        func value(_ name: String) -> String? {
            environment[name].flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
        }
        func url(_ name: String) throws(SpeechError) -> URL? {
            guard let text = value(name) else { return nil }
            guard let url = URL(string: text.hasSuffix("/") ? String(text.dropLast()) : text), url.scheme != nil else {
                throw .invalidRequest("\(name) is not a URL: \(text)")
            }
            return url
        }
        if let name = value("PARLEY_STT_PROVIDER") {
            guard let choice = Recognition(rawValue: name.lowercased()) else {
                throw .invalidRequest("PARLEY_STT_PROVIDER '\(name)' is not one of \(Recognition.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            configuration.recognition = choice
        }
        if let name = value("PARLEY_TTS_PROVIDER") {
            guard let choice = Synthesis(rawValue: name.lowercased()) else {
                throw .invalidRequest("PARLEY_TTS_PROVIDER '\(name)' is not one of \(Synthesis.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            configuration.synthesis = choice
        }
        if let base = try url("OPENAI_BASE_URL") { configuration.openAIBaseURL = base }
        configuration.openAIKey = value("OPENAI_API_KEY")
        if let model = value("PARLEY_OPENAI_STT_MODEL") { configuration.openAITranscriptionModel = model }
        if let model = value("PARLEY_OPENAI_TTS_MODEL") { configuration.openAISpeechModel = model }
        if let base = try url("DEEPGRAM_BASE_URL") { configuration.deepgramBaseURL = base }
        configuration.deepgramKey = value("DEEPGRAM_API_KEY")
        if let model = value("DEEPGRAM_MODEL") { configuration.deepgramModel = model }
        if let base = try url("ELEVENLABS_BASE_URL") { configuration.elevenLabsBaseURL = base }
        configuration.elevenLabsKey = value("ELEVENLABS_API_KEY")
        if let model = value("ELEVENLABS_MODEL") { configuration.elevenLabsModel = model }
        if let base = try url("CARTESIA_BASE_URL") { configuration.cartesiaBaseURL = base }
        configuration.cartesiaKey = value("CARTESIA_API_KEY")
        if let model = value("CARTESIA_MODEL") { configuration.cartesiaModel = model }
        configuration.voiceOverrides = value("PARLEY_VOICES")
        if let seconds = value("PARLEY_SPEECH_TIMEOUT").flatMap(Double.init), seconds > 0 {
            configuration.timeout = .milliseconds(Int64(seconds * 1000))
        }
        do {
            configuration.whisper = try WhisperServiceConfiguration.locate(environment: environment)
        } catch {
            configuration.whisperProblem = error.description
        }
        configuration.piper = try? PiperSynthesizer.command(environment: environment)
        switch value("PARLEY_SENTENCE_ENCODER")?.lowercased() ?? "embedded" {
        case "embedded": configuration.encoder = try? EmbeddedSentenceEncoder.locate(environment: environment)
        case "none": configuration.encoder = nil
        case let other: throw .invalidRequest("PARLEY_SENTENCE_ENCODER must be embedded or none, not '\(other)'")
        }
        return configuration
    }
}

/// The speech engines the composition root (server or CLI) uses: chosen once from configuration.
public struct SpeechEngines: Sendable {
    public var recognizer: any SpeechRecognizer
    /// The recogniser for live turns, where someone waits for the answer: the embedded service
    /// decodes these greedily and first; other providers use `recognizer` as it is.
    public var liveRecognizer: any SpeechRecognizer
    public var synthesizer: any SpeechSynthesizer
    /// The local services the engines use, so the owner can start them early and stop them.
    public var services: [LocalSpeechService]
    /// The sentence encoder under the text analysis's learned heads; nil = rules and term model only.
    public var encoder: (any SentenceEncoder)?

    public init(
        recognizer: any SpeechRecognizer, liveRecognizer: (any SpeechRecognizer)? = nil, synthesizer: any SpeechSynthesizer,
        services: [LocalSpeechService] = [], encoder: (any SentenceEncoder)? = nil
    ) {
        self.recognizer = recognizer
        self.liveRecognizer = liveRecognizer ?? recognizer
        self.synthesizer = synthesizer
        self.services = services
        self.encoder = encoder
    }

    /// Which hosted provider speaks (`elevenlabs`, `openai`, `cartesia`), or `embedded`.
    public var synthesisProvider: String {
        switch synthesizer {
        case is ElevenLabsSynthesizer: "elevenlabs"
        case is OpenAISpeechSynthesizer: "openai"
        case is CartesiaSynthesizer: "cartesia"
        default: "embedded"
        }
    }

    /// Which hosted provider listens (`deepgram`, `openai`), `none` when recognition is off, or `embedded`.
    public var recognitionProvider: String {
        switch recognizer {
        case is DeepgramRecognizer: "deepgram"
        case is OpenAICompatibleRecognizer: "openai"
        case is UnavailableRecognizer: "none"
        default: "embedded"
        }
    }

    /// Stops the local services (the server's shutdown; they also exit when this process does).
    public func stop() async {
        for service in services { await service.stop() }
    }

    /// Builds the configured engines; a hosted choice without its key is a typed error naming the variable.
    public static func make(_ configuration: SpeechConfiguration) throws(SpeechError) -> SpeechEngines {
        var services: [LocalSpeechService] = []
        let recognizer: any SpeechRecognizer
        var liveRecognizer: (any SpeechRecognizer)?
        switch configuration.recognition {
        case .embedded:
            if let whisper = configuration.whisper {
                let whisperRecognizer = WhisperRecognizer(configuration: whisper)
                services.append(whisperRecognizer.service)
                recognizer = whisperRecognizer
                liveRecognizer = whisperRecognizer.forLiveTurns
            } else {
                recognizer = UnavailableRecognizer(reason: configuration.whisperProblem ?? "the embedded recogniser is not installed")
            }
        case .openai:
            recognizer = OpenAICompatibleRecognizer(client: OpenAITranscriptionClient(
                baseURL: configuration.openAIBaseURL, apiKey: configuration.openAIKey,
                model: configuration.openAITranscriptionModel, timeout: configuration.timeout
            ))
        case .deepgram:
            guard let key = configuration.deepgramKey else {
                throw .invalidRequest("PARLEY_STT_PROVIDER=deepgram needs DEEPGRAM_API_KEY")
            }
            recognizer = DeepgramRecognizer(
                baseURL: configuration.deepgramBaseURL, apiKey: key, model: configuration.deepgramModel,
                timeout: configuration.timeout
            )
        case .none:
            recognizer = UnavailableRecognizer(reason: "speech recognition is turned off (PARLEY_STT_PROVIDER=none)")
        }
        let synthesizer: any SpeechSynthesizer
        switch configuration.synthesis {
        case .espeak:
            synthesizer = EspeakSynthesizer(catalog: VoiceCatalog.espeak.overridden(by: configuration.voiceOverrides))
        case .piper:
            guard let command = configuration.piper else {
                throw .serviceUnavailable(service: "speech synthesis", reason: "the piper service script was not found (set PARLEY_PIPER_SCRIPT or PARLEY_HOME)")
            }
            let piper = PiperSynthesizer(
                service: LocalSpeechService(command: command),
                catalog: VoiceCatalog.piper.overridden(by: configuration.voiceOverrides), timeout: configuration.timeout
            )
            services.append(piper.service)
            synthesizer = piper
        case .openai:
            synthesizer = OpenAISpeechSynthesizer(
                baseURL: configuration.openAIBaseURL, apiKey: configuration.openAIKey, model: configuration.openAISpeechModel,
                catalog: VoiceCatalog.openAI.overridden(by: configuration.voiceOverrides), timeout: configuration.timeout
            )
        case .elevenlabs:
            guard let key = configuration.elevenLabsKey else {
                throw .invalidRequest("PARLEY_TTS_PROVIDER=elevenlabs needs ELEVENLABS_API_KEY")
            }
            synthesizer = ElevenLabsSynthesizer(
                baseURL: configuration.elevenLabsBaseURL, apiKey: key, model: configuration.elevenLabsModel,
                catalog: VoiceCatalog.elevenLabs.overridden(by: configuration.voiceOverrides), timeout: configuration.timeout
            )
        case .cartesia:
            guard let key = configuration.cartesiaKey else {
                throw .invalidRequest("PARLEY_TTS_PROVIDER=cartesia needs CARTESIA_API_KEY")
            }
            synthesizer = CartesiaSynthesizer(
                baseURL: configuration.cartesiaBaseURL, apiKey: key, model: configuration.cartesiaModel,
                catalog: VoiceCatalog.cartesia.overridden(by: configuration.voiceOverrides), timeout: configuration.timeout
            )
        }
        var encoder: EmbeddedSentenceEncoder?
        if let command = configuration.encoder {
            encoder = EmbeddedSentenceEncoder(service: LocalSpeechService(command: command))
            services.append(encoder!.service)
        }
        return SpeechEngines(recognizer: recognizer, liveRecognizer: liveRecognizer, synthesizer: synthesizer, services: services, encoder: encoder)
    }
}

/// The recogniser when none can run: every call fails at once with "unavailable", so callers
/// fall back to text input instead of waiting.
public struct UnavailableRecognizer: SpeechRecognizer {
    public var reason: String

    public init(reason: String) {
        self.reason = reason
    }

    public var name: String { "unavailable" }

    public func transcribe(_ audio: PCMAudio) async throws -> Transcript {
        throw SpeechError.serviceUnavailable(service: "speech recognition", reason: reason)
    }
}
