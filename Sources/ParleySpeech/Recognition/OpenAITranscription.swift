import Foundation
import ParleyAudio
import ParleyDomain

/// A client of the OpenAI `/v1/audio/transcriptions` protocol (`verbose_json` with word
/// timestamps), shared by the embedded Whisper service and hosted OpenAI-compatible endpoints.
public struct OpenAITranscriptionClient: Sendable {
    /// The API root, ending in `/v1` (as OPENAI_BASE_URL is written).
    public var baseURL: URL
    public var apiKey: String?
    public var model: String
    public var timeout: Duration
    /// The provider's name in errors.
    public var provider: String
    /// Sampling temperature; nil leaves the provider's default (Whisper's: 0, raised on failure).
    public var temperature: Double?
    /// Words the audio is expected to contain (the API's `prompt`; Whisper's initial prompt).
    public var prompt: String?
    /// Form fields beyond the protocol's, for servers that read them (the embedded service's
    /// `beam_size` and `priority`); hosted endpoints are never sent any.
    public var extensionFields: [(name: String, value: String)] = []

    public init(
        baseURL: URL, apiKey: String? = nil, model: String = "whisper-1", timeout: Duration = .seconds(60),
        provider: String = "OpenAI-compatible transcription"
    ) {
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.model = model
        self.timeout = timeout
        self.provider = provider
    }

    /// Sends the audio as a 16-bit WAV file and reads segments and words back.
    public func transcribe(_ audio: PCMAudio) async throws -> Transcript {
        guard !audio.samples.isEmpty else { return Transcript(segments: [], language: nil) }
        var form = MultipartForm()
        form.add(name: "file", filename: "audio.wav", contentType: "audio/wav", data: WAVFile.encode(audio))
        form.add(name: "model", value: model)
        form.add(name: "response_format", value: "verbose_json")
        form.add(name: "timestamp_granularities[]", value: "word")
        form.add(name: "timestamp_granularities[]", value: "segment")
        if let temperature { form.add(name: "temperature", value: String(temperature)) }
        if let prompt, !prompt.isEmpty { form.add(name: "prompt", value: prompt) }
        for field in extensionFields { form.add(name: field.name, value: field.value) }
        var headers = [("Content-Type", form.contentType)]
        if let apiKey, !apiKey.isEmpty { headers.append(("Authorization", "Bearer \(apiKey)")) }
        let http = ProviderHTTP(provider: provider, timeout: timeout)
        let response = try await http.sendExpectingSuccess(
            .POST, baseURL.appendingPathComponent("audio/transcriptions"), headers: headers, body: form.finished
        )
        do {
            return try JSONDecoder().decode(VerboseTranscription.self, from: response.body).transcript
        } catch {
            throw SpeechError.providerError(
                provider: provider, status: response.status, message: "unreadable verbose_json answer (\(error))"
            )
        }
    }
}

/// The `verbose_json` answer; `probability` on words is an extension the embedded service adds.
struct VerboseTranscription: Decodable {
    struct Segment: Decodable {
        var id: Int?
        var start: Double
        var end: Double
        var text: String
        var avg_logprob: Double?
        var no_speech_prob: Double?
    }

    struct TimedWord: Decodable {
        var word: String
        var start: Double
        var end: Double
        var probability: Double?
    }

    var language: String?
    var duration: Double?
    var text: String
    var segments: [Segment]?
    var words: [TimedWord]?

    /// Segments with their words: each word goes to the segment its middle falls in.
    var transcript: Transcript {
        let words = (words ?? []).map {
            Word(text: $0.word, start: $0.start, end: max($0.start, $0.end), confidence: $0.probability)
        }
        let spans = segments ?? []
        guard !spans.isEmpty else {
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            let segment = TranscriptSegment(
                id: 0, speaker: .unknown, text: trimmed, start: words.first?.start, end: words.last?.end,
                words: words, confidence: Self.meanConfidence(words)
            )
            return Transcript(segments: trimmed.isEmpty ? [] : [segment], language: LanguageCode.normalise(language))
        }
        var grouped = Array(repeating: [Word](), count: spans.count)
        for word in words {
            let middle = (word.start + word.end) / 2
            let index = spans.firstIndex { middle < $0.end } ?? spans.count - 1
            grouped[index].append(word)
        }
        let result = spans.enumerated().compactMap { index, span -> TranscriptSegment? in
            let text = span.text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !text.isEmpty else { return nil }
            let confidence = Self.meanConfidence(grouped[index]) ?? span.avg_logprob.map { exp($0) }
            return TranscriptSegment(
                id: index, speaker: .unknown, text: text, start: span.start, end: span.end,
                words: grouped[index], confidence: confidence
            )
        }
        return Transcript(segments: Self.renumbered(result), language: LanguageCode.normalise(language))
    }

    static func meanConfidence(_ words: [Word]) -> Double? {
        let values = words.compactMap(\.confidence)
        return values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }

    static func renumbered(_ segments: [TranscriptSegment]) -> [TranscriptSegment] {
        segments.enumerated().map { index, segment in
            var copy = segment
            copy.id = index
            return copy
        }
    }
}

/// Language names as Whisper reports them ("english") turned into the ISO codes the API uses ("en").
enum LanguageCode {
    private static let byName = [
        "english": "en", "spanish": "es", "french": "fr", "german": "de", "italian": "it",
        "portuguese": "pt", "dutch": "nl", "japanese": "ja", "chinese": "zh", "korean": "ko",
    ]

    static func normalise(_ language: String?) -> String? {
        guard let language, !language.isEmpty else { return nil }
        return byName[language.lowercased()] ?? language.lowercased()
    }
}

/// Any OpenAI-compatible hosted transcription endpoint (OPENAI_BASE_URL, OPENAI_API_KEY).
public struct OpenAICompatibleRecognizer: PromptableRecognizer {
    public let client: OpenAITranscriptionClient

    public init(client: OpenAITranscriptionClient) {
        self.client = client
    }

    public var name: String { "openai-compatible (\(client.model))" }

    public func transcribe(_ audio: PCMAudio) async throws -> Transcript {
        try await client.transcribe(audio)
    }

    public func transcribe(_ audio: PCMAudio, prompt: String?) async throws -> Transcript {
        var client = client
        client.prompt = prompt
        return try await client.transcribe(audio)
    }
}
