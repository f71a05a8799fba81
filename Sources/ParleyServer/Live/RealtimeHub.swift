import Foundation
import NIOConcurrencyHelpers
import ParleyDomain

/// Fans events out to the subscribers of a topic (a session id): this process's directly, and,
/// with a relay (PostgreSQL `LISTEN/NOTIFY`), every other instance's and worker's too.
/// Publishing never waits: a slow subscriber keeps only its newest events.
public final class RealtimeHub: Sendable {
    private let subscribers = NIOLockedValueBox<[String: [UUID: AsyncStream<ConversationEvent>.Continuation]]>([:])
    private let relay: (any EventRelay)?
    private let receiving = NIOLockedValueBox<Task<Void, Never>?>(nil)

    public init(relay: (any EventRelay)? = nil) {
        self.relay = relay
    }

    /// Starts delivering other processes' events to this process's subscribers.
    func startReceiving() {
        guard let relay else { return }
        receiving.withLockedValue { task in
            guard task == nil else { return }
            // The hub lives as long as the application; the task ends at shutdown.
            task = Task { [self] in
                await relay.receive { event, topic in self.deliver(event, to: topic) }
            }
        }
    }

    func stopReceiving() {
        receiving.withLockedValue { $0?.cancel(); $0 = nil }
    }

    /// Events published to `topic` from now on, until the stream's consumer goes away.
    public func subscribe(_ topic: String) -> AsyncStream<ConversationEvent> {
        let id = UUID()
        let (stream, continuation) = AsyncStream<ConversationEvent>.makeStream(bufferingPolicy: .bufferingNewest(512))
        continuation.onTermination = { [weak self] _ in
            self?.subscribers.withLockedValue { all in
                all[topic]?[id] = nil
                if all[topic]?.isEmpty == true { all[topic] = nil }
            }
        }
        subscribers.withLockedValue { $0[topic, default: [:]][id] = continuation }
        return stream
    }

    public func publish(_ event: ConversationEvent, to topic: String) {
        deliver(event, to: topic)
        if let relay { Task { await relay.send(event, to: topic) } }
    }

    private func deliver(_ event: ConversationEvent, to topic: String) {
        let targets = subscribers.withLockedValue { Array(($0[topic] ?? [:]).values) }
        for target in targets { target.yield(event) }
    }

    /// How many subscribers a topic has (tests and metrics).
    public func subscriberCount(_ topic: String) -> Int {
        subscribers.withLockedValue { $0[topic]?.count ?? 0 }
    }
}
