import Foundation
import Prometheus
import Vapor

/// Gives every request an id (the client's `X-Request-ID` when sane), logs one line per
/// request with it, and records Prometheus request counts and latencies by route and status.
struct RequestObservation: AsyncMiddleware {
    let metrics: RequestMetrics

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let requestID = Self.acceptable(request.headers.first(name: "X-Request-ID"))
            ?? "req_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        request.logger[metadataKey: "request-id"] = .string(requestID)
        request.storage[RequestIDKey.self] = requestID
        let started = ContinuousClock.now
        let response: Response
        do {
            response = try await next.respond(to: request)
        } catch {
            // Errors are rendered by the dialect middleware inside this one; reaching here
            // means a failure while rendering, which still must be counted.
            metrics.record(request: request, status: 500, duration: ContinuousClock.now - started)
            throw error
        }
        response.headers.replaceOrAdd(name: "X-Request-ID", value: requestID)
        // Browsers must take every body as the type it is served with (media above all).
        response.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        let elapsed = ContinuousClock.now - started
        metrics.record(request: request, status: Int(response.status.code), duration: elapsed)
        request.logger.info("\(request.method) \(request.url.path) \(response.status.code)", metadata: [
            "duration_ms": .stringConvertible((Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000).rounded()),
        ])
        return response
    }

    /// Accepts short ids made of URL-safe characters, so ids cannot inject into logs.
    static func acceptable(_ value: String?) -> String? {
        guard let value, !value.isEmpty, value.count <= 128,
              value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.:".contains($0)) })
        else { return nil }
        return value
    }
}

/// The Prometheus registry of one application and its request instruments.
final class RequestMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private static let buckets: [Duration] = [
        .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
    ]

    func record(request: Request, status: Int, duration: Duration) {
        // The route pattern, not the raw path, keeps label cardinality bounded.
        let route = request.route.map { "/" + $0.path.map(\.description).joined(separator: "/") } ?? "unmatched"
        let method = request.method.rawValue
        registry.makeCounter(
            descriptor: .init(metricName: "http_requests", unitName: "total", helpText: "HTTP requests by method, route and status"),
            labels: [("method", method), ("route", route), ("status", String(status))]
        ).increment()
        registry.makeDurationHistogram(
            descriptor: .init(metricName: "http_request_duration", unitName: "seconds", helpText: "HTTP request latency by method and route"),
            labels: [("method", method), ("route", route)], buckets: Self.buckets
        ).record(duration)
    }
}

private struct RequestIDKey: StorageKey {
    typealias Value = String
}

extension Request {
    /// This request's id, as echoed in `X-Request-ID` (and in Speech Coaching's `meta.requestId`).
    var requestID: String { storage[RequestIDKey.self] ?? "req_unknown" }
}
