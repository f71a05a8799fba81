import Foundation
import ParleyCore
import ParleyDomain
import Vapor

extension LeadsAndCalls {
    /// The Leads & Voice Calls document's shapes, built as JSON so absent values are an explicit
    /// `null` as the document's objects show them, and the same lead object goes to webhooks.
    enum LeadJSON {
        /// The full lead object.
        static func lead(_ lead: Lead) -> JSONValue {
            .object([
                "id": .string(lead.publicID),
                "first_name": .string(lead.firstName), "last_name": .string(lead.lastName),
                "email": text(lead.email), "phone": text(lead.phone), "company": text(lead.company), "title": text(lead.title),
                "industry": text(lead.industry), "source": text(lead.source), "status": .string(lead.status.rawValue),
                "notes": text(lead.notes), "company_size": lead.companySize.map { .number(Double($0)) } ?? .null,
                "deal_value": lead.dealValue.map(JSONValue.number) ?? .null,
                "assigned_to": lead.assignedTo.map { .number(Double($0)) } ?? .null,
                "do_not_call": .bool(lead.doNotCall),
                "score": lead.score.map(scoreSummary) ?? .null,
                "created_at": .string(Timestamp.iso8601(lead.createdAt)), "updated_at": .string(Timestamp.iso8601(lead.updatedAt)),
            ])
        }

        /// The score inside a lead object: the document's five numbers plus intent and band.
        static func scoreSummary(_ card: LeadScoreCard) -> JSONValue {
            .object([
                "overall_score": .number(card.overall), "demographic_score": .number(card.demographic),
                "behavioral_score": .number(card.behavioral), "engagement_score": .number(card.engagement),
                "intent_score": .number(card.intent), "conversion_probability": .number(card.conversionProbability),
                "band": .string(card.band.rawValue),
            ])
        }

        /// `POST /leads/{id}/score`: the components, the probability and the reasons.
        static func score(_ card: LeadScoreCard) -> JSONValue {
            var object = scoreSummary(card).objectValue
            object["calibrated"] = .bool(card.calibrated)
            object["scored_at"] = .string(Timestamp.iso8601(card.scoredAt))
            object["factors"] = .object([
                "positive_factors": .array(card.positiveFactors.map(JSONValue.string)),
                "negative_factors": .array(card.negativeFactors.map(JSONValue.string)),
                "recommendations": .array(card.recommendations.map(JSONValue.string)),
            ])
            return .object(object)
        }

        static func activity(_ activity: LeadActivityRecord, lead: Lead) -> JSONValue {
            .object([
                "id": .string("activity_" + activity.id.uuidString.lowercased().replacingOccurrences(of: "-", with: "")),
                "lead_id": .string(lead.publicID), "activity_type": .string(activity.type.rawValue),
                "custom_type": text(activity.customType), "description": text(activity.description), "metadata": activity.metadata,
                "created_by": activity.userID.map { .number(Double($0)) } ?? .null,
                "occurred_at": .string(Timestamp.iso8601(activity.occurredAt)),
            ])
        }

        static func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
    }

    /// The fields of a lead in a request body, read one by one so each fault names its field and
    /// a `null` (clear it) differs from a missing field (leave it).
    struct LeadFields {
        let object: [String: JSONValue]

        init(_ request: Request) throws {
            guard case .object(let object) = try request.decodeJSON(JSONValue.self) else {
                throw APIError.validation("body", "must be a JSON object")
            }
            self.object = object
        }

        /// nil: absent; .some(nil): null or empty.
        func text(_ key: String) throws -> String?? {
            guard let value = object[key] else { return nil }
            switch value {
            case .null: return .some(nil)
            case .string(let text): return .some(text)
            case .number(let number): return .some(number == number.rounded() && abs(number) < 1e15 ? String(Int(number)) : String(number))
            default: throw APIError.validation(key, "must be a string")
            }
        }

        func number(_ key: String) throws -> Double?? {
            guard let value = object[key] else { return nil }
            switch value {
            case .null: return .some(nil)
            case .number(let number): return .some(number)
            case .string(let text) where Double(text.trimmingCharacters(in: .whitespaces)) != nil:
                return .some(Double(text.trimmingCharacters(in: .whitespaces)))
            default: throw APIError.validation(key, "must be a number")
            }
        }

        func integer(_ key: String) throws -> Int?? {
            guard let outer = try number(key) else { return nil }
            guard let value = outer else { return .some(nil) }
            guard value == value.rounded(), abs(value) < 1e12 else { throw APIError.validation(key, "must be an integer") }
            return .some(Int(value))
        }

        func flag(_ key: String) throws -> Bool? {
            guard let value = object[key] else { return nil }
            guard case .bool(let flag) = value else { throw APIError.validation(key, "must be true or false") }
            return flag
        }

        func status() throws -> LeadStatus? {
            guard let outer = try text("status"), let raw = outer else { return nil }
            guard let status = LeadStatus(rawValue: raw.lowercased()) else {
                throw APIError.validation("status", "must be one of \(LeadStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return status
        }

        /// A user id as `12`, `"12"` or `"user_12"`.
        func assignee() throws -> Int?? {
            guard let value = object["assigned_to"] else { return nil }
            switch value {
            case .null: return .some(nil)
            case .number(let number) where number == number.rounded() && number > 0 && number < 1e12: return .some(Int(number))
            case .string(let text):
                if let id = LeadQueryParameters.userID(text) { return .some(id) }
                fallthrough
            default: throw APIError.validation("assigned_to", "must be the id of a user of your organization")
            }
        }

        var draft: LeadDraft {
            get throws {
                var draft = LeadDraft()
                draft.firstName = try text("first_name").flatMap { $0 } ?? ""
                draft.lastName = try text("last_name").flatMap { $0 } ?? ""
                draft.email = try text("email").flatMap { $0 }
                draft.phone = try text("phone").flatMap { $0 }
                draft.company = try text("company").flatMap { $0 }
                draft.title = try text("title").flatMap { $0 }
                draft.industry = try text("industry").flatMap { $0 }
                draft.source = try text("source").flatMap { $0 }
                draft.notes = try text("notes").flatMap { $0 }
                draft.companySize = try integer("company_size").flatMap { $0 }
                draft.dealValue = try number("deal_value").flatMap { $0 }
                draft.assignedTo = try assignee().flatMap { $0 }
                draft.status = try status() ?? .new
                draft.doNotCall = try flag("do_not_call") ?? false
                return draft
            }
        }

        var changes: LeadChanges {
            get throws {
                var changes = LeadChanges()
                changes.firstName = try text("first_name").map { $0 ?? "" }
                changes.lastName = try text("last_name").map { $0 ?? "" }
                changes.email = try text("email")
                changes.phone = try text("phone")
                changes.company = try text("company")
                changes.title = try text("title")
                changes.industry = try text("industry")
                changes.source = try text("source")
                changes.notes = try text("notes")
                changes.companySize = try integer("company_size")
                changes.dealValue = try number("deal_value")
                changes.assignedTo = try assignee()
                changes.status = try status()
                changes.doNotCall = try flag("do_not_call")
                return changes
            }
        }
    }

    /// The list filters shared by `GET /leads` and `GET /leads/export`.
    enum LeadQueryParameters {
        static func query(_ request: Request, organizationID: UUID) throws -> LeadQuery {
            var query = LeadQuery(organizationID: organizationID)
            if let raw = request.query[String.self, at: "status"], !raw.isEmpty {
                guard let status = LeadStatus(rawValue: raw.lowercased()) else {
                    throw APIError.validation("status", "must be one of \(LeadStatus.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                query.status = status
            }
            if let source = request.query[String.self, at: "source"], !source.isEmpty { query.source = source }
            if let raw = request.query[String.self, at: "assigned_to"], !raw.isEmpty {
                guard let id = userID(raw) else { throw APIError.validation("assigned_to", "must be a user id") }
                query.assignedTo = id
            }
            if let search = request.query[String.self, at: "search"], !search.isEmpty {
                guard search.count <= 200 else { throw APIError.validation("search", "must be at most 200 characters") }
                query.search = [search]
            }
            if let raw = request.query[String.self, at: "min_score"], !raw.isEmpty {
                guard let value = Double(raw), (0...1).contains(value) else { throw APIError.validation("min_score", "must be a number from 0 to 1") }
                query.minimumScore = value
            }
            return query
        }

        /// `12`, `user_12` or `user12` → 12.
        static func userID(_ text: String) -> Int? {
            var digits = Substring(text.trimmingCharacters(in: .whitespaces))
            if digits.hasPrefix("user_") { digits = digits.dropFirst(5) } else if digits.hasPrefix("user") { digits = digits.dropFirst(4) }
            guard let id = Int(digits), id > 0 else { return nil }
            return id
        }
    }
}

