import Foundation
import ParleyDomain

/// The Leads & Voice Calls webhook events and their envelope (`{event, timestamp, data}`), on
/// the one webhook machinery (subscriptions, logged deliveries, the durable delivery job).
public enum LeadEvents {
    public static let created = "lead.created"
    public static let updated = "lead.updated"
    public static let scoreChanged = "lead.score_changed"
    public static let callStarted = "call.started"
    public static let callCompleted = "call.completed"
    public static let callFailed = "call.failed"
    /// The six events the document lists, in its order.
    public static let all = [created, updated, scoreChanged, callStarted, callCompleted, callFailed]

    /// The exact body sent: the event, when it happened, and its data, with sorted keys so a
    /// signed body is reproducible.
    public static func payload(_ event: String, data: JSONValue, at date: Date = Date()) throws -> String {
        let envelope: JSONValue = .object(["event": .string(event), "timestamp": .string(date.formatted(.iso8601)), "data": data])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(envelope), as: UTF8.self)
    }

    /// Queues the event for every subscriber in the organization, inside the caller's
    /// transaction, so the change and its announcement are kept together or not at all.
    /// `occurrence` names this happening (the same one is sent once).
    @discardableResult
    public static func queue(_ event: String, data: JSONValue, organizationID: UUID, occurrence: String,
                             in stores: TransactionStores) async throws -> Int {
        let subscribers = try await stores.webhooks.subscribers(organizationID: organizationID, event: event)
        guard !subscribers.isEmpty else { return 0 }
        let body = try payload(event, data: data)
        var queued = 0
        for subscription in subscribers {
            let key = "\(WebhookDeliveryJob.kind):\(subscription.id):\(event):\(occurrence)"
            if try await stores.jobs.job(dedupeKey: key) != nil { continue }
            let delivery = WebhookDelivery(
                id: UUID(), subscriptionID: subscription.id, event: event, payload: body, status: .pending, attempts: 0,
                responseStatus: nil, error: nil, createdAt: Date(), deliveredAt: nil)
            try await stores.webhooks.createDelivery(delivery)
            _ = try await stores.jobs.enqueue(NewJob(
                kind: WebhookDeliveryJob.kind, payload: try JSONValue(encoding: WebhookDeliveryJob(deliveryId: delivery.id)),
                maxAttempts: WebhookDeliveryJob.maxAttempts, dedupeKey: key))
            queued += 1
        }
        return queued
    }
}

extension WebhookOutbox {
    /// Announces a Leads & Voice Calls event (`call.completed`, `lead.updated`, …) with its
    /// documented envelope to everyone in the organization who subscribed to it: what the
    /// calls work fires when a call starts, ends or fails. Returns how many were queued.
    @discardableResult
    public func announce(_ event: String, data: JSONValue, organizationID: UUID, occurrence: String) async throws -> Int {
        try await work.run { stores in
            try await LeadEvents.queue(event, data: data, organizationID: organizationID, occurrence: occurrence, in: stores)
        }
    }
}

extension WebhookOutbox {
    /// Queues a signed `webhook.test` delivery to one subscription, so its owner can check the
    /// endpoint and the signature before real events flow.
    public func announceTest(to subscription: WebhookSubscription) async throws -> WebhookDelivery {
        let body = try LeadEvents.payload("webhook.test", data: .object([
            "webhook_id": .string("webhook_" + subscription.id.uuidString.lowercased()),
            "message": .string("This is a test delivery from Parley."),
        ]))
        let delivery = WebhookDelivery(
            id: UUID(), subscriptionID: subscription.id, event: "webhook.test", payload: body, status: .pending, attempts: 0,
            responseStatus: nil, error: nil, createdAt: Date(), deliveredAt: nil)
        try await work.run { stores in
            try await stores.webhooks.createDelivery(delivery)
            _ = try await stores.jobs.enqueue(NewJob(
                kind: WebhookDeliveryJob.kind, payload: try JSONValue(encoding: WebhookDeliveryJob(deliveryId: delivery.id)),
                maxAttempts: WebhookDeliveryJob.maxAttempts, dedupeKey: "\(WebhookDeliveryJob.kind):\(subscription.id):test:\(delivery.id)"))
        }
        return delivery
    }
}
