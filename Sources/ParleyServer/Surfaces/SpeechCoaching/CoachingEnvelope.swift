import Foundation
import Vapor

extension SpeechCoaching {
    /// `meta` of every Speech Coaching body.
    struct CoachingMeta: Encodable, Sendable {
        var timestamp: String
        var requestId: String
    }

    /// The Speech Coaching success body: `{success: true, data, meta}`.
    struct CoachingEnvelope<Payload: Encodable & Sendable>: Encodable, Sendable {
        var success = true
        var data: Payload
        var meta: CoachingMeta
    }

    /// The Speech Coaching error body: `{success: false, error{code, message, details{field, reason}}, meta}`,
    /// with the document's error codes.
    struct CoachingErrorDialect: ErrorDialect {
        struct Body: Encodable, Sendable {
            struct Failure: Encodable, Sendable {
                /// Always present, as the document shows it; `field` when one is to blame.
                struct Details: Encodable, Sendable {
                    var field: String?
                    var reason: String
                }
                var code: String
                var message: String
                var details: Details
            }
            var success = false
            var error: Failure
            var meta: CoachingMeta
        }

        func body(for error: APIError, request: Request) -> any Encodable & Sendable {
            Body(
                error: .init(code: CoachingErrorCodes.code(for: error), message: error.message,
                             details: .init(field: error.field, reason: error.message)),
                meta: SpeechCoaching.CoachingMeta(timestamp: Timestamp.iso8601(Date()), requestId: request.requestID))
        }

    }

    /// The Speech Coaching error codes, for HTTP bodies and Socket.IO connect errors alike.
    enum CoachingErrorCodes {
        /// The document's table: AUTHENTICATION_ERROR, AUTHORIZATION_ERROR, VALIDATION_ERROR,
        /// NOT_FOUND, RATE_LIMIT_EXCEEDED, PROCESSING_ERROR, STORAGE_ERROR, EXTERNAL_SERVICE_ERROR.
        static func code(for error: APIError) -> String {
            if ["PROCESSING_ERROR", "STORAGE_ERROR", "EXTERNAL_SERVICE_ERROR"].contains(error.code) { return error.code }
            switch error.status.code {
            case 401: return "AUTHENTICATION_ERROR"
            case 403: return "AUTHORIZATION_ERROR"
            case 404: return "NOT_FOUND"
            case 429: return "RATE_LIMIT_EXCEEDED"
            case 502, 503, 504: return "EXTERNAL_SERVICE_ERROR"
            case 500..<600: return "PROCESSING_ERROR"
            default: return "VALIDATION_ERROR"
            }
        }
    }

    /// The ids Speech Coaching shows: `user_42`, `org_<uuid>`.
    enum CoachingID {
        static func user(_ id: Int) -> String { "user_\(id)" }
        static func organization(_ id: UUID) -> String { "org_\(id.uuidString.lowercased())" }

        static func user(from text: String) -> Int? {
            text.hasPrefix("user_") ? Int(text.dropFirst(5)) : nil
        }

        static func organization(from text: String) -> UUID? {
            text.hasPrefix("org_") ? UUID(uuidString: String(text.dropFirst(4))) : nil
        }

        /// A new public id with the given prefix (`session_`, `upload_`, `clip_`, ...).
        static func make(_ prefix: String) -> String {
            prefix + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(20)
        }
    }
}

extension Request {
    /// Wraps `data` in the Speech Coaching envelope.
    func coaching<Payload: Encodable & Sendable>(_ data: Payload, status: HTTPResponseStatus = .ok) throws -> Response {
        let response = Response(status: status)
        try response.content.encode(
            SpeechCoaching.CoachingEnvelope(data: data, meta: SpeechCoaching.CoachingMeta(timestamp: Timestamp.iso8601(Date()), requestId: requestID)),
            using: JSONEncoder.sorted)
        return response
    }
}
