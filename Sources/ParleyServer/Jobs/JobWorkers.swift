import Foundation
import NIOConcurrencyHelpers
import ParleyDomain
import ParleyStore
import Vapor

/// Code that performs one kind of job. It must be idempotent: after a crash the same job
/// runs again, so it checks what is already done before doing it. It reaches the application
/// through its context (use cases, engines, configuration), never through Vapor's `Application`.
public struct JobHandler: Sendable {
    /// Which runners take a job: short work shares the general runners; a call holds its
    /// runner for minutes, so calls have runners of their own and never starve uploads.
    public enum Lane: String, Sendable {
        case general, calls
    }

    public let kind: String
    public let lane: Lane
    public let run: @Sendable (Job, ParleyContext) async throws -> Void

    public init(kind: String, lane: Lane = .general, run: @escaping @Sendable (Job, ParleyContext) async throws -> Void) {
        self.kind = kind
        self.lane = lane
        self.run = run
    }
}

/// How the in-process workers behave (`PARLEY_WORKERS`, `PARLEY_JOB_LEASE`, …).
public struct JobWorkerSettings: Sendable {
    /// Concurrent jobs this process runs; 0 leaves all work to `parley worker` processes.
    public var concurrency: Int = 2
    /// Concurrent calls this process carries (`PARLEY_CALL_WORKERS`); each campaign's own
    /// limit is held across all processes by the dialler.
    public var callConcurrency: Int = 20
    /// Seconds a claimed job stays this worker's without a renewal.
    public var lease: TimeInterval = 60
    /// Seconds between polls when the queue is empty.
    public var pollInterval: TimeInterval = 0.5
    /// First retry delay; doubles with each attempt, capped at five minutes.
    public var retryBase: TimeInterval = 2

    public init() {}

    func retryDelay(afterAttempt attempt: Int) -> TimeInterval {
        min(300, retryBase * pow(2, Double(max(0, attempt - 1))))
    }
}

/// The job handlers of this process and the runners that claim and perform jobs.
public final class JobWorkers: Sendable {
    private let handlers = NIOLockedValueBox<[String: JobHandler]>([:])
    private let runners = NIOLockedValueBox<[Task<Void, Never>]>([])
    /// Calls in progress on this process, by job.
    private let calls = NIOLockedValueBox<[UUID: Task<Void, Never>]>([:])
    private let doorbell = NIOLockedValueBox(false)
    let settings: JobWorkerSettings
    public let workerID = "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier):\(UUID().uuidString.prefix(6))"

    init(settings: JobWorkerSettings) {
        self.settings = settings
    }

    /// Adds the handler for a job kind; only registered kinds are claimed by this process.
    public func register(_ handler: JobHandler) {
        handlers.withLockedValue { $0[handler.kind] = handler }
        ring()
    }

    /// Tells idle runners to look at the queue now rather than at their next poll.
    public func ring() {
        doorbell.withLockedValue { $0 = true }
    }

    /// Starts `count` general runners (the configured concurrency by default) and the call runners.
    public func start(_ app: Application, count: Int? = nil, calls: Int? = nil) {
        let general = (0..<max(0, count ?? settings.concurrency)).map { slot in
            Task { [self] in await run(app, slot: slot, lane: .general) }
        }
        // Calls: one runner claims and carries up to `calls` at once (a call mostly waits on
        // speech engines and the line), instead of that many runners polling the queue.
        let limit = max(0, calls ?? settings.callConcurrency)
        let callers = limit == 0 ? [] : [Task { [self] in await carry(app, limit: limit) }]
        runners.withLockedValue { $0 += general + callers }
    }

    private func carry(_ app: Application, limit: Int) async {
        let worker = "\(workerID)#calls"
        let logger = Logger(label: "parley.jobs")
        while !Task.isCancelled {
            let kinds = handlers.withLockedValue { $0.values.filter { $0.lane == .calls }.map(\.kind) }
            // Dials are queued by ticks that ring the doorbell, so this runner can look less often.
            guard !kinds.isEmpty, calls.withLockedValue({ $0.count }) < limit else {
                await idle(atLeast: 1)
                continue
            }
            do {
                guard let job = try await SQLJobQueue(database: app.db).claim(worker: worker, kinds: kinds, lease: settings.lease, now: Date()) else {
                    await idle(atLeast: 1)
                    continue
                }
                let id = job.id
                // The call's task removes itself when done and wakes the runner for the next one;
                // it is made under the lock, so it cannot remove itself before it is entered.
                calls.withLockedValue { calls in
                    calls[id] = Task { [self] in
                        await perform(job, worker: worker, app: app, logger: logger)
                        _ = self.calls.withLockedValue { $0.removeValue(forKey: id) }
                        ring()
                    }
                }
            } catch {
                if Task.isCancelled { break }
                logger.warning("job queue unavailable; retrying", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// Stops claiming; jobs in progress get `grace` seconds, then their leases lapse for others.
    public func stop(grace: TimeInterval = 10) async {
        let tasks = runners.withLockedValue { tasks in
            defer { tasks = [] }
            return tasks
        } + calls.withLockedValue { Array($0.values) }
        for task in tasks { task.cancel() }
        let deadline = ContinuousClock.now + .seconds(grace)
        for task in tasks {
            while !Task.isCancelled, ContinuousClock.now < deadline {
                if await withTaskGroup(of: Bool.self, body: { group in
                    group.addTask { await task.value; return true }
                    group.addTask { try? await Task.sleep(for: .milliseconds(100)); return false }
                    let first = await group.next() ?? false
                    group.cancelAll()
                    return first
                }) { break }
            }
        }
    }

    private func run(_ app: Application, slot: Int, lane: JobHandler.Lane) async {
        // (The calls lane has its own runner: `carry`.)
        let worker = "\(workerID)#\(slot)"
        let logger = Logger(label: "parley.jobs")
        while !Task.isCancelled {
            let kinds = handlers.withLockedValue { $0.values.filter { $0.lane == lane }.map(\.kind) }
            do {
                guard !kinds.isEmpty,
                      let job = try await SQLJobQueue(database: app.db).claim(worker: worker, kinds: kinds, lease: settings.lease, now: Date())
                else {
                    await idle()
                    continue
                }
                await perform(job, worker: worker, app: app, logger: logger)
            } catch {
                if Task.isCancelled { break }
                logger.warning("job queue unavailable; retrying", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    private func perform(_ job: Job, worker: String, app: Application, logger: Logger) async {
        guard let handler = handlers.withLockedValue({ $0[job.kind] }) else { return }
        let queue = SQLJobQueue(database: app.db)
        let lease = settings.lease
        // Keep the lease while the handler works, so no other worker takes the job over.
        let renewal = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(max(0.05, lease / 3)))
                if Task.isCancelled { break }
                _ = try? await queue.renewLease(jobID: job.id, worker: worker, lease: lease, now: Date())
            }
        }
        defer { renewal.cancel() }
        do {
            try await handler.run(job, app.parley)
            try await queue.complete(jobID: job.id, worker: worker, now: Date())
            logger.debug("job done", metadata: ["kind": "\(job.kind)", "job": "\(job.id)"])
        } catch {
            let delay = settings.retryDelay(afterAttempt: job.attempts)
            let status = (try? await queue.fail(jobID: job.id, worker: worker, error: String(describing: error), retryAfter: delay, now: Date())) ?? .failed
            logger.warning("job failed", metadata: [
                "kind": "\(job.kind)", "job": "\(job.id)", "attempt": "\(job.attempts)", "next": "\(status == .queued ? "retry in \(delay)s" : "gave up")",
                "error": "\(error)",
            ])
        }
    }

    /// Waits for the doorbell or the poll interval (`at least` longer for a runner that can wait).
    private func idle(atLeast minimum: TimeInterval = 0) async {
        let steps = max(1, Int(max(settings.pollInterval, minimum) / 0.025))
        for _ in 0..<steps {
            if Task.isCancelled || doorbell.withLockedValue({ rung in defer { rung = false }; return rung }) { return }
            try? await Task.sleep(for: .milliseconds(25))
        }
    }
}

/// Starts the in-process runners when the application boots and stops them at shutdown.
struct JobWorkersLifecycle: LifecycleHandler {
    func didBootAsync(_ application: Application) async throws {
        application.parley.jobs.start(application)
    }

    func shutdownAsync(_ application: Application) async {
        await application.parley.jobs.stop()
    }
}

extension Application {
    /// Adds a job to the durable queue and wakes this process's idle runners.
    public func enqueue(_ job: NewJob) async throws -> Job {
        let stored = try await SQLJobQueue(database: db).enqueue(job)
        parley.jobs.ring()
        return stored
    }
}
