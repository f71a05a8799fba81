import Foundation
import ParleyDomain

/// The person the AI caller is calling, as far as the organization knows them. Every field is optional
/// so a bare phone number still gives a polite call ("Hi there").
public struct CallLead: Sendable, Codable, Hashable {
    public var name: String?
    public var company: String?
    /// Title or role ("IT Director", "Owner").
    public var title: String?
    public var industry: String?
    /// Problems the organization believes the lead has (CRM notes, the form they filled in); discovery asks about these first.
    public var painPoints: [String]

    public init(name: String? = nil, company: String? = nil, title: String? = nil, industry: String? = nil, painPoints: [String] = []) {
        self.name = name
        self.company = company
        self.title = title
        self.industry = industry
        self.painPoints = painPoints
    }

    /// The lead as the lead-scoring profile knows it, plus a name.
    public init(name: String?, profile: LeadProfile, painPoints: [String] = []) {
        self.init(name: name, company: profile.company, title: profile.title, industry: profile.industry, painPoints: painPoints)
    }

    /// The first name, for "Hi Mark"; nil when the name is unknown or blank.
    public var firstName: String? {
        guard let name, let first = name.split(separator: " ").first, !first.isEmpty else { return nil }
        return String(first)
    }
}

/// What the caller sells and on whose behalf: the organization's pitch.
public struct CallPitch: Sendable, Codable, Hashable {
    /// The organization the caller speaks for ("AI Solutions").
    public var organization: String
    /// The name the caller introduces itself with ("Sarah").
    public var callerName: String
    /// The product, as said mid-sentence ("our scheduling assistant").
    public var product: String
    /// A verb phrase that completes "we help teams like yours …" ("answer every call and book more jobs").
    public var valueProposition: String
    /// What the caller asks for at closing ("demo", "call", "meeting").
    public var meetingKind: String
    public var meetingMinutes: Int
    /// Times the caller proposes for the next step, said after "on" ("Tuesday at 10 am").
    public var meetingTimes: [String]

    /// Discovery questions of the organization's own, asked in order before the built-in ones.
    public var questions: [String]

    public init(
        organization: String = "Parley", callerName: String = "Alex", product: String = "our platform",
        valueProposition: String = "spend less time on busywork and more time with customers", meetingKind: String = "demo",
        meetingMinutes: Int = 20, meetingTimes: [String] = ["Tuesday at 10 am", "Thursday at 2 pm"], questions: [String] = []
    ) {
        self.organization = organization
        self.callerName = callerName
        self.product = product
        self.valueProposition = valueProposition
        self.meetingKind = meetingKind
        self.meetingMinutes = meetingMinutes
        self.meetingTimes = meetingTimes
        self.questions = questions
    }

    enum CodingKeys: String, CodingKey {
        case organization, callerName, product, valueProposition, meetingKind, meetingMinutes, meetingTimes, questions
    }

    /// Calls stored before pitches had their own questions read back with none.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        organization = try container.decode(String.self, forKey: .organization)
        callerName = try container.decode(String.self, forKey: .callerName)
        product = try container.decode(String.self, forKey: .product)
        valueProposition = try container.decode(String.self, forKey: .valueProposition)
        meetingKind = try container.decode(String.self, forKey: .meetingKind)
        meetingMinutes = try container.decode(Int.self, forKey: .meetingMinutes)
        meetingTimes = try container.decode([String].self, forKey: .meetingTimes)
        questions = try container.decodeIfPresent([String].self, forKey: .questions) ?? []
    }
}

/// How an AI call ended (the stored result the Leads surface reports and acts on).
public enum CallOutcome: String, Sendable, Codable, Hashable, CaseIterable {
    case nextStepBooked = "next_step_booked"
    case callbackRequested = "callback_requested"
    case notInterested = "not_interested"
    case wrongPerson = "wrong_person"
    case voicemail
    /// The lead asked not to be called again: the lead goes on the do-not-call list.
    case optedOut = "opted_out"
    /// The lead hung up or said goodbye without a clear no.
    case endedByLead = "ended_by_lead"
    /// The caller wrapped up politely without an answer (time, repeated objections, repeated hesitation).
    case noDecision = "no_decision"
}

/// What a lead's reply is doing, as the caller reads it (the Leads `analysis.intent` field).
public enum LeadIntent: String, Sendable, Codable, Hashable, CaseIterable {
    /// Engaged, answering or chatting: the document's default reading.
    case generalInquiry = "general_inquiry"
    case question
    case interested
    case objection
    case hesitation
    case agreement
    case callbackRequest = "callback_request"
    case notInterested = "not_interested"
    case wrongPerson = "wrong_person"
    case voicemail
    case optOut = "opt_out"
    case goodbye
}

/// The per-turn reading of a lead reply, in the shape of the Leads `analysis` object.
public struct LeadTurnAnalysis: Sendable, Codable, Hashable {
    /// −1 (negative) … 1 (positive), from the shared `TextAnalyzer`.
    public var sentiment: Double
    public var intent: LeadIntent
    public var objections: [ObjectionType]
    public var interestSignals: [InterestSignal]

    enum CodingKeys: String, CodingKey {
        case sentiment, intent, objections
        case interestSignals = "interest_signals"
    }

    public init(sentiment: Double, intent: LeadIntent, objections: [ObjectionType], interestSignals: [InterestSignal]) {
        self.sentiment = sentiment
        self.intent = intent
        self.objections = objections
        self.interestSignals = interestSignals
    }
}

/// What one caller line does, so a surface or test can tell a pitch from a goodbye without reading words.
public enum CallerAct: String, Sendable, Codable, Hashable, CaseIterable {
    case opening
    case discoveryQuestion = "discovery_question"
    case pitch
    case objectionAnswer = "objection_answer"
    case reinforceValue = "reinforce_value"
    case askForNextStep = "ask_for_next_step"
    case confirmNextStep = "confirm_next_step"
    case confirmCallback = "confirm_callback"
    case voicemailMessage = "voicemail_message"
    case goodbye
}

/// One line the AI caller says and the state it leaves the call in (the Leads `respond` answer).
public struct CallerLine: Sendable, Codable, Hashable {
    public var text: String
    public var act: CallerAct
    /// The documented `conversation_state` after this line.
    public var state: ConversationState
    /// The reading of the lead reply this line answers; nil for the opening of a call picked up in silence.
    public var analysis: LeadTurnAnalysis?
    /// False once the call is over (the document's `should_continue`).
    public var shouldContinue: Bool
    public var outcome: CallOutcome?

    public init(text: String, act: CallerAct, state: ConversationState, analysis: LeadTurnAnalysis?, shouldContinue: Bool, outcome: CallOutcome?) {
        self.text = text
        self.act = act
        self.state = state
        self.analysis = analysis
        self.shouldContinue = shouldContinue
        self.outcome = outcome
    }
}

/// One exchange of an AI call: what the lead said, how it was read, and the caller's answer.
public struct CallExchange: Sendable, Codable, Hashable {
    /// 1-based lead turn within the call (the pickup, when given, is turn 1).
    public var leadTurn: Int
    public var leadText: String
    public var analysis: LeadTurnAnalysis
    public var reply: CallerLine
}

/// An objection the lead raised and whether the caller's answer held (the lead did not raise it again next turn).
public struct RaisedObjection: Sendable, Codable, Hashable {
    public var type: ObjectionType
    /// The lead turn that raised it.
    public var leadTurn: Int
    public var handled: Bool
}

/// The next step a call produced: a booked meeting or a callback.
public struct CallNextStep: Sendable, Codable, Hashable {
    /// Kind of next step ("demo", "meeting", "callback").
    public var kind: String
    /// When, as said on the call ("Tuesday at 10 am", "next Tuesday afternoon"); nil when no time was named.
    public var when: String?
    public var minutes: Int?
}

/// The end-of-call summary the Leads surface maps to `summary` and `analytics`.
public struct CallSummary: Sendable, Codable, Hashable {
    public var outcome: CallOutcome
    /// The furthest documented state the call reached (the document reports `closing` for a completed call).
    public var conversationState: ConversationState
    public var keyPoints: [String]
    public var objections: [RaisedObjection]
    public var interestSignals: [InterestSignal]
    public var nextStep: CallNextStep?
    /// Average lead sentiment, −1…1.
    public var overallSentiment: Double
    /// Caller lines plus lead turns.
    public var totalExchanges: Int
    public var leadTurns: Int
    /// 0…1: how much the lead engaged (words, interest signals, questions).
    public var engagementScore: Double
    /// 0…1: a rule-of-thumb chance the lead converts, from the outcome and the signals.
    public var conversionProbability: Double
    public var recommendation: String

    /// The lead asked not to be called: the surface sets the lead's do-not-call flag.
    public var doNotCall: Bool { outcome == .optedOut }
}
