import Foundation
import ParleyDomain

/// What one conversation with a lead says about their intent: the interests and objections
/// they voiced and their mood (−1…1).
public struct CallEvidence: Sendable, Codable, Hashable {
    public var interests: [InterestSignal]
    public var objections: [ObjectionType]
    public var sentiment: Double

    public init(interests: [InterestSignal], objections: [ObjectionType], sentiment: Double) {
        self.interests = interests
        self.objections = objections
        self.sentiment = sentiment
    }

    /// What the counterpart said in an analysed conversation.
    public init(_ analysis: TextAnalysis) {
        self.init(interests: analysis.interestSignals.map(\.type), objections: analysis.objections.map(\.type),
                  sentiment: (analysis.sentimentBySpeaker[SpeakerRole.counterpart.rawValue] ?? analysis.sentiment).score)
    }

    /// What the lead said on an AI call.
    public init(_ summary: CallSummary) {
        self.init(interests: summary.interestSignals, objections: summary.objections.map(\.type), sentiment: summary.overallSentiment)
    }
}

/// What is known about a lead, as plain fields (the store's lead maps onto this).
public struct LeadProfile: Sendable, Codable, Hashable {
    public var email: String?
    public var phone: String?
    public var company: String?
    public var title: String?
    public var industry: String?
    /// `website`, `referral`, `social_media`, `cold_outreach`, `event`, `paid_ads`, ...
    public var source: String?
    public var companySize: Int?
    public var notes: String?

    public init(
        email: String? = nil, phone: String? = nil, company: String? = nil, title: String? = nil, industry: String? = nil,
        source: String? = nil, companySize: Int? = nil, notes: String? = nil
    ) {
        self.email = email
        self.phone = phone
        self.company = company
        self.title = title
        self.industry = industry
        self.source = source
        self.companySize = companySize
        self.notes = notes
    }
}

/// Something a lead did or that happened with them (`email_opened`, `demo_requested`, `call_completed`, ...).
public struct LeadActivity: Sendable, Codable, Hashable {
    public var type: String
    public var at: Date?

    public init(type: String, at: Date? = nil) {
        self.type = type
        self.at = at
    }
}

/// A lead score in the Leads surface's shape: components in 0…1, a conversion probability and reasons.
public struct LeadScore: Sendable, Codable, Hashable {
    public var overallScore: Double
    public var demographicScore: Double
    public var behavioralScore: Double
    public var engagementScore: Double
    public var intentScore: Double
    public var conversionProbability: Double
    public var positiveFactors: [String]
    public var negativeFactors: [String]
    public var recommendations: [String]
}

/// Deterministic lead scoring: fit (demographic), actions (behavioural), recency and volume of
/// contact (engagement), and what they said on calls (intent). Every point has a named reason.
public enum LeadScorer {
    static let seniorTitles = ["ceo", "cfo", "coo", "cto", "owner", "founder", "president", "vp", "vice president", "director", "head of", "chief", "partner", "principal", "general manager"]
    static let midTitles = ["manager", "lead", "supervisor", "senior"]
    static let freeMail = ["gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "aol.com", "icloud.com", "proton.me", "protonmail.com"]
    static let activityWeights: [String: (Double, String)] = [
        "demo_requested": (0.35, "Requested product demo"), "pricing_page_visit": (0.2, "Visited the pricing page"),
        "meeting_booked": (0.35, "Booked a meeting"), "form_submitted": (0.2, "Submitted a form"),
        "email_clicked": (0.12, "Clicked an email link"), "email_opened": (0.05, "Opened an email"),
        "website_visit": (0.06, "Visited the website"), "call_completed": (0.15, "Completed a call"),
        "content_downloaded": (0.12, "Downloaded content"), "email_replied": (0.2, "Replied to an email"),
        "trial_started": (0.35, "Started a trial"), "quote_requested": (0.3, "Requested a quote"),
    ]
    static let negativeActivities: [String: (Double, String)] = [
        "email_bounced": (0.25, "Email bounced"), "unsubscribed": (0.35, "Unsubscribed from emails"),
        "call_no_answer": (0.05, "Did not answer a call"), "marked_spam": (0.5, "Marked an email as spam"),
        "do_not_call": (0.6, "Asked not to be called"),
    ]

    /// Days after which an activity counts half.
    public static let halfLifeDays = 30.0

    /// 1 for an activity today (or undated), halving every `halfLifeDays`.
    static func recencyWeight(of activity: LeadActivity, now: Date) -> Double {
        guard let at = activity.at else { return 1 }
        return pow(0.5, max(0, now.timeIntervalSince(at)) / 86_400 / halfLifeDays)
    }

    public static func score(
        lead: LeadProfile, activities: [LeadActivity] = [], calls: [CallEvidence] = [], now: Date = Date()
    ) -> LeadScore {
        var positive: [String] = []
        var negative: [String] = []

        // Demographic fit.
        var demographic = 0.2
        if let company = lead.company, !company.isEmpty { demographic += 0.2; positive.append("Has company information") } else { negative.append("No company information") }
        let title = (lead.title ?? "").lowercased()
        if seniorTitles.contains(where: title.contains) { demographic += 0.35; positive.append("Senior title/decision maker") }
        else if midTitles.contains(where: title.contains) { demographic += 0.2; positive.append("Manager-level title") }
        else if title.isEmpty { negative.append("No job title") }
        if let email = lead.email?.lowercased(), let domain = email.split(separator: "@").last {
            if freeMail.contains(String(domain)) { negative.append("Personal email address") } else { demographic += 0.15; positive.append("Business email address") }
        } else {
            negative.append("No email address")
        }
        if lead.phone?.isEmpty == false { demographic += 0.1 }
        switch lead.source?.lowercased() {
        case "referral": demographic += 0.1; positive.append("Came by referral")
        case "website", "event": demographic += 0.05
        default: break
        }
        if let size = lead.companySize, size >= 50 { demographic += 0.05; positive.append("Company of \(size)+ people") }

        // Behaviour and engagement from activities.
        var behavioral = 0.1
        var engagement = 0.1
        var seen = Set<String>()
        var volume = 0.0
        // Newest first, so the first of each type (the one that names the reason) is the freshest.
        for activity in activities.sorted(by: { ($0.at ?? now) > ($1.at ?? now) }) {
            let type = activity.type.lowercased()
            // What a lead did fades: a positive action counts half after 30 days, a quarter
            // after 60. Negative ones (bounced, unsubscribed, opted out) do not fade.
            let decay = recencyWeight(of: activity, now: now)
            volume += decay
            if let (weight, reason) = activityWeights[type] {
                behavioral += (seen.contains(type) ? weight * 0.3 : weight) * decay
                if !seen.contains(type) { positive.append(reason) }
            }
            if let (weight, reason) = negativeActivities[type] {
                behavioral -= weight
                if !seen.contains(type) { negative.append(reason) }
            }
            seen.insert(type)
        }
        let recent = activities.compactMap(\.at).max()
        if let recent {
            let days = now.timeIntervalSince(recent) / 86_400
            engagement += days <= 7 ? 0.45 : days <= 30 ? 0.25 : 0.05
            if days > 30 { negative.append("No activity in the last 30 days") } else if days <= 7 { positive.append("Active in the last 7 days") }
        }
        engagement += min(0.35, volume * 0.05)

        // Intent from calls: interest signals up, objections and negative sentiment down.
        var intent = 0.3
        for call in calls {
            for signal in Set(call.interests) {
                intent += 0.12
                positive.append(signal == .demoInterest ? "Asked for a demo on a call" : signal == .pricingInterest ? "Asked about pricing on a call" : signal == .timelineInterest ? "Asked about timelines on a call" : "Voiced interest on a call")
            }
            for type in Set(call.objections) {
                intent -= 0.08
                negative.append("Raised a \(type.rawValue) objection")
            }
            intent += call.sentiment * 0.2
            engagement += 0.1
        }
        if activities.contains(where: { ["demo_requested", "quote_requested", "trial_started"].contains($0.type.lowercased()) }) { intent += 0.2 }

        let clamp = { (x: Double) in rounded(min(1, max(0, x))) }
        let d = clamp(demographic), b = clamp(behavioral), e = clamp(engagement), i = clamp(intent)
        let overall = clamp(d * 0.25 + b * 0.3 + e * 0.2 + i * 0.25)
        // Logistic curve centred at an overall of 0.5: a balanced lead converts about half the time.
        let probability = clamp(1 / (1 + exp(-7 * (overall - 0.5))))
        var recommendations: [String] = []
        if probability >= 0.7 { recommendations.append("High priority - Schedule immediate call") }
        else if probability >= 0.4 { recommendations.append("Medium priority - Follow up within the week") }
        else { recommendations.append("Low priority - Add to nurture campaign") }
        if calls.contains(where: { $0.objections.contains(.price) }) { recommendations.append("Follow up with pricing information") }
        if !seen.contains("demo_requested") && i >= 0.5 { recommendations.append("Offer a product demo") }
        if negative.contains("No email address") || negative.contains("Email bounced") { recommendations.append("Verify contact details") }
        return LeadScore(
            overallScore: overall, demographicScore: d, behavioralScore: b, engagementScore: e, intentScore: i,
            conversionProbability: probability, positiveFactors: positive, negativeFactors: negative, recommendations: recommendations)
    }
}
