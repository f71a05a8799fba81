import Foundation
import ParleyDomain
import Vapor

extension SalesTrainer {
    /// A practice session's settings, with the defaults filled in.
    struct SessionConfigurationDTO: Content {
        var coaching_enabled: Bool
        var difficulty_level: String
        var max_duration: Int
        var voice_id: String

        static let maxDurationRange = 60...7200

        init(coaching_enabled: Bool, difficulty_level: String, max_duration: Int, voice_id: String) {
            self.coaching_enabled = coaching_enabled
            self.difficulty_level = difficulty_level
            self.max_duration = max_duration
            self.voice_id = voice_id
        }

        /// A session's settings with this surface's defaults for what is unset.
        init(_ settings: ConversationSettings) {
            coaching_enabled = settings.coachingEnabled ?? true
            difficulty_level = settings.difficulty ?? Difficulty.intermediate.rawValue
            max_duration = settings.maxDurationSeconds ?? 1800
            voice_id = settings.voiceID ?? "professional_female"
        }

        var settings: ConversationSettings {
            ConversationSettings(coachingEnabled: coaching_enabled, difficulty: difficulty_level, maxDurationSeconds: max_duration, voiceID: voice_id)
        }
    }

    /// A session as listed and created (the document's session object).
    struct SessionDTO: Content {
        var id: String
        var scenario_id: Int?
        var user_id: Int
        var session_type: String
        var status: String
        var configuration: SessionConfigurationDTO
        var created_at: String
        var started_at: String?
        var completed_at: String?
        var duration: Int?
        var websocket_url: String

        init(_ conversation: Conversation, publicURL: String) {
            id = conversation.publicID
            scenario_id = conversation.scenarioID
            user_id = conversation.userID
            session_type = conversation.details.sessionType ?? "practice"
            status = conversation.status.rawValue
            configuration = SessionConfigurationDTO(conversation.configuration)
            created_at = Timestamp.iso8601(conversation.createdAt)
            started_at = conversation.startedAt.map(Timestamp.iso8601)
            completed_at = conversation.completedAt.map(Timestamp.iso8601)
            duration = conversation.duration.map { Int($0.rounded()) }
            websocket_url = Self.webSocketURL(publicURL: publicURL, sessionID: conversation.publicID)
        }

        static func webSocketURL(publicURL: String, sessionID: String) -> String {
            "\(ParleyContext.webSocketURL(publicURL))/ws/voice/\(sessionID)"
        }
    }

    /// One turn of a session transcript as the document shows it.
    struct TranscriptEntryDTO: Content {
        var speaker: String
        var text: String
        var timestamp: String
        var sentiment: String?
        var intent: String?

        init(_ turn: StoredTurn) {
            speaker = turn.segment.speaker == .rep ? "user" : "ai"
            text = turn.segment.text
            timestamp = Timestamp.iso8601(turn.spokenAt)
            sentiment = turn.sentiment
            intent = turn.intent
        }
    }

    /// The document's `performance_metrics` of a finished role-play: numbers only, so clients can chart every entry.
    struct PerformanceMetricsDTO: Content {
        var overall_score: Int
        var talk_time_ratio: Double
        var question_count: Int
        var objection_handling_score: Int
        var rapport_building_score: Int
        var closing_effectiveness: Int
        var discovery_score: Int
        var objections_raised: Int
        var objections_handled: Int

        init(_ outcome: PracticeOutcome) {
            overall_score = outcome.overallScore
            talk_time_ratio = (outcome.talkTimeRatio * 100).rounded() / 100
            question_count = outcome.questionCount
            objection_handling_score = outcome.skills[.objectionHandling] ?? 0
            rapport_building_score = outcome.skills[.rapportBuilding] ?? 0
            closing_effectiveness = outcome.skills[.closing] ?? 0
            discovery_score = outcome.skills[.discovery] ?? 0
            objections_raised = outcome.objectionsRaised
            objections_handled = outcome.objectionsHandled
        }
    }

    /// One `coaching_feedback` entry: a coaching remark with the turns it is based on.
    struct CoachingFeedbackDTO: Content {
        struct EvidenceDTO: Content {
            var turn: Int
            var phrase: String
        }

        var category: String
        var feedback: String
        var score: Int
        var improvement_tip: String
        var evidence: [EvidenceDTO]

        init(_ remark: CoachingRemark) {
            category = remark.category
            feedback = remark.feedback
            score = remark.score
            improvement_tip = remark.improvementTip
            evidence = remark.evidence.map { EvidenceDTO(turn: $0.turn, phrase: $0.phrase) }
        }
    }

    /// The rep's own feedback on a session, as submitted.
    struct SessionFeedbackDTO: Content {
        var rating: Int
        var feedback: String?
        var difficulty_rating: Int?
        var technical_issues: Bool
        var submitted_at: String

        init(_ feedback: ConversationFeedback) {
            rating = feedback.rating
            self.feedback = feedback.comment
            difficulty_rating = feedback.difficultyRating
            technical_issues = feedback.technicalIssues
            submitted_at = Timestamp.iso8601(feedback.submittedAt)
        }

        /// Every key, `null` when unset, as the session has always shown it.
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(rating, forKey: .rating)
            try c.encode(feedback, forKey: .feedback)
            try c.encode(difficulty_rating, forKey: .difficulty_rating)
            try c.encode(technical_issues, forKey: .technical_issues)
            try c.encode(submitted_at, forKey: .submitted_at)
        }
    }

    /// `GET /sessions/{id}`: the session with transcript, metrics and coaching feedback.
    struct SessionDetailDTO: Content {
        var session: SessionDTO
        var transcript: [TranscriptEntryDTO]
        var performance_metrics: PerformanceMetricsDTO?
        var coaching_feedback: [CoachingFeedbackDTO]?
        var feedback: SessionFeedbackDTO?

        init(_ conversation: Conversation, turns: [StoredTurn], publicURL: String) {
            session = SessionDTO(conversation, publicURL: publicURL)
            transcript = turns.map(TranscriptEntryDTO.init)
            performance_metrics = conversation.analysis?.outcome.map(PerformanceMetricsDTO.init)
            coaching_feedback = conversation.analysis?.outcome.map { $0.feedback.map(CoachingFeedbackDTO.init) }
            feedback = conversation.details.feedback.map(SessionFeedbackDTO.init)
        }

        private enum Extra: String, CodingKey {
            case transcript, performance_metrics, coaching_feedback, feedback
        }

        init(from decoder: any Decoder) throws {
            session = try SessionDTO(from: decoder)
            let c = try decoder.container(keyedBy: Extra.self)
            transcript = try c.decode([TranscriptEntryDTO].self, forKey: .transcript)
            performance_metrics = try c.decodeIfPresent(PerformanceMetricsDTO.self, forKey: .performance_metrics)
            coaching_feedback = try c.decodeIfPresent([CoachingFeedbackDTO].self, forKey: .coaching_feedback)
            feedback = try c.decodeIfPresent(SessionFeedbackDTO.self, forKey: .feedback)
        }

        /// The session's keys, then the detail ones, in one flat object as the document shows.
        func encode(to encoder: any Encoder) throws {
            try session.encode(to: encoder)
            var c = encoder.container(keyedBy: Extra.self)
            try c.encode(transcript, forKey: .transcript)
            try c.encode(performance_metrics, forKey: .performance_metrics)
            try c.encode(coaching_feedback, forKey: .coaching_feedback)
            try c.encode(feedback, forKey: .feedback)
        }
    }

    struct CreateSessionRequest: Decodable {
        struct Configuration: Decodable {
            var coaching_enabled: Bool?
            var difficulty_level: String?
            var max_duration: Int?
            var voice_id: String?
        }

        var scenario_id: Int
        var session_type: String?
        var configuration: Configuration?
    }

    struct SessionFeedbackRequest: Decodable {
        var rating: Int
        var feedback: String?
        var difficulty_rating: Int?
        var technical_issues: Bool?
    }

    /// `POST /sessions/{id}/comments` (an addition): a remark pinned to a time, a turn, or both.
    struct CreateSessionCommentRequest: Decodable {
        var text: String
        var at_seconds: Double?
        var turn: Int?
    }

    /// A comment pinned to a moment of a session, with its author's name and role.
    struct SessionCommentDTO: Content {
        var id: String
        var session_id: String
        var author_id: Int
        var author_name: String
        var author_role: String
        var at_seconds: Double?
        var turn: Int?
        var text: String
        var created_at: Date

        /// The comments with their authors (looked up once each).
        static func render(_ comments: [ConversationComment], in request: Request) async throws -> [SessionCommentDTO] {
            let organization = try request.principal.user.organizationID
            let sessionID = request.parameters.get("session_id") ?? ""
            var authors: [Int: User] = [:]
            for id in Set(comments.map(\.authorID)) {
                authors[id] = try await request.identity.store.user(id: id, organizationID: organization)
            }
            return comments.map { comment in
                let author = authors[comment.authorID]
                return SessionCommentDTO(
                    id: comment.id.uuidString.lowercased(), session_id: sessionID, author_id: comment.authorID,
                    author_name: author.map { "\($0.firstName) \($0.lastName)".trimmingCharacters(in: .whitespaces) } ?? "Former member",
                    author_role: author?.role.rawValue ?? "user", at_seconds: comment.atSeconds, turn: comment.turn, text: comment.text,
                    created_at: comment.createdAt)
            }
        }
    }
}
