import Foundation
import ParleyCore
import ParleyDomain
import Vapor

/// The live voice protocol over a plain WebSocket, as the Sales Trainer documents it and as the
/// Voice Agents web call speaks it.
///
/// Client → server: `config` (`{sample_rate: 16000, channels: 1, format: "pcm"}`, plus
/// `interim_results: true` for partial transcripts, or `format: "text"` for typed turns),
/// `audio` (base64 16-bit little-endian PCM), `text` (a typed turn), `control` (`pause`,
/// `resume`, `end`), `playback` (`{state: "playing"|"stopped"}`, optional: the client's own
/// report of when the counterpart's audio plays, which barge-in then follows instead of the clock).
/// Server → client: `session_started`/`session_resumed`/`session_paused`/`session_ended`,
/// `ai_response`, `transcript` (what was heard), `ai_interrupted` (barge-in), `coaching`, `error`.
enum LiveVoiceProtocol {
    /// Largest audio message: two seconds of 16 kHz 16-bit mono.
    static let maxAudioBytes = 64_000

    /// Serves one live voice connection: opens the conversation (its events rendered in this
    /// protocol), then handles messages one at a time, in the order they arrive.
    static func serve(_ socket: WebSocket, inbox: AsyncStream<String>, logger: Logger,
                      ended: @escaping @Sendable (Conversation) -> [String: Any],
                      open: (@escaping @Sendable (ConversationEvent) async -> Void) async throws -> LiveConversation) async {
        let call: LiveConversation
        do {
            call = try await open { event in
                if let message = render(event, ended: ended) { await send(message, on: socket) }
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
    static func render(_ event: ConversationEvent, ended extra: (Conversation) -> [String: Any]) -> [String: Any]? {
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
            var data: [String: Any] = [
                "status": conversation.status.rawValue, "reason": reason, "duration": Int((conversation.duration ?? 0).rounded()),
            ]
            data.merge(extra(conversation)) { _, new in new }
            return ["type": "session_ended", "data": data]
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
