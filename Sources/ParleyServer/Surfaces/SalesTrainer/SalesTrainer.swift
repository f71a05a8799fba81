import ParleyDomain
import Vapor

/// The Sales Trainer API (api-docs/sales-trainer.md), mounted at `/api/v1`: the namespace of
/// its routes and DTOs, and how it is mounted.
enum SalesTrainer {
    /// Routes the document places at the root rather than under `/api/v1`.
    static func registerRoot(on root: any RoutesBuilder, app: Application) {
        VoiceRoutes.registerDownloads(on: root)
        VoiceSocket.register(on: root, app: app)
    }

    @Sendable static func register(on api: any RoutesBuilder, root: any RoutesBuilder, app: Application) throws {
        registerRoot(on: root, app: app)
        let context = app.parley
        let limits = context.configuration.rateLimits
        let general = context.rateLimiting(limits.general)
        let authenticated = api.grouped(BearerAuthentication(), general)
        ScenarioRoutes.register(on: authenticated)
        SessionRoutes.register(on: authenticated)
        LearningRoutes.register(on: authenticated)
        VoiceRoutes.register(on: api.grouped(BearerAuthentication(), context.rateLimiting(limits.voice)))
    }

    /// Whose sessions and progress a request reads: the caller's, or with `?user_id=` (an
    /// addition for coaches) a member the access policy lets them read.
    static func subject(of request: Request) async throws -> User {
        let caller = try request.principal.user
        guard let raw = request.query[String.self, at: "user_id"] else { return caller }
        guard let id = Int(raw), id > 0 else { throw APIError.validation("user_id", "must be a user id (a positive integer)") }
        if id == caller.id { return caller }
        guard let member = try await request.identity.store.user(id: id, organizationID: caller.organizationID) else {
            throw APIError.notFound("USER_NOT_FOUND", "User \(id) not found")
        }
        try await request.authorize(.read, ownerID: member.id, "User \(id)'s practice")
        return member
    }
}
