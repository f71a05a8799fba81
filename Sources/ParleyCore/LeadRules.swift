import Foundation
import ParleyDomain

/// What makes a lead valid, checked the same way for the API and for every imported row.
public enum LeadRules {
    static let maxNameLength = 100
    static let maxFieldLength = 255
    static let maxNotesLength = 10_000

    /// A plausible address: one `@`, a local part, a dotted domain, no spaces; at most 254 characters.
    public static func isEmail(_ text: String) -> Bool {
        guard text.count <= 254, !text.contains(where: { $0.isWhitespace || $0 == "," || $0 == ";" || $0 == "<" || $0 == ">" }) else { return false }
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].count <= 64 else { return false }
        let labels = parts[1].split(separator: ".", omittingEmptySubsequences: false)
        return labels.count >= 2 && labels.allSatisfy { !$0.isEmpty && !$0.hasPrefix("-") && !$0.hasSuffix("-") }
            && labels.last!.count >= 2 && labels.last!.allSatisfy(\.isLetter)
    }

    /// The lead with its text trimmed and empty strings as absent, or the first field at fault.
    public static func cleaned(_ lead: Lead) throws -> Lead {
        var lead = lead
        func clean(_ value: String?, _ field: String, max: Int) throws -> String? {
            guard let value = value?.trimmed, !value.isEmpty else { return nil }
            guard value.utf8.count <= max || value.count <= max else { throw DomainError.validation(field: field, message: "must be at most \(max) characters") }
            return value
        }
        lead.firstName = try clean(lead.firstName, "first_name", max: maxNameLength) ?? ""
        lead.lastName = try clean(lead.lastName, "last_name", max: maxNameLength) ?? ""
        lead.email = try clean(lead.email, "email", max: 254)
        if let email = lead.email, !isEmail(email) { throw DomainError.validation(field: "email", message: "Invalid email format") }
        lead.phone = try clean(lead.phone, "phone", max: 50)
        if let phone = lead.phone, phone.filter(\.isNumber).count < 3 || phone.contains(where: { $0.isLetter && $0 != "x" }) {
            throw DomainError.validation(field: "phone", message: "Invalid phone number")
        }
        lead.company = try clean(lead.company, "company", max: maxFieldLength)
        lead.title = try clean(lead.title, "title", max: maxFieldLength)
        lead.industry = try clean(lead.industry, "industry", max: maxFieldLength)
        lead.source = try clean(lead.source, "source", max: maxFieldLength)
        lead.notes = try clean(lead.notes, "notes", max: maxNotesLength)
        guard lead.email != nil || !lead.firstName.isEmpty || !lead.lastName.isEmpty else {
            throw DomainError.validation(field: "email", message: "A lead needs an email address or a name")
        }
        if let value = lead.dealValue, !(value.isFinite && value >= 0 && value < 1e13) {
            throw DomainError.validation(field: "deal_value", message: "must be a number of 0 or more")
        }
        if let size = lead.companySize, size < 0 {
            throw DomainError.validation(field: "company_size", message: "must be 0 or more")
        }
        return lead
    }

    public static func applying(_ changes: LeadChanges, to lead: Lead) -> Lead {
        var lead = lead
        if let value = changes.firstName { lead.firstName = value }
        if let value = changes.lastName { lead.lastName = value }
        if let value = changes.email { lead.email = value }
        if let value = changes.phone { lead.phone = value }
        if let value = changes.company { lead.company = value }
        if let value = changes.title { lead.title = value }
        if let value = changes.industry { lead.industry = value }
        if let value = changes.source { lead.source = value }
        if let value = changes.notes { lead.notes = value }
        if let value = changes.companySize { lead.companySize = value }
        if let value = changes.status { lead.status = value }
        if let value = changes.dealValue { lead.dealValue = value }
        if let value = changes.assignedTo { lead.assignedTo = value }
        if let value = changes.doNotCall { lead.doNotCall = value }
        return lead
    }

    /// A typed activity record; an unknown type is kept as `custom` under its own name.
    static func activity(_ draft: LeadActivityDraft, lead: Lead, userID: Int?) throws -> LeadActivityRecord {
        let name = draft.type.trimmingCharacters(in: .whitespaces).lowercased()
        guard !name.isEmpty, name.count <= 64, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." || $0 == "-" }) else {
            throw DomainError.validation(field: "activity_type", message: "must be 1 to 64 letters, digits, '_', '.' or '-'")
        }
        if let description = draft.description, description.count > 2_000 {
            throw DomainError.validation(field: "description", message: "must be at most 2000 characters")
        }
        guard case .object = draft.metadata else { throw DomainError.validation(field: "metadata", message: "must be a JSON object") }
        let type = LeadActivityType(rawValue: name).flatMap { $0 == .custom ? nil : $0 } ?? .custom
        return LeadActivityRecord(
            leadID: lead.id, organizationID: lead.organizationID, userID: userID, type: type, customType: type == .custom ? name : nil,
            description: draft.description, metadata: draft.metadata, occurredAt: min(draft.occurredAt ?? Date(), Date()))
    }
}
