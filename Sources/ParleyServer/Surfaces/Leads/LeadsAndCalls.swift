import Vapor

/// The Leads & Voice Calls API (api-docs/leads-and-calls.md), mounted at `/api/v1` beside the
/// Sales Trainer (their paths do not collide) with the same identity and error union. Its
/// document's limits: 100 requests a minute and 1,000 an hour per user.
enum LeadsAndCalls {
    @Sendable static func register(on api: any RoutesBuilder, root: any RoutesBuilder, app: Application) throws {
        let context = app.parley
        let limits = context.configuration.rateLimits.leads
        // The hourly window is inside, so the minute's headers (the document's 100) are the ones sent.
        let signedIn = api.grouped(BearerAuthentication(), context.rateLimiting(limits.perMinute), context.rateLimiting(limits.perHour))
        LeadRoutes.register(on: signedIn)
        LeadTransferRoutes.register(on: signedIn)
        LeadAnalyticsRoutes.register(on: signedIn)
        LeadWebhookRoutes.register(on: signedIn)
        // One place per call, shared by the HTTP call endpoints and the realtime socket, so a
        // call is worked by one request or connection at a time.
        let places = ConnectionPlaces()
        CallRoutes.register(on: signedIn, places: places)
        CallSocket.register(on: api, places: places)
    }
}
