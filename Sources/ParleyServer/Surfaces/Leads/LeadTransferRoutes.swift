import Foundation
import MultipartKit
import ParleyCore
import ParleyDomain
import ParleyReports
import Vapor

extension LeadsAndCalls {
    /// `POST /api/v1/leads/import` (multipart CSV, streamed to disk), `GET /api/v1/leads/imports/{id}`
    /// (a documented addition: a large import's progress and report) and `GET /api/v1/leads/export`
    /// (CSV or JSON, streamed, with every list filter).
    enum LeadTransferRoutes {
        static func register(on routes: any RoutesBuilder) {
            routes.on(.POST, "leads", "import", body: .stream, use: importLeads)
            routes.get("leads", "imports", ":import_id", use: importStatus)
            routes.get("leads", "export", use: export)
        }

        /// The columns of an export; the import reads them back (id and score columns are ignored).
        static let exportColumns = [
            "id", "first_name", "last_name", "email", "phone", "company", "title", "industry", "source", "status", "notes",
            "company_size", "deal_value", "assigned_to", "do_not_call", "overall_score", "band", "conversion_probability",
            "created_at", "updated_at",
        ]

        static func importLeads(_ request: Request) async throws -> Response {
            let user = try request.principal.user
            guard let contentType = request.headers.contentType, contentType.type == "multipart", contentType.subType == "form-data",
                  let boundary = contentType.parameters["boundary"], !boundary.isEmpty
            else {
                throw APIError(.unsupportedMediaType, code: "UNSUPPORTED_MEDIA_TYPE", "Send the file as multipart/form-data in a 'file' part", field: "file")
            }
            var onDuplicate = request.query[String.self, at: "on_duplicate"] ?? "skip"
            if let announced = request.headers.first(name: .contentLength).flatMap(Int64.init), announced > LeadImports.maxBytes + (1 << 20) {
                throw tooLarge()
            }
            let context = request.application.parley
            let folder = URL(fileURLWithPath: context.configuration.dataDirectory).appendingPathComponent("imports")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let publicID = PublicID.make("import")
            let file = folder.appendingPathComponent("\(publicID).csv")
            let receiver = MultipartReceiver(boundary: boundary, destination: file, limit: LeadImports.maxBytes, form: csvForm)
            var chunks = request.body.makeAsyncIterator()
            do {
                while let chunk = try await chunks.next() { try receiver.consume(chunk) }
                try receiver.finish()
                guard receiver.hasFile else { throw APIError.validation("file", "the 'file' part is missing or empty") }
            } catch {
                receiver.discard()
                var drained: Int64 = 0
                while drained <= LeadImports.maxBytes + (2 << 20), let chunk = try? await chunks.next() { drained += Int64(chunk.readableBytes) }
                throw error
            }
            if let field = receiver.field("on_duplicate")?.trimmingCharacters(in: .whitespacesAndNewlines) { onDuplicate = field }
            onDuplicate = onDuplicate.lowercased()
            guard onDuplicate == "skip" || onDuplicate == "update" else {
                try? FileManager.default.removeItem(at: file)
                throw APIError.validation("on_duplicate", "must be skip or update")
            }
            let imports = request.core.leadImports
            let rows: Int
            do {
                rows = try await EngineWork.run { try imports.check(file) }
            } catch {
                try? FileManager.default.removeItem(at: file)
                throw error
            }
            let record = LeadImportRecord(
                publicID: String(publicID), organizationID: user.organizationID, userID: user.id, status: .queued,
                path: "imports/\(publicID).csv", onDuplicate: onDuplicate)
            if receiver.fileBytes > LeadImports.inlineBytes {
                try await imports.queue(record)
                context.jobs.ring()
                var body = importJSON(record, rows: rows, request: request).objectValue
                body["message"] = .string("The file is being imported; follow status_url for progress and the report")
                return try request.renderJSON(.object(body), status: .accepted)
            }
            defer { try? FileManager.default.removeItem(at: file) }
            let finished = try await imports.run(record, file: file, stored: false)
            return try request.renderJSON(importJSON(finished, rows: rows, request: request))
        }

        static func importStatus(_ request: Request) async throws -> Response {
            let user = try request.principal.user
            let id = request.parameters.get("import_id") ?? ""
            guard let record = try await request.core.leadImports.record(publicID: id, organizationID: user.organizationID) else {
                throw APIError.notFound("NOT_FOUND", "Import \(id) not found")
            }
            return try request.renderJSON(importJSON(record, rows: nil, request: request))
        }

        static func importJSON(_ record: LeadImportRecord, rows: Int?, request: Request) -> JSONValue {
            let report = record.report.decoded(as: LeadImportReport.self) ?? LeadImportReport()
            return .object([
                "import_id": .string(record.publicID), "status": .string(record.status.rawValue),
                "status_url": .string(request.application.parley.url(of: "leads-and-calls", "/leads/imports/\(record.publicID)")),
                "on_duplicate": .string(record.onDuplicate),
                "total_rows": .number(Double(rows ?? report.totalRows)), "processed_rows": .number(Double(max(0, record.processedRows - 1))),
                "imported": .number(Double(report.imported)), "updated": .number(Double(report.updated)),
                "skipped": .array(report.skipped.map { skipped in
                    .object(["row": .number(Double(skipped.row)), "reason": .string(skipped.reason), "email": LeadJSON.text(skipped.email)])
                }),
                "skipped_count": .number(Double(record.status == .completed ? report.skippedCount : report.skipped.count)),
                "ignored_columns": .array(report.ignoredColumns.map(JSONValue.string)),
                "created_at": .string(Timestamp.iso8601(record.createdAt)),
                "completed_at": record.completedAt.map { .string(Timestamp.iso8601($0)) } ?? .null,
            ])
        }

        static func tooLarge() -> APIError {
            APIError(.payloadTooLarge, code: "PAYLOAD_TOO_LARGE", "The file is larger than \(LeadImports.maxBytes >> 20) MB; split it", field: "file")
        }

        static func export(_ request: Request) async throws -> Response {
            let user = try request.principal.user
            let format = (request.query[String.self, at: "format"] ?? "csv").lowercased()
            guard format == "csv" || format == "json" else { throw APIError.validation("format", "must be csv or json") }
            let query = try LeadQueryParameters.query(request, organizationID: user.organizationID)
            let book = request.core.leads
            let logger = request.logger
            let stamp = Date().formatted(.iso8601.year().month().day())
            var headers: HTTPHeaders = [
                "Content-Disposition": "attachment; filename=\"leads-\(stamp).\(format)\"",
                "Content-Type": format == "csv" ? "text/csv; charset=utf-8" : "application/json; charset=utf-8",
            ]
            headers.add(name: .cacheControl, value: "no-store")
            let body = Response.Body(asyncStream: { writer in
                do {
                    if format == "csv" {
                        try await writer.write(.buffer(ByteBuffer(string: CSVTable.render([exportColumns]))))
                        try await book.eachPage(query) { page in
                            try await writer.write(.buffer(ByteBuffer(string: CSVTable.render(page.map(csvRow)))))
                        }
                    } else {
                        let encoder = JSONEncoder()
                        encoder.outputFormatting = [.withoutEscapingSlashes]
                        try await writer.write(.buffer(ByteBuffer(string: "{\"leads\":[")))
                        var first = true
                        try await book.eachPage(query) { page in
                            var text = ""
                            for lead in page {
                                text += (first ? "" : ",") + String(decoding: try encoder.encode(LeadJSON.lead(lead)), as: UTF8.self)
                                first = false
                            }
                            try await writer.write(.buffer(ByteBuffer(string: text)))
                        }
                        try await writer.write(.buffer(ByteBuffer(string: "]}")))
                    }
                    try await writer.write(.end)
                } catch {
                    // The status is already sent; the client sees a cut-short body.
                    logger.error("lead export stopped: \(error)")
                    try? await writer.write(.error(error))
                }
            })
            return Response(status: .ok, headers: headers, body: body)
        }

        static func csvRow(_ lead: Lead) -> [String] {
            func number(_ value: Double?) -> String {
                guard let value else { return "" }
                return value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
            }
            return [
                lead.publicID, lead.firstName, lead.lastName, lead.email ?? "", lead.phone ?? "", lead.company ?? "", lead.title ?? "",
                lead.industry ?? "", lead.source ?? "", lead.status.rawValue, lead.notes ?? "", lead.companySize.map(String.init) ?? "",
                number(lead.dealValue), lead.assignedTo.map(String.init) ?? "", lead.doNotCall ? "true" : "false",
                number(lead.score?.overall), lead.score?.band.rawValue ?? "", number(lead.score?.conversionProbability),
                Timestamp.iso8601(lead.createdAt), Timestamp.iso8601(lead.updatedAt),
            ]
        }
    }
}

extension LeadsAndCalls.LeadTransferRoutes {
    /// A CSV file and its optional `on_duplicate` part: text only (no media type declared, no
    /// NUL byte anywhere, which spreadsheets' binary formats and media have).
    static let csvForm = MultipartForm(
        headLength: 1,
        checkHead: { _, declared in
            if let type = declared?.lowercased(),
               type.hasPrefix("image/") || type.hasPrefix("audio/") || type.hasPrefix("video/") || type == "application/pdf" || type == "application/zip" {
                throw notCSV()
            }
        },
        checkChunk: { bytes in if bytes.contains(0) { throw notCSV() } },
        fields: ["on_duplicate": 64],
        tooLarge: { _ in tooLarge() })

    static func notCSV() -> APIError {
        APIError(.unsupportedMediaType, code: "UNSUPPORTED_MEDIA_TYPE", "The file is not a CSV text file (UTF-8); export it from your spreadsheet as CSV", field: "file")
    }
}
