import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// The one way ParleySpeech calls an HTTP provider: a deadline on every call, provider errors
/// turned into `SpeechError` with the provider's own message, transport failures into
/// "unavailable".
struct ProviderHTTP: Sendable {
    /// The provider's name as errors show it ("OpenAI-compatible transcription", "Deepgram").
    var provider: String
    var timeout: Duration
    var client: HTTPClient = .shared

    /// Largest response body read (synthesised audio of a long reply fits comfortably).
    static let maxResponseBytes = 64 << 20

    struct Response: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: Data
    }

    func send(
        _ method: HTTPMethod, _ url: URL, headers: [(String, String)], body: Data? = nil
    ) async throws -> Response {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let seconds = Int64(timeout.components.seconds) * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000
        do {
            let response = try await client.execute(request, timeout: .milliseconds(seconds))
            let buffer = try await response.body.collect(upTo: Self.maxResponseBytes)
            return Response(status: Int(response.status.code), headers: response.headers, body: Data(buffer.readableBytesView))
        } catch let error as SpeechError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw SpeechError.serviceUnavailable(service: provider, reason: Self.describe(error, url: url))
        }
    }

    /// Sends and insists on a 2xx answer, extracting the provider's error message otherwise.
    func sendExpectingSuccess(
        _ method: HTTPMethod, _ url: URL, headers: [(String, String)], body: Data? = nil
    ) async throws -> Response {
        let response = try await send(method, url, headers: headers, body: body)
        guard (200..<300).contains(response.status) else {
            throw SpeechError.providerError(
                provider: provider, status: response.status, message: Self.errorMessage(response.body)
            )
        }
        return response
    }

    /// The message in the common error shapes: {"error": {"message"}}, {"error": "…"},
    /// {"detail": {"message"}} (ElevenLabs), {"err_msg"} (Deepgram), or the text itself.
    static func errorMessage(_ body: Data) -> String {
        if let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] {
            if let error = object["error"] as? [String: Any], let message = error["message"] as? String { return message }
            if let error = object["error"] as? String { return error }
            if let detail = object["detail"] as? [String: Any], let message = detail["message"] as? String { return message }
            if let detail = object["detail"] as? String { return detail }
            if let message = object["err_msg"] as? String { return message }
            if let message = object["message"] as? String { return message }
        }
        let text = String(decoding: body.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "no details given" : text
    }

    private static func describe(_ error: any Error, url: URL) -> String {
        let host = url.host.map { "\($0):\(url.port.map(String.init) ?? "default port")" } ?? url.absoluteString
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .connectTimeout: return "no answer from \(host) in time"
            default: return "request to \(host) failed (\(error))"
            }
        }
        return "could not reach \(host) (\(error))"
    }
}

/// A multipart/form-data body, as the OpenAI transcription endpoint takes it.
struct MultipartForm: Sendable {
    let boundary = "parley-\(UUID().uuidString)"
    private(set) var body = Data()

    var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    mutating func add(name: String, value: String) {
        body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8))
    }

    mutating func add(name: String, filename: String, contentType: String, data: Data) {
        body.append(Data((
            "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"; filename=\"\(filename)\"\r\n"
                + "Content-Type: \(contentType)\r\n\r\n"
        ).utf8))
        body.append(data)
        body.append(Data("\r\n".utf8))
    }

    /// The body with its closing boundary.
    var finished: Data { body + Data("--\(boundary)--\r\n".utf8) }
}
