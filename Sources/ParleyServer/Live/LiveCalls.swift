import Foundation
import NIOConcurrencyHelpers
import Vapor

/// The live connections of this process, so shutdown can close them and wait until each call
/// has saved its state, before the database goes away.
public final class LiveCalls: Sendable {
    private let running = NIOLockedValueBox<[UUID: (close: @Sendable () async -> Void, task: Task<Void, Never>)]>([:])

    /// Runs `work` for `socket` and keeps track of it until it ends.
    func track(_ socket: WebSocket, _ work: @escaping @Sendable () async -> Void) {
        track(closing: { try? await socket.close(code: .goingAway) }, work)
    }

    /// Runs `work` for a connection that `close` ends, and keeps track of it until it ends.
    func track(closing close: @escaping @Sendable () async -> Void, _ work: @escaping @Sendable () async -> Void) {
        let id = UUID()
        let task = Task { [self] in
            await work()
            running.withLockedValue { _ = $0.removeValue(forKey: id) }
        }
        running.withLockedValue { $0[id] = (close, task) }
    }

    var count: Int { running.withLockedValue { $0.count } }

    /// Closes every connection and waits (up to `grace`) for the calls to finish saving.
    func closeAll(grace: Duration = .seconds(10)) async {
        let calls = running.withLockedValue { Array($0.values) }
        for call in calls { await call.close() }
        let deadline = ContinuousClock.now + grace
        for call in calls {
            while ContinuousClock.now < deadline {
                let finished = await withTaskGroup(of: Bool.self) { group in
                    group.addTask { await call.task.value; return true }
                    group.addTask { try? await Task.sleep(for: .milliseconds(100)); return false }
                    let first = await group.next() ?? false
                    group.cancelAll()
                    return first
                }
                if finished { break }
            }
        }
    }
}

/// Closes live calls first at shutdown.
struct LiveCallsLifecycle: LifecycleHandler {
    func shutdownAsync(_ application: Application) async {
        await application.parley.liveCalls.closeAll()
    }
}
