import Foundation

/// An endpoint that wants to hear about events (`session.completed`), with the secret its
/// deliveries are signed with.
public struct WebhookSubscription: Sendable, Codable, Hashable {
    public var id: UUID
    public var organizationID: UUID
    public var userID: Int
    public var url: String
    public var secret: String
    public var events: [String]
    public var isActive: Bool
    public var createdAt: Date

    public init(id: UUID, organizationID: UUID, userID: Int, url: String, secret: String, events: [String], isActive: Bool, createdAt: Date) {
        self.id = id
        self.organizationID = organizationID
        self.userID = userID
        self.url = url
        self.secret = secret
        self.events = events
        self.isActive = isActive
        self.createdAt = createdAt
    }
}

/// One event sent (or being sent) to one subscription: the delivery log's row.
public struct WebhookDelivery: Sendable, Codable, Hashable {
    /// Where a delivery is: waiting for a (re)try, delivered, or given up.
    public enum Status: String, Sendable, Codable {
        case pending, delivered, failed
    }

    public var id: UUID
    public var subscriptionID: UUID
    public var event: String
    /// The exact body that is signed and sent.
    public var payload: String
    public var status: Status
    public var attempts: Int
    public var responseStatus: Int?
    public var error: String?
    public var createdAt: Date
    public var deliveredAt: Date?

    public init(id: UUID, subscriptionID: UUID, event: String, payload: String, status: Status, attempts: Int,
                responseStatus: Int?, error: String?, createdAt: Date, deliveredAt: Date?) {
        self.id = id
        self.subscriptionID = subscriptionID
        self.event = event
        self.payload = payload
        self.status = status
        self.attempts = attempts
        self.responseStatus = responseStatus
        self.error = error
        self.createdAt = createdAt
        self.deliveredAt = deliveredAt
    }
}

/// Persistence of webhook subscriptions and their delivery log.
public protocol WebhookStore: Sendable {
    func createSubscription(_ subscription: WebhookSubscription) async throws
    func subscriptions(organizationID: UUID, userID: Int?) async throws -> [WebhookSubscription]
    func subscription(id: UUID, organizationID: UUID) async throws -> WebhookSubscription?
    /// A subscription by id alone, for the delivery that already names it.
    func subscription(id: UUID) async throws -> WebhookSubscription?
    /// Active subscriptions of a user that listen to an event.
    func subscribers(userID: Int, event: String) async throws -> [WebhookSubscription]
    /// Active subscriptions of anyone in an organization that listen to an event (events about
    /// what the organization owns together, such as its leads).
    func subscribers(organizationID: UUID, event: String) async throws -> [WebhookSubscription]
    func deleteSubscription(id: UUID, organizationID: UUID) async throws -> Bool
    func createDelivery(_ delivery: WebhookDelivery) async throws
    func delivery(id: UUID) async throws -> WebhookDelivery?
    func updateDelivery(_ delivery: WebhookDelivery) async throws
    func deliveries(subscriptionID: UUID, limit: Int) async throws -> [WebhookDelivery]
}
