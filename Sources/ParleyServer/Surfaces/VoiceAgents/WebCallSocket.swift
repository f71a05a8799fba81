import Foundation
import ParleyCore
import ParleyDomain
import Vapor

extension VoiceAgents {
    /// `/agents/{agent_id}/web-call`: talk to an agent from a browser or an app over a WebSocket,
    /// in the Sales Trainer voice socket's protocol (`LiveVoiceProtocol`: 16 kHz PCM in, the
    /// agent's speech out). The token may come as `?token=` (browsers cannot set headers on a
    /// WebSocket). Each connection is a new call log with telephony `web`.
    enum WebCallSocket {
        /// Web calls a user may have open at once.
        static let callsPerUser = 5

        static func register(on root: any RoutesBuilder) {
            let places = ConnectionPlaces()
            root.grouped("agents").grouped(UpgradeOnly(), BearerAuthentication(), Admission(places: places))
                .liveSocket(":agent_id", "web-call", admitted: { $0.storage[AdmittedKey.self] }) { socket, inbox, admitted, app, logger in
                    let core = app.parley.core
                    await LiveVoiceProtocol.serve(socket, inbox: inbox, logger: logger, ended: { call in ended(call) }) { emit in
                        try await core.webCalls.live(
                            admitted.call, agent: admitted.agent,
                            speech: LiveSpeech(recognizer: app.parley.speech.liveRecognizer, synthesizer: app.parley.speech.synthesizer),
                            wording: app.parley.prospectWording, emit: emit)
                    }
                }
        }

        struct Admitted: Sendable {
            var agent: VoiceAgent
            var call: Conversation
        }

        private struct AdmittedKey: StorageKey {
            typealias Value = Admitted
        }

        /// The caller's own active agent, within the open-call limit; the call log is made here.
        struct Admission: AsyncMiddleware {
            let places: ConnectionPlaces

            func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
                let user = try request.principal.user
                let id = try VoiceAgents.uuid(request.parameters.get("agent_id"), notFound: "AGENT_001", entity: "Agent")
                guard let claim = places.claim("user:\(user.id)", limit: callsPerUser) else {
                    throw APIError(.tooManyRequests, code: "RATE_LIMIT_EXCEEDED", "At most \(callsPerUser) web calls at once", headers: ["Retry-After": "5"])
                }
                do {
                    let (agent, call) = try await surfacing { try await request.core.webCalls.open(agentID: id, by: user) }
                    request.hold(claim)
                    request.storage[AdmittedKey.self] = Admitted(agent: agent, call: call)
                } catch {
                    claim.release()
                    throw error
                }
                return try await next.respond(to: request)
            }
        }

        /// What `session_ended` carries for a web call: its call log id, summary and sentiment.
        static func ended(_ call: Conversation) -> [String: Any] {
            let facts = call.details.agentCall
            return ["call_id": call.publicID, "summary": facts?.summary ?? NSNull(), "sentiment": facts?.sentiment ?? NSNull(),
                    "key_phrases": facts?.keyPhrases ?? []]
        }
    }
}
