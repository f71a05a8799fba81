import Foundation
import ParleyCore
import ParleyDomain
import Vapor

extension LeadsAndCalls {
    /// `/api/v1/webhooks` (a documented addition): subscribe to the document's six events, list,
    /// test and remove subscriptions, and read their delivery log. The same subscriptions,
    /// signatures (`X-Webhook-Signature`, HMAC-SHA256 of the body), retries and private-address
    /// guard as Speech Coaching's webhooks: one machinery. Field Intelligence mounts the same
    /// routes at `/v1/webhooks` for its own four events.
    enum LeadWebhookRoutes {
        /// A subscription as asked for: events default to all the surface's, the secret to a generated one.
        struct CreateRequest: Decodable {
            var url: String
            var events: [String]?
            var secret: String?
        }

        static func register(on routes: any RoutesBuilder, events: [String] = LeadEvents.all) {
            let webhooks = routes.grouped("webhooks")
            webhooks.post { request in try await create(request, events: events) }
            webhooks.get(use: list)
            webhooks.delete(":webhook_id", use: delete)
            webhooks.post(":webhook_id", "test", use: test)
            webhooks.get(":webhook_id", "deliveries", use: deliveries)
        }

        static func subscription(_ subscription: WebhookSubscription, revealSecret: Bool = false) -> JSONValue {
            var object: [String: JSONValue] = [
                "id": .string("webhook_" + subscription.id.uuidString.lowercased()), "url": .string(subscription.url),
                "events": .array(subscription.events.map(JSONValue.string)), "active": .bool(subscription.isActive),
                "created_at": .string(Timestamp.iso8601(subscription.createdAt)),
            ]
            // Only in the answer to its creation: keep it to verify `X-Webhook-Signature`.
            if revealSecret { object["secret"] = .string(subscription.secret) }
            return .object(object)
        }

        static func create(_ request: Request, events: [String]) async throws -> Response {
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
                secret: body.secret ?? "whsec_" + IdentityService.randomToken(), events: Array(Set(chosen)).sorted(), isActive: true, createdAt: Date())
            try await request.core.webhooks.subscribe(subscription)
            return try request.renderJSON(Self.subscription(subscription, revealSecret: true), status: .created)
        }

        static func list(_ request: Request) async throws -> Response {
            let user = try request.principal.user
            let subscriptions = try await request.core.webhooks.subscriptions(organizationID: user.organizationID, userID: user.id)
            return try request.renderJSON(.object(["webhooks": .array(subscriptions.map { subscription($0) })]))
        }

        static func delete(_ request: Request) async throws -> Response {
            let subscription = try await owned(request)
            try await request.core.webhooks.unsubscribe(subscription)
            return Response(status: .noContent)
        }

        /// Sends a signed `webhook.test` event to this subscription alone, through the delivery job.
        static func test(_ request: Request) async throws -> Response {
            let subscription = try await owned(request)
            let delivery = try await request.core.outbox.announceTest(to: subscription)
            request.application.parley.jobs.ring()
            return try request.renderJSON(.object([
                "delivery_id": .string("delivery_" + delivery.id.uuidString.lowercased()), "event": .string(delivery.event),
                "status": .string(delivery.status.rawValue),
            ]), status: .accepted)
        }

        static func deliveries(_ request: Request) async throws -> Response {
            let subscription = try await owned(request)
            let limit = try request.pagingValue("limit", default: 50, range: 1...500)
            let deliveries = try await request.core.webhooks.deliveries(of: subscription, limit: limit)
            return try request.renderJSON(.object(["deliveries": .array(deliveries.map { delivery in
                .object([
                    "id": .string("delivery_" + delivery.id.uuidString.lowercased()), "event": .string(delivery.event),
                    "status": .string(delivery.status.rawValue), "attempts": .number(Double(delivery.attempts)),
                    "response_status": delivery.responseStatus.map { .number(Double($0)) } ?? .null,
                    "error": delivery.error.map(JSONValue.string) ?? .null,
                    "created_at": .string(Timestamp.iso8601(delivery.createdAt)),
                    "delivered_at": delivery.deliveredAt.map { .string(Timestamp.iso8601($0)) } ?? .null,
                    "payload": .string(delivery.payload),
                ])
            })]))
        }

        static func owned(_ request: Request) async throws -> WebhookSubscription {
            let user = try request.principal.user
            let raw = request.parameters.get("webhook_id") ?? ""
            guard raw.hasPrefix("webhook_"), let id = UUID(uuidString: String(raw.dropFirst(8))),
                  let subscription = try await request.core.webhooks.subscription(id: id, organizationID: user.organizationID)
            else { throw APIError.notFound("NOT_FOUND", "Webhook \(raw) not found") }
            try await request.authorize(.write, ownerID: subscription.userID, "Webhook \(raw)")
            return subscription
        }
    }
}
