import Foundation

/// One message of a chat with a language model.
public struct ChatMessage: Sendable, Codable, Hashable {
    /// Who wrote a chat message.
    public enum Role: String, Sendable, Codable, Hashable {
        case user
        case assistant
    }

    public var role: Role
    public var content: String

    public init(role: Role, content: String) {
        self.role = role
        self.content = content
    }
}

/// What to ask a language model: instructions, the chat so far and limits.
public struct CompletionRequest: Sendable, Codable, Hashable {
    /// Standing instructions (Anthropic's `system`, an OpenAI `system` message).
    public var system: String?
    public var messages: [ChatMessage]
    public var maxTokens: Int
    public var temperature: Double?

    public init(system: String? = nil, messages: [ChatMessage], maxTokens: Int = 512, temperature: Double? = nil) {
        self.system = system
        self.messages = messages
        self.maxTokens = maxTokens
        self.temperature = temperature
    }
}

/// A language model's reply.
public struct Completion: Sendable, Codable, Hashable {
    public var text: String
    /// The model that answered, as the provider names it.
    public var model: String
    public var inputTokens: Int?
    public var outputTokens: Int?
    /// Why the model stopped (`end_turn`, `stop`, `max_tokens`, `length`, ...).
    public var stopReason: String?

    public init(text: String, model: String, inputTokens: Int? = nil, outputTokens: Int? = nil, stopReason: String? = nil) {
        self.text = text
        self.model = model
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.stopReason = stopReason
    }
}

/// Why a language model could not answer; callers fall back to the deterministic path.
public enum LanguageModelError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The provider did not answer within the time allowed for one attempt.
    case timedOut(seconds: Double)
    /// The provider answered with an HTTP error status.
    case http(status: Int, message: String)
    /// The connection failed before an answer arrived.
    case transport(String)
    /// The provider answered with something that is not its documented response shape.
    case malformedResponse(String)

    /// Whether trying again later may succeed (rate limits, overload, timeouts, server errors).
    public var isRetryable: Bool {
        switch self {
        case .timedOut, .transport: true
        case .http(let status, _): status == 408 || status == 409 || status == 429 || status >= 500
        case .malformedResponse: false
        }
    }

    public var description: String {
        switch self {
        case .timedOut(let seconds): "the language model did not answer within \(seconds) s"
        case .http(let status, let message): "the language model provider answered HTTP \(status): \(message)"
        case .transport(let message): "could not reach the language model provider: \(message)"
        case .malformedResponse(let message): "the language model provider sent an unexpected response: \(message)"
        }
    }
}

/// The port every hosted or local language model implements; engines depend on this only.
public protocol LanguageModel: Sendable {
    /// A short name for logs and analysis provenance, such as `anthropic:claude-…`.
    var name: String { get }
    /// Asks the model once; implementations handle their own timeouts and retries.
    func complete(_ request: CompletionRequest) async throws -> Completion
}
