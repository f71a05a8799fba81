import Foundation
import ParleyDomain

/// The situations a caller line can be worded for.
enum CallerLineKind: String, Sendable, Codable, Hashable, CaseIterable {
    case opening, greetingOnly, pickupAcknowledge, reason, discoveryPain, discoveryGeneric, acknowledge, pitchTied, pitchGeneric, reinforceTied, reinforceGeneric
    case askNextStep, confirmNextStep, confirmCallbackAt, confirmCallback, voicemail, wrongPerson, optOut, notInterestedOnce
    case goodbyeRejected, goodbyeLeaving, wrapUp, answerPricing, answerIdentity, answerQuestion
    case price, timing, competitor, authority, need, trust

    static func answer(_ objection: ObjectionType) -> CallerLineKind {
        switch objection {
        case .price: .price
        case .timing: .timing
        case .competitor: .competitor
        case .authority: .authority
        case .need: .need
        case .trust: .trust
        }
    }
}

/// Caller templates, several per situation so wording varies with the seed. Placeholders: {first} (dropped
/// with its comma when the name is unknown; "Hi {first}" becomes "Hi there"), {caller}, {org}, {product},
/// {Product}, {value}, {teams}, {company}, {pain}, {minutes}, {meeting}, {when}.
///
/// Every objection answer opens with an acknowledgement and ends with a question: a lead should feel heard
/// before hearing an argument, and the question hands the call back to them.
enum CallerLines {
    static let templates: [CallerLineKind: [String]] = [
        .opening: [
            "Hi {first}, this is {caller} calling from {org}. I hope I'm catching you at a good time!",
            "Hello {first}, {caller} here from {org}. Thanks for picking up, I'll keep this brief.",
            "Hi {first}, it's {caller} with {org}. Have I caught you at an okay moment?",
        ],
        .greetingOnly: ["Hi {first}, this is {caller} calling from {org}.", "Hello {first}, it's {caller} with {org}."],
        .pickupAcknowledge: ["I hear you, and I'll keep this short.", "Understood, I'll be brief.", "Fair enough, I'll be quick."],
        .reason: [
            "Thanks, {first}. The reason for my call: I work with {teams}, and I'd like to learn how things look on your side.",
            "I appreciate it. I'm reaching out because we work with {teams}, and I'm curious how you're set up today.",
            "Thanks for taking a moment. I'm calling because I speak with a lot of people in roles like yours, and I'd love to hear how things are going.",
        ],
        .discoveryPain: [
            "Some teams tell us this one costs them the most: {pain}. How does that look for you at {company}?",
            "One thing we hear a lot: {pain}. What does that look like on your side?",
            "A question about something we often see: {pain}. What is your team doing about that today?",
        ],
        .discoveryGeneric: [
            "What's the biggest challenge your team is facing at the moment?",
            "What takes up more of your team's time than it should?",
            "If you could change one thing about how your team works today, what would it be?",
        ],
        .acknowledge: ["That's helpful, thank you.", "Got it, thanks for sharing that.", "Understood, that's useful to know."],
        .pitchTied: [
            "You mentioned {pain}. That's exactly where {product} comes in: we help {teams} {value}. How would that land with your team?",
            "Thanks, that's really helpful. You mentioned {pain}, and that's the kind of thing we fix: we help {teams} {value}. Does that sound relevant for you?",
            "That's useful to know. You mentioned {pain}. {Product} is built for exactly that; we help {teams} {value}. How does that sound?",
        ],
        .pitchGeneric: [
            "Here's why I called: we help {teams} {value}. How would that land with your team?",
            "The short version: {Product} is built so we can help {teams} {value}. Does that sound relevant for you?",
        ],
        .reinforceTied: [
            "You mentioned {pain}. Customers usually see that improve within a few weeks, which means real time back for your team.",
            "Think back to what you told me: {pain}. Teams like yours typically see a difference within a quarter, which means fewer headaches every week.",
            "One more thought: you mentioned {pain}. Our customers report that it gets better fast, so your team can {value}.",
        ],
        .reinforceGeneric: [
            "Here's what that means in practice: customers usually see results within a few weeks, which means your team can {value}.",
            "Teams like yours typically see a difference within a quarter, which means they {value}.",
        ],
        .askNextStep: [
            "Would you be open to a {minutes}-minute {meeting} on {when} to see how that would work for {company}?",
            "Would it make sense to book a {meeting} on {when}? It takes {minutes} minutes, and I'll tailor it to {company}.",
            "Shall we put a {minutes}-minute {meeting} in the calendar for {when}, so you can see it with your own numbers?",
        ],
        .confirmNextStep: [
            "Perfect. I'll send a calendar invite for a {minutes}-minute {meeting} for {when}. Thanks for your time, {first}, and have a great day!",
            "Great, that's booked: a {minutes}-minute {meeting} for {when}. You'll get the invite shortly. Thanks, {first}, talk soon!",
            "Wonderful. I'll send the invite for {when} with a short agenda. Thank you, {first}, and have a good day.",
        ],
        .confirmCallbackAt: [
            "Of course. I'll call you back {when}. Thanks, {first}, and have a good day!",
            "No problem at all, I'll try you again {when}. Talk then, {first}!",
        ],
        .confirmCallback: [
            "Of course. I'll try you again another time. Thanks, {first}, and have a good day!",
            "No problem at all, I'll call back at a better moment. Thanks for picking up, {first}!",
        ],
        .voicemail: [
            "Hi {first}, this is {caller} from {org}. I'm calling because we help {teams} {value}. I'll try you again soon, and I'd be glad to set up a short {meeting} whenever it suits you. Have a great day!",
            "Hello {first}, {caller} with {org} here. We help {teams} {value}, and I'd love to show you how in a quick {minutes}-minute {meeting}. I'll follow up soon. Thanks, and have a good day!",
        ],
        .wrongPerson: [
            "My apologies for the mix-up, and thanks for letting me know. Have a good day!",
            "Sorry about that, I must have the wrong details. Thanks for your time, and have a great day!",
        ],
        .optOut: [
            "Understood, {first}. I'll make sure you're not contacted again. Sorry for the interruption, and have a good day.",
            "Of course. I've noted that you don't want any more calls, and we won't call again. Have a good day.",
        ],
        .notInterestedOnce: [
            "I understand, and I won't keep you long. Just so I know, is it that this isn't a priority at the moment, or that you already have it covered?",
            "That's a fair answer, {first}. Before I let you go, may I ask one thing: is it the timing, or does it just not fit how you work?",
        ],
        .goodbyeRejected: [
            "Understood, {first}. Thanks for your time, and have a good day.",
            "No problem at all. I appreciate you hearing me out. Have a great day, {first}.",
        ],
        .goodbyeLeaving: [
            "Of course, I'll let you go. Thanks for your time, {first}, and have a good day.",
            "Understood. Thanks for speaking with me, {first}. Goodbye!",
        ],
        .wrapUp: [
            "I understand. I'll send you a short summary by email so you can look at it when it suits you. Thanks for your time, {first}, and have a good day.",
            "No problem. I'll follow up by email with a few details, and you can reach us whenever the time is right. Thank you, {first}, goodbye!",
        ],
        .answerPricing: [
            "Good question: pricing depends on the size of your team, and I'll walk you through it properly.",
            "Pricing depends on how many people use it, so I'd rather give you a real number than a guess.",
        ],
        .answerIdentity: ["I'm {caller}, from {org}.", "It's {caller}, calling from {org}."],
        .answerQuestion: ["Good question.", "Happy to answer that."],
        .price: [
            "I understand, budget matters. Most teams see {product} as an investment rather than a cost: it usually pays for itself, and the return shows up within months. What are you comparing the price against?",
            "That's a fair concern. Our customers typically see a clear return on investment, because we help them {value}. If the value were clearly there, would the price still be the blocker?",
            "I hear you on cost. Let's look at value for a second: the return usually shows up in the first quarter, because teams {value}. What budget range were you thinking of?",
        ],
        .timing: [
            "I hear you, timing matters. If now isn't the moment, I'm happy to follow up later at a time that suits you. Would two quick questions be okay first, or is later better?",
            "Totally understand, you've got a lot going on. I can keep this very short, or follow up later this month when things calm down. Which would you prefer?",
            "Fair point, I know I called out of the blue. I'll be brief, and if it's easier, I can follow up later instead. What would suit you best?",
        ],
        .competitor: [
            "That's a fair point, and it's good you have something in place. What sets {product} apart is that we help {teams} {value}, which most tools don't. What would you improve about your current setup if you could?",
            "I understand, switching isn't something to take lightly. The difference with {product} is how quickly teams {value}, and many of our customers moved from a similar tool for that reason. What's working well with your current provider?",
            "Makes total sense. We're different from the usual options in one way: we help {teams} {value}, without a big switch. How does your current solution handle that today?",
        ],
        .authority: [
            "I understand, decisions like this usually involve more than one person. I'd be glad to include the decision maker in the {meeting} so they see it first-hand. Who else would want to weigh in?",
            "I hear you. Would it help if we included your decision maker in a short {meeting}? That way they hear it directly and you don't have to relay everything. Who would that be?",
            "Totally understand. I'm happy to loop in whoever signs off on something like this, so the decision maker sees it first-hand. Who would that be?",
        ],
        .need: [
            "I understand, and if things work well today, that's great. Teams often don't notice how much time slips away until they measure it. What would you change about the way it works today, if you could?",
            "Fair point, not every team needs this. May I ask one question to check: how much time does your team spend on this kind of work each week?",
            "I hear you. A lot of teams felt the same until they saw the numbers. What does a typical week look like for your team today?",
        ],
        .trust: [
            "That's a fair concern. I'm happy to send references and case studies from teams like yours, and the {meeting} comes with no obligation. What would you need to see to feel confident?",
            "I can see why you'd be careful. You can speak with one of our customers first, and we'll share references before anything is signed. Would that help?",
            "Totally fair to ask for proof. We can start with a small pilot and references from customers like you, with no commitment. What would make you comfortable?",
        ],
    ]

    /// Fills a template with the lead, the pitch and the topic of the line.
    static func fill(_ template: String, lead: CallLead, pitch: CallPitch, pain: String? = nil, when: String? = nil) -> String {
        var text = template
        if let first = lead.firstName {
            text = text.replacingOccurrences(of: "{first}", with: first)
        } else {
            // No name: "Hi there", and "Thanks, {first}, and" loses the name and its comma.
            for greeting in ["Hi", "Hello"] { text = text.replacingOccurrences(of: "\(greeting) {first}", with: "\(greeting) there") }
            text = text.replacingOccurrences(of: ", {first}", with: "").replacingOccurrences(of: " {first}", with: "")
                .replacingOccurrences(of: "{first}", with: "")
        }
        let company = lead.company.flatMap { $0.isEmpty ? nil : $0 }
        let industry = lead.industry.flatMap { $0.isEmpty ? nil : $0.lowercased() }
        let teams: String =
            switch (industry, company) {
            case let (industry?, company?): "\(industry) teams like \(company)"
            case let (nil, company?): "teams like \(company)"
            case let (industry?, nil): "\(industry) teams like yours"
            case (nil, nil): "teams like yours"
            }
        let values: [(String, String)] = [
            ("{caller}", pitch.callerName), ("{org}", pitch.organization), ("{Product}", PracticeText.sentence(pitch.product).trimmingCharacters(in: CharacterSet(charactersIn: "."))),
            ("{product}", pitch.product), ("{value}", PracticeText.inline(pitch.valueProposition)), ("{teams}", teams),
            ("{company}", company ?? "your company"), ("{pain}", PracticeText.inline(pain ?? "")), ("{minutes}", String(pitch.meetingMinutes)),
            ("{meeting}", pitch.meetingKind), ("{when}", when ?? pitch.meetingTimes.first ?? "a time that suits you"),
        ]
        for (key, value) in values { text = text.replacingOccurrences(of: key, with: value) }
        return text
    }
}
