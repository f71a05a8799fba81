import Foundation

/// Where a durable job is in its life.
public enum JobStatus: String, Sendable, Codable, CaseIterable {
    case queued
    case running
    case succeeded
    /// Out of attempts; kept with its last error for inspection and manual retry.
    case failed
}

/// A unit of background work that survives restarts: upload processing, clips, reports,
/// dialling, webhook deliveries.
public struct Job: Sendable, Hashable, Identifiable {
    public var id: UUID
    public var kind: String
    public var payload: JSONValue
    public var status: JobStatus
    public var attempts: Int
    public var maxAttempts: Int
    public var runAt: Date
    public var lastError: String?
    /// Jobs with the same key are enqueued once (while the first is not failed).
    public var dedupeKey: String?
    public var createdAt: Date
    public var completedAt: Date?

    public init(id: UUID, kind: String, payload: JSONValue, status: JobStatus, attempts: Int, maxAttempts: Int,
                runAt: Date, lastError: String?, dedupeKey: String?, createdAt: Date, completedAt: Date?) {
        self.id = id
        self.kind = kind
        self.payload = payload
        self.status = status
        self.attempts = attempts
        self.maxAttempts = maxAttempts
        self.runAt = runAt
        self.lastError = lastError
        self.dedupeKey = dedupeKey
        self.createdAt = createdAt
        self.completedAt = completedAt
    }
}

/// A job to add to the queue.
public struct NewJob: Sendable {
    public var kind: String
    public var payload: JSONValue
    public var maxAttempts: Int
    public var runAt: Date?
    public var dedupeKey: String?

    public init(kind: String, payload: JSONValue, maxAttempts: Int = 5, runAt: Date? = nil, dedupeKey: String? = nil) {
        self.kind = kind
        self.payload = payload
        self.maxAttempts = maxAttempts
        self.runAt = runAt
        self.dedupeKey = dedupeKey
    }
}

/// The durable job queue. A worker claims a job with a lease; if the worker dies, the lease
/// runs out and another worker takes the job again, so handlers must be idempotent.
public protocol JobQueue: Sendable {
    /// Adds a job; with a `dedupeKey` already queued, running or done, returns that job instead.
    func enqueue(_ job: NewJob) async throws -> Job
    /// Claims the next due job (or one whose lease expired) for `lease` seconds.
    func claim(worker: String, kinds: [String], lease: TimeInterval, now: Date) async throws -> Job?
    /// Extends the lease of a long-running job; false when the job is no longer this worker's.
    func renewLease(jobID: UUID, worker: String, lease: TimeInterval, now: Date) async throws -> Bool
    func complete(jobID: UUID, worker: String, now: Date) async throws
    /// Records a failure: retried after `retryAfter` while attempts remain, otherwise failed.
    func fail(jobID: UUID, worker: String, error: String, retryAfter: TimeInterval, now: Date) async throws -> JobStatus
    func job(id: UUID) async throws -> Job?
    /// The job enqueued under a deduplication key, if any.
    func job(dedupeKey: String) async throws -> Job?
    /// Puts a failed job back in the queue with fresh attempts.
    func retry(jobID: UUID, now: Date) async throws -> Bool
}
