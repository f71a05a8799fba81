import Vapor

/// The Sales Trainer API (api-docs/sales-trainer.md), mounted at `/api/v1`.
enum SalesTrainerSurface {
    static func register(on api: any RoutesBuilder, app: Application) throws {
        let context = app.parley
        let limits = context.configuration.rateLimits
        let general = RateLimiting(policy: limits.general, counters: context.rateLimitCounters, enabled: limits.enabled)
        let signIn = RateLimiting(policy: limits.authentication, counters: context.rateLimitCounters, enabled: limits.enabled)
        let authenticated = api.grouped(BearerAuthentication(), general)
        try AuthRoutes.register(anonymous: api.grouped(signIn), authenticated: authenticated)
    }
}
