import Foundation
import ParleyCore
import ParleyDomain
import Vapor

extension FieldIntelligence {
    /// `WS /v1/conversations/{id}/transcribe` and `/nudges`: what is heard of a conversation while
    /// its chunks arrive (segments, partial then final, with the speaker told apart by voice), and
    /// the nudges its live analysis raises, with the technician's `dismissed`/`accepted` back.
    /// Readable by the conversation's technician and whoever may read their work; five sockets
    /// per user at once.
    enum FieldSocket {
        enum Channel: Sendable { case transcription, nudges }

        static func register(on api: any RoutesBuilder, places: ConnectionPlaces, limit: Int) {
            let sockets = api.grouped("conversations").grouped(UpgradeOnly(), BearerAuthentication(), Admission(places: places, limit: limit))
            sockets.liveSocket(":conversation_id", "transcribe", admitted: { $0.storage[AdmittedKey.self] }) { socket, inbox, admitted, app, _ in
                await serve(socket, inbox: inbox, conversation: admitted, channel: .transcription, app: app)
            }
            sockets.liveSocket(":conversation_id", "nudges", admitted: { $0.storage[AdmittedKey.self] }) { socket, inbox, admitted, app, _ in
                await serve(socket, inbox: inbox, conversation: admitted, channel: .nudges, app: app)
            }
        }

        private struct AdmittedKey: StorageKey {
            typealias Value = Conversation
        }

        /// Lets a connection through to a conversation the caller may read, within five sockets a user.
        struct Admission: AsyncMiddleware {
            let places: ConnectionPlaces
            let limit: Int

            func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
                let user = try request.principal.user
                let (conversation, _) = try await request.core.fieldVisits.visit(FieldConversationRoutes.conversationID(request), visibleTo: user)
                guard let claim = places.claim("user:\(user.id)", limit: limit) else {
                    throw APIError(.tooManyRequests, code: "RATE_LIMIT_EXCEEDED", "At most \(limit) WebSocket connections per user at once",
                                   headers: ["Retry-After": "5"])
                }
                request.hold(claim)
                request.storage[AdmittedKey.self] = conversation
                return try await next.respond(to: request)
            }
        }

        static func serve(_ socket: WebSocket, inbox: AsyncStream<String>, conversation: Conversation, channel: Channel, app: Application) async {
            let context = app.parley
            let events = context.realtime.subscribe(conversation.publicID)
            // What was heard before the client connected comes first, so a late watcher misses nothing.
            if channel == .transcription {
                for turn in (try? await context.core.conversations.turns(conversationID: conversation.id)) ?? [] {
                    await send(segment(turn.segment, isFinal: true), on: socket)
                }
            } else {
                for nudge in (try? await context.core.fieldVisits.nudges(of: conversation)) ?? [] {
                    await send(nudgeMessage(LiveNudge(nudge)), on: socket)
                }
            }
            let forwarding = Task {
                for await event in events {
                    switch (channel, event) {
                    case (.transcription, .heard(let heard, let isFinal)):
                        await send(segment(heard, isFinal: isFinal), on: socket)
                    case (.nudges, .nudge(let nudge)) where nudge.id != nil:
                        await send(nudgeMessage(nudge), on: socket)
                    case (_, .processing(let state, _)):
                        await send(["type": "status", "status": state.status == "completed" ? "analyzed" : state.status, "stage": state.stage,
                                    "progress": state.progress], on: socket)
                    case (.transcription, .failure(let code, let message, _)):
                        await send(["type": "error", "code": code, "message": message], on: socket)
                    default:
                        break
                    }
                }
            }
            for await text in inbox {
                await handle(text, conversation: conversation, channel: channel, context: context, socket: socket)
            }
            forwarding.cancel()
        }

        static func handle(_ text: String, conversation: Conversation, channel: Channel, context: ParleyContext, socket: WebSocket) async {
            guard channel == .nudges else {
                await send(["type": "error", "code": "VALIDATION_ERROR", "message": "This socket only sends; nothing is read from it"], on: socket)
                return
            }
            guard let object = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) else {
                await send(["type": "error", "code": "VALIDATION_ERROR", "message": "Send JSON: {\"action\": \"dismissed\", \"nudge_id\": 567}",
                            "details": ["field": "action"]], on: socket)
                return
            }
            guard let action = object["action"]?.stringValue else {
                await send(["type": "error", "code": "VALIDATION_ERROR", "message": "action is required (dismissed or accepted)", "details": ["field": "action"]], on: socket)
                return
            }
            guard case .number(let number)? = object["nudge_id"], number == number.rounded(), abs(number) < 1e12 else {
                await send(["type": "error", "code": "VALIDATION_ERROR", "message": "nudge_id must be a nudge's number", "details": ["field": "nudge_id"]], on: socket)
                return
            }
            do {
                try await context.core.fieldVisits.act(on: Int(number), in: conversation, action: action)
                await send(["type": "nudge_action", "nudge_id": Int(number), "action": action, "recorded": true], on: socket)
            } catch {
                let apiError = APIError(from: error)
                await send(["type": "error", "code": ErrorDialect.code(for: apiError), "message": apiError.message,
                            "details": ["field": apiError.field ?? ""]], on: socket)
            }
        }

        static func segment(_ segment: TranscriptSegment, isFinal: Bool) -> [String: Any] {
            [
                "type": "transcription_segment", "segment_id": segment.id + 1, "speaker_type": FieldSpeakers.speakerType(segment.speaker),
                "text": segment.text, "start_time": ((segment.start ?? 0) * 100).rounded() / 100, "end_time": ((segment.end ?? 0) * 100).rounded() / 100,
                "is_final": isFinal, "confidence": ((segment.confidence ?? 0) * 100).rounded() / 100,
            ]
        }

        static func nudgeMessage(_ nudge: LiveNudge) -> [String: Any] {
            [
                "type": "nudge", "nudge_id": nudge.id ?? 0, "nudge_type": nudge.category, "title": nudge.title ?? nudge.category,
                "message": nudge.message, "suggested_response": nudge.suggestedResponse ?? "", "confidence": nudge.confidence ?? 0,
                "triggered_at": ((nudge.triggeredAt ?? 0) * 10).rounded() / 10,
            ]
        }

        static func send(_ message: [String: Any], on socket: WebSocket) async {
            guard let data = try? JSONSerialization.data(withJSONObject: message) else { return }
            try? await socket.send(String(decoding: data, as: UTF8.self))
        }
    }
}
