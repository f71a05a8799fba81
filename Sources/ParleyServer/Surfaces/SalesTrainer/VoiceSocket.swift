import Foundation
import NIOConcurrencyHelpers
import ParleyCore
import ParleyDomain
import Vapor

extension SalesTrainer {
    /// `/ws/voice/{session_id}`: the Sales Trainer's real-time protocol (`LiveVoiceProtocol`)
    /// for a practice session, admitted to its owner within the document's connection limits.
    enum VoiceSocket {
        /// Open live connections per user (the document allows 5) and sessions in use.
        static let connectionsPerUser = 5

        static func register(on root: any RoutesBuilder, app: Application) {
            let places = ConnectionPlaces()
            // Admission runs as middleware, before the upgrade: a refusal there is an ordinary HTTP
            // error response, whereas a failed `shouldUpgrade` leaves the client without an answer.
            // A request that is not an upgrade is refused before it claims anything.
            root.grouped("ws", "voice").grouped(UpgradeOnly(), BearerAuthentication(), Admission(places: places))
                .liveSocket(":session_id", admitted: { $0.storage[SessionKey.self] }) { socket, inbox, session, app, logger in
                    await serve(socket, inbox: inbox, session: session, app: app, logger: logger)
                }
        }

        /// Lets a connection through only to its owner's open session, within the limits.
        struct Admission: AsyncMiddleware {
            let places: ConnectionPlaces

            func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
                try await admit(request, places: places)
                return try await next.respond(to: request)
            }
        }

        /// Checks the caller may open this session now and reserves the connection.
        static func admit(_ request: Request, places: ConnectionPlaces) async throws {
            let principal = try request.principal
            let session = try await SessionRoutes.session(request)
            guard session.status != .completed else {
                throw APIError(.conflict, code: "SESSION_COMPLETED", "Session \(session.publicID) is already completed")
            }
            guard let user = places.claim("user:\(principal.user.id)", limit: connectionsPerUser) else {
                throw APIError(.tooManyRequests, code: "RATE_LIMIT_EXCEEDED",
                               "At most \(connectionsPerUser) voice connections at once", headers: ["Retry-After": "5"])
            }
            guard let claimed = places.claim("session:\(session.publicID)", limit: 1) else {
                user.release()
                throw APIError(.conflict, code: "SESSION_IN_USE", "Session \(session.publicID) is already connected elsewhere")
            }
            request.hold(user)
            request.hold(claimed)
            request.storage[SessionKey.self] = session
        }

        private struct SessionKey: StorageKey {
            typealias Value = Conversation
        }

        static func serve(_ socket: WebSocket, inbox: AsyncStream<String>, session: Conversation, app: Application, logger: Logger) async {
            await LiveVoiceProtocol.serve(socket, inbox: inbox, logger: logger, ended: performanceMetrics) { emit in
                try await PracticeCall.open(app: app, conversation: session, emit: emit)
            }
        }

        /// What `session_ended` carries on this surface: the practice's performance metrics.
        static func performanceMetrics(_ conversation: Conversation) -> [String: Any] {
            let metrics = conversation.analysis?.outcome
                .flatMap { try? JSONSerialization.jsonObject(with: JSONEncoder().encode(PerformanceMetricsDTO($0))) } ?? NSNull()
            return ["performance_metrics": metrics]
        }
    }
}
