import Foundation
import ParleyAudio
import ParleyDomain
import ParleyCore
import Vapor

extension SpeechCoaching {
    /// `/coaching/sessions/{id}/clips` and `/coaching/clips/{clipId}/…`: highlight clips cut from the
    /// session's media by a durable job (ffmpeg), with captions from the transcript.
    enum CoachingClipRoutes {
        struct CreateRequest: Decodable {
            var title: String?
            var startTime: Double
            var endTime: Double
            var format: String?
            var quality: String?
            var includeCaptions: Bool?
            var captionsStyle: String?
        }

        struct ClipDTO: Encodable, Sendable {
            var id: String
            var title: String
            var startTime: Double
            var endTime: Double
            var duration: Double
            var format: String
            var status: String
            var progress: Int
            var estimatedTime: Int?
            var downloadUrl: String?
            var thumbnailUrl: String?
            var fileSize: Int?
            var error: String?
            var createdAt: String

            init(_ record: CoachingRecord, details: ClipDetails, base: String) {
                id = record.publicID
                title = details.title
                startTime = details.startTime
                endTime = details.endTime
                duration = round3(details.endTime - details.startTime)
                format = details.format
                status = record.status
                progress = details.progress
                estimatedTime = record.status == "processing" ? details.estimatedTime : nil
                let done = record.status == "completed"
                downloadUrl = done ? "\(base)/clips/\(record.publicID)/download" : nil
                thumbnailUrl = done && details.thumbnailPath != nil ? "\(base)/clips/\(record.publicID)/thumbnail" : nil
                fileSize = details.fileSize
                error = details.error
                createdAt = Timestamp.iso8601(record.createdAt)
            }

            /// As the document shows it: `downloadUrl` is present and null until the clip is ready.
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(id, forKey: .id)
                try container.encode(title, forKey: .title)
                try container.encode(startTime, forKey: .startTime)
                try container.encode(endTime, forKey: .endTime)
                try container.encode(duration, forKey: .duration)
                try container.encode(format, forKey: .format)
                try container.encode(status, forKey: .status)
                try container.encode(progress, forKey: .progress)
                try container.encodeIfPresent(estimatedTime, forKey: .estimatedTime)
                try container.encode(downloadUrl, forKey: .downloadUrl)
                try container.encode(thumbnailUrl, forKey: .thumbnailUrl)
                try container.encode(fileSize, forKey: .fileSize)
                try container.encodeIfPresent(error, forKey: .error)
                try container.encode(createdAt, forKey: .createdAt)
            }

            enum CodingKeys: String, CodingKey {
                case id, title, startTime, endTime, duration, format, status, progress, estimatedTime, downloadUrl, thumbnailUrl, fileSize, error, createdAt
            }
        }

        static func register(on routes: any RoutesBuilder) {
            routes.post("sessions", ":sessionId", "clips", use: create)
            routes.get("sessions", ":sessionId", "clips", use: list)
            routes.get("clips", ":clipId", "status", use: status)
            routes.get("clips", ":clipId", "download", use: download)
            routes.get("clips", ":clipId", "thumbnail", use: thumbnail)
        }

        static func create(_ request: Request) async throws -> Response {
            let conversation = try await CoachingSessionRoutes.session(request, writing: true)
            let body = try request.decodeJSON(CreateRequest.self)
            let title = try AccountRules.name(body.title ?? "Clip", field: "title", maxLength: 200)
            guard let format = ClipFormat(rawValue: body.format ?? "mp4") else {
                throw APIError.validation("format", "must be one of \(ClipFormat.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard let quality = ClipQuality(rawValue: body.quality ?? "medium") else {
                throw APIError.validation("quality", "must be one of \(ClipQuality.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            if let style = body.captionsStyle, !ClipRenderer.captionStyles.contains(style.lowercased()) {
                throw APIError.validation("captionsStyle", "must be one of \(ClipRenderer.captionStyles.joined(separator: ", "))")
            }
            guard body.startTime.isFinite, body.startTime >= 0 else { throw APIError.validation("startTime", "must be zero or more seconds") }
            guard body.endTime.isFinite, body.endTime > body.startTime else { throw APIError.validation("endTime", "must be after startTime") }
            let longest = format == .gif ? 60.0 : 300.0
            guard body.endTime - body.startTime <= longest else {
                throw APIError.validation("endTime", "a \(format.rawValue) clip is at most \(Int(longest)) seconds long")
            }
            guard conversation.status == .completed, let duration = conversation.duration else {
                throw APIError(.conflict, code: "VALIDATION_ERROR", "Clips are cut from processed sessions; this one is \(conversation.status.rawValue)", field: "sessionId")
            }
            guard body.endTime <= duration + 0.05 else {
                throw APIError.validation("endTime", String(format: "must be within the session's %.1f seconds", duration))
            }
            let sketch = ClipRequest(source: URL(fileURLWithPath: "/"), start: body.startTime, end: body.endTime, format: format, quality: quality)
            let details = ClipDetails(
                sessionId: conversation.publicID, userId: try request.principal.user.id, title: title, startTime: body.startTime,
                endTime: min(body.endTime, duration), format: format.rawValue, quality: quality.rawValue,
                includeCaptions: body.includeCaptions ?? false, captionsStyle: body.captionsStyle?.lowercased(), progress: 0,
                estimatedTime: ClipRenderer.estimatedSeconds(for: sketch))
            let record = CoachingRecord(publicID: CoachingID.make("clip_"), organizationID: conversation.organizationID,
                                        conversationID: conversation.id, status: "processing", details: try JSONValue(encoding: details))
            try await request.core.clips.request(record)
            request.application.parley.jobs.ring()
            return try request.coaching(["clip": ClipDTO(record, details: details, base: request.application.parley.url(of: "speech-coaching", ""))], status: .accepted)
        }

        static func list(_ request: Request) async throws -> Response {
            let conversation = try await CoachingSessionRoutes.session(request, writing: false)
            let base = request.application.parley.url(of: "speech-coaching", "")
            let clips = try await request.core.clips.clips(of: conversation.id)
            return try request.coaching(["clips": clips.compactMap { record in
                record.details.decoded(as: ClipDetails.self).map { ClipDTO(record, details: $0, base: base) }
            }])
        }

        static func status(_ request: Request) async throws -> Response {
            let (record, details) = try await clip(request)
            return try request.coaching(["clip": ClipDTO(record, details: details, base: request.application.parley.url(of: "speech-coaching", ""))])
        }

        static func download(_ request: Request) async throws -> Response {
            let (record, details) = try await clip(request)
            guard record.status == "completed", let path = details.path else {
                throw APIError(.conflict, code: "VALIDATION_ERROR", "Clip \(record.publicID) is \(record.status)", field: "clipId")
            }
            let types = ["mp4": "video/mp4", "webm": "video/webm", "gif": "image/gif"]
            return try await serve(path, type: types[details.format] ?? "application/octet-stream",
                                   name: "\(record.publicID).\(details.format)", request: request)
        }

        static func thumbnail(_ request: Request) async throws -> Response {
            let (record, details) = try await clip(request)
            guard record.status == "completed", let path = details.thumbnailPath else {
                throw APIError(.conflict, code: "VALIDATION_ERROR", "Clip \(record.publicID) is \(record.status)", field: "clipId")
            }
            return try await serve(path, type: "image/jpeg", name: "\(record.publicID)_thumb.jpg", request: request)
        }

        /// A stored file under the data directory, streamed with its type and a download name.
        static func serve(_ path: String, type: String, name: String, request: Request) async throws -> Response {
            let file = URL(fileURLWithPath: request.application.parley.configuration.dataDirectory).appendingPathComponent(path).path
            guard FileManager.default.fileExists(atPath: file) else { throw APIError.notFound("NOT_FOUND", "The file is no longer stored") }
            let response = try await request.fileio.asyncStreamFile(at: file)
            response.headers.replaceOrAdd(name: .contentType, value: type)
            response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(name)\"")
            return response
        }

        /// The clip in the path: its session's owner's, or an admin's of the organization.
        static func clip(_ request: Request) async throws -> (CoachingRecord, ClipDetails) {
            let user = try request.principal.user
            let id = request.parameters.get("clipId") ?? ""
            guard let record = try await request.core.clips.clip(publicID: id, organizationID: user.organizationID),
                  let details = record.details.decoded(as: ClipDetails.self)
            else { throw APIError.notFound("NOT_FOUND", "Clip \(id) not found") }
            try await request.authorize(.read, ownerID: details.userId, "Clip \(id)")
            return (record, details)
        }
    }
}
