import Foundation
import ParleyDomain
import ParleyStore
import ParleyTestSupport
import Testing
@testable import ParleyServer

/// Counts how often each job ran, across runners and application instances.
actor Tally {
    private(set) var runs: [UUID: Int] = [:]
    func record(_ id: UUID) { runs[id, default: 0] += 1 }
    func count(_ id: UUID) -> Int { runs[id] ?? 0 }
}

@Suite("Durable job queue")
struct JobQueueTests {
    static let fast: @Sendable (inout ParleyConfiguration) -> Void = {
        $0.jobs.pollInterval = 0.05
        $0.jobs.retryBase = 0.05
        // Long enough that a busy machine renews it in time; short enough that a crashed worker's job comes back soon.
        $0.jobs.lease = 4
    }

    /// Waits until the job reaches a final state (bounded, so a broken queue fails the test).
    static func settle(_ id: UUID, in server: TestServer, polls: Int = 600) async throws -> Job {
        let queue = SQLJobQueue(database: server.app.db)
        for _ in 0..<polls {
            if let job = try await queue.job(id: id), job.status == .succeeded || job.status == .failed { return job }
            try await Task.sleep(for: .milliseconds(50))
        }
        return try #require(try await queue.job(id: id))
    }

    @Test func jobsRunOnceAndSucceed() async throws {
        try await TestServer.with(Self.fast) { server in
            let tally = Tally()
            server.app.parley.jobs.register(JobHandler(kind: "test.echo") { job, _ in await tally.record(job.id) })
            let job = try await server.app.enqueue(NewJob(kind: "test.echo", payload: .object(["n": .number(1)])))
            let done = try await Self.settle(job.id, in: server)
            #expect(done.status == .succeeded)
            #expect(done.attempts == 1)
            #expect(await tally.count(job.id) == 1)
            #expect(done.payload["n"]?.doubleValue == 1)
        }
    }

    @Test func failuresAreRetriedWithBackoffUntilTheyPass() async throws {
        try await TestServer.with(Self.fast) { server in
            let tally = Tally()
            server.app.parley.jobs.register(JobHandler(kind: "test.flaky") { job, _ in
                await tally.record(job.id)
                if await tally.count(job.id) < 3 { throw DomainError.serviceUnavailable(service: "test", reason: "flaky") }
            })
            let job = try await server.app.enqueue(NewJob(kind: "test.flaky", payload: .null, maxAttempts: 5))
            let done = try await Self.settle(job.id, in: server)
            #expect(done.status == .succeeded)
            #expect(done.attempts == 3)
            #expect(done.lastError?.contains("flaky") == true)
        }
    }

    @Test func exhaustedJobsFailAndCanBeRetried() async throws {
        try await TestServer.with(Self.fast) { server in
            let tally = Tally()
            server.app.parley.jobs.register(JobHandler(kind: "test.broken") { job, _ in
                await tally.record(job.id)
                throw DomainError.validation(field: "payload", message: "cannot be processed")
            })
            let job = try await server.app.enqueue(NewJob(kind: "test.broken", payload: .null, maxAttempts: 2))
            let failed = try await Self.settle(job.id, in: server)
            #expect(failed.status == .failed)
            #expect(failed.attempts == 2)
            #expect(await tally.count(job.id) == 2)
            #expect(try await SQLJobQueue(database: server.app.db).retry(jobID: job.id, now: Date()))
            server.app.parley.jobs.ring()
            let again = try await Self.settle(job.id, in: server)
            #expect(again.status == .failed)
            #expect(await tally.count(job.id) == 4)
        }
    }

    /// A worker that claimed a job and died: its lease lapses and another worker finishes it.
    @Test func jobsOfACrashedWorkerAreTakenOver() async throws {
        try await TestServer.with(Self.fast) { server in
            let queue = SQLJobQueue(database: server.app.db)
            let job = try await queue.enqueue(NewJob(kind: "test.takeover", payload: .null))
            let claimed = try await queue.claim(worker: "crashed-worker", kinds: ["test.takeover"], lease: 0.2, now: Date())
            #expect(claimed?.id == job.id)
            let tally = Tally()
            server.app.parley.jobs.register(JobHandler(kind: "test.takeover") { job, _ in await tally.record(job.id) })
            let done = try await Self.settle(job.id, in: server)
            #expect(done.status == .succeeded)
            #expect(done.attempts == 2)
            #expect(await tally.count(job.id) == 1)
            // The crashed worker coming back cannot complete or fail someone else's job.
            _ = try await queue.fail(jobID: job.id, worker: "crashed-worker", error: "late", retryAfter: 0, now: Date())
            #expect(try await queue.job(id: job.id)?.status == .succeeded)
        }
    }

    @Test func twoInstancesNeverRunAJobTwice() async throws {
        // A lease far longer than any stall of a loaded CI machine: within its lease a job is
        // one worker's alone (takeover after a lapse is the test above).
        let settings: @Sendable (inout ParleyConfiguration) -> Void = { Self.fast(&$0); $0.jobs.lease = 60 }
        try await TestServer.with(settings) { first in
            try await TestServer.with(settings, sharingDatabaseWith: first) { second in
                let tally = Tally()
                for server in [first, second] {
                    server.app.parley.jobs.register(JobHandler(kind: "test.count") { job, _ in
                        await tally.record(job.id)
                        try await Task.sleep(for: .milliseconds(10))
                    })
                }
                var ids: [UUID] = []
                for index in 0..<24 {
                    ids.append(try await (index.isMultiple(of: 2) ? first : second).app.enqueue(NewJob(kind: "test.count", payload: .number(Double(index)))).id)
                }
                for id in ids {
                    #expect(try await Self.settle(id, in: first).status == .succeeded)
                    #expect(await tally.count(id) == 1)
                }
            }
        }
    }

    @Test func dedupeKeysEnqueueOnce() async throws {
        try await TestServer.with({ $0.jobs.concurrency = 0 }) { server in
            let queue = SQLJobQueue(database: server.app.db)
            let a = try await queue.enqueue(NewJob(kind: "test.once", payload: .null, dedupeKey: "upload-42"))
            let b = try await queue.enqueue(NewJob(kind: "test.once", payload: .null, dedupeKey: "upload-42"))
            #expect(a.id == b.id)
            #expect(try await queue.claim(worker: "w", kinds: ["other"], lease: 10, now: Date()) == nil)
            #expect(try await queue.claim(worker: "w", kinds: ["test.once"], lease: 10, now: Date())?.id == a.id)
            #expect(try await queue.claim(worker: "w2", kinds: ["test.once"], lease: 10, now: Date()) == nil)
        }
    }
}
