import Foundation
import ParleyDomain
import Vapor

extension SalesTrainer {
    /// `/api/v1/sessions`: practice sessions of the signed-in rep. Additions beyond the document,
    /// for coaches: `?user_id=` lists a rep's sessions, a session is readable by whoever the access
    /// policy lets read its owner's, and `/sessions/{id}/comments` pins remarks to its moments.
    enum SessionRoutes {
        /// A session never connected to within this time no longer counts as open.
        static let unusedSessionTimeout: TimeInterval = 3600

        static func register(on routes: any RoutesBuilder) {
            let sessions = routes.grouped("sessions")
            sessions.post(use: create)
            sessions.get(use: list)
            sessions.get(":session_id", use: get)
            sessions.put(":session_id", "feedback", use: feedback)
            sessions.get(":session_id", "comments", use: comments)
            sessions.post(":session_id", "comments", use: addComment)
        }

        static func create(_ request: Request) async throws -> Response {
            let user = try request.principal.user
            let body = try request.decodeJSON(CreateSessionRequest.self)
            let store = request.conversations
            guard let scenario = try await request.core.scenarios.scenario(id: body.scenario_id, visibleTo: user.organizationID), scenario.isActive else {
                throw APIError.notFound("SCENARIO_NOT_FOUND", "Scenario \(body.scenario_id) not found")
            }
            let sessionType = body.session_type ?? "practice"
            guard (1...32).contains(sessionType.count), sessionType.allSatisfy({ $0.isLowercase || $0 == "_" }) else {
                throw APIError.validation("session_type", "must be a lowercase identifier such as 'practice'")
            }
            let configuration = try configuration(body.configuration, scenario: scenario)

            try await abandonUnusedSessions(of: user, in: request)
            let openSessionLimit = request.application.parley.configuration.openSessionLimit
            let open = try await store.countConversations(userID: user.id, kind: .practice, statuses: [.created, .active, .paused])
            guard open < openSessionLimit else {
                throw APIError(.conflict, code: "SESSION_LIMIT_EXCEEDED",
                               "You already have \(open) open sessions; end one before starting another (limit \(openSessionLimit))")
            }
            let conversation = try await store.createConversation(Conversation(
                id: UUID(), publicID: newSessionID(), organizationID: user.organizationID, userID: user.id, kind: .practice,
                scenarioID: scenario.id, title: scenario.title, status: .created, configuration: configuration.settings,
                details: ConversationDetails(sessionType: sessionType), analysis: nil, createdAt: Date(),
                startedAt: nil, completedAt: nil, duration: nil))
            return try await SessionDTO(conversation, publicURL: request.application.parley.publicURL)
                .encodeResponse(status: .created, for: request)
        }

        static func list(_ request: Request) async throws -> [SessionDTO] {
            let user = try await SalesTrainer.subject(of: request)
            var query = ConversationQuery(organizationID: user.organizationID, userID: user.id, kind: .practice)
            query.offset = try request.pagingValue("skip", default: 0, range: 0...Int.max)
            query.limit = try request.pagingValue("limit", default: 50, range: 1...500)
            if let raw = request.query[String.self, at: "status"] {
                guard let status = ConversationStatus(rawValue: raw) else {
                    throw APIError.validation("status", "must be one of \(ConversationStatus.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                query.status = status
            }
            let publicURL = request.application.parley.publicURL
            return try await request.conversations.conversations(query).map { SessionDTO($0, publicURL: publicURL) }
        }

        static func get(_ request: Request) async throws -> SessionDetailDTO {
            let conversation = try await session(request, access: .read)
            let turns = try await request.conversations.turns(conversationID: conversation.id)
            return SessionDetailDTO(conversation, turns: turns, publicURL: request.application.parley.publicURL)
        }

        static func feedback(_ request: Request) async throws -> Identity.MessageDTO {
            var conversation = try await session(request)
            let body = try request.decodeJSON(SessionFeedbackRequest.self)
            guard (1...5).contains(body.rating) else { throw APIError.validation("rating", "must be from 1 to 5") }
            if let difficulty = body.difficulty_rating, !(1...5).contains(difficulty) {
                throw APIError.validation("difficulty_rating", "must be from 1 to 5")
            }
            let text = try body.feedback.map { try AccountRules.name($0, field: "feedback", required: false, maxLength: 5000) }
            conversation.details.feedback = ConversationFeedback(
                rating: body.rating, comment: text ?? nil, difficultyRating: body.difficulty_rating,
                technicalIssues: body.technical_issues ?? false, submittedAt: Date())
            try await request.conversations.updateConversation(conversation)
            return Identity.MessageDTO(message: "Feedback submitted successfully")
        }

        static func comments(_ request: Request) async throws -> [SessionCommentDTO] {
            let conversation = try await session(request, access: .read)
            let comments = try await request.core.conversations.comments(of: conversation)
            return try await SessionCommentDTO.render(comments, in: request)
        }

        static func addComment(_ request: Request) async throws -> Response {
            let user = try request.principal.user
            let conversation = try await session(request, access: .read)
            let body = try request.decodeJSON(CreateSessionCommentRequest.self)
            let comment = try await request.core.conversations.comment(
                on: conversation, by: user, text: body.text, atSeconds: body.at_seconds, turn: body.turn)
            return try await SessionCommentDTO.render([comment], in: request)[0].encodeResponse(status: .created, for: request)
        }

        /// The practice session named in the path. Its owner may do anything with it; `.read`
        /// also lets whoever the access policy allows (the rep's coach, an admin) read it.
        /// Anyone else's is "not found".
        static func session(_ request: Request, access: Access? = nil) async throws -> Conversation {
            let user = try request.principal.user
            let id = request.parameters.get("session_id") ?? ""
            guard let conversation = try await request.conversations.conversation(publicID: id, organizationID: user.organizationID),
                  conversation.kind == .practice
            else { throw APIError.notFound("SESSION_NOT_FOUND", "Session \(id) not found") }
            if conversation.userID != user.id {
                // Someone the policy does not let read it learns nothing of it, not even that it exists.
                guard let access, let owner = try await request.identity.store.user(id: conversation.userID, organizationID: user.organizationID),
                      AccessPolicy.allows(user, access, toWhatIsOwnedBy: owner)
                else { throw APIError.notFound("SESSION_NOT_FOUND", "Session \(id) not found") }
            }
            return conversation
        }

        static func configuration(_ body: CreateSessionRequest.Configuration?, scenario: Scenario) throws -> SessionConfigurationDTO {
            let difficulty = body?.difficulty_level ?? scenario.difficulty.rawValue
            guard Difficulty(rawValue: difficulty) != nil else {
                throw APIError.validation("configuration.difficulty_level", "must be one of \(Difficulty.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let maxDuration = body?.max_duration ?? 1800
            guard SessionConfigurationDTO.maxDurationRange.contains(maxDuration) else {
                throw APIError.validation("configuration.max_duration", "must be between 60 and 7200 seconds")
            }
            let voice = body?.voice_id ?? "professional_female"
            guard (1...64).contains(voice.count), !AccountRules.containsControlCharacters(voice) else {
                throw APIError.validation("configuration.voice_id", "must be a voice id such as 'professional_female'")
            }
            return SessionConfigurationDTO(
                coaching_enabled: body?.coaching_enabled ?? true, difficulty_level: difficulty, max_duration: maxDuration, voice_id: voice)
        }

        /// Sessions created but never connected to stop blocking new ones after a while.
        static func abandonUnusedSessions(of user: User, in request: Request) async throws {
            let stale = try await request.conversations.conversations(ConversationQuery(
                organizationID: user.organizationID, userID: user.id, kind: .practice, status: .created,
                createdBefore: Date().addingTimeInterval(-unusedSessionTimeout), limit: 100))
            for var conversation in stale {
                conversation.status = .abandoned
                try await request.conversations.updateConversation(conversation)
            }
        }

        /// `session_` and twelve digits, as the document's ids look.
        static func newSessionID() -> String {
            "session_" + String((0..<12).map { _ in "0123456789".randomElement()! })
        }
    }
}
