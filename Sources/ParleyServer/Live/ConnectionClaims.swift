import Foundation
import NIOConcurrencyHelpers
import Vapor

/// Counted places for live connections (per user, per session, per client address), taken
/// before a WebSocket upgrade and given back on every path: when the connection ends, when
/// the upgrade is refused, or when the request is dropped without ever being upgraded.
final class ConnectionPlaces: Sendable {
    private let counts = NIOLockedValueBox<[String: Int]>([:])

    /// Takes one place under `key` when fewer than `limit` are taken; nil when all are.
    func claim(_ key: String, limit: Int) -> ConnectionClaim? {
        let taken = counts.withLockedValue { counts -> Bool in
            guard counts[key, default: 0] < limit else { return false }
            counts[key, default: 0] += 1
            return true
        }
        return taken ? ConnectionClaim(places: self, key: key) : nil
    }

    /// Places taken under `key` now.
    func count(_ key: String) -> Int { counts.withLockedValue { $0[key, default: 0] } }

    fileprivate func give(_ key: String) {
        counts.withLockedValue { counts in
            counts[key, default: 1] -= 1
            if counts[key, default: 0] <= 0 { counts[key] = nil }
        }
    }
}

/// One taken place. It is given back once: by `release()`, or when the claim is freed, so a
/// request that never reached its upgrade cannot keep a place for good.
final class ConnectionClaim: Sendable {
    private let places: ConnectionPlaces
    private let key: String
    private let released = NIOLockedValueBox(false)

    fileprivate init(places: ConnectionPlaces, key: String) {
        self.places = places
        self.key = key
    }

    func release() {
        let first = released.withLockedValue { released -> Bool in
            defer { released = true }
            return !released
        }
        if first { places.give(key) }
    }

    deinit { release() }
}

/// The claims a request took before its upgrade; `onUpgrade` takes them over for the life of
/// the connection. Left in request storage, they are released when the request is freed.
struct ConnectionClaimsKey: StorageKey {
    typealias Value = [ConnectionClaim]
}

extension Request {
    /// True for a well-formed WebSocket upgrade request (RFC 6455 §4.2.1); anything else
    /// (a plain GET, a prefetch, a health check) must not take a connection's place.
    var isWebSocketUpgrade: Bool {
        guard method == .GET,
              headers[.upgrade].contains(where: { $0.lowercased().contains("websocket") }),
              headers[.connection].contains(where: { $0.lowercased().split(separator: ",").contains { $0.trimmingCharacters(in: .whitespaces) == "upgrade" } }),
              let key = headers.first(name: "Sec-WebSocket-Key"), !key.isEmpty,
              headers.first(name: "Sec-WebSocket-Version") == "13"
        else { return false }
        return true
    }

    /// Keeps `claim` with the request until the upgrade takes it over.
    func hold(_ claim: ConnectionClaim) {
        storage[ConnectionClaimsKey.self] = (storage[ConnectionClaimsKey.self] ?? []) + [claim]
    }

    /// The claims held for this request, handed to the connection that now owns them.
    func takeClaims() -> [ConnectionClaim] {
        let claims = storage[ConnectionClaimsKey.self] ?? []
        storage[ConnectionClaimsKey.self] = nil
        return claims
    }
}

/// Refuses requests to a WebSocket route that are not upgrades, before anything is claimed,
/// and gives back what was claimed when the answer is not `101 Switching Protocols`.
struct UpgradeOnly: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard request.isWebSocketUpgrade else {
            throw APIError(.upgradeRequired, code: "VALIDATION_ERROR",
                           "This endpoint only accepts WebSocket upgrades (GET with Upgrade: websocket)",
                           headers: ["Upgrade": "websocket", "Connection": "Upgrade"])
        }
        do {
            let response = try await next.respond(to: request)
            if response.status != .switchingProtocols { request.takeClaims().forEach { $0.release() } }
            return response
        } catch {
            request.takeClaims().forEach { $0.release() }
            throw error
        }
    }
}
