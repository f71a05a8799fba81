import Foundation
import NIOConcurrencyHelpers
import ParleyDomain

/// One real-time event for the clients watching a topic (`asr:token`, `metrics:update`, ...).
public struct RealtimeEvent: Sendable, Equatable {
    public var name: String
    public var data: JSONValue

    public init(name: String, data: JSONValue) {
        self.name = name
        self.data = data
    }
}

/// Fans events out to this process's subscribers of a topic (a session id). Publishing never
/// waits: a slow subscriber keeps only its newest events.
public final class RealtimeHub: Sendable {
    private let subscribers = NIOLockedValueBox<[String: [UUID: AsyncStream<RealtimeEvent>.Continuation]]>([:])

    public init() {}

    /// Events published to `topic` from now on, until the stream's consumer goes away.
    public func subscribe(_ topic: String) -> AsyncStream<RealtimeEvent> {
        let id = UUID()
        let (stream, continuation) = AsyncStream<RealtimeEvent>.makeStream(bufferingPolicy: .bufferingNewest(512))
        continuation.onTermination = { [weak self] _ in
            self?.subscribers.withLockedValue { all in
                all[topic]?[id] = nil
                if all[topic]?.isEmpty == true { all[topic] = nil }
            }
        }
        subscribers.withLockedValue { $0[topic, default: [:]][id] = continuation }
        return stream
    }

    public func publish(_ event: RealtimeEvent, to topic: String) {
        let targets = subscribers.withLockedValue { Array(($0[topic] ?? [:]).values) }
        for target in targets { target.yield(event) }
    }

    /// How many subscribers a topic has (tests and metrics).
    public func subscriberCount(_ topic: String) -> Int {
        subscribers.withLockedValue { $0[topic]?.count ?? 0 }
    }
}
