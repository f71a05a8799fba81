import Foundation
import NIOConcurrencyHelpers
import ParleyStore
import Vapor

/// A limit of `limit` requests per `window` seconds for one caller.
public struct RateLimitPolicy: Sendable, Hashable {
    public var name: String
    public var limit: Int
    public var window: Int

    public init(name: String, limit: Int, window: Int) {
        self.name = name
        self.limit = limit
        self.window = window
    }
}

/// The rate limits in force; the defaults are the ones the API documents state.
public struct RateLimitSettings: Sendable {
    public var enabled: Bool
    /// Count in the database (several instances) instead of in this process.
    public var shared: Bool = false
    /// Sales Trainer: 120 requests per minute for the general API.
    public var general: RateLimitPolicy
    /// Sign-in and registration, per client address, against password guessing.
    public var authentication: RateLimitPolicy
    /// Sales Trainer: 60 requests per minute for the voice API.
    public var voice: RateLimitPolicy

    /// Speech Coaching: its document's limits (auth 10, session creation 5, uploads 3, general 100 a minute).
    public var coaching = CoachingRateLimits()

    /// Leads & Voice Calls: 100 requests a minute and 1,000 an hour per user.
    public var leads = LeadsRateLimits()

    /// Voice Agents: 100 requests a minute, sign-in 10 a minute.
    public var voiceAgents = VoiceAgentRateLimits()

    /// Field Intelligence: 100 requests a minute, 5 WebSockets per user, 10 MB of uploads a minute.
    public var field = FieldRateLimits()

    public static let documented = RateLimitSettings(
        enabled: true,
        general: .init(name: "general", limit: 120, window: 60),
        authentication: .init(name: "auth", limit: 20, window: 60),
        voice: .init(name: "voice", limit: 60, window: 60)
    )
}

/// The Field Intelligence document's rate limits: 100 requests a minute, 5 WebSockets per user,
/// uploads 10 MB a minute per user.
public struct FieldRateLimits: Sendable {
    public var general = RateLimitPolicy(name: "field-general", limit: 100, window: 60)
    public var uploadBytes = RateLimitPolicy(name: "field-upload-bytes", limit: 10_000_000, window: 60)
    public var socketsPerUser = 5
}

/// The Voice Agents document's rate limits.
public struct VoiceAgentRateLimits: Sendable {
    public var general = RateLimitPolicy(name: "agents-general", limit: 100, window: 60)
    public var authentication = RateLimitPolicy(name: "agents-auth", limit: 10, window: 60)

    public init() {}
}

/// The Leads & Voice Calls document's rate limits.
public struct LeadsRateLimits: Sendable {
    public var perMinute = RateLimitPolicy(name: "leads-minute", limit: 100, window: 60)
    public var perHour = RateLimitPolicy(name: "leads-hour", limit: 1_000, window: 3_600)

    public init() {}
}

/// The Speech Coaching document's rate limits.
public struct CoachingRateLimits: Sendable {
    public var general = RateLimitPolicy(name: "coaching-general", limit: 100, window: 60)
    public var authentication = RateLimitPolicy(name: "coaching-auth", limit: 10, window: 60)
    public var sessionCreation = RateLimitPolicy(name: "coaching-sessions", limit: 5, window: 60)
    public var uploads = RateLimitPolicy(name: "coaching-uploads", limit: 3, window: 60)
    /// Concurrent Socket.IO connections per user.
    public var concurrentSockets = 10
    /// Engine.IO connections per client address at once, signed in or not (each may hold up
    /// to one packet's binary data), so one address cannot pin the server's memory.
    public var socketsPerAddress = 20

    public init() {}
}

/// Fixed-window counters kept in this process: the default for one instance. Several
/// instances use `PARLEY_RATE_LIMIT_STORE=database` instead (`SharedRateLimitCounter`).
public final class RateLimitCounters: Sendable {
    struct Window {
        var start: Int
        var count: Int
    }

    private let windows = NIOLockedValueBox<[String: Window]>([:])

    public init() {}

    /// Counts one request (or `weight` units of a budget, such as bytes) and returns (allowed, remaining, reset epoch second).
    func hit(_ key: String, policy: RateLimitPolicy, now: Int, weight: Int = 1) -> (allowed: Bool, remaining: Int, reset: Int) {
        windows.withLockedValue { windows in
            let start = now - now % policy.window
            if windows.count > 50_000 {
                // Forget windows that have ended so memory stays bounded under many callers.
                windows = windows.filter { $0.value.start + policy.window > now }
            }
            var window = windows[key] ?? Window(start: start, count: 0)
            if window.start != start { window = Window(start: start, count: 0) }
            window.count += weight
            windows[key] = window
            let allowed = window.count <= policy.limit
            return (allowed, max(0, policy.limit - window.count), start + policy.window)
        }
    }
}

/// Applies a policy per user (or per client address when anonymous) and writes the
/// `X-RateLimit-*` headers on every response of the route, errors included.
struct RateLimiting: AsyncMiddleware {
    let policy: RateLimitPolicy
    let counters: RateLimitCounters
    let enabled: Bool
    var shared = false

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard enabled else { return try await next.respond(to: request) }
        let caller = request.auth.get(Principal.self).map { "user:\($0.user.id)" } ?? "ip:\(request.clientAddress)"
        let (allowed, headers) = try await count("\(policy.name):\(caller)", on: request)
        guard allowed else { throw refusal(headers: headers) }
        do {
            let response = try await next.respond(to: request)
            for (name, value) in headers { response.headers.replaceOrAdd(name: name, value: value) }
            return response
        } catch {
            var apiError = APIError(from: error)
            for (name, value) in headers { apiError.headers.replaceOrAdd(name: name, value: value) }
            throw apiError
        }
    }

    /// Counts a request that failed authentication against its address, so guessing tokens is
    /// limited like guessing passwords: the error it returns carries the `X-RateLimit-*`
    /// headers, and past the limit it is a 429 instead.
    func failedAuthentication(_ error: any Error, on request: Request) async -> any Error {
        guard enabled, let counted = try? await count("\(policy.name)-failed:ip:\(request.clientAddress)", on: request) else {
            return error
        }
        var apiError = counted.allowed ? APIError(from: error) : refusal(headers: counted.headers)
        for (name, value) in counted.headers { apiError.headers.replaceOrAdd(name: name, value: value) }
        return apiError
    }

    /// Counts one request in `bucket`; whether it is allowed, and the headers that say so.
    private func count(_ bucket: String, on request: Request) async throws -> (allowed: Bool, headers: HTTPHeaders) {
        let now = Int(Date().timeIntervalSince1970)
        let hit: (allowed: Bool, remaining: Int, reset: Int)
        if shared {
            let start = now - now % policy.window
            let count = try await SharedRateLimitCounter(database: request.db)
                .hit(bucket: bucket, windowStart: start, retention: 2 * policy.window)
            hit = (count <= policy.limit, max(0, policy.limit - count), start + policy.window)
        } else {
            hit = counters.hit(bucket, policy: policy, now: now)
        }
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: "X-RateLimit-Limit", value: String(policy.limit))
        headers.replaceOrAdd(name: "X-RateLimit-Remaining", value: String(hit.remaining))
        headers.replaceOrAdd(name: "X-RateLimit-Reset", value: String(hit.reset))
        if !hit.allowed { headers.replaceOrAdd(name: "Retry-After", value: String(max(1, hit.reset - now))) }
        return (hit.allowed, headers)
    }

    private func refusal(headers: HTTPHeaders) -> APIError {
        APIError(.tooManyRequests, code: "RATE_LIMIT_EXCEEDED",
                 "Too many requests: at most \(policy.limit) per \(policy.window) seconds", headers: headers)
    }
}

extension Request {
    /// The address rate limits count by: the connection's peer.
    var clientAddress: String { remoteAddress?.ipAddress ?? "unknown" }
}

extension ParleyContext {
    /// The middleware enforcing one of the configured policies.
    func rateLimiting(_ policy: RateLimitPolicy) -> RateLimiting {
        let settings = configuration.rateLimits
        return RateLimiting(policy: policy, counters: rateLimitCounters, enabled: settings.enabled, shared: settings.shared)
    }
}
