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
}
