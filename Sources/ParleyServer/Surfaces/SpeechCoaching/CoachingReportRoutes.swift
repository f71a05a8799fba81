import Foundation
import ParleyDomain
import ParleyReports
import Vapor

extension SpeechCoaching {
    /// `GET /coaching/reports/sessions`: a report of the caller's sessions over a period, as JSON,
    /// CSV or PDF (cairo), kept for download at `downloadUrl`. A report of even 500 sessions renders
    /// in tens of milliseconds (`parley bench media`), so it is made in the request.
    enum CoachingReportRoutes {
        static let formats = ["json": "application/json", "csv": "text/csv; charset=utf-8", "pdf": "application/pdf"]

        struct ReportDTO: Encodable, Sendable {
            var id: String
            var type = "sessions"
            var format: String
            var period: Period
            var summary: SessionReport.Summary
            var trends: SessionReport.Trends
            var downloadUrl: String

            struct Period: Encodable, Sendable {
                var start: String
                var end: String
            }
        }

        static func register(on routes: any RoutesBuilder) {
            routes.get("reports", "sessions", use: sessions)
            routes.get("reports", ":reportId", "download", use: download)
        }

        static func sessions(_ request: Request) async throws -> Response {
            let user = try request.principal.user
            let format = request.query[String.self, at: "format"] ?? "json"
            guard formats[format] != nil else { throw APIError.validation("format", "must be one of pdf, csv, json") }
            let end = try request.dateParameter("endDate", endOfDay: true) ?? Date()
            let start = try request.dateParameter("startDate") ?? end.addingTimeInterval(-30 * 86_400)
            guard start < end else { throw APIError.validation("startDate", "must be before endDate") }
            guard end.timeIntervalSince(start) <= 3_660 * 86_400 else { throw APIError.validation("endDate", "a report covers at most ten years") }
            let sessions = try await request.conversations.conversations(ConversationQuery(
                organizationID: user.organizationID, userID: user.id, kind: .coaching, createdAfter: start, createdBefore: end, limit: 10_000))
            let rows = sessions.map {
                SessionReport.Row(date: $0.createdAt, title: $0.title ?? "", type: $0.category ?? "presentation",
                                  status: $0.status.rawValue, duration: $0.duration ?? 0, score: $0.score)
            }
            let report = SessionReport(title: "Speech coaching sessions", ownerName: "\(user.firstName) \(user.lastName)",
                                       period: .init(start: start, end: end), rows: rows)
            let id = CoachingID.make("report_")
            let folder = "reports/\(user.id)"
            let path = "\(folder)/\(id).\(format)"
            let data = URL(fileURLWithPath: request.application.parley.configuration.dataDirectory)
            let bytes: Data
            switch format {
            case "csv": bytes = SessionReportCSV.data(report)
            case "pdf":
                do {
                    bytes = try SessionReportPDF.render(report)
                } catch {
                    throw APIError(.internalServerError, code: "PROCESSING_ERROR", "The PDF could not be rendered: \(error)")
                }
            default:
                let encoder = JSONEncoder.sorted
                encoder.dateEncodingStrategy = .iso8601
                bytes = try encoder.encode(report)
            }
            do {
                try CoachingStorage.makeFolder(data.appendingPathComponent(folder))
                try bytes.write(to: data.appendingPathComponent(path), options: .atomic)
            } catch {
                throw APIError(.internalServerError, code: "STORAGE_ERROR", "The report could not be stored")
            }
            try await request.application.parley.core.archive.keep(report: CoachingRecord(
                publicID: id, organizationID: user.organizationID, userID: user.id, reference: format, status: "completed",
                details: .object(["path": .string(path)])))
            return try request.coaching(["report": ReportDTO(
                id: id, format: format, period: .init(start: Timestamp.iso8601(start), end: Timestamp.iso8601(end)),
                summary: report.summary, trends: report.trends,
                downloadUrl: request.application.parley.url(of: "speech-coaching", "/reports/\(id)/download"))])
        }

        static func download(_ request: Request) async throws -> Response {
            let user = try request.principal.user
            let id = request.parameters.get("reportId") ?? ""
            guard let record = try await request.application.parley.core.archive.report(publicID: id, organizationID: user.organizationID),
                  let path = record.details["path"]?.stringValue, let format = record.reference
            else { throw APIError.notFound("NOT_FOUND", "Report \(id) not found") }
            guard let owner = record.userID else {
                guard user.role == .admin else { throw APIError.insufficientPermissions("Report \(id) belongs to the organization") }
                return try await CoachingClipRoutes.serve(path, type: formats[format] ?? "application/octet-stream", name: "\(id).\(format)", request: request)
            }
            try await request.authorize(.read, ownerID: owner, "Report \(id)")
            return try await CoachingClipRoutes.serve(path, type: formats[format] ?? "application/octet-stream", name: "\(id).\(format)", request: request)
        }
    }
}
