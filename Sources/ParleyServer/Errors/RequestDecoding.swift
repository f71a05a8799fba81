import Foundation
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
