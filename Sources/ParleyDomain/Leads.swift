import Foundation

/// Where a lead is in the sales pipeline.
public enum LeadStatus: String, Sendable, Codable, CaseIterable {
    case new, contacted, qualified, proposal, negotiation
    case closedWon = "closed_won"
    case closedLost = "closed_lost"

    /// Won or lost: the outcomes the conversion probability is calibrated on.
    public var isClosed: Bool { self == .closedWon || self == .closedLost }
}

/// The letter a lead's overall score falls in, as lead-scoring products show it.
public enum LeadBand: String, Sendable, Codable, CaseIterable {
    case a = "A", b = "B", c = "C", d = "D"

    /// A from 0.75, B from 0.5, C from 0.25, D below.
    public init(score: Double) {
        self = score >= 0.75 ? .a : score >= 0.5 ? .b : score >= 0.25 ? .c : .d
    }
}

/// A lead's score as it was last computed: components in 0…1 and the reasons behind them.
public struct LeadScoreCard: Sendable, Codable, Hashable {
    public var overall: Double
    public var demographic: Double
    public var behavioral: Double
    public var engagement: Double
    public var intent: Double
    public var conversionProbability: Double
    public var band: LeadBand
    /// True when the probability comes from the organization's own closed leads, not the prior.
    public var calibrated: Bool
    public var positiveFactors: [String]
    public var negativeFactors: [String]
    public var recommendations: [String]
    public var scoredAt: Date

    public init(overall: Double, demographic: Double, behavioral: Double, engagement: Double, intent: Double,
                conversionProbability: Double, band: LeadBand, calibrated: Bool, positiveFactors: [String],
                negativeFactors: [String], recommendations: [String], scoredAt: Date) {
        self.overall = overall
        self.demographic = demographic
        self.behavioral = behavioral
        self.engagement = engagement
        self.intent = intent
        self.conversionProbability = conversionProbability
        self.band = band
        self.calibrated = calibrated
        self.positiveFactors = positiveFactors
        self.negativeFactors = negativeFactors
        self.recommendations = recommendations
        self.scoredAt = scoredAt
    }

    /// The components a calibration regresses on, in a fixed order.
    public var components: [Double] { [demographic, behavioral, engagement, intent] }
}

/// A prospective customer an organization is working: who they are, where they are in the
/// pipeline, and how likely they are to buy.
public struct Lead: Sendable, Codable, Hashable, Identifiable {
    public var id: UUID
    /// `lead_` and twelve hex digits: what clients see and send.
    public var publicID: String
    public var organizationID: UUID
    public var createdBy: Int?
    public var assignedTo: Int?
    public var firstName: String
    public var lastName: String
    public var email: String?
    public var phone: String?
    public var company: String?
    public var title: String?
    public var industry: String?
    public var source: String?
    public var notes: String?
    public var companySize: Int?
    public var status: LeadStatus
    /// What the deal is worth; won deals add up to the dashboard's revenue.
    public var dealValue: Double?
    /// Set when the lead asked not to be called (the AI caller sets it on an opt-out); no
    /// surface may call the lead again.
    public var doNotCall: Bool
    public var score: LeadScoreCard?
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: UUID = UUID(), publicID: String = Lead.newPublicID(), organizationID: UUID, createdBy: Int?, assignedTo: Int? = nil,
                firstName: String, lastName: String, email: String? = nil, phone: String? = nil, company: String? = nil,
                title: String? = nil, industry: String? = nil, source: String? = nil, notes: String? = nil, companySize: Int? = nil,
                status: LeadStatus = .new, dealValue: Double? = nil, doNotCall: Bool = false, score: LeadScoreCard? = nil,
                createdAt: Date = Date(), updatedAt: Date = Date()) {
        self.id = id
        self.publicID = publicID
        self.organizationID = organizationID
        self.createdBy = createdBy
        self.assignedTo = assignedTo
        self.firstName = firstName
        self.lastName = lastName
        self.email = email
        self.phone = phone
        self.company = company
        self.title = title
        self.industry = industry
        self.source = source
        self.notes = notes
        self.companySize = companySize
        self.status = status
        self.dealValue = dealValue
        self.doNotCall = doNotCall
        self.score = score
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    public static func newPublicID() -> String { PublicID.make("lead") }

    /// "John Doe", or the e-mail address when the lead has no name.
    public var displayName: String {
        let name = [firstName, lastName].filter { !$0.isEmpty }.joined(separator: " ")
        return name.isEmpty ? (email ?? publicID) : name
    }
}

/// The activity types scoring knows; anything else is kept as `custom` with its own name.
public enum LeadActivityType: String, Sendable, Codable, CaseIterable {
    case emailSent = "email_sent", emailOpened = "email_opened", emailClicked = "email_clicked"
    case emailReplied = "email_replied", emailBounced = "email_bounced"
    case demoRequested = "demo_requested", meetingBooked = "meeting_booked", callCompleted = "call_completed"
    case callNoAnswer = "call_no_answer", formSubmitted = "form_submitted", websiteVisit = "website_visit"
    case pricingPageVisit = "pricing_page_visit", contentDownloaded = "content_downloaded"
    case trialStarted = "trial_started", quoteRequested = "quote_requested", unsubscribed, markedSpam = "marked_spam"
    case doNotCall = "do_not_call", note, custom
}

/// Something that happened with a lead, with whatever detail the caller sent.
public struct LeadActivityRecord: Sendable, Codable, Hashable, Identifiable {
    public var id: UUID
    public var leadID: UUID
    public var organizationID: UUID
    public var userID: Int?
    public var type: LeadActivityType
    /// The name the caller used when the type is `custom` (`webinar_attended`).
    public var customType: String?
    public var description: String?
    public var metadata: JSONValue
    public var occurredAt: Date

    public init(id: UUID = UUID(), leadID: UUID, organizationID: UUID, userID: Int?, type: LeadActivityType, customType: String? = nil,
                description: String? = nil, metadata: JSONValue = .object([:]), occurredAt: Date = Date()) {
        self.id = id
        self.leadID = leadID
        self.organizationID = organizationID
        self.userID = userID
        self.type = type
        self.customType = customType
        self.description = description
        self.metadata = metadata
        self.occurredAt = occurredAt
    }

    /// The type's name as the caller knows it: the custom name for custom activities.
    public var typeName: String { type == .custom ? (customType ?? "custom") : type.rawValue }
}

/// One point of a lead's score history.
public struct LeadScoreEntry: Sendable, Codable, Hashable {
    public var overall: Double
    public var conversionProbability: Double
    public var band: LeadBand
    /// What caused the rescoring: `created`, `updated`, `activity:<type>`, `requested`, `imported`.
    public var reason: String
    public var scoredAt: Date

    public init(overall: Double, conversionProbability: Double, band: LeadBand, reason: String, scoredAt: Date) {
        self.overall = overall
        self.conversionProbability = conversionProbability
        self.band = band
        self.reason = reason
        self.scoredAt = scoredAt
    }
}

/// Filters for listing and exporting an organization's leads.
public struct LeadQuery: Sendable, Hashable {
    public var organizationID: UUID
    public var status: LeadStatus?
    public var source: String?
    public var assignedTo: Int?
    /// Words that must each appear (as a prefix) in the name, e-mail or company.
    public var search: [String]
    public var minimumScore: Double?
    public var offset: Int
    public var limit: Int

    public init(organizationID: UUID, status: LeadStatus? = nil, source: String? = nil, assignedTo: Int? = nil, search: [String] = [],
                minimumScore: Double? = nil, offset: Int = 0, limit: Int = 50) {
        self.organizationID = organizationID
        self.status = status
        self.source = source
        self.assignedTo = assignedTo
        self.search = search
        self.minimumScore = minimumScore
        self.offset = offset
        self.limit = limit
    }
}

/// A score factor, positive or negative, as an organization's counts key it.
public struct LeadFactorKey: Sendable, Hashable {
    public var positive: Bool
    public var factor: String

    public init(positive: Bool, factor: String) {
        self.positive = positive
        self.factor = factor
    }

    /// What a change of score does to the counts: -1 for each factor the old score named,
    /// +1 for each the new one names (a factor in both cancels out).
    public static func changes(from previous: LeadScoreCard?, to current: LeadScoreCard?) -> [LeadFactorKey: Int] {
        var changes: [LeadFactorKey: Int] = [:]
        func add(_ card: LeadScoreCard?, _ delta: Int) {
            guard let card else { return }
            for factor in Set(card.positiveFactors) { changes[LeadFactorKey(positive: true, factor: factor), default: 0] += delta }
            for factor in Set(card.negativeFactors) { changes[LeadFactorKey(positive: false, factor: factor), default: 0] += delta }
        }
        add(previous, -1)
        add(current, 1)
        return changes.filter { $0.value != 0 }
    }
}

/// How often a factor appears among an organization's leads.
public struct LeadFactorCount: Sendable, Codable, Hashable {
    public var factor: String
    public var leads: Int

    public init(factor: String, leads: Int) {
        self.factor = factor
        self.leads = leads
    }
}

/// A logistic model of winning, fitted on an organization's closed leads.
public struct LeadCalibration: Sendable, Codable, Hashable {
    /// Intercept, then one weight per `LeadScoreCard.components` entry.
    public var weights: [Double]
    public var closedLeads: Int
    public var fittedAt: Date

    public init(weights: [Double], closedLeads: Int, fittedAt: Date) {
        self.weights = weights
        self.closedLeads = closedLeads
        self.fittedAt = fittedAt
    }
}

/// The Leads overview: counts in a period and distributions, computed by the database.
public struct LeadOverview: Sendable, Codable, Hashable {
    public var totalLeads: Int
    public var newLeads: Int
    public var qualifiedLeads: Int
    public var convertedLeads: Int
    public var closedLeads: Int
    public var averageScore: Double
    public var bySource: [String: Int]
    public var byStatus: [String: Int]
    public var byIndustry: [String: Int]

    public init(totalLeads: Int, newLeads: Int, qualifiedLeads: Int, convertedLeads: Int, closedLeads: Int, averageScore: Double,
                bySource: [String: Int], byStatus: [String: Int], byIndustry: [String: Int]) {
        self.totalLeads = totalLeads
        self.newLeads = newLeads
        self.qualifiedLeads = qualifiedLeads
        self.convertedLeads = convertedLeads
        self.closedLeads = closedLeads
        self.averageScore = averageScore
        self.bySource = bySource
        self.byStatus = byStatus
        self.byIndustry = byIndustry
    }
}

/// The dashboard's numbers, computed by the database.
public struct LeadDashboard: Sendable, Codable, Hashable {
    public var totalLeads: Int
    public var newLeadsToday: Int
    public var totalCalls: Int
    public var callsToday: Int
    public var wonLeads: Int
    public var closedLeads: Int
    public var averageScore: Double
    public var revenue: Double
    public var activeCalls: Int

    public init(totalLeads: Int, newLeadsToday: Int, totalCalls: Int, callsToday: Int, wonLeads: Int, closedLeads: Int,
                averageScore: Double, revenue: Double, activeCalls: Int) {
        self.totalLeads = totalLeads
        self.newLeadsToday = newLeadsToday
        self.totalCalls = totalCalls
        self.callsToday = callsToday
        self.wonLeads = wonLeads
        self.closedLeads = closedLeads
        self.averageScore = averageScore
        self.revenue = revenue
        self.activeCalls = activeCalls
    }
}

/// A CSV import of leads as a durable job sees it: where the file is, what to do with
/// duplicates, how far it got and what it reported.
public struct LeadImportRecord: Sendable, Codable, Hashable {
    /// Where an import is.
    public enum Status: String, Sendable, Codable {
        case queued, running, completed, failed
    }

    public var id: UUID
    /// `import_` and twelve hex digits.
    public var publicID: String
    public var organizationID: UUID
    public var userID: Int
    public var status: Status
    /// The uploaded file, relative to the data directory.
    public var path: String
    /// `skip` or `update`: what a row whose e-mail is already a lead does.
    public var onDuplicate: String
    public var processedRows: Int
    public var report: JSONValue
    public var createdAt: Date
    public var completedAt: Date?

    public init(id: UUID = UUID(), publicID: String, organizationID: UUID, userID: Int, status: Status, path: String, onDuplicate: String,
                processedRows: Int = 0, report: JSONValue = .null, createdAt: Date = Date(), completedAt: Date? = nil) {
        self.id = id
        self.publicID = publicID
        self.organizationID = organizationID
        self.userID = userID
        self.status = status
        self.path = path
        self.onDuplicate = onDuplicate
        self.processedRows = processedRows
        self.report = report
        self.createdAt = createdAt
        self.completedAt = completedAt
    }
}

/// Public ids as the Leads document shows them: a kind, an underscore and 12 random hex digits
/// (48 bits), written straight from a UUID's bytes (an import makes one per row).
public enum PublicID {
    public static func make(_ kind: String) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text = Array(kind.utf8) + [UInt8(ascii: "_")]
        let bytes = UUID().uuid
        for byte in [bytes.0, bytes.1, bytes.2, bytes.3, bytes.4, bytes.5] {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
