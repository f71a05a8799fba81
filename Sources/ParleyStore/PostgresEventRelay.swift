import FluentPostgresDriver
import Foundation
import Logging
import ParleyDomain
import PostgresNIO

/// Real-time events between processes on one PostgreSQL database: `NOTIFY parley_events` with
/// the event as JSON, and one `LISTEN` connection per process that hands the others' events to
/// its local subscribers. An event larger than NOTIFY's 8000-byte payload stays in its process.
public final class PostgresEventRelay: EventRelay {
    static let channel = "parley_events"
    /// Who sent an event, so a process does not deliver its own events twice.
    let origin = UUID().uuidString
    let database: any Database
    let configuration: PostgresConnection.Configuration
    let logger: Logger

    struct Envelope: Codable {
        var origin: String
        var topic: String
        var event: ConversationEvent
    }

    /// Relays over the database at `url`; `database` sends the notifications.
    public init(url: String, database: any Database, logger: Logger) throws {
        configuration = try SQLPostgresConfiguration(url: url).coreConfiguration
        self.database = database
        self.logger = logger
    }

    public func send(_ event: ConversationEvent, to topic: String) async {
        guard let payload = try? String(decoding: JSONEncoder().encode(Envelope(origin: origin, topic: topic, event: event)), as: UTF8.self)
        else { return }
        guard payload.utf8.count < 8000 else {
            logger.warning("event too large to relay", metadata: ["topic": "\(topic)", "bytes": "\(payload.utf8.count)"])
            return
        }
        do {
            guard let sql = database as? any SQLDatabase else { return }
            try await sql.raw("SELECT pg_notify(\(bind: Self.channel), \(bind: payload))").run()
        } catch {
            logger.warning("event not relayed", metadata: ["topic": "\(topic)", "error": "\(String(reflecting: error))"])
        }
    }

    public func receive(_ deliver: @escaping @Sendable (ConversationEvent, String) -> Void) async {
        var pause = 1
        while !Task.isCancelled {
            do {
                let connection = try await PostgresConnection.connect(
                    on: MultiThreadedEventLoopGroup.singleton.any(), configuration: configuration, id: 1, logger: logger
                ).get()
                pause = 1
                do {
                    try await withTaskCancellationHandler {
                        try await connection.listen(on: Self.channel) { notifications in
                            for try await notification in notifications {
                                guard let envelope = try? JSONDecoder().decode(Envelope.self, from: Data(notification.payload.utf8)),
                                      envelope.origin != origin
                                else { continue }
                                deliver(envelope.event, envelope.topic)
                            }
                        }
                    } onCancel: {
                        let closing: EventLoopFuture<Void> = connection.close()
                        _ = closing
                    }
                } catch {
                    if !Task.isCancelled { logger.warning("event relay lost its connection", metadata: ["error": "\(String(reflecting: error))"]) }
                }
                try? await connection.close()
            } catch {
                logger.warning("event relay cannot connect", metadata: ["error": "\(String(reflecting: error))"])
            }
            // Reconnect with backoff; events sent meanwhile reach this process's own subscribers only.
            try? await Task.sleep(for: .seconds(pause))
            pause = min(pause * 2, 30)
        }
    }
}
