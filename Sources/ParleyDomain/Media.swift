import Foundation

/// One file sent for a conversation: where it is stored and how far it has arrived.
public struct MediaUpload: Sendable, Codable, Hashable {
    /// Where an upload is in its life.
    public enum Status: String, Sendable, Codable {
        case uploading, completed, failed
    }

    public var id: UUID
    /// The id the surface shows (`upload_…`).
    public var publicID: String
    public var conversationID: UUID
    public var organizationID: UUID
    public var status: Status
    public var fileName: String?
    public var contentType: String?
    /// The container recognised from the file's first bytes (`wav`, `mp3`, `mp4`, ...).
    public var container: String?
    /// The size announced by the client (Content-Length), when it sent one.
    public var expectedBytes: Int64?
    public var receivedBytes: Int64
    /// The stored file, relative to the data directory.
    public var path: String?
    /// The client's `metadata` form field, as sent.
    public var metadata: JSONValue
    public var error: String?
    public var createdAt: Date
    public var completedAt: Date?

    public init(id: UUID, publicID: String, conversationID: UUID, organizationID: UUID, status: Status, fileName: String?,
                contentType: String?, container: String?, expectedBytes: Int64?, receivedBytes: Int64, path: String?,
                metadata: JSONValue, error: String?, createdAt: Date, completedAt: Date?) {
        self.id = id
        self.publicID = publicID
        self.conversationID = conversationID
        self.organizationID = organizationID
        self.status = status
        self.fileName = fileName
        self.contentType = contentType
        self.container = container
        self.expectedBytes = expectedBytes
        self.receivedBytes = receivedBytes
        self.path = path
        self.metadata = metadata
        self.error = error
        self.createdAt = createdAt
        self.completedAt = completedAt
    }
}

/// Persistence of uploads; every lookup is scoped to an organization.
public protocol MediaUploadStore: Sendable {
    func createUpload(_ upload: MediaUpload) async throws
    /// Stores a new `uploading` upload unless the conversation is already receiving one: false then.
    func claimUpload(_ upload: MediaUpload) async throws -> Bool
    /// Saves status, sizes, path, container and error.
    func updateUpload(_ upload: MediaUpload) async throws
    func upload(publicID: String, organizationID: UUID) async throws -> MediaUpload?
    /// The newest completed upload of a conversation: the media its analysis is made from.
    func latestCompletedUpload(conversationID: UUID) async throws -> MediaUpload?
    func uploads(conversationID: UUID) async throws -> [MediaUpload]
    /// Fails the uploads that made no progress since `stalledBefore` and returns them.
    func settleStalledUploads(stalledBefore: Date) async throws -> [MediaUpload]
}

/// A user's settings (language, time zone, notifications), stored as the client sent them.
public protocol PreferenceStore: Sendable {
    func preferences(userID: Int) async throws -> JSONValue?
    func setPreferences(_ preferences: JSONValue, userID: Int) async throws
}
