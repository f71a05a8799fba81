import Foundation
import ParleyDomain
import ParleyCore
import Vapor

extension SpeechCoaching {
    /// `/coaching/webhooks`: register, list and remove subscriptions, and read their delivery log.
    /// The document describes the `session.completed` call Parley makes; these endpoints are how
    /// a client asks for it.
    enum CoachingWebhookRoutes {
        static let events = [CompletionWebhooks.event]

        struct CreateRequest: Decodable {
            var url: String
            var events: [String]?
            var secret: String?
        }

        struct SubscriptionDTO: Encodable, Sendable {
            var id: String
            var url: String
            var events: [String]
            var active: Bool
            var createdAt: String
            /// Only in the answer to its creation: keep it to verify `X-Webhook-Signature`.
            var secret: String?

            init(_ subscription: WebhookSubscription, revealSecret: Bool = false) {
                id = "webhook_" + subscription.id.uuidString.lowercased()
                url = subscription.url
                events = subscription.events
                active = subscription.isActive
                createdAt = Timestamp.iso8601(subscription.createdAt)
                secret = revealSecret ? subscription.secret : nil
            }
        }

        struct DeliveryDTO: Encodable, Sendable {
            var id: String
            var event: String
            var status: String
            var attempts: Int
            var responseStatus: Int?
            var error: String?
            var createdAt: String
            var deliveredAt: String?
            var payload: String
        }

        static func register(on routes: any RoutesBuilder) {
            let webhooks = routes.grouped("webhooks")
            webhooks.post(use: create)
            webhooks.get(use: list)
            webhooks.delete(":webhookId", use: delete)
            webhooks.get(":webhookId", "deliveries", use: deliveries)
        }

        static func create(_ request: Request) async throws -> Response {
            let user = try request.principal.user
            let body = try request.decodeJSON(CreateRequest.self)
            guard body.url.count <= 2000, let url = URL(string: body.url), let scheme = url.scheme?.lowercased(),
                  scheme == "http" || scheme == "https", url.host?.isEmpty == false
            else { throw APIError.validation("url", "must be an absolute http(s) URL") }
            if !request.application.parley.configuration.webhooksMayTargetPrivateNetworks, let refusal = await WebhookTarget.refusal(for: url) {
                throw APIError.validation("url", "must be a public http(s) endpoint: it \(refusal)")
            }
            let chosen = body.events ?? events
            guard !chosen.isEmpty, chosen.allSatisfy(events.contains) else {
                throw APIError.validation("events", "must list events from: \(events.joined(separator: ", "))")
            }
            if let secret = body.secret, !(16...256).contains(secret.count) {
                throw APIError.validation("secret", "must be 16 to 256 characters")
            }
            let subscription = WebhookSubscription(
                id: UUID(), organizationID: user.organizationID, userID: user.id, url: body.url,
                secret: body.secret ?? "whsec_" + IdentityService.randomToken(), events: chosen, isActive: true, createdAt: Date())
            try await request.core.webhooks.subscribe(subscription)
            return try request.coaching(["webhook": SubscriptionDTO(subscription, revealSecret: true)], status: .created)
        }

        static func list(_ request: Request) async throws -> Response {
            let user = try request.principal.user
            let subscriptions = try await request.core.webhooks.subscriptions(organizationID: user.organizationID, userID: user.id)
            return try request.coaching(["webhooks": subscriptions.map { SubscriptionDTO($0) }])
        }

        static func delete(_ request: Request) async throws -> Response {
            let subscription = try await owned(request)
            try await request.core.webhooks.unsubscribe(subscription)
            return try request.coaching(["message": "Webhook deleted successfully"])
        }

        static func deliveries(_ request: Request) async throws -> Response {
            let subscription = try await owned(request)
            let limit = try request.pagingValue("limit", default: 50, range: 1...500)
            let deliveries = try await request.core.webhooks.deliveries(of: subscription, limit: limit)
            return try request.coaching(["deliveries": deliveries.map {
                DeliveryDTO(id: "delivery_" + $0.id.uuidString.lowercased(), event: $0.event, status: $0.status.rawValue, attempts: $0.attempts,
                            responseStatus: $0.responseStatus, error: $0.error, createdAt: Timestamp.iso8601($0.createdAt),
                            deliveredAt: $0.deliveredAt.map(Timestamp.iso8601), payload: $0.payload)
            }])
        }

        static func owned(_ request: Request) async throws -> WebhookSubscription {
            let user = try request.principal.user
            let raw = request.parameters.get("webhookId") ?? ""
            guard raw.hasPrefix("webhook_"), let id = UUID(uuidString: String(raw.dropFirst(8))),
                  let subscription = try await request.core.webhooks.subscription(id: id, organizationID: user.organizationID)
            else { throw APIError.notFound("NOT_FOUND", "Webhook \(raw) not found") }
            try await request.authorize(.write, ownerID: subscription.userID, "Webhook \(raw)")
            return subscription
        }
    }
}
