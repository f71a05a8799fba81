import Foundation
import ParleyDomain

/// A user's webhook subscriptions and their delivery log.
public struct WebhookSubscriptions: Sendable {
    /// Subscriptions one user may keep.
    public static let maxPerUser = 20
    let stores: any StoreAccess

    public init(stores: any StoreAccess) {
        self.stores = stores
    }

    /// Keeps a new subscription; refused (`DomainError.validation` on `url`) past the per-user limit.
    public func subscribe(_ subscription: WebhookSubscription) async throws {
        let existing = try await stores.webhooks.subscriptions(organizationID: subscription.organizationID, userID: subscription.userID)
        guard existing.count < Self.maxPerUser else {
            throw DomainError.validation(field: "url", message: "at most \(Self.maxPerUser) webhooks per user; delete one first")
        }
        try await stores.webhooks.createSubscription(subscription)
    }

    public func subscriptions(organizationID: UUID, userID: Int) async throws -> [WebhookSubscription] {
        try await stores.webhooks.subscriptions(organizationID: organizationID, userID: userID)
    }

    public func subscription(id: UUID, organizationID: UUID) async throws -> WebhookSubscription? {
        try await stores.webhooks.subscription(id: id, organizationID: organizationID)
    }

    public func unsubscribe(_ subscription: WebhookSubscription) async throws {
        _ = try await stores.webhooks.deleteSubscription(id: subscription.id, organizationID: subscription.organizationID)
    }

    public func deliveries(of subscription: WebhookSubscription, limit: Int) async throws -> [WebhookDelivery] {
        try await stores.webhooks.deliveries(subscriptionID: subscription.id, limit: limit)
    }
}

/// The durable job that sends one logged delivery.
public struct WebhookDeliveryJob: Codable, Sendable, Equatable {
    public static let kind = "webhook.deliver"
    /// Attempts before a delivery is given up (retries back off exponentially).
    public static let maxAttempts = 6

    public var deliveryId: UUID

    public init(deliveryId: UUID) {
        self.deliveryId = deliveryId
    }

    /// The payload of a claimed job; nil when it is not one of these.
    public init?(payload: JSONValue) {
        guard let decoded = payload.decoded(as: WebhookDeliveryJob.self) else { return nil }
        self = decoded
    }
}

/// Announces events to webhook subscribers and keeps each delivery's record: one logged
/// delivery and one durable job per subscriber, written together and deduplicated, so an
/// announcement made again (a resumed job) sends once.
public struct WebhookOutbox: Sendable {
    let work: any UnitOfWork
    let stores: any StoreAccess

    public init(work: any UnitOfWork, stores: any StoreAccess) {
        self.work = work
        self.stores = stores
    }

    /// Queues `payload` (the exact body to sign and send) for a user's subscribers to `event`;
    /// `occurrence` names this happening of the event (the same value is sent once). Returns how many were queued.
    @discardableResult
    public func announce(_ event: String, payload: String, toSubscribersOf userID: Int, occurrence: String) async throws -> Int {
        let subscribers = try await stores.webhooks.subscribers(userID: userID, event: event)
        var queued = 0
        for subscription in subscribers {
            let key = "\(WebhookDeliveryJob.kind):\(subscription.id):\(occurrence)"
            let added = try await work.run { stores in
                if try await stores.jobs.job(dedupeKey: key) != nil { return false }
                let delivery = WebhookDelivery(
                    id: UUID(), subscriptionID: subscription.id, event: event, payload: payload, status: .pending, attempts: 0,
                    responseStatus: nil, error: nil, createdAt: Date(), deliveredAt: nil)
                try await stores.webhooks.createDelivery(delivery)
                _ = try await stores.jobs.enqueue(NewJob(
                    kind: WebhookDeliveryJob.kind, payload: try JSONValue(encoding: WebhookDeliveryJob(deliveryId: delivery.id)),
                    maxAttempts: WebhookDeliveryJob.maxAttempts, dedupeKey: key))
                return true
            }
            if added { queued += 1 }
        }
        return queued
    }

    /// A pending delivery and its subscription, for the job that sends it.
    public func pendingDelivery(id: UUID) async throws -> (WebhookDelivery, WebhookSubscription?)? {
        guard let delivery = try await stores.webhooks.delivery(id: id), delivery.status == .pending else { return nil }
        return (delivery, try await stores.webhooks.subscription(id: delivery.subscriptionID))
    }

    public func record(_ delivery: WebhookDelivery) async throws {
        try await stores.webhooks.updateDelivery(delivery)
    }
}
