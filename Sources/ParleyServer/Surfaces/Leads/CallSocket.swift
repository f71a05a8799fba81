import Foundation
import NIOConcurrencyHelpers
import ParleyCore
import ParleyDomain
import ParleyIntelligence
import Vapor

extension LeadsAndCalls {
    /// `/api/v1/voice/calls/{call_id}/realtime`: a call spoken live over a plain WebSocket, on the
    /// same `LiveConversation` as the Sales Trainer's voice socket, with the AI caller as counterpart.
    ///
    /// Client → server (flat JSON, as the document's examples): `audio_chunk` (`data`: base64 16 kHz
    /// mono 16-bit little-endian PCM), `text_input` (`text`), `playback` (`state`: `playing`|`stopped`,
    /// optional: barge-in then follows the client's playback), `end_call` (`reason`, optional).
    /// Server → client: `call_started`/`call_resumed`, `ai_response` (`text`, `audio` base64 WAV,
    /// `analysis`, `conversation_state`, `should_continue`), `transcript` (what the customer said),
    /// `state_change` (`conversation_state`), `ai_interrupted` (barge-in), `call_ended` (`reason`,
    /// `summary`), `error` (`error_code`, `message`, `retry_allowed`).
    enum CallSocket {
        /// Open realtime call connections per user.
        static let connectionsPerUser = 5
        /// Largest audio message: two seconds of 16 kHz 16-bit mono.
        static let maxAudioBytes = 64_000

        static func register(on api: any RoutesBuilder, places: ConnectionPlaces) {
            api.grouped("voice", "calls").grouped(UpgradeOnly(), BearerAuthentication(), Admission(places: places))
                .liveSocket(":call_id", "realtime", admitted: { $0.storage[AdmittedKey.self] }) { socket, inbox, admitted, app, logger in
                    await serve(socket, inbox: inbox, admitted: admitted, core: app.parley.core, app: app, logger: logger)
                }
        }

        /// What admission found: the call and its lead.
        struct Admitted: Sendable {
            var call: Conversation
            var lead: Lead
        }

        private struct AdmittedKey: StorageKey {
            typealias Value = Admitted
        }

        /// Lets a connection through only to an ongoing call of the caller's organization whose lead
        /// may be called, within the limits; refusals are ordinary HTTP errors, before the upgrade.
        struct Admission: AsyncMiddleware {
            let places: ConnectionPlaces

            func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
                let user = try request.principal.user
                let call = try await request.core.calls.call(publicID: CallRoutes.callID(request), organizationID: user.organizationID)
                if call.status.isFinal, call.status != .abandoned { throw APIError(CallRefusal.ended(call: call.publicID)) }
                let lead = try await CallRoutes.refusing {
                    call.status == .created ? try await request.core.calls.callableLead(of: call)
                        : try await request.core.leads.lead(publicID: call.details.call?.leadPublicID ?? "", organizationID: user.organizationID)
                }
                guard let perUser = places.claim("user:\(user.id)", limit: connectionsPerUser) else {
                    throw APIError(.tooManyRequests, code: "RATE_LIMIT_EXCEEDED", "At most \(connectionsPerUser) realtime calls at once",
                                   headers: ["Retry-After": "5"])
                }
                guard let claimed = places.claim("call:\(call.publicID)", limit: 1) else {
                    perUser.release()
                    throw APIError(.conflict, code: "CALL_IN_USE", "Call \(call.publicID) is already connected or being worked elsewhere")
                }
                request.hold(perUser)
                request.hold(claimed)
                request.storage[AdmittedKey.self] = Admitted(call: call, lead: lead)
                return try await next.respond(to: request)
            }
        }

        static func serve(_ socket: WebSocket, inbox: AsyncStream<String>, admitted: Admitted, core: CoreServices, app: Application, logger: Logger) async {
            let states = StateWatch()
            let live: LiveConversation
            do {
                live = try await core.calls.live(
                    admitted.call, lead: admitted.lead,
                    speech: LiveSpeech(recognizer: app.parley.speech.liveRecognizer, synthesizer: app.parley.speech.synthesizer),
                    wording: app.parley.prospectWording,
                    emit: { event in
                        for message in render(event, states: states, caller: { core.calls.caller(of: $0) }) { await send(message, on: socket) }
                    })
                try await live.start(listening: true)
                if admitted.call.status == .created { try await core.calls.announceStart(admitted.call, lead: admitted.lead) }
            } catch {
                let apiError = APIError(from: error)
                await send(errorMessage(apiError.code, apiError.message, retry: false), on: socket)
                try? await socket.close(code: .unexpectedServerError)
                return
            }
            for await text in inbox {
                do {
                    if try await handle(text, live: live, socket: socket) == .stop { break }
                } catch {
                    let apiError = APIError(from: error)
                    logger.warning("call message failed", metadata: ["error": "\(error)"])
                    await send(errorMessage(apiError.code == "INTERNAL_ERROR" ? "AUDIO_PROCESSING_ERROR" : apiError.code, apiError.message, retry: true), on: socket)
                }
            }
            await live.disconnected()
        }

        enum Next { case carryOn, stop }

        static func handle(_ text: String, live: LiveConversation, socket: WebSocket) async throws -> Next {
            guard let object = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)), let type = object["type"]?.stringValue else {
                await send(errorMessage("INVALID_MESSAGE", "Send JSON objects with a 'type' field", retry: true), on: socket)
                return .carryOn
            }
            func refuse(_ code: String, _ text: String, retry: Bool = true) async -> Next {
                await send(errorMessage(code, text, retry: retry), on: socket)
                return .carryOn
            }
            if await live.status.isFinal {
                return await refuse("CALL_ENDED", "This call has ended; create a new call", retry: false)
            }
            switch type {
            case "audio_chunk":
                guard let encoded = object["data"]?.stringValue, let bytes = Data(base64Encoded: encoded), bytes.count % 2 == 0 else {
                    return await refuse("INVALID_AUDIO_FORMAT", "audio_chunk.data must be base64-encoded 16 kHz mono 16-bit PCM")
                }
                guard bytes.count <= maxAudioBytes else {
                    return await refuse("AUDIO_FRAME_TOO_LARGE", "Send audio in chunks of at most \(maxAudioBytes) bytes (2 s)")
                }
                await live.hear(pcm16ToFloats(bytes))
            case "text_input":
                guard let said = (object["text"] ?? object["data"])?.stringValue?.trimmingCharacters(in: .whitespacesAndNewlines), !said.isEmpty,
                      said.count <= 5_000, !AccountRules.containsControlCharacters(said)
                else { return await refuse("INVALID_MESSAGE", "text_input needs 'text' with 1 to 5000 characters") }
                try await live.repSaid(said)
            case "playback":
                switch object["state"]?.stringValue ?? object["data"]?["state"]?.stringValue {
                case "playing": await live.playback(playing: true)
                case "stopped": await live.playback(playing: false)
                default: return await refuse("INVALID_MESSAGE", "playback.state must be playing or stopped")
                }
            case "end_call":
                let reason = object["reason"]?.stringValue.map { String($0.prefix(64)) } ?? "completed"
                try await live.end(reason: reason)
                try? await socket.close(code: .normalClosure)
                return .stop
            default:
                return await refuse("UNKNOWN_MESSAGE_TYPE", "Unknown message type '\(type)'; use audio_chunk, text_input, playback or end_call")
            }
            return .carryOn
        }

        static func pcm16ToFloats(_ bytes: Data) -> [Float] {
            bytes.withUnsafeBytes { raw in
                (0..<(bytes.count / 2)).map { Float(Int16(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 2, as: Int16.self))) / 32768 }
            }
        }

        // MARK: rendering

        /// The last conversation state told to the client, so `state_change` comes only on a change.
        final class StateWatch: Sendable {
            private let state = NIOLockedValueBox<String?>(nil)

            /// True when `new` differs from the last state told.
            func moved(to new: String) -> Bool {
                state.withLockedValue { state in
                    defer { state = new }
                    return state != nil && state != new
                }
            }
        }

        /// A conversation event in this socket's protocol (none, one or two messages).
        static func render(_ event: ConversationEvent, states: StateWatch, caller: (Conversation) -> AICaller?) -> [[String: Any]] {
            switch event {
            case .started(let resumed):
                return [["type": resumed ? "call_resumed" : "call_started", "status": "in_progress"]]
            case .heard(let segment, let isFinal):
                return [["type": "transcript", "speaker": "customer", "text": segment.text, "is_final": isFinal]]
            case .said(let line, let audio):
                let state = line.stage ?? "greeting"
                var messages: [[String: Any]] = [[
                    "type": "ai_response", "text": line.text, "audio": audio.map { $0.base64EncodedString() } ?? NSNull(), "audio_format": "wav",
                    "analysis": json(CallJSON.analysis(line.reading)), "conversation_state": state, "should_continue": !line.endsConversation,
                ]]
                if states.moved(to: state) { messages.append(["type": "state_change", "conversation_state": state]) }
                return messages
            case .interrupted:
                return [["type": "ai_interrupted", "reason": "the customer started speaking"]]
            case .ended(let reason, let call):
                return [["type": "call_ended", "call_id": call.publicID, "status": CallJSON.status(call.status), "reason": reason,
                         "summary": json(CallJSON.summary(call, caller: caller(call)))]]
            case .failure(let code, let message, let retry):
                return [errorMessage(code, message, retry: retry)]
            case .paused, .resumed, .nudge, .delivery, .processing:
                return []
            }
        }

        static func json(_ value: JSONValue) -> Any {
            (try? JSONSerialization.jsonObject(with: JSONEncoder().encode(value), options: .fragmentsAllowed)) ?? NSNull()
        }

        static func errorMessage(_ code: String, _ message: String, retry: Bool) -> [String: Any] {
            ["type": "error", "error_code": code, "message": message, "retry_allowed": retry]
        }

        static func send(_ message: [String: Any], on socket: WebSocket) async {
            guard let data = try? JSONSerialization.data(withJSONObject: message) else { return }
            try? await socket.send(String(decoding: data, as: UTF8.self))
        }
    }
}
