import Foundation
import NIOConcurrencyHelpers
import ParleyCore
import ParleyDomain
import Vapor

extension SalesTrainer {
    /// `/ws/voice/{session_id}`: the Sales Trainer's real-time protocol over a plain WebSocket.
    ///
    /// Client → server: `config` (`{sample_rate: 16000, channels: 1, format: "pcm"}`, plus
    /// `interim_results: true` for partial transcripts, or `format: "text"` for typed practice),
    /// `audio` (base64 16-bit little-endian PCM), `text` (a typed turn), `control` (`pause`,
    /// `resume`, `end`), `playback` (`{state: "playing"|"stopped"}`, optional: the client's own
    /// report of when the prospect's audio plays, which barge-in then follows instead of the clock).
    /// Server → client: `session_started`/`session_resumed`/`session_paused`/`session_ended`,
    /// `ai_response`, `transcript` (what was heard), `ai_interrupted` (barge-in), `coaching`, `error`.
    enum VoiceSocket {
        /// Open live connections per user (the document allows 5) and sessions in use.
        static let connectionsPerUser = 5

        /// Largest audio message: two seconds of 16 kHz 16-bit mono.
        static let maxAudioBytes = 64_000

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

        /// Messages are handled one at a time, in the order they arrive.
        static func serve(_ socket: WebSocket, inbox: AsyncStream<String>, session: Conversation, app: Application, logger: Logger) async {
            let call: LiveConversation
            do {
                call = try await PracticeCall.open(app: app, conversation: session) { event in
                    if let message = render(event) { await send(message, on: socket) }
                }
            } catch {
                let apiError = APIError(from: error)
                await send(errorMessage(apiError.code, apiError.message, retry: false), on: socket)
                try? await socket.close(code: .unexpectedServerError)
                return
            }
            for await text in inbox {
                do {
                    if try await handle(text, call: call, socket: socket) == .stop { break }
                } catch {
                    let apiError = APIError(from: error)
                    logger.warning("voice message failed", metadata: ["error": "\(error)"])
                    await send(errorMessage(apiError.code == "INTERNAL_ERROR" ? "AUDIO_PROCESSING_ERROR" : apiError.code,
                                            apiError.message, retry: true), on: socket)
                }
            }
            await call.disconnected()
        }

        enum Next { case carryOn, stop }

        static func handle(_ text: String, call: LiveConversation, socket: WebSocket) async throws -> Next {
            guard let message = VoiceClientMessage.decode(text) else {
                await send(errorMessage("INVALID_MESSAGE", "Send JSON objects with a 'type' field", retry: true), on: socket)
                return .carryOn
            }
            let status = await call.status
            if status == .completed, !message.isControl {
                await send(errorMessage("SESSION_COMPLETED", "This session has ended; start a new one", retry: false), on: socket)
                return .carryOn
            }
            if await call.timeIsUp, status == .active {
                try await call.end(reason: "time_limit")
                return .carryOn
            }
            func refuse(_ code: String, _ text: String) async -> Next {
                await send(errorMessage(code, text, retry: true), on: socket)
                return .carryOn
            }
            switch message {
            case .config(let config):
                if config.format == "text" {
                    try await call.start(listening: false)
                    return .carryOn
                }
                guard ["pcm", "pcm_s16le", "linear16"].contains(config.format), config.sampleRate == 16_000, config.channels == 1 else {
                    return await refuse("INVALID_AUDIO_FORMAT",
                                        "Unsupported audio format: use PCM 16kHz mono ({\"sample_rate\": 16000, \"channels\": 1, \"format\": \"pcm\"})")
                }
                guard config.interimResults != .invalid else {
                    return await refuse("INVALID_MESSAGE", "config.interim_results must be true or false")
                }
                try await call.start(listening: true, partials: config.interimResults == .on)
            case .audio(let encoded):
                guard await call.started else { return await refuse("CONFIG_REQUIRED", "Send a 'config' message before audio") }
                guard status == .active else { return await refuse("SESSION_PAUSED", "The session is paused; resume it first") }
                guard let encoded, let bytes = Data(base64Encoded: encoded), bytes.count % 2 == 0 else {
                    return await refuse("INVALID_AUDIO_FORMAT", "Audio data must be base64-encoded 16-bit PCM")
                }
                guard bytes.count <= maxAudioBytes else {
                    return await refuse("AUDIO_FRAME_TOO_LARGE", "Send audio in frames of at most \(maxAudioBytes) bytes (2 s)")
                }
                await call.hear(pcm16ToFloats(bytes))
            case .text(let raw):
                guard await call.started else { return await refuse("CONFIG_REQUIRED", "Send a 'config' message first") }
                guard status == .active else { return await refuse("SESSION_PAUSED", "The session is paused; resume it first") }
                guard let said = raw?.trimmingCharacters(in: .whitespacesAndNewlines), !said.isEmpty, said.count <= 2000,
                      !AccountRules.containsControlCharacters(said)
                else { return await refuse("INVALID_MESSAGE", "A text message needs 'data' with 1 to 2000 characters") }
                try await call.repSaid(said)
            case .playback(let state):
                // A client may say when it plays the prospect's audio (and when that stops), so
                // barge-in follows what the rep hears rather than an estimate of it.
                switch state {
                case "playing": await call.playback(playing: true)
                case "stopped": await call.playback(playing: false)
                default: return await refuse("INVALID_MESSAGE", "playback.data.state must be playing or stopped")
                }
            case .control(let action):
                switch action {
                case "pause": try await call.pause()
                case "resume": try await call.resume()
                case "end":
                    try await call.end(reason: "ended_by_user")
                    try? await socket.close(code: .normalClosure)
                    return .stop
                default: return await refuse("INVALID_MESSAGE", "control.action must be pause, resume or end")
                }
            case .unknown(let type):
                return await refuse("UNKNOWN_MESSAGE_TYPE", "Unknown message type '\(type)'; use config, audio, text, playback or control")
            }
            return .carryOn
        }

        static func pcm16ToFloats(_ bytes: Data) -> [Float] {
            bytes.withUnsafeBytes { raw in
                (0..<(bytes.count / 2)).map { Float(Int16(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 2, as: Int16.self))) / 32768 }
            }
        }

        // MARK: rendering

        /// A conversation event in this surface's protocol; nil for events it does not show.
        static func render(_ event: ConversationEvent) -> [String: Any]? {
            switch event {
            case .started(let resumed):
                return ["type": resumed ? "session_resumed" : "session_started", "data": ["status": "active"]]
            case .heard(let segment, let isFinal):
                return ["type": "transcript", "data": ["speaker": "user", "text": segment.text, "is_final": isFinal]]
            case .said(let line, let audio):
                return ["type": "ai_response", "data": [
                    "text": line.text, "audio": audio.map { $0.base64EncodedString() } ?? NSNull(), "audio_format": "wav",
                    "sentiment": line.sentiment ?? "neutral", "intent": line.intent ?? "", "stage": line.stage ?? "",
                ] as [String: Any]]
            case .interrupted:
                return ["type": "ai_interrupted", "data": ["reason": "the rep started speaking"]]
            case .nudge(let nudge):
                return ["type": "coaching", "data": ["message": nudge.message, "category": nudge.category, "urgency": nudge.urgency]]
            case .paused:
                return ["type": "session_paused", "data": ["status": "paused"]]
            case .resumed:
                return ["type": "session_resumed", "data": ["status": "active"]]
            case .ended(let reason, let conversation):
                let metrics = conversation.analysis?.outcome
                    .flatMap { try? JSONSerialization.jsonObject(with: JSONEncoder().encode(PerformanceMetricsDTO($0))) } ?? NSNull()
                return ["type": "session_ended", "data": [
                    "status": conversation.status.rawValue, "reason": reason, "duration": Int((conversation.duration ?? 0).rounded()),
                    "performance_metrics": metrics,
                ] as [String: Any]]
            case .failure(let code, let message, let retry):
                return errorMessage(code, message, retry: retry)
            case .delivery, .processing:
                return nil
            }
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
