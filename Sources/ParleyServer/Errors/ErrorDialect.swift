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
        /// Always present (the Leads document shows it on every error); `field` when one is to blame.
        struct Details: Encodable, Sendable {
            var field: String?
            var message: String
        }
        var detail: String
        var error_code: String
        var error: String
        var status_code: Int
        var details: Details
        var timestamp: String
    }

    func body(for error: APIError, request: Request) -> any Encodable & Sendable {
        Body(
            detail: error.field.map { "\($0): \(error.message)" } ?? error.message,
            error_code: error.code,
            error: error.status.reasonPhrase,
            status_code: Int(error.status.code),
            details: Body.Details(field: error.field, message: error.message),
            timestamp: Timestamp.iso8601(Date())
        )
    }
}

/// Turns every error that no surface rendered (no route matched, or a failure outside the
/// surfaces) into the error body of the surface mounted above the path; never leaks internals.
struct DialectErrorMiddleware: AsyncMiddleware {
    let surfaces: MountedSurfaces

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch {
            var apiError = APIError(from: error)
            if apiError.status == .notFound, request.route == nil {
                let allowed = Self.methods(servingPath: request.url.path, routes: request.application.routes.all)
                if !allowed.isEmpty {
                    let list = allowed.sorted().joined(separator: ", ")
                    apiError = APIError(.methodNotAllowed, code: "METHOD_NOT_ALLOWED",
                                        "\(request.method.rawValue) is not allowed here; use \(list)", headers: ["Allow": list])
                }
            }
            return Self.render(apiError, for: request, in: surfaces.dialect(forPath: request.url.path))
        }
    }

    /// The methods some route serves `path` with (a path no route knows has none): a request
    /// that found no route but whose path exists is answered 405 with `Allow`, not 404.
    static func methods(servingPath path: String, routes: [Route]) -> Set<String> {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        var methods = Set<String>()
        for route in routes where matches(route.path, segments[...]) {
            methods.insert(route.method.rawValue)
        }
        if methods.contains("GET") { methods.insert("HEAD") }
        return methods
    }

    private static func matches(_ pattern: [PathComponent], _ segments: ArraySlice<Substring>) -> Bool {
        guard let first = pattern.first else { return segments.isEmpty }
        switch first {
        case .catchall: return true
        case .anything, .parameter:
            guard !segments.isEmpty else { return false }
        case .constant(let value):
            guard let segment = segments.first, segment == value else { return false }
        }
        return matches(Array(pattern.dropFirst()), segments.dropFirst())
    }

    /// The error as `dialect` writes it; server errors are logged with their cause.
    static func render(_ thrown: any Error, for request: Request, in dialect: any ErrorDialect) -> Response {
        let error = APIError(from: thrown)
        if error.status.code >= 500 {
            request.logger.error("request failed", metadata: ["error": "\(String(reflecting: thrown))"])
        } else {
            request.logger.debug("request rejected", metadata: ["status": "\(error.status.code)", "code": "\(error.code)"])
        }
        let body = dialect.body(for: error, request: request)
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

    /// The UTC calendar day of a date: `2024-11-04`.
    static func day(_ date: Date) -> String {
        String(date.formatted(.iso8601).prefix(10))
    }

    /// A date a client sent: ISO 8601 with or without fractional seconds, or a plain
    /// `YYYY-MM-DD` (midnight UTC); nil when it is none of those.
    static func parse(_ text: String) -> Date? {
        let text = text.trimmingCharacters(in: .whitespaces)
        if let date = try? Date(text, strategy: .iso8601) { return date }
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return date }
        return try? Date(text + "T00:00:00Z", strategy: .iso8601)
    }

    /// `parse`, or a 422 naming the field.
    static func parse(_ text: String?, field: String) throws -> Date? {
        guard let text else { return nil }
        guard let date = parse(text) else { throw APIError.validation(field, "must be a date and time in ISO 8601 (2024-04-01T00:00:00Z)") }
        return date
    }
}
