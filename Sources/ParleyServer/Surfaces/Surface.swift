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
    var register: @Sendable (_ mounted: any RoutesBuilder, _ root: any RoutesBuilder, _ app: Application) throws -> Void

    /// Every surface the server serves: adding one is its namespace, its DTOs, one line here
    /// and its tests.
    static let all: [Surface] = [
        Surface(id: Identity.id, defaultPrefix: "/api/v1", dialect: UnionErrorDialect(), documented: false, register: Identity.register),
        Surface(id: "sales-trainer", defaultPrefix: "/api/v1", dialect: UnionErrorDialect(), register: SalesTrainer.register),
        Surface(id: "speech-coaching", defaultPrefix: "/coaching", dialect: SpeechCoaching.CoachingErrorDialect(), register: SpeechCoaching.register),
        Surface(id: "leads-and-calls", defaultPrefix: "/api/v1", dialect: UnionErrorDialect(), register: LeadsAndCalls.register),
        Surface(id: "admin", defaultPrefix: "/api/v1/admin", dialect: UnionErrorDialect(), register: Admin.register),
        Surface(id: VoiceAgents.id, defaultPrefix: "/", dialect: VoiceAgents.ErrorDialect(), register: VoiceAgents.register),
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
                return prefix.isEmpty || path == prefix || path.hasPrefix(prefix + "/")
            }
            .max { $0.prefix.count < $1.prefix.count }?.surface.dialect ?? UnionErrorDialect()
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
}
