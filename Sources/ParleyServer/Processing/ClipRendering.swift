import Foundation
import NIOConcurrencyHelpers
import ParleyAudio
import ParleyCore
import ParleyDomain
import Vapor

/// What a clip record keeps in its details.
struct ClipDetails: Codable, Sendable {
    var sessionId: String
    var userId: Int
    var title: String
    var startTime: Double
    var endTime: Double
    var format: String
    var quality: String
    var includeCaptions: Bool
    var captionsStyle: String?
    var progress: Int
    var estimatedTime: Int
    var path: String?
    var thumbnailPath: String?
    var fileSize: Int?
    var error: String?
    var completedAt: Date?
}

/// The `clip.render` job: cuts and renders a clip with `ClipRenderer`, reporting progress.
enum ClipRendering {
    static let handler = JobHandler(kind: ClipJob.kind) { job, context in
        guard let payload = ClipJob(payload: job.payload) else { return }
        let (id, organization) = (payload.clipId, payload.organizationId)
        let clips = context.core.clips
        guard var record = try await clips.clip(publicID: id, organizationID: organization),
              var details = record.details.decoded(as: ClipDetails.self), record.status == "processing",
              let conversationID = record.conversationID
        else { return }
        func save(status: String) async throws {
            record.status = status
            record.details = try JSONValue(encoding: details)
            try await clips.save(record)
        }
        let conversation = try await context.core.conversations.conversation(publicID: details.sessionId, organizationID: organization)
        guard let conversation, let upload = try await context.core.intake.latestMedia(of: conversationID),
              let path = upload.path
        else {
            details.error = "the session's media is gone"
            try await save(status: "failed")
            return
        }
        let data = URL(fileURLWithPath: context.configuration.dataDirectory)
        let folder = "\(CoachingStorage.directory(of: conversationID))/clips"
        try CoachingStorage.makeFolder(data.appendingPathComponent(folder))
        let words = conversation.analysis?.transcript?.segments.flatMap(\.words) ?? []
        let captions = details.includeCaptions ? Caption.lines(from: words.filter { $0.end > details.startTime && $0.start < details.endTime }) : []
        let request = ClipRequest(
            source: data.appendingPathComponent(path), start: details.startTime, end: details.endTime,
            format: ClipFormat(rawValue: details.format) ?? .mp4, quality: ClipQuality(rawValue: details.quality) ?? .medium,
            captions: captions, captionsStyle: details.captionsStyle)
        let progress = NIOLockedValueBox(0)
        let (baseRecord, baseDetails) = (record, details)
        // Progress goes to the database twice a second; the reporter is stopped (and awaited)
        // before the final write so a late update cannot overwrite it.
        let reporter = Task {
            var last = 0
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(500))
                let now = progress.withLockedValue { $0 }
                guard now != last, now < 100, !Task.isCancelled else { continue }
                last = now
                var snapshot = baseRecord
                var shown = baseDetails
                shown.progress = now
                if let encoded = try? JSONValue(encoding: shown) { snapshot.details = encoded }
                try? await clips.save(snapshot)
            }
        }
        func stopReporting() async {
            reporter.cancel()
            _ = await reporter.result
        }
        do {
            let rendered = try await ClipRenderer().render(request, to: data.appendingPathComponent("\(folder)/\(id).\(request.format.fileExtension)")) { value in
                progress.withLockedValue { $0 = value }
            }
            await stopReporting()
            details.progress = 100
            details.path = "\(folder)/\(rendered.file.lastPathComponent)"
            details.thumbnailPath = "\(folder)/\(rendered.thumbnail.lastPathComponent)"
            details.fileSize = rendered.byteCount
            details.completedAt = Date()
            details.error = nil
            try await save(status: "completed")
        } catch let error as ClipError where error.httpStatus == 422 {
            await stopReporting()
            details.error = error.description
            try await save(status: "failed")
        } catch {
            await stopReporting()
            if job.attempts >= job.maxAttempts {
                details.error = "rendering failed: \(error)"
                try await save(status: "failed")
            }
            throw error
        }
    }
}
