import Foundation
import ParleyDomain

/// Why a speech engine could not do what was asked; each message is meant for the user.
public enum SpeechError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No recogniser or synthesiser can run (not installed, crashed, unreachable, timed out).
    case serviceUnavailable(service: String, reason: String)
    /// A hosted provider answered with an error (HTTP status, and its message when it gave one).
    case providerError(provider: String, status: Int, message: String)
    /// The voice id is not one of the configured voices.
    case unknownVoice(String, valid: [String])
    /// The request itself is unusable (empty text, speed out of range, unreadable audio, ...).
    case invalidRequest(String)

    public var description: String {
        switch self {
        case .serviceUnavailable(let service, let reason):
            "\(service) is unavailable: \(reason)"
        case .providerError(let provider, let status, let message):
            "\(provider) answered HTTP \(status): \(message)"
        case .unknownVoice(let id, let valid):
            "unknown voice '\(id)'; valid voices: \(valid.joined(separator: ", "))"
        case .invalidRequest(let message):
            message
        }
    }

    /// The domain's name for this failure, which surfaces translate into their own dialect
    /// (503 VOICE_SERVICE_UNAVAILABLE, 502 EXTERNAL_SERVICE_ERROR, 422 for voices and input).
    public var domainError: DomainError {
        switch self {
        case .serviceUnavailable(let service, let reason):
            .serviceUnavailable(service: service, reason: reason)
        case .providerError(let provider, let status, let message):
            .serviceUnavailable(service: provider, reason: "HTTP \(status): \(message)")
        case .unknownVoice:
            .validation(field: "voice_id", message: description)
        case .invalidRequest(let message):
            .validation(field: "input", message: message)
        }
    }
}
