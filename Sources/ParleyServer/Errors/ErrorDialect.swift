import Foundation
import Vapor

/// How one API surface writes its error bodies. Adding a surface's dialect is one type
/// conforming to this and one line in `ErrorDialects.standard`.
public protocol ErrorDialect: Sendable {
    func body(for error: APIError, request: Request) -> any Encodable & Sendable
}

/// The `/api/v1` format: the union of the Sales Trainer and Leads documents' error fields,
/// so clients of either document find what they read.
struct UnionErrorDialect: ErrorDialect {
    struct Body: Encodable, Sendable {
        struct Details: Encodable, Sendable {
            var field: String
            var message: String
        }
        var detail: String
        var error_code: String
        var error: String
        var status_code: Int
        var details: Details?
        var timestamp: String
    }

    func body(for error: APIError, request: Request) -> any Encodable & Sendable {
        Body(
            detail: error.field.map { "\($0): \(error.message)" } ?? error.message,
            error_code: error.code,
            error: error.status.reasonPhrase,
            status_code: Int(error.status.code),
            details: error.field.map { Body.Details(field: $0, message: error.message) },
            timestamp: Timestamp.iso8601(Date())
        )
    }
}

/// Chooses the dialect by the longest matching path prefix.
public struct ErrorDialects: Sendable {
    var byPrefix: [(prefix: String, dialect: any ErrorDialect)]
    var fallback: any ErrorDialect

    /// The dialects of every mounted surface.
    static let standard = ErrorDialects(
        byPrefix: [
            ("/api/v1", UnionErrorDialect()),
            ("/coaching", CoachingErrorDialect()),
        ],
        fallback: UnionErrorDialect()
    )

    func dialect(for path: String) -> any ErrorDialect {
        byPrefix
            .filter { path == $0.prefix || path.hasPrefix($0.prefix + "/") }
            .max { $0.prefix.count < $1.prefix.count }?.dialect ?? fallback
    }
}

/// Turns every thrown error into the surface's error body; never leaks internals.
struct DialectErrorMiddleware: AsyncMiddleware {
    let dialects: ErrorDialects

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch {
            let apiError = APIError(from: error)
            if apiError.status.code >= 500 {
                request.logger.error("request failed", metadata: ["error": "\(String(reflecting: error))"])
            } else {
                request.logger.debug("request rejected", metadata: ["status": "\(apiError.status.code)", "code": "\(apiError.code)"])
            }
            return render(apiError, for: request)
        }
    }

    func render(_ error: APIError, for request: Request) -> Response {
        let body = dialects.dialect(for: request.url.path).body(for: error, request: request)
        let response = Response(status: error.status, headers: error.headers)
        do {
            try response.content.encode(AnyEncodable(body), as: .json)
        } catch {
            response.body = .init(string: #"{"detail":"error"}"#)
        }
        return response
    }
}

/// Type erasure so a dialect can return its own body type.
struct AnyEncodable: Encodable, Sendable {
    let value: any Encodable & Sendable
    init(_ value: any Encodable & Sendable) { self.value = value }
    func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
}

/// Timestamps as the documents print them: ISO 8601 in UTC with a `Z`.
enum Timestamp {
    static func iso8601(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}
