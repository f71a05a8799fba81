import Vapor

/// Sign-in shared by the documents under `/api/v1` (Sales Trainer, Leads & Voice Calls): one
/// descriptor of its own, so moving either surface leaves sign-in where both clients expect it
/// (`PARLEY_PREFIX_IDENTITY`, `/api/v1` by default).
enum Identity {
    /// The id whose prefix the shared `/auth/*` routes follow.
    static let id = "identity"

    @Sendable static func register(on api: any RoutesBuilder, root: any RoutesBuilder, app: Application) throws {
        let context = app.parley
        let limits = context.configuration.rateLimits
        try AuthRoutes.register(
            anonymous: api.grouped(context.rateLimiting(limits.authentication)),
            authenticated: api.grouped(BearerAuthentication(), context.rateLimiting(limits.general)))
    }
}
