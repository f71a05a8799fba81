import Foundation
import ParleyDomain
import Vapor

/// The Field Intelligence API (api-docs/field-intelligence.md), mounted at `/v1`: its own
/// dialect (errors as `{error: {code, message, details}}`, `USER-…` ids) on the shared identity,
/// with Google sign-in: users, conversations recorded in chunks and analysed (transcript with
/// speakers, insights, upsells, coaching), live transcription and nudges, the coach platform,
/// analytics and the four webhook events.
enum FieldIntelligence {
    static let id = "field-intelligence"

    @Sendable static func register(on api: any RoutesBuilder, root _: any RoutesBuilder, app: Application) throws {
        let context = app.parley
        let limits = context.configuration.rateLimits.field
        let signedIn = api.grouped(BearerAuthentication(), context.rateLimiting(limits.general))
        // Sign-in is limited like the shared identity's (the document names no limit of its own for it).
        FieldAuthRoutes.register(on: api, open: api.grouped(context.rateLimiting(context.configuration.rateLimits.authentication)), signedIn: signedIn)
        FieldUserRoutes.register(on: signedIn)
        FieldConversationRoutes.register(on: signedIn, open: api.grouped(context.rateLimiting(limits.general)))
        FieldCoachRoutes.register(on: signedIn)
        LeadsAndCalls.LeadWebhookRoutes.register(on: signedIn, events: FieldWebhooks.events)
        FieldSocket.register(on: api, places: ConnectionPlaces(), limit: limits.socketsPerUser)
    }

    /// The document's error body; the field at fault, when there is one, in `details`.
    struct ErrorDialect: ParleyServer.ErrorDialect {
        struct Body: Encodable, Sendable {
            struct Failure: Encodable, Sendable {
                struct Details: Encodable, Sendable {
                    var field: String?
                }
                var code: String
                var message: String
                var details: Details
            }
            var error: Failure
        }

        func body(for error: APIError, request: Request) -> any Encodable & Sendable {
            Body(error: .init(code: Self.code(for: error), message: error.message, details: .init(field: error.field)))
        }

        /// The document's five codes by status; others keep the server's code.
        static func code(for error: APIError) -> String {
            switch error.status.code {
            case 401: "UNAUTHORIZED"
            case 403: "FORBIDDEN"
            case 404: "NOT_FOUND"
            case 400, 422: "VALIDATION_ERROR"
            case 500..<600 where error.status != .serviceUnavailable: "SERVER_ERROR"
            default: error.code
            }
        }
    }

    /// `USER-00042` for user 42, as the document shows ids; read back without a lookup.
    enum UserID {
        static func make(_ id: Int) -> String { "USER-" + String(format: "%05d", id) }

        static func parse(_ text: String?) -> Int? {
            guard let text, text.hasPrefix("USER-"), let id = Int(text.dropFirst(5)), id > 0 else { return nil }
            return id
        }
    }

    /// The document's roles: a rep is a technician here.
    static func role(_ role: Role) -> String {
        switch role {
        case .user: "technician"
        case .supervisor: "supervisor"
        case .admin: "admin"
        }
    }
}
