import Foundation
import MultipartKit
import ParleyAudio
import ParleyDomain
import Vapor

extension SpeechCoaching {
    /// `POST /coaching/sessions/{id}/upload` (multipart `file` + `metadata`) and its status.
    ///
    /// The body is streamed: the file part goes to disk as it arrives, never into memory; the
    /// size limit is enforced while streaming (413), and the first bytes decide whether the
    /// audio engine can read it (415 otherwise). Completion, the session's state and the
    /// processing job are written in one transaction.
    enum CoachingUploadRoutes {
        static func register(on uploads: any RoutesBuilder, reading: any RoutesBuilder) {
            uploads.on(.POST, "sessions", ":sessionId", "upload", body: .stream, use: upload)
            reading.get("sessions", ":sessionId", "upload", ":uploadId", "status", use: status)
        }

        struct UploadDTO: Encodable, Sendable {
            var uploadId: String
            var status: String
            var progress: Int
            var estimatedTime: Int?
            var fileSize: Int64
            var uploadedBytes: Int64
            var processingStatus: String
        }

        static func upload(_ request: Request) async throws -> Response {
            var conversation = try await CoachingSessionRoutes.session(request, writing: true)
            // The request's own faults are reported before the session's state.
            guard let contentType = request.headers.contentType, contentType.type == "multipart", contentType.subType == "form-data",
                  let boundary = contentType.parameters["boundary"], !boundary.isEmpty
            else {
                throw APIError(.unsupportedMediaType, code: "VALIDATION_ERROR", "Send the upload as multipart/form-data with a 'file' part", field: "file")
            }
            guard conversation.status == .created || conversation.status == .failed else {
                guard try await announcesFile(request) else { throw APIError.validation("file", "the 'file' part is missing or empty") }
                throw APIError(.conflict, code: "VALIDATION_ERROR",
                               "Session \(conversation.publicID) already has media (\(conversation.status.rawValue)); create a new session",
                               field: "sessionId")
            }
            let context = request.application.parley
            let limit = context.configuration.maxUploadSize
            let announced = request.headers.first(name: .contentLength).flatMap(Int64.init)
            if let announced, announced > limit + 64 * 1024 {
                throw tooLarge(limit)
            }
            let dataDirectory = URL(fileURLWithPath: context.configuration.dataDirectory)
            let folder = CoachingStorage.directory(of: conversation.id)
            try CoachingStorage.makeFolder(dataDirectory.appendingPathComponent(folder))
            var upload = MediaUpload(
                id: UUID(), publicID: CoachingID.make("upload_"), conversationID: conversation.id, organizationID: conversation.organizationID,
                status: .uploading, fileName: nil, contentType: nil, container: nil, expectedBytes: announced, receivedBytes: 0, path: nil,
                metadata: .null, error: nil, createdAt: Date(), completedAt: nil)
            let intake = context.core.intake
            guard try await intake.claim(upload) else {
                throw APIError(.conflict, code: "VALIDATION_ERROR",
                               "Session \(conversation.publicID) is already receiving an upload; wait for it to finish", field: "sessionId")
            }
            var estimate: Int?
            let partial = dataDirectory.appendingPathComponent("\(folder)/\(upload.publicID).part")
            let receiver = MultipartReceiver(boundary: boundary, destination: partial, limit: limit, form: mediaForm)
            var stored: URL?
            var chunks = request.body.makeAsyncIterator()
            do {
                var lastReport = Date()
                while let chunk = try await chunks.next() {
                    try receiver.consume(chunk)
                    if Date().timeIntervalSince(lastReport) > 1 {
                        lastReport = Date()
                        upload.receivedBytes = receiver.fileBytes
                        try await intake.record(upload)
                    }
                }
                try receiver.finish()
                guard receiver.hasFile, let container = AudioDecoder.Container.sniff(receiver.head) else {
                    throw APIError.validation("file", "the 'file' part is missing or empty")
                }
                let metadata = try Self.metadata(receiver.field("metadata"))
                let final = "\(folder)/\(upload.publicID).\(container.fileExtension)"
                let url = dataDirectory.appendingPathComponent(final)
                try FileManager.default.moveItem(at: partial, to: url)
                stored = url
                let seconds = try await EngineWork.run { AudioDecoder.duration(of: url) }
                guard let seconds, seconds > 0 else {
                    throw APIError.validation("file", "the file is damaged or holds no audio that can be decoded")
                }

                upload.status = .completed
                upload.fileName = receiver.fileName
                // The type the bytes are, not the one the client declared: it is what the file is served as.
                upload.contentType = container.mediaType
                upload.container = container.rawValue
                upload.receivedBytes = receiver.fileBytes
                upload.path = final
                upload.metadata = metadata
                upload.completedAt = Date()
                estimate = RecordingPipeline.estimatedSeconds(forAudioSeconds: seconds)
                conversation.details.processing = ProcessingState(
                    uploadId: upload.publicID, stage: "queued", progress: 0, status: "queued", estimatedTime: estimate, updatedAt: Date())
                conversation.status = .processing
                let finished = upload
                let updated = conversation
                // The session moves to processing only from the state the upload began in: of uploads
                // that raced, exactly one is processed.
                let won = try await context.core.intake.accept(finished, isNew: false, into: updated, expected: [.created, .failed])
                guard won else {
                    throw APIError(.conflict, code: "VALIDATION_ERROR",
                                   "Session \(conversation.publicID) already has media from another upload", field: "sessionId")
                }
            } catch {
                // Whatever went wrong after the claim, the upload is settled and its bytes removed:
                // it never stays "uploading" and blocks the session.
                receiver.discard()
                // The rest of a refused body is read and dropped (up to the limit), so a client still
                // sending gets the answer instead of waiting on a connection nobody reads.
                var drained: Int64 = 0
                while drained <= limit + (1 << 20), let chunk = try? await chunks.next() { drained += Int64(chunk.readableBytes) }
                if let stored { try? FileManager.default.removeItem(at: stored) }
                upload.status = .failed
                upload.path = nil
                upload.receivedBytes = receiver.fileBytes
                upload.error = APIError(from: error).message
                try? await intake.record(upload)
                throw error
            }
            context.jobs.ring()
            return try request.coaching(UploadDTO(
                uploadId: upload.publicID, status: "completed", progress: 100, estimatedTime: estimate, fileSize: upload.receivedBytes,
                uploadedBytes: upload.receivedBytes, processingStatus: "queued"), status: .created)
        }

        static func status(_ request: Request) async throws -> Response {
            let conversation = try await CoachingSessionRoutes.session(request, writing: false)
            let id = request.parameters.get("uploadId") ?? ""
            guard let upload = try await request.application.parley.core.intake.upload(publicID: id, organizationID: conversation.organizationID),
                  upload.conversationID == conversation.id
            else { throw APIError.notFound("NOT_FOUND", "Upload \(id) not found") }
            let processing = conversation.details.processing
            let processingStatus: String =
                switch upload.status {
                case .uploading: "waiting"
                case .failed: "failed"
                case .completed: processing?.uploadId == upload.publicID ? processing?.status ?? "queued" : "superseded"
                }
            let progress: Int =
                switch upload.status {
                case .completed: 100
                case .failed: 0
                case .uploading: upload.expectedBytes.map { $0 > 0 ? Int(min(99, upload.receivedBytes * 100 / $0)) : 0 } ?? 0
                }
            return try request.coaching(UploadDTO(
                uploadId: upload.publicID, status: upload.status.rawValue, progress: progress,
                estimatedTime: processing?.estimatedTime, fileSize: upload.status == .completed ? upload.receivedBytes : (upload.expectedBytes ?? upload.receivedBytes),
                uploadedBytes: upload.receivedBytes, processingStatus: processingStatus))
        }

        /// Whether the body names a `file` part within its first MiB (a body that goes on longer is
        /// taken to carry one, so a refused upload is never read to its end).
        static func announcesFile(_ request: Request) async throws -> Bool {
            var seen = [UInt8]()
            for try await chunk in request.body {
                seen += chunk.readableBytesView
                let text = String(decoding: seen, as: UTF8.self).lowercased()
                if text.contains("name=\"file\"") || text.contains("name=file") { return true }
                if seen.count > 1 << 20 { return true }
            }
            return false
        }

        static func tooLarge(_ limit: Int64) -> APIError { MultipartReceiver.tooLarge(limit) }

        /// A recording and its optional `metadata` (a JSON object of at most 64 KiB); the bytes
        /// must be a media container, sniffed from their first 16 bytes, not the declared type.
        static let mediaForm = MultipartForm(
            headLength: 16,
            checkHead: { head, _ in
                guard let sniffed = AudioDecoder.Container.sniff(head), sniffed != .riff else {
                    throw APIError(.unsupportedMediaType, code: "VALIDATION_ERROR",
                                   "Unsupported media: send MP3, WAV, MP4/M4A, WebM, OGG, FLAC or another audio/video format", field: "file")
                }
            },
            fields: ["metadata": 64 * 1024])

        /// The `metadata` part as stored: nothing, or a JSON object.
        static func metadata(_ text: String?) throws -> JSONValue {
            guard let text, !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return .null }
            guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)), case .object = value else {
                throw APIError.validation("metadata", "must be a JSON object")
            }
            return value
        }
    }

}

extension AudioDecoder.Container {
    /// The file extension the stored upload gets.
    var fileExtension: String {
        switch self {
        case .wav, .riff: "wav"
        case .mp3: "mp3"
        case .mp4: "mp4"
        case .matroska: "webm"
        case .ogg: "ogg"
        case .flac: "flac"
        case .aiff: "aiff"
        case .caf: "caf"
        case .amr: "amr"
        case .asf: "wma"
        case .au: "au"
        }
    }

    /// A media type for serving the stored file.
    var mediaType: String {
        switch self {
        case .wav, .riff: "audio/wav"
        case .mp3: "audio/mpeg"
        case .mp4: "video/mp4"
        case .matroska: "video/webm"
        case .ogg: "audio/ogg"
        case .flac: "audio/flac"
        case .aiff: "audio/aiff"
        case .caf: "audio/x-caf"
        case .amr: "audio/amr"
        case .asf: "audio/x-ms-wma"
        case .au: "audio/basic"
        }
    }
}
