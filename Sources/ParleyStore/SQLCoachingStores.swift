import Fluent
import Foundation
import ParleyDomain
import SQLKit

/// Shared access to the SQL side of a Fluent database for the SQL-written stores.
protocol SQLStore {
    var database: any Database { get }
}

extension SQLStore {
    var sql: any SQLDatabase {
        get throws {
            guard let sql = database as? any SQLDatabase else {
                throw DomainError.serviceUnavailable(service: "database", reason: "the database does not speak SQL")
            }
            return sql
        }
    }
}

/// Uploads in SQL; times are epoch seconds as in the job queue.
public struct SQLMediaUploadStore: MediaUploadStore, SQLStore {
    let database: any Database

    public init(database: any Database) {
        self.database = database
    }

    public func createUpload(_ upload: MediaUpload) async throws {
        try await sql.raw("""
            INSERT INTO media_uploads (id, conversation_id, organization_id, public_id, status, file_name, content_type, container,
                expected_bytes, received_bytes, path, metadata, error, created_at, completed_at, updated_at)
            VALUES (\(bind: upload.id), \(bind: upload.conversationID), \(bind: upload.organizationID), \(bind: upload.publicID),
                \(bind: upload.status.rawValue), \(bind: upload.fileName), \(bind: upload.contentType), \(bind: upload.container),
                \(bind: upload.expectedBytes), \(bind: upload.receivedBytes), \(bind: upload.path), \(bind: try JSONColumn.encode(upload.metadata)),
                \(bind: upload.error), \(bind: upload.createdAt.timeIntervalSince1970), \(bind: upload.completedAt?.timeIntervalSince1970),
                \(bind: Date().timeIntervalSince1970))
            """).run()
    }

    /// Stores a new upload that is `uploading`, unless the session is already receiving one:
    /// false then. The database's unique index decides, so of two racing requests one wins.
    public func claimUpload(_ upload: MediaUpload) async throws -> Bool {
        do {
            try await createUpload(upload)
            return true
        } catch let error as any DatabaseError where error.isConstraintFailure {
            return false
        }
    }

    /// Fails the uploads that made no progress since `stalledBefore` (their process was killed
    /// or their client went silent) and returns them, so their partial files can be removed.
    public func settleStalledUploads(stalledBefore: Date) async throws -> [MediaUpload] {
        try await sql.raw("""
            UPDATE media_uploads SET status = 'failed', error = 'interrupted: the upload stopped before it was complete',
                updated_at = \(bind: Date().timeIntervalSince1970)
            WHERE status = 'uploading' AND COALESCE(updated_at, created_at) < \(bind: stalledBefore.timeIntervalSince1970)
            RETURNING *
            """).all().map(Self.upload(from:))
    }

    /// True while `publicID` is an upload still being received.
    public func isReceiving(publicID: String) async throws -> Bool {
        try await sql.raw("SELECT 1 AS one FROM media_uploads WHERE public_id = \(bind: publicID) AND status = 'uploading'")
            .first() != nil
    }

    public func updateUpload(_ upload: MediaUpload) async throws {
        try await sql.raw("""
            UPDATE media_uploads SET status = \(bind: upload.status.rawValue), file_name = \(bind: upload.fileName),
                content_type = \(bind: upload.contentType), container = \(bind: upload.container),
                expected_bytes = \(bind: upload.expectedBytes), received_bytes = \(bind: upload.receivedBytes), path = \(bind: upload.path),
                metadata = \(bind: try JSONColumn.encode(upload.metadata)), error = \(bind: upload.error),
                completed_at = \(bind: upload.completedAt?.timeIntervalSince1970), updated_at = \(bind: Date().timeIntervalSince1970)
            WHERE id = \(bind: upload.id)
            """).run()
    }

    public func upload(publicID: String, organizationID: UUID) async throws -> MediaUpload? {
        try await sql.raw("""
            SELECT * FROM media_uploads WHERE public_id = \(bind: publicID) AND organization_id = \(bind: organizationID)
            """).first().map(Self.upload(from:))
    }

    public func latestCompletedUpload(conversationID: UUID) async throws -> MediaUpload? {
        try await sql.raw("""
            SELECT * FROM media_uploads WHERE conversation_id = \(bind: conversationID) AND status = 'completed'
            ORDER BY completed_at DESC LIMIT 1
            """).first().map(Self.upload(from:))
    }

    public func uploads(conversationID: UUID) async throws -> [MediaUpload] {
        try await sql.raw("SELECT * FROM media_uploads WHERE conversation_id = \(bind: conversationID) ORDER BY created_at")
            .all().map(Self.upload(from:))
    }

    static func upload(from row: any SQLRow) throws -> MediaUpload {
        MediaUpload(
            id: try row.decode(column: "id", as: UUID.self), publicID: try row.decode(column: "public_id", as: String.self),
            conversationID: try row.decode(column: "conversation_id", as: UUID.self),
            organizationID: try row.decode(column: "organization_id", as: UUID.self),
            status: MediaUpload.Status(rawValue: try row.decode(column: "status", as: String.self)) ?? .failed,
            fileName: try row.decode(column: "file_name", as: String?.self),
            contentType: try row.decode(column: "content_type", as: String?.self),
            container: try row.decode(column: "container", as: String?.self),
            expectedBytes: try row.decode(column: "expected_bytes", as: Int64?.self),
            receivedBytes: try row.decode(column: "received_bytes", as: Int64.self),
            path: try row.decode(column: "path", as: String?.self),
            metadata: try JSONColumn.decode(JSONValue.self, try row.decode(column: "metadata", as: String.self)) ?? .null,
            error: try row.decode(column: "error", as: String?.self),
            createdAt: Date(timeIntervalSince1970: try row.decode(column: "created_at", as: Double.self)),
            completedAt: try row.decode(column: "completed_at", as: Double?.self).map(Date.init(timeIntervalSince1970:)))
    }
}

/// Webhook subscriptions and deliveries in SQL.
public struct SQLWebhookStore: WebhookStore, SQLStore {
    let database: any Database

    public init(database: any Database) {
        self.database = database
    }

    public func createSubscription(_ subscription: WebhookSubscription) async throws {
        try await sql.raw("""
            INSERT INTO webhook_subscriptions (id, organization_id, user_id, url, secret, events, is_active, created_at)
            VALUES (\(bind: subscription.id), \(bind: subscription.organizationID), \(bind: subscription.userID), \(bind: subscription.url),
                \(bind: subscription.secret), \(bind: try JSONColumn.encode(subscription.events)), \(bind: subscription.isActive),
                \(bind: subscription.createdAt.timeIntervalSince1970))
            """).run()
    }

    public func subscriptions(organizationID: UUID, userID: Int?) async throws -> [WebhookSubscription] {
        let owner: SQLQueryString = userID.map { "AND user_id = \(bind: $0)" } ?? ""
        return try await sql.raw("""
            SELECT * FROM webhook_subscriptions WHERE organization_id = \(bind: organizationID) \(owner) ORDER BY created_at
            """).all().map(Self.subscription(from:))
    }

    public func subscription(id: UUID, organizationID: UUID) async throws -> WebhookSubscription? {
        try await sql.raw("""
            SELECT * FROM webhook_subscriptions WHERE id = \(bind: id) AND organization_id = \(bind: organizationID)
            """).first().map(Self.subscription(from:))
    }

    /// A subscription by id alone: for the delivery worker, which acts for no caller.
    public func subscription(id: UUID) async throws -> WebhookSubscription? {
        try await sql.raw("SELECT * FROM webhook_subscriptions WHERE id = \(bind: id)").first().map(Self.subscription(from:))
    }

    public func subscribers(userID: Int, event: String) async throws -> [WebhookSubscription] {
        try await sql.raw("""
            SELECT * FROM webhook_subscriptions WHERE user_id = \(bind: userID) AND is_active = \(bind: true) ORDER BY created_at
            """).all().map(Self.subscription(from:)).filter { $0.events.contains(event) || $0.events.contains("*") }
    }

    public func subscribers(organizationID: UUID, event: String) async throws -> [WebhookSubscription] {
        try await sql.raw("""
            SELECT * FROM webhook_subscriptions WHERE organization_id = \(bind: organizationID) AND is_active = \(bind: true)
            ORDER BY created_at
            """).all().map(Self.subscription(from:)).filter { $0.events.contains(event) || $0.events.contains("*") }
    }

    public func deleteSubscription(id: UUID, organizationID: UUID) async throws -> Bool {
        let rows = try await sql.raw("""
            DELETE FROM webhook_subscriptions WHERE id = \(bind: id) AND organization_id = \(bind: organizationID) RETURNING id
            """).all()
        return !rows.isEmpty
    }

    public func createDelivery(_ delivery: WebhookDelivery) async throws {
        try await sql.raw("""
            INSERT INTO webhook_deliveries (id, subscription_id, event, payload, status, attempts, response_status, error, created_at, delivered_at)
            VALUES (\(bind: delivery.id), \(bind: delivery.subscriptionID), \(bind: delivery.event), \(bind: delivery.payload),
                \(bind: delivery.status.rawValue), \(bind: delivery.attempts), \(bind: delivery.responseStatus), \(bind: delivery.error),
                \(bind: delivery.createdAt.timeIntervalSince1970), \(bind: delivery.deliveredAt?.timeIntervalSince1970))
            """).run()
    }

    public func delivery(id: UUID) async throws -> WebhookDelivery? {
        try await sql.raw("SELECT * FROM webhook_deliveries WHERE id = \(bind: id)").first().map(Self.delivery(from:))
    }

    public func updateDelivery(_ delivery: WebhookDelivery) async throws {
        try await sql.raw("""
            UPDATE webhook_deliveries SET status = \(bind: delivery.status.rawValue), attempts = \(bind: delivery.attempts),
                response_status = \(bind: delivery.responseStatus), error = \(bind: delivery.error),
                delivered_at = \(bind: delivery.deliveredAt?.timeIntervalSince1970)
            WHERE id = \(bind: delivery.id)
            """).run()
    }

    public func deliveries(subscriptionID: UUID, limit: Int) async throws -> [WebhookDelivery] {
        try await sql.raw("""
            SELECT * FROM webhook_deliveries WHERE subscription_id = \(bind: subscriptionID) ORDER BY created_at DESC LIMIT \(bind: limit)
            """).all().map(Self.delivery(from:))
    }

    static func subscription(from row: any SQLRow) throws -> WebhookSubscription {
        WebhookSubscription(
            id: try row.decode(column: "id", as: UUID.self), organizationID: try row.decode(column: "organization_id", as: UUID.self),
            userID: try row.decode(column: "user_id", as: Int.self), url: try row.decode(column: "url", as: String.self),
            secret: try row.decode(column: "secret", as: String.self),
            events: try JSONColumn.decode([String].self, try row.decode(column: "events", as: String.self)) ?? [],
            isActive: try row.decode(column: "is_active", as: Bool.self),
            createdAt: Date(timeIntervalSince1970: try row.decode(column: "created_at", as: Double.self)))
    }

    static func delivery(from row: any SQLRow) throws -> WebhookDelivery {
        WebhookDelivery(
            id: try row.decode(column: "id", as: UUID.self), subscriptionID: try row.decode(column: "subscription_id", as: UUID.self),
            event: try row.decode(column: "event", as: String.self), payload: try row.decode(column: "payload", as: String.self),
            status: WebhookDelivery.Status(rawValue: try row.decode(column: "status", as: String.self)) ?? .failed,
            attempts: try row.decode(column: "attempts", as: Int.self),
            responseStatus: try row.decode(column: "response_status", as: Int?.self),
            error: try row.decode(column: "error", as: String?.self),
            createdAt: Date(timeIntervalSince1970: try row.decode(column: "created_at", as: Double.self)),
            deliveredAt: try row.decode(column: "delivered_at", as: Double?.self).map(Date.init(timeIntervalSince1970:)))
    }
}

/// User preferences in SQL.
public struct SQLPreferenceStore: PreferenceStore, SQLStore {
    let database: any Database

    public init(database: any Database) {
        self.database = database
    }

    public func preferences(userID: Int) async throws -> JSONValue? {
        let text = try await sql.raw("SELECT preferences FROM user_preferences WHERE user_id = \(bind: userID)").first()?
            .decode(column: "preferences", as: String.self)
        return try JSONColumn.decode(JSONValue.self, text)
    }

    public func setPreferences(_ preferences: JSONValue, userID: Int) async throws {
        let text = try JSONColumn.encode(preferences)
        try await sql.raw("""
            INSERT INTO user_preferences (user_id, preferences) VALUES (\(bind: userID), \(bind: text))
            ON CONFLICT (user_id) DO UPDATE SET preferences = EXCLUDED.preferences
            """).run()
    }
}
