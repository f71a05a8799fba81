import AsyncHTTPClient
import Foundation
import NIOCore
import ParleyDomain

/// How often and how patiently to retry a language-model call.
public struct RetryPolicy: Sendable, Hashable {
    /// Total attempts including the first.
    public var maxAttempts: Int
    /// Delay before the first retry; doubles each time, with up to 25 % jitter.
    public var baseDelay: Double
    public var maxDelay: Double
    /// Time allowed for one attempt, in seconds.
    public var timeout: Double

    public init(maxAttempts: Int = 3, baseDelay: Double = 0.5, maxDelay: Double = 8, timeout: Double = 20) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.timeout = timeout
    }

    func delay(afterAttempt attempt: Int, retryAfter: Double?) -> Double {
        if let retryAfter { return min(maxDelay, max(0, retryAfter)) }
        let exponential = min(maxDelay, baseDelay * pow(2, Double(attempt - 1)))
        return exponential * Double.random(in: 0.75...1.0)
    }
}

/// JSON over HTTP POST with timeouts and retries, shared by the provider implementations.
struct JSONTransport: Sendable {
    let client: HTTPClient
    let policy: RetryPolicy

    /// Posts `body` and returns the decoded success response; retries what `LanguageModelError.isRetryable` allows.
    func post(url: String, headers: [(String, String)], body: some Encodable & Sendable, errorMessage: @Sendable (Data) -> String?) async throws -> Data {
        let payload = try JSONEncoder().encode(body)
        var attempt = 0
        while true {
            attempt += 1
            var retryAfter: Double?
            do {
                return try await once(url: url, headers: headers, payload: payload, errorMessage: errorMessage, retryAfter: &retryAfter)
            } catch let error as LanguageModelError {
                guard error.isRetryable, attempt < policy.maxAttempts else { throw error }
                try await Task.sleep(for: .seconds(policy.delay(afterAttempt: attempt, retryAfter: retryAfter)))
            }
        }
    }

    private func once(url: String, headers: [(String, String)], payload: Data, errorMessage: @Sendable (Data) -> String?, retryAfter: inout Double?) async throws -> Data {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: payload))
        let response: HTTPClientResponse
        var body = ByteBuffer()
        do {
            response = try await client.execute(request, timeout: .milliseconds(Int64(policy.timeout * 1000)))
            body = try await response.body.collect(upTo: 8 << 20)
        } catch let error as HTTPClientError {
            if error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
                throw LanguageModelError.timedOut(seconds: policy.timeout)
            }
            throw LanguageModelError.transport(String(describing: error))
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw LanguageModelError.transport(String(describing: error))
        }
        let data = Data(body.readableBytesView)
        guard (200..<300).contains(Int(response.status.code)) else {
            retryAfter = response.headers.first(name: "retry-after").flatMap(Double.init)
            let message = errorMessage(data) ?? String(decoding: data.prefix(300), as: UTF8.self)
            throw LanguageModelError.http(status: Int(response.status.code), message: message)
        }
        return data
    }
}

/// Anthropic's Messages API (`POST /v1/messages`).
public struct AnthropicLanguageModel: LanguageModel {
    public var model: String
    public var baseURL: String
    private let apiKey: String
    private let transport: JSONTransport

    public var name: String { "anthropic:\(model)" }

    public init(apiKey: String, model: String = "claude-haiku-4-5", baseURL: String = "https://api.anthropic.com", policy: RetryPolicy = RetryPolicy(), client: HTTPClient = .shared) {
        self.apiKey = apiKey
        self.model = model
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.transport = JSONTransport(client: client, policy: policy)
    }

    struct Request: Encodable, Sendable {
        struct Message: Encodable, Sendable {
            var role: String
            var content: String
        }

        var model: String
        var max_tokens: Int
        var system: String?
        var messages: [Message]
        var temperature: Double?
    }

    struct Response: Decodable {
        struct Block: Decodable {
            var type: String
            var text: String?
        }

        struct Usage: Decodable {
            var input_tokens: Int?
            var output_tokens: Int?
        }

        var content: [Block]
        var model: String?
        var stop_reason: String?
        var usage: Usage?
    }

    struct ErrorEnvelope: Decodable {
        struct Detail: Decodable {
            var type: String?
            var message: String?
        }

        var error: Detail
    }

    public func complete(_ request: CompletionRequest) async throws -> Completion {
        let body = Request(
            model: model, max_tokens: request.maxTokens, system: request.system,
            messages: request.messages.map { Request.Message(role: $0.role.rawValue, content: $0.content) }, temperature: request.temperature)
        let data = try await transport.post(
            url: baseURL + "/v1/messages",
            headers: [("x-api-key", apiKey), ("anthropic-version", "2023-06-01")], body: body,
            errorMessage: { data in (try? JSONDecoder().decode(ErrorEnvelope.self, from: data)).flatMap { $0.error.message } })
        guard let response = try? JSONDecoder().decode(Response.self, from: data) else {
            throw LanguageModelError.malformedResponse("not a Messages API response")
        }
        let text = response.content.filter { $0.type == "text" }.compactMap(\.text).joined()
        return Completion(
            text: text, model: response.model ?? model, inputTokens: response.usage?.input_tokens,
            outputTokens: response.usage?.output_tokens, stopReason: response.stop_reason)
    }
}

/// Any OpenAI-compatible chat completions endpoint (`POST {base}/chat/completions`): OpenAI itself,
/// or a local server (llama.cpp, vLLM, Ollama) through `OPENAI_BASE_URL`.
public struct OpenAICompatibleLanguageModel: LanguageModel {
    public var model: String
    public var baseURL: String
    private let apiKey: String?
    private let transport: JSONTransport

    public var name: String { "openai-compatible:\(model)" }

    public init(apiKey: String?, model: String = "gpt-4o-mini", baseURL: String = "https://api.openai.com/v1", policy: RetryPolicy = RetryPolicy(), client: HTTPClient = .shared) {
        self.apiKey = apiKey
        self.model = model
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.transport = JSONTransport(client: client, policy: policy)
    }

    struct Request: Encodable, Sendable {
        struct Message: Encodable, Sendable {
            var role: String
            var content: String
        }

        var model: String
        var messages: [Message]
        var max_tokens: Int
        var temperature: Double?
    }

    struct Response: Decodable {
        struct Choice: Decodable {
            struct Message: Decodable {
                var content: String?
            }

            var message: Message
            var finish_reason: String?
        }

        struct Usage: Decodable {
            var prompt_tokens: Int?
            var completion_tokens: Int?
        }

        var model: String?
        var choices: [Choice]
        var usage: Usage?
    }

    struct ErrorEnvelope: Decodable {
        struct Detail: Decodable {
            var message: String?
        }

        var error: Detail
    }

    public func complete(_ request: CompletionRequest) async throws -> Completion {
        var messages: [Request.Message] = []
        if let system = request.system { messages.append(Request.Message(role: "system", content: system)) }
        messages += request.messages.map { Request.Message(role: $0.role.rawValue, content: $0.content) }
        let body = Request(model: model, messages: messages, max_tokens: request.maxTokens, temperature: request.temperature)
        var headers: [(String, String)] = []
        if let apiKey, !apiKey.isEmpty { headers.append(("authorization", "Bearer \(apiKey)")) }
        let data = try await transport.post(
            url: baseURL + "/chat/completions", headers: headers, body: body,
            errorMessage: { data in (try? JSONDecoder().decode(ErrorEnvelope.self, from: data)).flatMap { $0.error.message } })
        guard let response = try? JSONDecoder().decode(Response.self, from: data), let choice = response.choices.first else {
            throw LanguageModelError.malformedResponse("not a chat completions response")
        }
        return Completion(
            text: choice.message.content ?? "", model: response.model ?? model, inputTokens: response.usage?.prompt_tokens,
            outputTokens: response.usage?.completion_tokens, stopReason: choice.finish_reason)
    }
}

/// Picks the configured language model from the environment, once, in the composition root.
public enum LanguageModelConfiguration {
    /// `ANTHROPIC_API_KEY` (+ `ANTHROPIC_MODEL`, `ANTHROPIC_BASE_URL`) selects Anthropic; otherwise
    /// `OPENAI_API_KEY` or `OPENAI_BASE_URL` (+ `OPENAI_MODEL`) selects an OpenAI-compatible server.
    /// `PARLEY_LLM_TIMEOUT` (seconds) and `PARLEY_LLM_ATTEMPTS` tune patience. Nothing set: nil,
    /// and analysis stays deterministic without error.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment, client: HTTPClient = .shared) -> (any LanguageModel)? {
        let policy = RetryPolicy(
            maxAttempts: environment["PARLEY_LLM_ATTEMPTS"].flatMap(Int.init) ?? 3,
            timeout: environment["PARLEY_LLM_TIMEOUT"].flatMap(Double.init) ?? 20)
        if let key = environment["ANTHROPIC_API_KEY"], !key.isEmpty {
            return AnthropicLanguageModel(
                apiKey: key, model: environment["ANTHROPIC_MODEL"] ?? "claude-haiku-4-5",
                baseURL: environment["ANTHROPIC_BASE_URL"] ?? "https://api.anthropic.com", policy: policy, client: client)
        }
        let key = environment["OPENAI_API_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        let base = environment["OPENAI_BASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
        if key != nil || base != nil {
            return OpenAICompatibleLanguageModel(
                apiKey: key, model: environment["OPENAI_MODEL"] ?? "gpt-4o-mini", baseURL: base ?? "https://api.openai.com/v1",
                policy: policy, client: client)
        }
        return nil
    }
}

/// Writes a conversation summary with the configured model, falling back to the extractive one
/// whenever there is no model or it fails; the summary says which it is.
public struct SummaryWriter: Sendable {
    public var model: (any LanguageModel)?
    /// Transcript characters sent to the model at most (the start and end are kept).
    public var maxTranscriptCharacters: Int

    public init(model: (any LanguageModel)?, maxTranscriptCharacters: Int = 24_000) {
        self.model = model
        self.maxTranscriptCharacters = maxTranscriptCharacters
    }

    public func summary(for analysis: TextAnalysis, transcript: Transcript) async -> Summary {
        guard let model else { return analysis.summary }
        var lines = transcript.segments.map { "\($0.speakerLabel ?? $0.speaker.rawValue): \($0.text)" }.joined(separator: "\n")
        if lines.count > maxTranscriptCharacters {
            let half = maxTranscriptCharacters / 2
            lines = String(lines.prefix(half)) + "\n[…]\n" + String(lines.suffix(half))
        }
        let findings = [
            analysis.objections.isEmpty ? nil : "Objections: " + analysis.objections.map { "\($0.type.rawValue) (\"\($0.evidence.phrase)\")" }.joined(separator: "; "),
            analysis.upsells.isEmpty ? nil : "Upsell opportunities: " + analysis.upsells.map(\.title).joined(separator: ", "),
            analysis.actionItems.isEmpty ? nil : "Action items: " + analysis.actionItems.map(\.text).joined(separator: "; "),
        ].compactMap { $0 }.joined(separator: "\n")
        let request = CompletionRequest(
            system: "You summarise sales and field-service conversations for a coach. Write 2–4 plain sentences: what happened, the customer's concerns, and agreed next steps. Use only facts from the transcript.",
            messages: [ChatMessage(role: .user, content: "Transcript:\n\(lines)\n\nFindings already detected:\n\(findings)\n\nSummary:")],
            maxTokens: 300, temperature: 0.2)
        do {
            let completion = try await model.complete(request)
            let text = completion.text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !text.isEmpty else {
                var fallback = analysis.summary
                fallback.note = "\(model.name) returned an empty summary; extractive summary used"
                return fallback
            }
            return Summary(text: text, sentences: analysis.summary.sentences, method: "language_model", note: completion.model)
        } catch {
            var fallback = analysis.summary
            fallback.note = "\(model.name) failed (\(error)); extractive summary used"
            return fallback
        }
    }
}

/// Words coaching moments' advice with the configured model over the same evidence the rules
/// found (what happened, quoted); the category, moment, severity and evidence stay the rules'.
/// Without a model, or when it fails or answers out of shape, the rules' wording stays.
public struct CoachingWriter: Sendable {
    public var model: (any LanguageModel)?
    /// Moments sent to the model at most; the rest keep the rules' wording.
    public var maxMoments: Int

    public init(model: (any LanguageModel)?, maxMoments: Int = 6) {
        self.model = model
        self.maxMoments = maxMoments
    }

    /// The model's advice, as asked: JSON with the two fields it may rewrite.
    struct Advice: Decodable {
        var what_should_happen: String
        var example_better_response: String
    }

    public func reword(_ moments: [CoachingMoment]) async -> [CoachingMoment] {
        guard let model else { return moments }
        var worded = moments
        for index in worded.indices.prefix(maxMoments) {
            let moment = worded[index]
            let request = CompletionRequest(
                system: "You coach field-service technicians. Answer with JSON only: {\"what_should_happen\": one sentence, \"example_better_response\": what the technician could have said, in their voice}. Use only the facts given.",
                messages: [ChatMessage(role: .user, content: """
                    Moment: \(moment.title) (\(moment.category), \(moment.severity))
                    What happened: \(moment.whatHappened)
                    The rules' advice: \(moment.whatShouldHappen)
                    The rules' example: \(moment.exampleBetterResponse)
                    """)],
                maxTokens: 250, temperature: 0.3)
            guard let completion = try? await model.complete(request) else { continue }
            let text = completion.text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard let start = text.firstIndex(of: "{"), let end = text.lastIndex(of: "}"),
                  let advice = try? JSONDecoder().decode(Advice.self, from: Data(text[start...end].utf8)),
                  !advice.what_should_happen.isEmpty, !advice.example_better_response.isEmpty,
                  advice.what_should_happen.count <= 600, advice.example_better_response.count <= 800
            else { continue }
            worded[index].whatShouldHappen = advice.what_should_happen
            worded[index].exampleBetterResponse = advice.example_better_response
        }
        return worded
    }
}
