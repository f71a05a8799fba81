import Foundation
import ParleyCore
import ParleyDomain
import Vapor

extension VoiceAgents {
    /// `/campaigns`: create (draft), list, read, launch, pause and resume; numbers in E.164.
    enum CampaignRoutes {
        /// Numbers a campaign shows in its body; `phone_number_count` gives the whole count.
        static let shownNumbers = 100

        /// The document's fields plus documented extensions: calling hours, attempts, retry
        /// delay, voicemail action and a lead list instead of numbers.
        struct CampaignBody: Decodable {
            struct Hours: Decodable {
                var timezone: String
                var start: String
                var end: String
                var days: [String]?
            }
            struct LeadList: Decodable {
                var status: LeadStatus?
            }
            var name: String
            var agent_id: String
            var phone_numbers: [String]?
            var lead_list: LeadList?
            var start_time: String?
            var end_time: String?
            var max_concurrent_calls: Int?
            var calling_hours: Hours?
            var max_attempts: Int?
            var retry_delay_seconds: Double?
            var voicemail_action: VoicemailAction?
        }

        static func register(on routes: any RoutesBuilder) {
            let campaigns = routes.grouped("campaigns")
            campaigns.get(use: list)
            campaigns.post(use: create)
            campaigns.get(":campaign_id", use: read)
            campaigns.post(":campaign_id", "launch", use: launch)
            campaigns.post(":campaign_id", "pause", use: pause)
            campaigns.post(":campaign_id", "resume", use: resume)
        }

        static func campaignID(_ request: Request) throws -> UUID {
            try VoiceAgents.uuid(request.parameters.get("campaign_id"), notFound: "CAMPAIGN_001", entity: "Campaign")
        }

        static let weekdays = ["sun": 1, "mon": 2, "tue": 3, "wed": 4, "thu": 5, "fri": 6, "sat": 7]

        /// "09:30" → 570; "24:00" is the end of the day.
        static func minutes(_ text: String, field: String) throws -> Int {
            let parts = text.split(separator: ":")
            guard parts.count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]), (0...24).contains(hour), (0..<60).contains(minute),
                  hour * 60 + minute <= 1_440
            else { throw APIError.validation(field, "must be a time of day as HH:MM") }
            return hour * 60 + minute
        }

        static func hours(_ body: CampaignBody.Hours) throws -> CallingHours {
            let days = try (body.days ?? ["mon", "tue", "wed", "thu", "fri"]).map { day in
                guard let number = weekdays[String(day.lowercased().prefix(3))] else {
                    throw APIError.validation("calling_hours.days", "'\(day)' is not a weekday (mon … sun)")
                }
                return number
            }
            return CallingHours(timeZone: body.timezone, start: try minutes(body.start, field: "calling_hours.start"),
                                end: try minutes(body.end, field: "calling_hours.end"), weekdays: Array(Set(days)).sorted())
        }

        static func hoursJSON(_ hours: CallingHours) -> JSONValue {
            func time(_ minutes: Int) -> String { String(format: "%02d:%02d", minutes / 60, minutes % 60) }
            let names = Dictionary(uniqueKeysWithValues: weekdays.map { ($1, $0) })
            return .object(["timezone": .string(hours.timeZone), "start": .string(time(hours.start)), "end": .string(time(hours.end)),
                            "days": .array(hours.weekdays.compactMap { names[$0].map(JSONValue.string) })])
        }

        static func json(_ campaign: Campaign, numbers: [CampaignNumber], progress: CampaignProgress? = nil) -> JSONValue {
            func date(_ value: Date?) -> JSONValue { value.map { .string(Timestamp.iso8601($0)) } ?? .null }
            var object: [String: JSONValue] = [
                "id": .string(campaign.id.uuidString.lowercased()), "name": .string(campaign.name),
                "agent_id": .string(campaign.agentID.uuidString.lowercased()), "status": .string(campaign.status.rawValue),
                "phone_numbers": .array(numbers.map { .string($0.phoneNumber) }), "phone_number_count": .number(Double(campaign.numberCount)),
                "start_time": date(campaign.startTime), "end_time": date(campaign.endTime),
                "max_concurrent_calls": .number(Double(campaign.maxConcurrentCalls)),
                "calling_hours": campaign.callingHours.map(hoursJSON) ?? .null, "max_attempts": .number(Double(campaign.maxAttempts)),
                "retry_delay_seconds": .number(campaign.retryDelay), "voicemail_action": .string(campaign.voicemail.rawValue),
                "launched_at": date(campaign.launchedAt), "paused_at": date(campaign.pausedAt), "completed_at": date(campaign.completedAt),
                "created_at": .string(Timestamp.iso8601(campaign.createdAt)),
            ]
            if let progress {
                object["progress"] = .object(Dictionary(uniqueKeysWithValues: DialStatus.allCases.map {
                    ($0.rawValue, JSONValue.number(Double(progress.counts[$0] ?? 0)))
                }))
            }
            return .object(object)
        }

        static func list(_ request: Request) async throws -> Response {
            let user = try request.principal.user
            let (skip, limit) = try VoiceAgents.paging(request, defaultLimit: 20)
            let agent = try request.query[String.self, at: "agent_id"].map { raw in
                guard let id = UUID(uuidString: raw) else { throw APIError.validation("agent_id", "must be an agent id (a UUID)") }
                return id
            }
            let status = try request.query[String.self, at: "status"].map { raw in
                guard let status = CampaignStatus(rawValue: raw) else {
                    throw APIError.validation("status", "must be one of \(CampaignStatus.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return status
            }
            let (campaigns, total) = try await request.core.campaigns.campaigns(of: user, agentID: agent, status: status, offset: skip, limit: limit)
            var items: [JSONValue] = []
            for campaign in campaigns {
                items.append(json(campaign, numbers: try await request.core.campaigns.numbers(of: campaign, limit: shownNumbers),
                                  progress: try await request.core.campaigns.progress(of: campaign)))
            }
            return try request.renderJSON(.object([
                "total": .number(Double(total)), "skip": .number(Double(skip)), "limit": .number(Double(limit)), "items": .array(items),
            ]))
        }

        static func create(_ request: Request) async throws -> Response {
            let user = try request.principal.user
            let body = try request.decodeJSON(CampaignBody.self)
            guard let agentID = UUID(uuidString: body.agent_id) else { throw APIError(.notFound, code: "AGENT_001", "Agent not found") }
            var draft = CampaignDraft(name: body.name, agentID: agentID, phoneNumbers: body.phone_numbers ?? [])
            draft.useLeads = body.lead_list != nil
            draft.leadStatus = body.lead_list?.status
            draft.startTime = try Timestamp.parse(body.start_time, field: "start_time")
            draft.endTime = try Timestamp.parse(body.end_time, field: "end_time")
            draft.maxConcurrentCalls = body.max_concurrent_calls
            draft.callingHours = try body.calling_hours.map(hours)
            draft.maxAttempts = body.max_attempts
            draft.retryDelay = body.retry_delay_seconds
            draft.voicemail = body.voicemail_action
            let campaign = try await surfacing { try await request.core.campaigns.create(draft, by: user) }
            let numbers = try await request.core.campaigns.numbers(of: campaign, limit: shownNumbers)
            return try request.renderJSON(json(campaign, numbers: numbers), status: .created)
        }

        static func read(_ request: Request) async throws -> Response {
            let user = try request.principal.user
            let id = try campaignID(request)
            let campaign = try await surfacing { try await request.core.campaigns.campaign(id: id, of: user) }
            let progress = try await request.core.campaigns.progress(of: campaign)
            return try request.renderJSON(json(campaign, numbers: try await request.core.campaigns.numbers(of: campaign, limit: shownNumbers),
                                               progress: progress))
        }

        static func launch(_ request: Request) async throws -> Response {
            let user = try request.principal.user
            let id = try campaignID(request)
            let campaign = try await surfacing { try await request.core.campaigns.launch(id: id, by: user) }
            request.application.parley.jobs.ring()
            return try request.renderJSON(.object([
                "id": .string(campaign.id.uuidString.lowercased()), "status": .string(campaign.status.rawValue),
                "launched_at": .string(Timestamp.iso8601(campaign.launchedAt ?? Date())),
            ]))
        }

        static func pause(_ request: Request) async throws -> Response {
            let user = try request.principal.user
            let id = try campaignID(request)
            let campaign = try await surfacing { try await request.core.campaigns.pause(id: id, by: user) }
            return try request.renderJSON(.object([
                "id": .string(campaign.id.uuidString.lowercased()), "status": .string(campaign.status.rawValue),
                "paused_at": .string(Timestamp.iso8601(campaign.pausedAt ?? Date())),
            ]))
        }

        static func resume(_ request: Request) async throws -> Response {
            let user = try request.principal.user
            let id = try campaignID(request)
            let campaign = try await surfacing { try await request.core.campaigns.resume(id: id, by: user) }
            request.application.parley.jobs.ring()
            return try request.renderJSON(.object([
                "id": .string(campaign.id.uuidString.lowercased()), "status": .string(campaign.status.rawValue),
                "resumed_at": .string(Timestamp.iso8601(campaign.updatedAt)),
            ]))
        }
    }

    /// `/do-not-call`: the organization's list of numbers no campaign dials (a documented
    /// addition; leads who opt out on a call are added to it by themselves).
    enum DoNotCallRoutes {
        struct BlockBody: Decodable {
            var phone_numbers: [String]
            var reason: String?
        }

        static func register(on routes: any RoutesBuilder) {
            let list = routes.grouped("do-not-call")
            list.get(use: read)
            list.post(use: add)
            list.delete(":phone_number", use: remove)
        }

        static func read(_ request: Request) async throws -> Response {
            let user = try request.principal.user
            let skip = try request.pagingValue("skip", default: 0, range: 0...10_000_000)
            let limit = try request.pagingValue("limit", default: 100, range: 1...1_000)
            let (numbers, total) = try await request.core.campaigns.blockedNumbers(of: user, offset: skip, limit: limit)
            return try request.renderJSON(.object([
                "total": .number(Double(total)), "skip": .number(Double(skip)), "limit": .number(Double(limit)),
                "items": .array(numbers.map { number in
                    .object(["phone_number": .string(number.phoneNumber), "reason": number.reason.map(JSONValue.string) ?? .null,
                             "created_at": .string(Timestamp.iso8601(number.createdAt))])
                }),
            ]))
        }

        static func add(_ request: Request) async throws -> Response {
            let user = try request.principal.user
            let body = try request.decodeJSON(BlockBody.self)
            let numbers = try await request.core.campaigns.block(body.phone_numbers, reason: body.reason, by: user)
            return try request.renderJSON(.object(["added": .array(numbers.map(JSONValue.string)), "count": .number(Double(numbers.count))]),
                                          status: .created)
        }

        static func remove(_ request: Request) async throws -> Response {
            let user = try request.principal.user
            try await request.core.campaigns.unblock(request.parameters.get("phone_number") ?? "", by: user)
            return Response(status: .noContent)
        }
    }
}
