import Foundation
import ParleyAudio
import ParleyCore
import ParleyDomain
import Vapor

extension SpeechCoaching {
    /// Socket.IO namespace `/sessions/{id}`: processing events (`processing:status`, `asr:token`,
    /// `metrics:update`) as `{type, data}`, and live recording: `audio:start` ({sampleRate, encoding:
    /// `pcm16`|`float32`}), `audio` chunks (binary or base64), `audio:end`. The recording becomes the
    /// session's media and goes through the same pipeline as an upload.
    struct CoachingSessionNamespace: SocketIONamespaceHandler {
        static let prefix = "/sessions/"

        func serves(_ namespace: String) -> Bool { namespace.hasPrefix(Self.prefix) }

        func connect(namespace: String, principal: Principal, request: Request) async throws -> any SocketIONamespaceSession {
            let id = String(namespace.dropFirst(Self.prefix.count))
            let user = principal.user
            guard let conversation = try await request.application.parley.core.conversations
                .conversation(publicID: id, organizationID: user.organizationID), conversation.kind == .coaching
            else { throw APIError.notFound("NOT_FOUND", "Session \(id) not found") }
            try await request.authorize(.read, ownerID: conversation.userID, "Session \(id)", as: user)
            // A supervisor may watch a rep's session but not record into it.
            let mayRecord = user.id == conversation.userID || user.role == .admin
            return CoachingLiveSession(app: request.application, conversation: conversation, mayRecord: mayRecord)
        }
    }

    /// One client in a session's namespace.
    actor CoachingLiveSession: SocketIONamespaceSession {
        let app: Application
        var conversation: Conversation
        private var forwarding: Task<Void, Never>?
        private var recording: LiveRecording?
        /// The live pipeline: recognition and delivery measured as the audio comes, told to watchers.
        private var listening: LiveConversation?
        /// Whether this client may record into the session (its owner or an admin), not only watch.
        let mayRecord: Bool

        init(app: Application, conversation: Conversation, mayRecord: Bool) {
            self.app = app
            self.conversation = conversation
            self.mayRecord = mayRecord
        }

        var topic: String { conversation.publicID }

        func start(emit: @escaping @Sendable (String, JSONValue) async -> Void) async {
            let events = app.parley.realtime.subscribe(topic)
            forwarding = Task {
                for await event in events {
                    for (name, data) in CoachingEvents.render(event) {
                        await emit(name, .object(["type": .string(name), "data": data]))
                    }
                }
            }
            if var state = conversation.details.processing {
                // Where processing stood when the client joined (its reason, if failed, is in the session).
                state.error = nil
                state.estimatedTime = state.estimatedTime ?? 0
                for (name, data) in CoachingEvents.render(.processing(state, score: nil)) {
                    await emit(name, .object(["type": .string(name), "data": data]))
                }
            }
        }

        func handle(event: String, arguments: [JSONValue]) async -> JSONValue {
            do {
                switch event {
                case "audio:start":
                    guard mayRecord else { throw APIError.insufficientPermissions("Only the session's owner records into it") }
                    try await begin(arguments.first ?? .null)
                    return .object(["ok": .bool(true), "sampleRate": .number(Double(PCMAudio.analysisSampleRate))])
                case "audio", "audio:chunk":
                    guard let recording else { throw APIError.validation("audio", "send audio:start before audio") }
                    guard let bytes = arguments.first?.binaryData else { throw APIError.validation("audio", "must be binary PCM or base64") }
                    let samples = try recording.append(bytes)
                    await listening?.hear(samples)
                    return .object(["ok": .bool(true), "seconds": .number(recording.seconds)])
                case "audio:end", "audio:stop":
                    let upload = try await finish()
                    return .object(["ok": .bool(true), "uploadId": .string(upload)])
                default:
                    throw APIError.validation("event", "unknown event '\(event)'; send audio:start, audio, audio:end")
                }
            } catch {
                let apiError = APIError(from: error)
                return .object(["ok": .bool(false), "error": .object([
                    "code": .string(CoachingErrorCodes.code(for: apiError)), "message": .string(apiError.message),
                ])])
            }
        }

        func close() async {
            forwarding?.cancel()
            // A dropped connection keeps what was recorded: it is processed like a finished recording.
            if recording != nil { _ = try? await finish() }
        }

        private func begin(_ options: JSONValue) async throws {
            guard recording == nil else { throw APIError.validation("audio:start", "a recording is already in progress") }
            let log = app.parley.core.conversations
            guard let fresh = try await log.conversation(publicID: conversation.publicID, organizationID: conversation.organizationID) else {
                throw APIError.notFound("NOT_FOUND", "Session \(conversation.publicID) not found")
            }
            conversation = fresh
            guard conversation.status == .created || conversation.status == .failed else {
                throw APIError(.conflict, code: "VALIDATION_ERROR", "Session \(conversation.publicID) already has media (\(conversation.status.rawValue))")
            }
            let rate = options["sampleRate"]?.doubleValue.map(Int.init) ?? PCMAudio.analysisSampleRate
            guard (8_000...48_000).contains(rate) else { throw APIError.validation("sampleRate", "must be between 8000 and 48000") }
            let encoding = options["encoding"]?.stringValue ?? "pcm16"
            guard encoding == "pcm16" || encoding == "float32" else { throw APIError.validation("encoding", "must be pcm16 or float32") }
            conversation.status = .active
            conversation.startedAt = Date()
            try await log.updateConversation(conversation)
            recording = try LiveRecording(
                dataDirectory: app.parley.configuration.dataDirectory, conversation: conversation, sampleRate: rate, float: encoding == "float32",
                limit: app.parley.configuration.maxUploadSize)
            let hub = app.parley.realtime
            let topic = topic
            let live = LiveConversation(
                conversation: conversation, counterpart: nil, turnsSoFar: 0, log: app.parley.core.conversations,
                speech: LiveSpeech(recognizer: app.parley.speech.liveRecognizer, synthesizer: app.parley.speech.synthesizer),
                settings: LiveSettings(measuresDelivery: true, storesTurns: false)
            ) { event in
                switch event {
                case .heard, .delivery:
                    hub.publish(event, to: topic)
                case .failure(_, let message, _):
                    hub.publish(.processing(ProcessingState(
                        uploadId: "", stage: "live", progress: 0, status: "degraded",
                        error: "live recognition is unavailable: \(message); the recording is still kept", estimatedTime: nil, updatedAt: Date()),
                        score: nil), to: topic)
                default:
                    break
                }
            }
            await live.listen(partials: true)
            listening = live
        }

        /// Closes the recording, stores it as the session's upload and queues its processing.
        private func finish() async throws -> String {
            guard let recording else { throw APIError.validation("audio:end", "no recording in progress") }
            self.recording = nil
            // Live recognition drains on its own (its last words still reach watchers); the stored
            // recording does not wait for it, since the pipeline recognises the whole file again.
            _ = await listening?.finishListening()
            listening = nil
            let upload = try recording.finish()
            conversation.details.processing = ProcessingState(
                uploadId: upload.publicID, stage: "queued", progress: 0, status: "queued",
                estimatedTime: RecordingPipeline.estimatedSeconds(forAudioSeconds: recording.seconds), updatedAt: Date())
            conversation.status = .processing
            let updated = conversation
            guard try await app.parley.core.intake.accept(upload, isNew: true, into: updated, expected: [.active]) else {
                throw APIError(.conflict, code: "VALIDATION_ERROR", "The session was changed elsewhere while it was recorded", field: "sessionId")
            }
            app.parley.jobs.ring()
            return upload.publicID
        }
    }

    /// Live audio being recorded: written to a WAV file under the data directory as it comes,
    /// converted to 16 kHz for the live pipeline.
    final class LiveRecording {
        let conversation: Conversation
        let sampleRate: Int
        let float: Bool
        let limit: Int64
        let uploadID = CoachingID.make("upload_")
        let relativePath: String
        private let file: FileHandle
        private var bytes: Int64 = 0
        private let resampler: Resampler?

        var seconds: Double { Double(bytes / 2) / Double(PCMAudio.analysisSampleRate) }

        init(dataDirectory: String, conversation: Conversation, sampleRate: Int, float: Bool, limit: Int64) throws {
            self.conversation = conversation
            self.sampleRate = sampleRate
            self.float = float
            self.limit = limit
            let folder = CoachingStorage.directory(of: conversation.id)
            relativePath = "\(folder)/\(uploadID).wav"
            let base = URL(fileURLWithPath: dataDirectory)
            try CoachingStorage.makeFolder(base.appendingPathComponent(folder))
            let url = base.appendingPathComponent(relativePath)
            guard FileManager.default.createFile(atPath: url.path, contents: WAVFile.encode(PCMAudio(samples: [], sampleRate: PCMAudio.analysisSampleRate))) else {
                throw APIError(.internalServerError, code: "STORAGE_ERROR", "The recording could not be stored")
            }
            file = try FileHandle(forWritingTo: url)
            try file.seekToEnd()
            resampler = sampleRate == PCMAudio.analysisSampleRate ? nil : Resampler(from: sampleRate, to: PCMAudio.analysisSampleRate)
        }

        /// Adds a chunk of the client's encoding and returns it as 16 kHz samples; past the size
        /// limit the recording is refused.
        func append(_ data: Data) throws -> [Float] {
            var samples: [Float]
            if float {
                samples = data.withUnsafeBytes { raw in (0..<(raw.count / 4)).map { raw.loadUnaligned(fromByteOffset: $0 * 4, as: Float.self) } }
            } else {
                samples = data.withUnsafeBytes { raw in (0..<(raw.count / 2)).map { Float(raw.loadUnaligned(fromByteOffset: $0 * 2, as: Int16.self)) / 32768 } }
            }
            if let resampler { samples = Resampler.resample(samples, from: resampler.inputRate, to: resampler.outputRate) }
            guard bytes + Int64(samples.count * 2) <= limit else { throw CoachingUploadRoutes.tooLarge(limit) }
            var pcm = Data(capacity: samples.count * 2)
            for sample in samples {
                let value = Int16(max(-1, min(1, sample.isNaN ? 0 : sample)) * 32767)
                withUnsafeBytes(of: value.littleEndian) { pcm.append(contentsOf: $0) }
            }
            do {
                try file.write(contentsOf: pcm)
            } catch {
                throw APIError(.internalServerError, code: "STORAGE_ERROR", "The recording could not be written")
            }
            bytes += Int64(pcm.count)
            return samples
        }

        /// Completes the WAV header and describes the stored upload.
        func finish() throws -> MediaUpload {
            do {
                try file.seek(toOffset: 4)
                try file.write(contentsOf: withUnsafeBytes(of: UInt32(truncatingIfNeeded: 36 + bytes).littleEndian) { Data($0) })
                try file.seek(toOffset: 40)
                try file.write(contentsOf: withUnsafeBytes(of: UInt32(truncatingIfNeeded: bytes).littleEndian) { Data($0) })
                try file.synchronize()
                try file.close()
            } catch {
                throw APIError(.internalServerError, code: "STORAGE_ERROR", "The recording could not be completed")
            }
            guard bytes > 0 else { throw APIError.validation("audio", "no audio was recorded") }
            return MediaUpload(
                id: UUID(), publicID: uploadID, conversationID: conversation.id, organizationID: conversation.organizationID, status: .completed,
                fileName: "live-recording.wav", contentType: "audio/wav", container: "wav", expectedBytes: nil, receivedBytes: bytes + 44,
                path: relativePath, metadata: .object(["source": .string("live")]), error: nil, createdAt: Date(), completedAt: Date())
        }
    }
}
