import Foundation
import ParleyDomain

/// The durable job that processes a conversation's recording (decode, recognise, analyse,
/// score), as a typed payload. Its JSON keys are the ones jobs already queued carry.
public struct RecordingJob: Codable, Sendable, Equatable {
    public static let kind = "recording.process"

    public var conversationId: String
    public var organizationId: UUID
    public var uploadId: String

    public init(conversation: Conversation, uploadID: String) {
        conversationId = conversation.publicID
        organizationId = conversation.organizationID
        uploadId = uploadID
    }

    /// The payload of a claimed job; nil when it is not one of these.
    public init?(payload: JSONValue) {
        guard let decoded = payload.decoded(as: RecordingJob.self) else { return nil }
        self = decoded
    }

    /// The job to enqueue; one per upload and attempt, however often it is asked for.
    public func newJob(attempt: Int = 0) throws -> NewJob {
        NewJob(kind: Self.kind, payload: try JSONValue(encoding: self), maxAttempts: 3, dedupeKey: "\(Self.kind):\(uploadId):\(attempt)")
    }
}
