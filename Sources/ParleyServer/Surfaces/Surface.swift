import Foundation
import Vapor

/// An API surface as the server mounts it: an id, a prefix (configurable), its error dialect,
/// its OpenAPI document, and its routes, registered under the prefix and, where the document
/// places some at the root (`/ws/voice`, `/socket.io/`), at the root.
struct Surface: Sendable {
    /// Also the OpenAPI document's name and the suffix of its prefix variable
    /// (`speech-coaching` → `PARLEY_PREFIX_SPEECH_COACHING`).
    var id: String
    var defaultPrefix: String
    var dialect: any ErrorDialect
    /// Whether `Resources/openapi/<id>.json` describes it (the shared sign-in is described in
    /// the documents of the surfaces that share it).
    var documented = true
    /// When mounted at the root: the first path segments that are this surface's, so the error
    /// format of anything else at the root (operations, the console) is not taken over.
    var rootSegments: Set<String> = []
    /// Whether its document's `/auth/*` paths are the shared identity's (served where that is
    /// mounted) rather than its own.
    var sharesIdentityRoutes = false
    var register: @Sendable (_ mounted: any RoutesBuilder, _ root: any RoutesBuilder, _ app: Application) throws -> Void

    /// Every surface the server serves: adding one is its namespace, its DTOs, one line here
    /// and its tests.
    static let all: [Surface] = [
        Surface(id: Identity.id, defaultPrefix: "/api/v1", dialect: UnionErrorDialect(), documented: false, register: Identity.register),
        Surface(id: "sales-trainer", defaultPrefix: "/api/v1", dialect: UnionErrorDialect(), sharesIdentityRoutes: true, register: SalesTrainer.register),
        Surface(id: "speech-coaching", defaultPrefix: "/coaching", dialect: SpeechCoaching.CoachingErrorDialect(), register: SpeechCoaching.register),
        Surface(id: "leads-and-calls", defaultPrefix: "/api/v1", dialect: UnionErrorDialect(), sharesIdentityRoutes: true,
                register: LeadsAndCalls.register),
        Surface(id: "admin", defaultPrefix: "/api/v1/admin", dialect: UnionErrorDialect(), register: Admin.register),
        Surface(id: VoiceAgents.id, defaultPrefix: "/", dialect: VoiceAgents.ErrorDialect(),
                rootSegments: ["auth", "agents", "campaigns", "call-logs", "call-recordings", "analytics", "do-not-call"],
                register: VoiceAgents.register),
        Surface(id: FieldIntelligence.id, defaultPrefix: "/v1", dialect: FieldIntelligence.ErrorDialect(), register: FieldIntelligence.register),
    ]

    /// The environment variable that moves this surface.
    var prefixVariable: String { "PARLEY_PREFIX_" + id.uppercased().replacingOccurrences(of: "-", with: "_") }
}

/// The surfaces with the prefixes this deployment gives them.
public struct MountedSurfaces: Sendable {
    struct Mount: Sendable {
        var surface: Surface
        var prefix: String
    }

    let mounts: [Mount]

    init(prefixes: [String: String]) {
        mounts = Surface.all.map { Mount(surface: $0, prefix: prefixes[$0.id] ?? $0.defaultPrefix) }
    }

    /// `/coaching` (no trailing slash; the root is the empty string).
    func prefix(of id: String) -> String {
        let prefix = mounts.first { $0.surface.id == id }?.prefix ?? ""
        return prefix == "/" ? "" : prefix
    }

    /// The dialect of the surface mounted deepest above `path`; the union format elsewhere.
    /// Used only for requests no route matched: matched ones get theirs from their route group.
    func dialect(forPath path: String) -> any ErrorDialect {
        mounts
            .filter { mount in
                let prefix = mount.prefix == "/" ? "" : mount.prefix
                if prefix.isEmpty, !mount.surface.rootSegments.isEmpty {
                    let first = path.split(separator: "/").first.map(String.init) ?? ""
                    return mount.surface.rootSegments.contains(first)
                }
                return prefix.isEmpty || path == prefix || path.hasPrefix(prefix + "/")
            }
            .max { $0.prefix.count < $1.prefix.count }?.surface.dialect ?? UnionErrorDialect()
    }

    /// Rewrites a surface's OpenAPI document so its paths are where this deployment serves them
    /// (the shared sign-in routes stay where the identity surface is mounted); false when the
    /// surface is where its document says, and nothing changed.
    public func place(_ document: inout [String: Any], of surface: String) -> Bool {
        guard let described = Surface.all.first(where: { $0.id == surface }), let paths = document["paths"] as? [String: Any] else { return false }
        let home = described.defaultPrefix == "/" ? "" : described.defaultPrefix
        let prefix = self.prefix(of: surface)
        guard prefix != home else { return false }
        let identity = self.prefix(of: Identity.id)
        document["paths"] = Dictionary(uniqueKeysWithValues: paths.map { path, item in
            guard home.isEmpty || path == home || path.hasPrefix(home + "/") else { return (path, item) }
            let rest = path.dropFirst(home.count)
            return ((described.sharesIdentityRoutes && rest.hasPrefix("/auth/") ? identity : prefix) + rest, item)
        })
        return true
    }

    /// Mounts every surface: its group renders errors in its dialect before anything else runs.
    func register(on app: Application) throws {
        for mount in mounts {
            let errors = SurfaceErrors(dialect: mount.surface.dialect)
            let components = mount.prefix.split(separator: "/").map { PathComponent(stringLiteral: String($0)) }
            try mount.surface.register(app.grouped(components).grouped(errors), app.grouped(errors), app)
        }
    }
}

/// Renders every error of a surface's routes in that surface's dialect (attached to its route
/// group, so a surface mounted anywhere, the root included, speaks its own format).
struct SurfaceErrors: AsyncMiddleware {
    let dialect: any ErrorDialect

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch {
            return DialectErrorMiddleware.render(error, for: request, in: dialect)
        }
    }
}

extension ParleyContext {
    /// An absolute URL under a surface's prefix: `url(of: "speech-coaching", "/sessions/1/upload")`.
    func url(of surface: String, _ path: String) -> String {
        publicURL + surfaces.prefix(of: surface) + path
    }

    /// The WebSocket URL of an http(s) URL: `wss://` for `https://`, `ws://` otherwise.
    static func webSocketURL(_ http: String) -> String {
        http.hasPrefix("https://") ? "wss://" + http.dropFirst(8) : "ws://" + http.dropFirst(http.hasPrefix("http://") ? 7 : 0)
    }
}
