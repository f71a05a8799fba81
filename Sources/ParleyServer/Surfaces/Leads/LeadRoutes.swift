import Foundation
import ParleyCore
import ParleyDomain
import Vapor

extension LeadsAndCalls {
    /// `/api/v1/leads`: create, list, read, change and remove leads; their score (with reasons
    /// and history), their activities, and the organization's top score factors.
    enum LeadRoutes {
        static func register(on routes: any RoutesBuilder) {
            let leads = routes.grouped("leads")
            leads.post(use: create)
            leads.get(use: list)
            leads.get("scoring", "factors", use: factors)
            leads.get(":lead_id", use: read)
            leads.put(":lead_id", use: update)
            leads.delete(":lead_id", use: delete)
            leads.post(":lead_id", "score", use: score)
            leads.get(":lead_id", "score", "history", use: history)
            leads.post(":lead_id", "activities", use: addActivity)
            leads.get(":lead_id", "activities", use: activities)
        }

        static func leadID(_ request: Request) -> String { request.parameters.get("lead_id") ?? "" }

        static func create(_ request: Request) async throws -> Response {
            let user = try request.principal.user
            let draft = try LeadFields(request).draft
            let lead = try await request.core.leads.create(draft, by: user)
            return try request.renderJSON(LeadJSON.lead(lead), status: .created)
        }

        static func list(_ request: Request) async throws -> Response {
            let user = try request.principal.user
            let page = try request.pagingValue("page", default: 1, range: 1...1_000_000)
            let perPage = try request.pagingValue("per_page", default: 50, range: 1...LeadBook.maxPerPage)
            var query = try LeadQueryParameters.query(request, organizationID: user.organizationID)
            query.offset = (page - 1) * perPage
            query.limit = perPage
            let (leads, total) = try await request.core.leads.leads(query)
            return try request.renderJSON(.object([
                "leads": .array(leads.map(LeadJSON.lead)), "total": .number(Double(total)), "page": .number(Double(page)),
                "per_page": .number(Double(perPage)), "total_pages": .number(Double((total + perPage - 1) / perPage)),
            ]))
        }

        static func read(_ request: Request) async throws -> Response {
            let user = try request.principal.user
            let lead = try await request.core.leads.lead(publicID: leadID(request), organizationID: user.organizationID)
            return try request.renderJSON(LeadJSON.lead(lead))
        }

        static func update(_ request: Request) async throws -> Response {
            let user = try request.principal.user
            let changes = try LeadFields(request).changes
            let lead = try await request.core.leads.update(publicID: leadID(request), with: changes, by: user)
            return try request.renderJSON(LeadJSON.lead(lead))
        }

        static func delete(_ request: Request) async throws -> Response {
            let user = try request.principal.user
            try await request.core.leads.delete(publicID: leadID(request), by: user)
            return Response(status: .noContent)
        }

        static func score(_ request: Request) async throws -> Response {
            let user = try request.principal.user
            let lead = try await request.core.leads.rescore(publicID: leadID(request), organizationID: user.organizationID)
            guard let card = lead.score else { throw APIError(.internalServerError, code: "INTERNAL_ERROR", "The lead could not be scored") }
            return try request.renderJSON(LeadJSON.score(card))
        }

        static func history(_ request: Request) async throws -> Response {
            let user = try request.principal.user
            let limit = try request.pagingValue("limit", default: 100, range: 1...1_000)
            let lead = try await request.core.leads.lead(publicID: leadID(request), organizationID: user.organizationID)
            let entries = try await request.core.leads.scoreHistory(of: lead, limit: limit)
            return try request.renderJSON(.object([
                "lead_id": .string(lead.publicID),
                "history": .array(entries.map { entry in
                    .object([
                        "overall_score": .number(entry.overall), "conversion_probability": .number(entry.conversionProbability),
                        "band": .string(entry.band.rawValue), "reason": .string(entry.reason),
                        "scored_at": .string(Timestamp.iso8601(entry.scoredAt)),
                    ])
                }),
            ]))
        }

        /// The document's activity body; `occurred_at` (an addition) dates one that happened earlier.
        struct ActivityRequest: Decodable {
            var activity_type: String
            var description: String?
            var metadata: JSONValue?
            var occurred_at: String?
        }

        static func addActivity(_ request: Request) async throws -> Response {
            let user = try request.principal.user
            let body = try request.decodeJSON(ActivityRequest.self)
            var occurred: Date?
            if let raw = body.occurred_at {
                guard let date = try? Date(raw, strategy: .iso8601) else { throw APIError.validation("occurred_at", "must be an ISO 8601 time") }
                occurred = date
            }
            let draft = LeadActivityDraft(type: body.activity_type, description: body.description, metadata: body.metadata ?? .object([:]), occurredAt: occurred)
            let (activity, lead) = try await request.core.leads.record(draft, on: leadID(request), by: user, organizationID: user.organizationID)
            var object = LeadJSON.activity(activity, lead: lead).objectValue
            object["score"] = lead.score.map(LeadJSON.scoreSummary) ?? .null
            return try request.renderJSON(.object(object), status: .created)
        }

        static func activities(_ request: Request) async throws -> Response {
            let user = try request.principal.user
            let limit = try request.pagingValue("limit", default: 100, range: 1...500)
            let lead = try await request.core.leads.lead(publicID: leadID(request), organizationID: user.organizationID)
            let activities = try await request.core.leads.activities(of: lead, limit: limit)
            return try request.renderJSON(.object([
                "lead_id": .string(lead.publicID), "activities": .array(activities.map { LeadJSON.activity($0, lead: lead) }),
            ]))
        }

        static func factors(_ request: Request) async throws -> Response {
            let user = try request.principal.user
            let limit = try request.pagingValue("limit", default: 10, range: 1...100)
            let (positive, negative) = try await request.core.leads.topFactors(organizationID: user.organizationID, limit: limit)
            let calibration = try await request.core.leads.calibration(organizationID: user.organizationID)
            func rows(_ counts: [LeadFactorCount]) -> JSONValue {
                .array(counts.map { .object(["factor": .string($0.factor), "leads": .number(Double($0.leads))]) })
            }
            return try request.renderJSON(.object([
                "positive_factors": rows(positive), "negative_factors": rows(negative),
                "calibration": .object([
                    "calibrated": .bool(calibration != nil),
                    "closed_leads": calibration.map { .number(Double($0.closedLeads)) } ?? .null,
                    "minimum_closed_leads": .number(Double(LeadScoring.minimumClosedLeads)),
                    "fitted_at": calibration.map { .string(Timestamp.iso8601($0.fittedAt)) } ?? .null,
                ]),
            ]))
        }
    }
}
