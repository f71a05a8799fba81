import Foundation
import JWT
import ParleyDomain
import ParleySpeech
import Vapor

/// An error on its way to a client: status, machine code, message and the field at fault.
/// Surfaces render it in their own dialect (see `ErrorDialect`).
public struct APIError: Error, Sendable {
    public var status: HTTPResponseStatus
    public var code: String
    public var message: String
    public var field: String?
    public var headers: HTTPHeaders

    public init(_ status: HTTPResponseStatus, code: String, _ message: String, field: String? = nil, headers: HTTPHeaders = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.headers = headers
    }

    public static func validation(_ field: String, _ message: String) -> APIError {
        APIError(.unprocessableEntity, code: "VALIDATION_ERROR", message, field: field)
    }

    public static func notFound(_ code: String = "NOT_FOUND", _ message: String) -> APIError {
        APIError(.notFound, code: code, message)
    }

    public static let authRequired = APIError(
        .unauthorized, code: "AUTH_REQUIRED", "Authentication required: send 'Authorization: Bearer <token>'",
        headers: ["WWW-Authenticate": "Bearer"])
    public static let tokenExpired = APIError(
        .unauthorized, code: "AUTH_TOKEN_EXPIRED", "The access token has expired; refresh it or sign in again",
        headers: ["WWW-Authenticate": "Bearer error=\"invalid_token\""])
    public static let tokenInvalid = APIError(
        .unauthorized, code: "AUTH_TOKEN_INVALID", "The access token is invalid or has been revoked",
        headers: ["WWW-Authenticate": "Bearer error=\"invalid_token\""])
    public static let invalidCredentials = APIError(
        .unauthorized, code: "AUTH_INVALID_CREDENTIALS", "Invalid email or password")
    public static let accountDisabled = APIError(
        .forbidden, code: "AUTH_ACCOUNT_DISABLED", "This account has been disabled; contact your administrator")
    public static func insufficientPermissions(_ message: String = "You do not have permission to do this") -> APIError {
        APIError(.forbidden, code: "AUTH_INSUFFICIENT_PERMISSIONS", message)
    }

    /// Maps any error to an `APIError`; unknown errors become a 500 that reveals nothing.
    public init(from error: any Error) {
        switch error {
        case let error as APIError:
            self = error
        case let error as DomainError:
            self = APIError(domain: error)
        case let error as SpeechError:
            switch error {
            case .unknownVoice: self = .validation("voice_id", error.description)
            case .invalidRequest(let message): self = APIError(.unprocessableEntity, code: "VALIDATION_ERROR", message)
            case .serviceUnavailable, .providerError:
                self = APIError(.serviceUnavailable, code: "VOICE_SERVICE_UNAVAILABLE", error.description)
            }
        case let error as DecodingError:
            self = APIError(decoding: error)
        case let error as GoogleSignInError:
            if case .keysUnavailable = error {
                self = APIError(.serviceUnavailable, code: "GOOGLE_KEYS_UNAVAILABLE", error.description)
            } else {
                self = APIError(.unauthorized, code: "GOOGLE_TOKEN_INVALID", error.description)
            }
        case let error as JWTError:
            if error.errorType == .claimVerificationFailure, error.failedClaim is ExpirationClaim {
                self = .tokenExpired
            } else {
                self = .tokenInvalid
            }
        case let error as any AbortError:
            self = APIError(error.status, code: APIError.code(for: error.status), error.reason, headers: error.headers)
        default:
            self = APIError(.internalServerError, code: "INTERNAL_ERROR", "Something went wrong on our side; it has been logged")
        }
    }

    init(domain error: DomainError) {
        switch error {
        case .validation(let field, let message): self = .validation(field, message)
        case .notFound(let entity): self = .notFound("NOT_FOUND", "\(entity.prefix(1).uppercased())\(entity.dropFirst()) not found")
        case .conflict(let message): self = APIError(.conflict, code: "CONFLICT", message)
        case .forbidden(let message): self = .insufficientPermissions(message)
        case .invalidCredentials: self = .invalidCredentials
        case .accountDisabled: self = .accountDisabled
        case .serviceUnavailable(let service, let reason):
            self = APIError(.serviceUnavailable, code: "SERVICE_UNAVAILABLE", "\(service) is unavailable: \(reason)")
        }
    }

    init(decoding error: DecodingError) {
        func path(_ context: DecodingError.Context, appending key: (any CodingKey)? = nil) -> String {
            let keys = context.codingPath + (key.map { [$0] } ?? [])
            return keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
                .joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .keyNotFound(let key, let context):
            self = .validation(path(context, appending: key), "is required")
        case .valueNotFound(_, let context):
            self = .validation(path(context), "must not be null")
        case .typeMismatch(let type, let context):
            self = .validation(path(context), "has the wrong type (expected \(Self.jsonTypeName(type)))")
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                self = APIError(.badRequest, code: "INVALID_JSON", "The request body is not valid JSON")
            } else {
                self = .validation(path(context), context.debugDescription)
            }
        @unknown default:
            self = APIError(.badRequest, code: "INVALID_JSON", "The request body could not be read")
        }
    }

    private static func jsonTypeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "string"
        case is Int.Type, is Double.Type, is Float.Type: "number"
        case is Bool.Type: "boolean"
        default: type is any Collection.Type ? "array" : "object"
        }
    }

    static func code(for status: HTTPResponseStatus) -> String {
        switch status.code {
        case 400: "BAD_REQUEST"
        case 401: "AUTH_REQUIRED"
        case 403: "AUTH_INSUFFICIENT_PERMISSIONS"
        case 404: "NOT_FOUND"
        case 405: "METHOD_NOT_ALLOWED"
        case 409: "CONFLICT"
        case 413: "PAYLOAD_TOO_LARGE"
        case 415: "UNSUPPORTED_MEDIA_TYPE"
        case 422: "VALIDATION_ERROR"
        case 429: "RATE_LIMIT_EXCEEDED"
        case 503: "SERVICE_UNAVAILABLE"
        default: status.code >= 500 ? "INTERNAL_ERROR" : "ERROR"
        }
    }
}
