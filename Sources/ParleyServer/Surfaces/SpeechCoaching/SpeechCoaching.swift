import Vapor

/// The Speech Coaching API (api-docs/speech-coaching.md), mounted at `/coaching` by default,
/// with its Socket.IO channel at the root's `/socket.io/`.
enum SpeechCoaching {
    @Sendable static func register(on coaching: any RoutesBuilder, root: any RoutesBuilder, app: Application) {
        registerRoot(on: root, app: app)
        let context = app.parley
        let limits = context.configuration.rateLimits.coaching
        CoachingAuthRoutes.register(on: coaching.grouped(context.rateLimiting(limits.authentication)))
        let signedIn = coaching.grouped(BearerAuthentication())
        let general = signedIn.grouped(context.rateLimiting(limits.general))
        CoachingSessionRoutes.register(on: general, creation: signedIn.grouped(context.rateLimiting(limits.sessionCreation)))
        CoachingUploadRoutes.register(on: signedIn.grouped(context.rateLimiting(limits.uploads)), reading: general)
        CoachingResultRoutes.register(on: general)
        CoachingWebhookRoutes.register(on: general)
        CoachingSearchRoutes.register(on: general)
        CoachingAnalyticsRoutes.register(on: general)
        CoachingUserRoutes.register(on: general)
        CoachingClipRoutes.register(on: general)
        CoachingReportRoutes.register(on: general)
        CoachingDrillRoutes.register(on: general)
    }

    /// The Socket.IO server at the root (`/socket.io/`), as the document's clients expect.
    static func registerRoot(on root: any RoutesBuilder, app: Application) {
        let limits = app.parley.configuration.rateLimits.coaching
        SocketIOServer(handlers: [CoachingSessionNamespace(), CoachingDrillNamespace()], limit: limits.concurrentSockets,
                       perAddress: limits.socketsPerAddress, errorCode: CoachingErrorCodes.code(for:))
            .register(on: root)
    }
}
