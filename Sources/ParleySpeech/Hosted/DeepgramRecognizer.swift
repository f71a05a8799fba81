import Foundation
import ParleyAudio
import ParleyDomain

/// Deepgram's pre-recorded API (`POST /v1/listen`), with utterances, punctuation and word
/// confidences; streaming goes through `DeepgramStream` when configured.
public struct DeepgramRecognizer: SpeechRecognizer {
    public var baseURL: URL
    public var apiKey: String
    public var model: String
    public var timeout: Duration

    public init(
        baseURL: URL = URL(string: "https://api.deepgram.com")!, apiKey: String, model: String = "nova-2",
        timeout: Duration = .seconds(60)
    ) {
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.model = model
        self.timeout = timeout
    }

    public var name: String { "deepgram (\(model))" }

    public func transcribe(_ audio: PCMAudio) async throws -> Transcript {
        guard !audio.samples.isEmpty else { return Transcript(segments: [], language: nil) }
        var components = URLComponents(url: baseURL.appendingPathComponent("v1/listen"), resolvingAgainstBaseURL: false)!
        components.queryItems = [
            URLQueryItem(name: "model", value: model), URLQueryItem(name: "punctuate", value: "true"),
            URLQueryItem(name: "smart_format", value: "true"), URLQueryItem(name: "utterances", value: "true"),
        ]
        let response = try await ProviderHTTP(provider: "Deepgram", timeout: timeout).sendExpectingSuccess(
            .POST, components.url!,
            headers: [("Authorization", "Token \(apiKey)"), ("Content-Type", "audio/wav")], body: WAVFile.encode(audio)
        )
        do {
            return try JSONDecoder().decode(DeepgramResponse.self, from: response.body).transcript
        } catch {
            throw SpeechError.providerError(provider: "Deepgram", status: response.status, message: "unreadable answer (\(error))")
        }
    }
}

/// The parts of Deepgram's listen response Parley reads (pre-recorded and streaming `Results`).
struct DeepgramResponse: Decodable {
    struct DGWord: Decodable {
        var word: String
        var punctuated_word: String?
        var start: Double
        var end: Double
        var confidence: Double?

        var parleyWord: Word {
            Word(text: punctuated_word ?? word, start: start, end: max(start, end), confidence: confidence)
        }
    }

    struct Alternative: Decodable {
        var transcript: String
        var confidence: Double?
        var words: [DGWord]?
    }

    struct Channel: Decodable {
        var alternatives: [Alternative]
        var detected_language: String?
    }

    struct Utterance: Decodable {
        var start: Double
        var end: Double
        var confidence: Double?
        var transcript: String
        var words: [DGWord]?
        var speaker: Int?
    }

    struct Results: Decodable {
        var channels: [Channel]
        var utterances: [Utterance]?
    }

    var results: Results

    var transcript: Transcript {
        let language = results.channels.first?.detected_language ?? "en"
        if let utterances = results.utterances, !utterances.isEmpty {
            let segments = utterances.enumerated().map { index, utterance in
                TranscriptSegment(
                    id: index, speaker: .unknown, speakerLabel: utterance.speaker.map { "Speaker \($0)" },
                    text: utterance.transcript, start: utterance.start, end: utterance.end,
                    words: (utterance.words ?? []).map(\.parleyWord), confidence: utterance.confidence
                )
            }
            return Transcript(segments: segments, language: language)
        }
        guard let best = results.channels.first?.alternatives.first, !best.transcript.isEmpty else {
            return Transcript(segments: [], language: language)
        }
        let words = (best.words ?? []).map(\.parleyWord)
        let segment = TranscriptSegment(
            id: 0, speaker: .unknown, text: best.transcript, start: words.first?.start, end: words.last?.end,
            words: words, confidence: best.confidence
        )
        return Transcript(segments: [segment], language: language)
    }
}
