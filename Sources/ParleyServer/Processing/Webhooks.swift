import AsyncHTTPClient
import Crypto
import Foundation
import ParleyDomain
import ParleyCore
import Vapor

/// Announces `session.completed` to the owner's webhook subscriptions: one logged delivery and
/// one durable delivery job per subscription, deduplicated so a resumed pipeline sends once.
enum CompletionWebhooks {
    static let event = "session.completed"

    static func enqueue(for conversation: Conversation, context: ParleyContext) async throws {
        let uploadID = conversation.analysis?.uploadID ?? "-"
        let body = try JSONValue(encoding: Payload(
            event: event, sessionId: conversation.publicID, userId: "user_\(conversation.userID)",
            timestamp: Timestamp.iso8601(conversation.completedAt ?? Date()),
            data: .init(status: conversation.status.rawValue, score: conversation.score, duration: conversation.duration)))
        let payload = String(decoding: try JSONEncoder.sorted.encode(body), as: UTF8.self)
        let queued = try await context.core.outbox.announce(
            event, payload: payload, toSubscribersOf: conversation.userID, occurrence: "\(conversation.publicID):\(uploadID)")
        if queued > 0 { context.jobs.ring() }
    }

    /// The body the document shows for `session.completed`.
    struct Payload: Encodable {
        struct Summary: Encodable {
            var status: String
            var score: Double?
            var duration: Double?
        }

        var event: String
        var sessionId: String
        var userId: String
        var timestamp: String
        var data: Summary
    }
}

extension WebhookDelivery {
    /// HMAC-SHA256 of the exact body with the subscriber's secret, hex-encoded: the value of
    /// `X-Webhook-Signature`.
    static func signature(of body: String, secret: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Data(body.utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return code.map { String(format: "%02x", $0) }.joined()
    }

    /// Sends one delivery; a non-2xx answer or a network failure throws so the job retries.
    static let handler = JobHandler(kind: WebhookDeliveryJob.kind) { job, context in
        guard let payload = WebhookDeliveryJob(payload: job.payload) else { return }
        let outbox = context.core.outbox
        guard let found = try await outbox.pendingDelivery(id: payload.deliveryId) else { return }
        var delivery = found.0
        guard let subscription = found.1, subscription.isActive else {
            delivery.status = .failed
            delivery.error = "the subscription was removed or deactivated"
            try await outbox.record(delivery)
            return
        }
        delivery.attempts = job.attempts
        do {
            let status = try await post(delivery, to: subscription, allowPrivate: context.configuration.webhooksMayTargetPrivateNetworks)
            delivery.responseStatus = status
            guard (200..<300).contains(status) else {
                throw WebhookFailure(message: "the endpoint answered \(status)")
            }
            delivery.status = .delivered
            delivery.deliveredAt = Date()
            delivery.error = nil
            try await outbox.record(delivery)
        } catch {
            delivery.error = (error as? WebhookFailure)?.message ?? "could not reach the endpoint: \(error)"
            if job.attempts >= job.maxAttempts { delivery.status = .failed }
            try await outbox.record(delivery)
            throw error
        }
    }

    /// POSTs the delivery and returns the answer's status. The URL is checked again at each
    /// delivery (its name may point elsewhere since registration) and the connection goes to
    /// the very address that was checked; redirects are never followed, since a public endpoint
    /// could otherwise send the server into its own network.
    private static func post(_ delivery: WebhookDelivery, to subscription: WebhookSubscription, allowPrivate: Bool) async throws -> Int {
        guard let url = URL(string: subscription.url) else { throw WebhookFailure(message: "not sent: the URL is not a URL") }
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow, timeout: .init(connect: .seconds(5), read: .seconds(10)))
        if !allowPrivate {
            switch await WebhookTarget.destination(of: url) {
            case .refused(let reason): throw WebhookFailure(message: "not sent: the URL \(reason)")
            case .allowed(let host, let address): if let host { configuration.dnsOverride = [host: address.description] }
            }
        }
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        do {
            var request = HTTPClientRequest(url: subscription.url)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "X-Webhook-Signature", value: signature(of: delivery.payload, secret: subscription.secret))
            request.headers.add(name: "X-Webhook-Event", value: delivery.event)
            request.headers.add(name: "X-Webhook-Delivery", value: delivery.id.uuidString.lowercased())
            request.headers.add(name: "User-Agent", value: "Parley-Webhooks/\(ParleyVersion.current)")
            request.body = .bytes(ByteBuffer(string: delivery.payload))
            let response = try await client.execute(request, timeout: .seconds(10))
            _ = try? await response.body.collect(upTo: 64 * 1024)
            try await client.shutdown()
            return Int(response.status.code)
        } catch {
            try? await client.shutdown()
            throw error
        }
    }
}

/// A delivery the endpoint refused.
struct WebhookFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

extension JSONEncoder {
    /// Stable key order, so a signed body is reproducible.
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
