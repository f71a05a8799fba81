import Foundation

/// One real-time event for the clients watching a topic (a conversation's public id):
/// `processing:status`, `asr:token`, `metrics:update`, ...
public struct RealtimeEvent: Sendable, Equatable, Codable {
    public var name: String
    public var data: JSONValue

    public init(name: String, data: JSONValue) {
        self.name = name
        self.data = data
    }
}

/// Carries events between processes (several `serve` instances and `parley worker`s on one
/// database), so a socket held by one instance hears what another one did.
public protocol EventRelay: Sendable {
    /// Sends an event to every other process; never blocks the caller for long.
    func send(_ event: RealtimeEvent, to topic: String) async
    /// Delivers the other processes' events until cancelled (reconnecting when needed).
    func receive(_ deliver: @escaping @Sendable (RealtimeEvent, String) -> Void) async
}
