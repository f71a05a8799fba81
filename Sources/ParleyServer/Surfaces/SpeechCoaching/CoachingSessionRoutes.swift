import Foundation
import ParleyAudio
import ParleyDomain
import Vapor

extension SpeechCoaching {
    /// `/coaching/sessions`: create, list, get, delete, retry; each session is a core
    /// `Conversation` of kind `coaching`.
    enum CoachingSessionRoutes {
        static let types = ["presentation", "interview", "conversation", "speech"]
        static let statuses = ["created", "processing", "completed", "failed"]

        struct CreateRequest: Decodable {
            struct Settings: Codable, Sendable {
                var enableRealTimeProcessing: Bool?
                var enableProsodyAnalysis: Bool?
                var enableFluencyAnalysis: Bool?
                var enableScoring: Bool?
            }
            var title: String
            var description: String?
            var type: String?
            var duration: Int?
            var settings: Settings?
        }

        static func register(on sessions: any RoutesBuilder, creation: any RoutesBuilder) {
            creation.post("sessions", use: create)
            sessions.get("sessions", use: list)
            sessions.get("sessions", ":sessionId", use: detail)
            sessions.delete("sessions", ":sessionId", use: delete)
            sessions.post("sessions", ":sessionId", "retry", use: retry)
            sessions.get("sessions", ":sessionId", "media", use: media)
        }

        static func create(_ request: Request) async throws -> Response {
            let user = try request.principal.user
            let body = try request.decodeJSON(CreateRequest.self)
            let title = try AccountRules.name(body.title, field: "title", maxLength: 200)
            let description = body.description?.trimmingCharacters(in: .whitespacesAndNewlines)
            if let description, description.count > 2000 { throw APIError.validation("description", "must be at most 2000 characters") }
            let type = body.type ?? "presentation"
            guard types.contains(type) else { throw APIError.validation("type", "must be one of \(types.joined(separator: ", "))") }
            if let duration = body.duration, !(1...14_400).contains(duration) {
                throw APIError.validation("duration", "must be between 1 and 14400 seconds")
            }
            let settings = body.settings ?? CreateRequest.Settings()
            let conversation = try await request.conversations.createConversation(Conversation(
                id: UUID(), publicID: CoachingID.make("session_"), organizationID: user.organizationID, userID: user.id,
                kind: .coaching, scenarioID: nil, title: title, status: .created,
                configuration: ConversationSettings(
                    realTimeProcessing: settings.enableRealTimeProcessing, prosodyAnalysis: settings.enableProsodyAnalysis,
                    fluencyAnalysis: settings.enableFluencyAnalysis, scoring: settings.enableScoring),
                details: ConversationDetails(description: description, expectedDuration: body.duration.map(Double.init)),
                analysis: nil, createdAt: Date(), startedAt: nil, completedAt: nil, duration: nil, category: type))
            return try request.coaching(["session": CoachingSessionDTO(conversation, request: request)], status: .created)
        }

        struct ListDTO: Encodable, Sendable {
            var sessions: [CoachingSessionDTO]
            var pagination: CoachingPagination
        }

        static func list(_ request: Request) async throws -> Response {
            let user = try request.principal.user
            let page = try request.pagingValue("page", default: 1, range: 1...1_000_000)
            let limit = try request.pagingValue("limit", default: 20, range: 1...100)
            var query = ConversationQuery(organizationID: user.organizationID, userID: user.id, kind: .coaching,
                                          offset: (page - 1) * limit, limit: limit)
            if let status = request.query[String.self, at: "status"] {
                guard statuses.contains(status) else { throw APIError.validation("status", "must be one of \(statuses.joined(separator: ", "))") }
                query.status = ConversationStatus(rawValue: status)
            }
            if let type = request.query[String.self, at: "type"] {
                guard types.contains(type) else { throw APIError.validation("type", "must be one of \(types.joined(separator: ", "))") }
                query.category = type
            }
            query.createdAfter = try request.dateParameter("startDate")
            query.createdBefore = try request.dateParameter("endDate", endOfDay: true)
            let total = try await request.conversations.countConversations(query)
            let sessions = try await request.conversations.conversations(query)
            return try request.coaching(ListDTO(
                sessions: sessions.map { CoachingSessionDTO($0, request: request) },
                pagination: CoachingPagination(page: page, limit: limit, total: total)))
        }

        static func detail(_ request: Request) async throws -> Response {
            let conversation = try await session(request, writing: false)
            var dto = CoachingSessionDTO(conversation, request: request)
            if let results = conversation.analysis, conversation.status == .completed {
                dto.transcript = results.transcript.map { CoachingTranscriptDTO($0) }
                dto.metrics = results.delivery.map { CoachingSummaryMetricsDTO($0) }
                dto.scores = results.scores.map { CoachingScoreSummaryDTO($0) }
                dto.fluency = results.fluency.map { CoachingFluencyDTO($0, scores: results.scores) }
            }
            return try request.coaching(["session": dto])
        }

        static func delete(_ request: Request) async throws -> Response {
            let conversation = try await session(request, writing: true)
            try await request.conversations.deleteConversation(id: conversation.id, organizationID: conversation.organizationID)
            CoachingStorage.removeFiles(of: conversation, dataDirectory: request.application.parley.configuration.dataDirectory)
            return try request.coaching(["message": "Session deleted successfully"])
        }

        /// Runs the pipeline again on the newest upload of a failed session.
        static func retry(_ request: Request) async throws -> Response {
            var conversation = try await session(request, writing: true)
            guard conversation.status == .failed else {
                throw APIError(.conflict, code: "VALIDATION_ERROR", "Only a failed session can be retried; this one is \(conversation.status.rawValue)", field: "status")
            }
            guard let upload = try await request.core.intake.latestMedia(of: conversation.id) else {
                throw APIError.validation("file", "the session has no media yet; upload a file first")
            }
            let attempt = (conversation.details.retries ?? 0) + 1
            conversation.details.retries = attempt
            conversation.details.processing = ProcessingState(
                uploadId: upload.publicID, stage: "queued", progress: 0, status: "queued", estimatedTime: nil, updatedAt: Date())
            conversation.status = .processing
            let updated = conversation
            // Only one of several simultaneous retries moves the session on; the others are told so.
            let retried = try await request.application.parley.core.intake.retry(updated, uploadID: upload.publicID, attempt: attempt)
            guard retried else {
                throw APIError(.conflict, code: "VALIDATION_ERROR", "Only a failed session can be retried; this one is already being processed", field: "status")
            }
            request.application.parley.jobs.ring()
            return try request.coaching(["session": CoachingSessionDTO(updated, request: request)], status: .accepted)
        }

        /// The session's media file, streamed.
        static func media(_ request: Request) async throws -> Response {
            let conversation = try await session(request, writing: false)
            guard let upload = try await request.core.intake.latestMedia(of: conversation.id),
                  let path = upload.path
            else { throw APIError.notFound("NOT_FOUND", "Session \(conversation.publicID) has no media") }
            return try await CoachingClipRoutes.serve(
                path, type: upload.container.flatMap(AudioDecoder.Container.init(rawValue:))?.mediaType ?? "application/octet-stream", name: (path as NSString).lastPathComponent, request: request)
        }

        /// The session in the path, as the access policy allows (the owner, the organization's
        /// admins, and for reading the owner's supervisor). Another organization's sessions do not
        /// exist for the caller.
        static func session(_ request: Request, writing: Bool) async throws -> Conversation {
            let user = try request.principal.user
            let id = request.parameters.get("sessionId") ?? ""
            guard let conversation = try await request.conversations.conversation(publicID: id, organizationID: user.organizationID),
                  conversation.kind == .coaching
            else { throw APIError.notFound("NOT_FOUND", "Session \(id) not found") }
            try await request.authorize(writing ? .write : .read, ownerID: conversation.userID, "Session \(id)")
            return conversation
        }
    }

    /// Page counts as the document shows them.
    struct CoachingPagination: Encodable, Sendable {
        var page: Int
        var limit: Int
        var total: Int
        var pages: Int

        init(page: Int, limit: Int, total: Int) {
            self.page = page
            self.limit = limit
            self.total = total
            pages = total == 0 ? 0 : (total + limit - 1) / limit
        }
    }

}

extension Request {
    /// A date query parameter: ISO 8601 date-time or a plain `YYYY-MM-DD` (its start, or with
    /// `endOfDay` its end); anything else is a 422 naming the parameter.
    func dateParameter(_ name: String, endOfDay: Bool = false) throws -> Date? {
        guard let raw = query[String.self, at: name], !raw.isEmpty else { return nil }
        return try SpeechCoaching.CoachingSearchRoutes.date(raw, field: name, endOfDay: endOfDay)
    }
}
