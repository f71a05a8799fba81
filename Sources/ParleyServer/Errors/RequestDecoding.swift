import Foundation
import ParleyDomain
import Vapor

extension Request {
    /// Decodes the JSON body, turning every failure into a 400 (not JSON) or a 422 naming the
    /// field, and refusing bodies over the route's limit with 413.
    func decodeJSON<T: Decodable>(_ type: T.Type = T.self) throws -> T {
        guard let buffer = body.data, buffer.readableBytes > 0 else {
            throw APIError(.badRequest, code: "INVALID_JSON", "A JSON request body is required")
        }
        if let contentType = headers.contentType, contentType != .json,
           !(contentType.type == "application" && contentType.subType.hasSuffix("+json")) {
            throw APIError(.unsupportedMediaType, code: "UNSUPPORTED_MEDIA_TYPE", "Send the body as application/json")
        }
        do {
            return try JSONDecoder().decode(T.self, from: buffer)
        } catch let error as DecodingError {
            throw APIError(decoding: error)
        }
    }

    /// Decodes a JSON body when one was sent, or returns nil for an empty body.
    func decodeOptionalJSON<T: Decodable>(_ type: T.Type = T.self) throws -> T? {
        guard let buffer = body.data, buffer.readableBytes > 0 else { return nil }
        return try decodeJSON(T.self)
    }
}

/// Dates in query strings: a calendar day (`2024-01-15`) or, where allowed, an ISO 8601 instant.
/// A day that does not exist (`2024-02-30`) is refused, not rolled over into the next month.
enum QueryDate {
    static func parse(_ raw: String, field: String, allowingInstants: Bool, endOfDay: Bool = false) throws -> Date {
        if allowingInstants, raw.count > 10, let instant = try? Date(raw, strategy: .iso8601) {
            if raw.hasSuffix("Z"), String(instant.ISO8601Format().prefix(10)) != String(raw.prefix(10)) { throw invalid(field) }
            return instant
        }
        guard raw.count == 10, let day = try? Date(raw + "T00:00:00Z", strategy: .iso8601),
              String(day.ISO8601Format().prefix(10)) == raw
        else { throw invalid(field) }
        return endOfDay ? day.addingTimeInterval(86_400) : day
    }

    private static func invalid(_ field: String) -> APIError {
        APIError.validation(field, "must be a date that exists, such as 2024-01-15")
    }
}

extension Request {
    /// A bare JSON answer, as the Leads and Voice Agents documents show theirs.
    func renderJSON(_ value: JSONValue, status: HTTPResponseStatus = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return Response(status: status, headers: ["Content-Type": "application/json; charset=utf-8"], body: .init(data: try encoder.encode(value)))
    }
}
