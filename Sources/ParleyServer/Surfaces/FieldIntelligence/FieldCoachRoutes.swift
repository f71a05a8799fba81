import Foundation
import ParleyAudio
import ParleyCore
import ParleyDomain
import ParleyIntelligence
import Vapor

extension FieldIntelligence {
    /// `/v1/coach` and `/v1/analytics`: a supervisor's technicians, their recent calls, feedback
    /// and upsells through the sale; daily figures, trends, the team's week and leaderboards.
    /// Also the additions: `/v1/settings` (consent rule, upsell catalogue) and a technician's
    /// voice enrolment.
    enum FieldCoachRoutes {
        static func register(on signedIn: any RoutesBuilder) {
            let coach = signedIn.grouped("coach")
            coach.get("technicians", use: technicians)
            coach.get("calls", "recent", use: recentCalls)
            coach.post("calls", ":conversation_id", "feedback", use: feedback)
            coach.put("upsells", ":opportunity_id", "status", use: upsellStatus)
            let analytics = signedIn.grouped("analytics")
            analytics.get("technician", ":technician_id", "daily", use: daily)
            analytics.get("technician", ":technician_id", "trends", use: trends)
            analytics.get("team", "overview", use: teamOverview)
            analytics.get("leaderboard", ":period", use: leaderboard)
            signedIn.get("settings", use: settings)
            signedIn.put("settings", use: saveSettings)
            signedIn.on(.POST, "users", "me", "voice-sample", body: .collect(maxSize: "8mb"), use: enrolVoice)
        }

        static func person(_ user: User) -> JSONValue {
            .object(["user_id": .string(UserID.make(user.id)), "full_name": .string(FieldAuthRoutes.fullName(user))])
        }

        static func technicianList(_ request: Request) async throws -> [User] {
            try await request.core.fieldTeam.technicians(visibleTo: try request.principal.user)
        }

        // MARK: coach

        static func technicians(_ request: Request) async throws -> Response {
            let people = try await technicianList(request)
            let week = FieldPeriod(.weekly, containing: Date())
            let thisWeek = try await request.core.fieldAnalytics.figures(of: people, from: week.start, to: week.end)
            let overall = try await request.core.fieldAnalytics.figures(of: people, from: Date(timeIntervalSince1970: 0), to: week.end)
            return try request.renderJSON(.object(["technicians": .array(people.map { technician in
                let all = overall[technician.id]
                return .object([
                    "user_id": .string(UserID.make(technician.id)), "full_name": .string(FieldAuthRoutes.fullName(technician)),
                    "stats": .object([
                        "calls_this_week": .number(Double(thisWeek[technician.id]?.calls ?? 0)),
                        "avg_satisfaction": FieldAnalytics.stars(all?.averageSatisfaction).map(JSONValue.number) ?? .null,
                        "upsell_conversion": all?.upsellConversion.map { .number(($0 * 100).rounded() / 100) } ?? .null,
                        "coaching_moments_count": .number(Double(all?.coachingMoments ?? 0)),
                    ]),
                ])
            })]))
        }

        static func recentCalls(_ request: Request) async throws -> Response {
            let people = try await technicianList(request)
            let limit = try request.pagingValue("limit", default: 20, range: 1...100)
            let days = try request.pagingValue("days", default: 7, range: 1...366)
            var minimum: Double?
            if let raw = request.query[String.self, at: "min_rating"] {
                guard let value = Double(raw), (1...5).contains(value) else { throw APIError.validation("min_rating", "must be a rating from 1 to 5") }
                minimum = value
            }
            let since = Date().addingTimeInterval(-Double(days) * 86_400)
            var calls: [(Conversation, User)] = []
            for technician in people {
                let found = try await request.core.conversations.conversations(ConversationQuery(
                    organizationID: technician.organizationID, userID: technician.id, kind: .field, createdAfter: since, limit: limit))
                calls += found.map { ($0, technician) }
            }
            if let minimum {
                calls = calls.filter { conversation, _ in
                    conversation.status == .completed && (FieldAnalytics.stars(conversation.score) ?? 0) >= minimum
                }
            }
            calls.sort { $0.0.createdAt > $1.0.createdAt }
            var items: [JSONValue] = []
            for (conversation, technician) in calls.prefix(limit) {
                let upsells = try await request.core.fieldVisits.upsells(of: conversation)
                let moments = try await request.core.fieldVisits.coachingMoments(of: conversation)
                items.append(.object([
                    "conversation_id": .string(FieldVisitID.display(ofStored: conversation.publicID)), "technician": person(technician),
                    "customer_name": conversation.details.field?.customerName.map(JSONValue.string) ?? .null,
                    "duration_seconds": conversation.duration.map { .number($0.rounded()) } ?? .null,
                    "satisfaction_score": conversation.status == .completed ? conversation.score.map { .number($0.rounded()) } ?? .null : .null,
                    "upsells_count": .number(Double(upsells.count)), "coaching_moments_count": .number(Double(moments.count)),
                    "started_at": .string(Timestamp.iso8601(conversation.startedAt ?? conversation.createdAt)),
                    "status": .string(status(conversation.status)),
                ]))
            }
            return try request.renderJSON(.object(["calls": .array(items)]))
        }

        struct FeedbackBody: Decodable {
            var overall_rating: Int?
            var rapport_rating: Int?
            var technical_rating: Int?
            var upsell_rating: Int?
            var strengths: String?
            var areas_for_improvement: String?
            var is_training_example: Bool?
        }

        static func feedback(_ request: Request) async throws -> Response {
            let supervisor = try request.principal.user
            let body = try request.decodeJSON(FeedbackBody.self)
            let (conversation, technician) = try await request.core.fieldVisits.visit(FieldConversationRoutes.conversationID(request), visibleTo: supervisor)
            let stored = try await request.core.fieldVisits.feedback(
                on: conversation, of: technician, by: supervisor,
                ratings: ["overall_rating": body.overall_rating, "rapport_rating": body.rapport_rating, "technical_rating": body.technical_rating,
                          "upsell_rating": body.upsell_rating],
                strengths: body.strengths, improvements: body.areas_for_improvement, trainingExample: body.is_training_example ?? false)
            try await FieldWebhooks.announce(FieldWebhooks.feedbackSubmitted, data: .object([
                "feedback_id": .number(Double(stored.id)), "overall_rating": .number(Double(stored.overallRating)),
                "supervisor_id": .string(UserID.make(supervisor.id)),
            ]), about: conversation, occurrence: "\(stored.id)", context: request.application.parley)
            return try request.renderJSON(.object([
                "feedback_id": .number(Double(stored.id)), "created_at": .string(Timestamp.iso8601(stored.createdAt)),
            ]), status: .created)
        }

        struct UpsellStatusBody: Decodable {
            var status: String
            var actual_value: Double?
            var notes: String?
        }

        static func upsellStatus(_ request: Request) async throws -> Response {
            let supervisor = try request.principal.user
            guard let raw = request.parameters.get("opportunity_id"), let id = Int(raw), id > 0 else {
                throw APIError.notFound("NOT_FOUND", "Upsell opportunity \(request.parameters.get("opportunity_id") ?? "") not found")
            }
            let body = try request.decodeJSON(UpsellStatusBody.self)
            guard let status = UpsellStatus(rawValue: body.status) else {
                throw APIError.validation("status", "must be one of \(UpsellStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let updated = try await request.core.fieldVisits.updateUpsell(id: id, to: status, actualValue: body.actual_value, notes: body.notes, by: supervisor)
            return try request.renderJSON(FieldConversationRoutes.upsellJSON(updated))
        }

        // MARK: analytics

        static func technician(_ request: Request) async throws -> User {
            guard let id = UserID.parse(request.parameters.get("technician_id")) else {
                throw APIError.notFound("NOT_FOUND", "Technician \(request.parameters.get("technician_id") ?? "") not found")
            }
            return try await request.core.fieldAnalytics.technician(id, visibleTo: try request.principal.user)
        }

        static func figuresJSON(_ figures: FieldPeriodFigures) -> [String: JSONValue] {
            [
                "total_calls": .number(Double(figures.calls)),
                "avg_call_duration": figures.averageDuration.map { .number($0.rounded()) } ?? .null,
                "upsells_identified": .number(Double(figures.upsellsIdentified)),
                "upsells_closed": .number(Double(figures.upsellsClosed)),
                "upsell_revenue": .number(figures.upsellRevenue),
                "upsell_conversion": figures.upsellConversion.map { .number(($0 * 100).rounded() / 100) } ?? .null,
                "avg_customer_satisfaction": FieldAnalytics.stars(figures.averageSatisfaction).map(JSONValue.number) ?? .null,
                "coaching_moments_count": .number(Double(figures.coachingMoments)),
                "recorded_calls": .number(Double(figures.recordedCalls)),
            ]
        }

        static func daily(_ request: Request) async throws -> Response {
            let technician = try await technician(request)
            let today = Date()
            let end = try request.query[String.self, at: "end_date"].map { try QueryDate.parse($0, field: "end_date", allowingInstants: false) } ?? today
            let start = try request.query[String.self, at: "start_date"].map { try QueryDate.parse($0, field: "start_date", allowingInstants: false) }
                ?? end.addingTimeInterval(-6 * 86_400)
            guard start <= end else { throw APIError.validation("start_date", "must be on or before end_date") }
            guard end.timeIntervalSince(start) <= 366 * 86_400 else { throw APIError.validation("start_date", "the range is at most 366 days") }
            let rows = try await request.core.fieldAnalytics.daily(of: technician, from: start, through: end)
            return try request.renderJSON(.object(["metrics": .array(rows.map { row in
                var fields = figuresJSON(row)
                fields["date"] = .string(row.day ?? "")
                return .object(fields)
            })]))
        }

        static func trends(_ request: Request) async throws -> Response {
            let technician = try await technician(request)
            let trends = try await request.core.fieldAnalytics.trends(of: technician)
            return try request.renderJSON(.object(["trends": .object([
                "calls_trend": .string(trends.calls.rawValue), "satisfaction_trend": .string(trends.satisfaction.rawValue),
                "upsell_trend": .string(trends.upsells.rawValue),
                "weekly_stats": .array(trends.weeks.map { week in
                    var fields = figuresJSON(week.figures)
                    fields["week_start"] = .string(Timestamp.day(week.start))
                    return .object(fields)
                }),
            ])]))
        }

        static func teamOverview(_ request: Request) async throws -> Response {
            let overview = try await request.core.fieldAnalytics.overview(for: try request.principal.user)
            let team = overview.figures
            return try request.renderJSON(.object(["team_stats": .object([
                "period_start": .string(Timestamp.day(overview.week.start)), "period_end": .string(Timestamp.day(overview.week.lastDay)),
                "technicians": .number(Double(overview.technicians)),
                "total_calls_this_week": .number(Double(team.calls)),
                "avg_satisfaction": FieldAnalytics.stars(team.averageSatisfaction).map(JSONValue.number) ?? .null,
                "total_upsell_revenue": .number(team.upsellRevenue),
                "recording_coverage": .object([
                    "with_recording": .number(Double(team.recordedCalls)), "without_recording": .number(Double(team.calls - team.recordedCalls)),
                    "share": team.calls > 0 ? .number((Double(team.recordedCalls) / Double(team.calls) * 100).rounded() / 100) : .null,
                ]),
                "nudges": .object(["shown": .number(Double(overview.nudges.shown)), "dismissed": .number(Double(overview.nudges.dismissed)),
                                   "accepted": .number(Double(overview.nudges.accepted))]),
                "top_performer": overview.topPerformer.map { ranking in
                    .object(["user_id": .string(UserID.make(ranking.technician.id)), "full_name": .string(FieldAuthRoutes.fullName(ranking.technician)),
                             "score": .number(ranking.score), "stats": .object(figuresJSON(ranking.figures))])
                } ?? .null,
            ])]))
        }

        static func leaderboard(_ request: Request) async throws -> Response {
            guard let kind = FieldPeriod.Kind(rawValue: request.parameters.get("period") ?? "") else {
                throw APIError.validation("period", "must be daily, weekly or monthly")
            }
            let date = try request.query[String.self, at: "date"].map { try QueryDate.parse($0, field: "date", allowingInstants: false) } ?? Date()
            let period = FieldPeriod(kind, containing: date)
            let rankings = try await request.core.fieldAnalytics.leaderboard(period, visibleTo: try request.principal.user)
            return try request.renderJSON(.object([
                "period_type": .string(kind.rawValue), "period_start": .string(Timestamp.day(period.start)), "period_end": .string(Timestamp.day(period.lastDay)),
                "rankings": .array(rankings.map { ranking in
                    .object([
                        "rank": .number(Double(ranking.rank)), "user_id": .string(UserID.make(ranking.technician.id)),
                        "full_name": .string(FieldAuthRoutes.fullName(ranking.technician)), "score": .number(ranking.score),
                        "metrics": .object([
                            "calls": .number(Double(ranking.figures.calls)),
                            "satisfaction": FieldAnalytics.stars(ranking.figures.averageSatisfaction).map(JSONValue.number) ?? .null,
                            "upsell_conversion": ranking.figures.upsellConversion.map { .number(($0 * 100).rounded() / 100) } ?? .null,
                            "revenue": .number(ranking.figures.upsellRevenue),
                        ]),
                    ])
                }),
            ]))
        }

        // MARK: settings and voice enrolment

        static func settingsJSON(_ settings: FieldSettings) throws -> JSONValue {
            let catalogue = FieldFindings.catalogue(settings)
            return .object([
                "require_all_party_consent": .bool(settings.requireAllPartyConsent),
                "upsell_catalogue": .object([
                    "custom": .bool(settings.upsellCatalogue != nil), "currency": .string(catalogue.currency),
                    "entries": .array(catalogue.entries.map { entry in
                        .object(["type": .string(entry.type), "title": .string(entry.title), "description": .string(entry.description),
                                 "estimated_value": .number(entry.estimatedValue), "value_low": entry.valueLow.map(JSONValue.number) ?? .null,
                                 "value_high": entry.valueHigh.map(JSONValue.number) ?? .null, "triggers": .array(entry.triggers.map(JSONValue.string))])
                    }),
                ]),
            ])
        }

        static func settings(_ request: Request) async throws -> Response {
            let user = try request.principal.user
            return try request.renderJSON(try settingsJSON(try await request.core.fieldVisits.settings(of: user.organizationID)))
        }

        struct SettingsBody: Decodable {
            var require_all_party_consent: Bool?
            var upsell_catalogue: JSONValue?
        }

        static func saveSettings(_ request: Request) async throws -> Response {
            let admin = try request.principal.user
            let body = try request.decodeJSON(SettingsBody.self)
            var settings = try await request.core.fieldVisits.settings(of: admin.organizationID)
            if let consent = body.require_all_party_consent { settings.requireAllPartyConsent = consent }
            if let catalogue = body.upsell_catalogue {
                if catalogue == .null {
                    settings.upsellCatalogue = nil
                } else {
                    let parsed: UpsellCatalogue
                    do { parsed = try UpsellCatalogue.load(from: JSONEncoder().encode(catalogue)) } catch {
                        throw APIError.validation("upsell_catalogue", "must be {currency, entries: [{type, title, description, estimated_value, triggers, value_low?, value_high?}]}")
                    }
                    guard !parsed.entries.isEmpty, parsed.entries.count <= 100,
                          parsed.entries.allSatisfy({ !$0.type.isEmpty && !$0.triggers.isEmpty && $0.triggers.count <= 200 && $0.estimatedValue >= 0 }) else {
                        throw APIError.validation("upsell_catalogue", "needs 1 to 100 entries, each with a type, 1 to 200 triggers and a value of 0 or more")
                    }
                    if let bad = parsed.entries.first(where: { ($0.valueLow ?? 0) > ($0.valueHigh ?? .infinity) }) {
                        throw APIError.validation("upsell_catalogue", "entry \(bad.type): value_low is above value_high")
                    }
                    settings.upsellCatalogue = catalogue
                }
            }
            try await request.core.fieldVisits.saveSettings(settings, for: admin)
            return try request.renderJSON(try settingsJSON(settings))
        }

        /// A technician's voice sample (any audio format; at least two seconds of speech), so
        /// diarisation knows them from the customer by voice rather than by who spoke first.
        static func enrolVoice(_ request: Request) async throws -> Response {
            let user = try request.principal.user
            guard let body = request.body.data, body.readableBytes > 0 else {
                throw APIError.validation("sample", "send the voice sample as the request body (WAV, M4A, MP3 or WebM)")
            }
            let bytes = Data(body.readableBytesView)
            guard let container = AudioDecoder.Container.sniff(Array(bytes.prefix(16))) else {
                throw APIError.validation("sample", "unsupported audio: send WAV, M4A, MP3 or WebM")
            }
            let file = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("voice-\(UUID().uuidString).\(container.fileExtension)")
            try bytes.write(to: file)
            defer { try? FileManager.default.removeItem(at: file) }
            let audio: PCMAudio
            do { audio = try await EngineWork.run { try AudioDecoder.decode(contentsOf: file) } } catch {
                throw APIError.validation("sample", "the sample is damaged or holds no audio that can be decoded")
            }
            guard let voiceprint = try await EngineWork.run({ SpeakerDiarizer.voiceprint(of: audio) }) else {
                throw APIError.validation("sample", "the sample holds too little speech; record at least five seconds of talking")
            }
            try await FieldVoiceprints.enrol(voiceprint, of: user.id, context: request.application.parley)
            return try request.renderJSON(.object([
                "user_id": .string(UserID.make(user.id)), "enrolled": .bool(true), "sample_seconds": .number((audio.duration * 10).rounded() / 10),
            ]), status: .created)
        }
    }
}
