import Fluent
import Foundation
import ParleyDomain
import SQLKit

/// The job queue in SQL that SQLite and PostgreSQL both run. Claiming is one atomic UPDATE; on
/// PostgreSQL it skips rows other workers hold (`FOR UPDATE SKIP LOCKED`), on SQLite the single
/// writer serialises claims. Times are epoch seconds so comparisons need no date functions.
public struct SQLJobQueue: JobQueue {
    let database: any Database

    public init(database: any Database) {
        self.database = database
    }

    private var sql: any SQLDatabase {
        get throws {
            guard let sql = database as? any SQLDatabase else {
                throw DomainError.serviceUnavailable(service: "job queue", reason: "the database does not speak SQL")
            }
            return sql
        }
    }

    private var isPostgres: Bool { (database as? any SQLDatabase)?.dialect.name == "postgresql" }

    public func enqueue(_ job: NewJob) async throws -> Job {
        if let key = job.dedupeKey, let existing = try await find(dedupeKey: key) { return existing }
        let id = UUID()
        let now = Date().timeIntervalSince1970
        do {
            try await sql.raw("""
                INSERT INTO jobs (id, kind, payload, status, attempts, max_attempts, run_at, dedupe_key, created_at)
                VALUES (\(bind: id), \(bind: job.kind), \(bind: try Self.encode(job.payload)), 'queued', 0, \(bind: max(1, job.maxAttempts)),
                        \(bind: (job.runAt ?? Date()).timeIntervalSince1970), \(bind: job.dedupeKey), \(bind: now))
                """).run()
        } catch {
            // Another process enqueued the same key a moment ago.
            if (error as? any DatabaseError)?.isConstraintFailure == true, let key = job.dedupeKey,
               let existing = try await find(dedupeKey: key) {
                return existing
            }
            throw error
        }
        guard let stored = try await self.job(id: id) else { throw DomainError.notFound(entity: "job") }
        return stored
    }

    public func claim(worker: String, kinds: [String], lease: TimeInterval, now: Date) async throws -> Job? {
        let sql = try self.sql
        let time = now.timeIntervalSince1970
        let kindFilter: SQLQueryString = kinds.isEmpty ? "" : "AND kind IN (\(binds: kinds))"
        // Idle workers poll often: a read first, so an empty queue never takes SQLite's write lock.
        let due = try await sql.raw("""
            SELECT id FROM jobs
            WHERE ((status = 'queued' AND run_at <= \(bind: time)) OR (status = 'running' AND locked_until < \(bind: time)))
            \(kindFilter) LIMIT 1
            """).first()
        guard due != nil else { return nil }
        // A job whose worker vanished on its last attempt fails rather than running forever.
        try await sql.raw("""
            UPDATE jobs SET status = 'failed', completed_at = \(bind: time), locked_by = NULL, locked_until = NULL,
                last_error = COALESCE(last_error, 'the worker stopped while running the last attempt')
            WHERE status = 'running' AND locked_until < \(bind: time) AND attempts >= max_attempts
            """).run()
        let lock: SQLQueryString = isPostgres ? "FOR UPDATE SKIP LOCKED" : ""
        let rows = try await sql.raw("""
            UPDATE jobs SET status = 'running', locked_by = \(bind: worker), locked_until = \(bind: time + lease), attempts = attempts + 1
            WHERE id = (
                SELECT id FROM jobs
                WHERE ((status = 'queued' AND run_at <= \(bind: time)) OR (status = 'running' AND locked_until < \(bind: time)))
                \(kindFilter)
                ORDER BY run_at, created_at LIMIT 1 \(lock)
            )
            RETURNING *
            """).all()
        return try rows.first.map(Self.job(from:))
    }

    public func renewLease(jobID: UUID, worker: String, lease: TimeInterval, now: Date) async throws -> Bool {
        let rows = try await sql.raw("""
            UPDATE jobs SET locked_until = \(bind: now.timeIntervalSince1970 + lease)
            WHERE id = \(bind: jobID) AND locked_by = \(bind: worker) AND status = 'running'
            RETURNING id
            """).all()
        return !rows.isEmpty
    }

    public func complete(jobID: UUID, worker: String, now: Date) async throws {
        try await sql.raw("""
            UPDATE jobs SET status = 'succeeded', completed_at = \(bind: now.timeIntervalSince1970), locked_by = NULL, locked_until = NULL
            WHERE id = \(bind: jobID) AND locked_by = \(bind: worker)
            """).run()
    }

    public func fail(jobID: UUID, worker: String, error: String, retryAfter: TimeInterval, now: Date) async throws -> JobStatus {
        let message = String(error.prefix(2000))
        let time = now.timeIntervalSince1970
        let rows = try await sql.raw("""
            UPDATE jobs SET
                status = CASE WHEN attempts < max_attempts THEN 'queued' ELSE 'failed' END,
                run_at = \(bind: time + retryAfter),
                completed_at = CASE WHEN attempts < max_attempts THEN NULL ELSE \(bind: time) END,
                last_error = \(bind: message), locked_by = NULL, locked_until = NULL
            WHERE id = \(bind: jobID) AND locked_by = \(bind: worker)
            RETURNING status
            """).all()
        return JobStatus(rawValue: try rows.first?.decode(column: "status", as: String.self) ?? "") ?? .failed
    }

    public func job(id: UUID) async throws -> Job? {
        try await sql.raw("SELECT * FROM jobs WHERE id = \(bind: id)").first().map(Self.job(from:))
    }

    public func retry(jobID: UUID, now: Date) async throws -> Bool {
        let rows = try await sql.raw("""
            UPDATE jobs SET status = 'queued', attempts = 0, run_at = \(bind: now.timeIntervalSince1970), completed_at = NULL
            WHERE id = \(bind: jobID) AND status = 'failed'
            RETURNING id
            """).all()
        return !rows.isEmpty
    }

    /// The job holding a dedupe key, in whatever state it is.
    public func job(dedupeKey: String) async throws -> Job? {
        try await find(dedupeKey: dedupeKey)
    }

    private func find(dedupeKey: String) async throws -> Job? {
        try await sql.raw("SELECT * FROM jobs WHERE dedupe_key = \(bind: dedupeKey)").first().map(Self.job(from:))
    }

    static func encode(_ payload: JSONValue) throws -> String {
        String(decoding: try JSONEncoder().encode(payload), as: UTF8.self)
    }

    static func job(from row: any SQLRow) throws -> Job {
        let payload = try row.decode(column: "payload", as: String.self)
        return Job(
            id: try row.decode(column: "id", as: UUID.self),
            kind: try row.decode(column: "kind", as: String.self),
            payload: try JSONDecoder().decode(JSONValue.self, from: Data(payload.utf8)),
            status: JobStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .queued,
            attempts: try row.decode(column: "attempts", as: Int.self),
            maxAttempts: try row.decode(column: "max_attempts", as: Int.self),
            runAt: Date(timeIntervalSince1970: try row.decode(column: "run_at", as: Double.self)),
            lastError: try row.decode(column: "last_error", as: String?.self),
            dedupeKey: try row.decode(column: "dedupe_key", as: String?.self),
            createdAt: Date(timeIntervalSince1970: try row.decode(column: "created_at", as: Double.self)),
            completedAt: try row.decode(column: "completed_at", as: Double?.self).map(Date.init(timeIntervalSince1970:)))
    }
}
