import Foundation

/// Whether an agent takes calls: an inactive one keeps its settings but cannot be launched.
public enum AgentStatus: String, Sendable, Codable, CaseIterable {
    case active, inactive
}

/// The three engines an agent names: what understands the callee, what thinks, what speaks.
public enum EngineKind: String, Sendable, Codable, CaseIterable {
    case llm, stt, tts
}

/// What an agent says when no language model words its lines: a playbook the deterministic
/// caller follows from greeting to goal. Every field has a default built from the agent's
/// name and description.
public struct AgentPlaybook: Sendable, Codable, Hashable {
    /// Who the agent says it is ("Sam").
    public var callerName: String
    /// Who it calls for ("Northwind Traders").
    public var organization: String
    /// The product, as said mid-sentence ("our scheduling assistant").
    public var product: String
    /// Completes "we help teams like yours …".
    public var valueProposition: String
    /// Discovery questions, asked in order.
    public var questions: [String]
    /// What the agent asks for at the end ("demo", "call", "meeting").
    public var goal: String
    /// Said when the call reaches an answering machine, if the campaign leaves messages.
    public var voicemailMessage: String?

    public init(callerName: String, organization: String, product: String, valueProposition: String,
                questions: [String], goal: String, voicemailMessage: String?) {
        self.callerName = callerName
        self.organization = organization
        self.product = product
        self.valueProposition = valueProposition
        self.questions = questions
        self.goal = goal
        self.voicemailMessage = voicemailMessage
    }
}

/// A voice agent: the engines it names, its instructions and voice, owned by the user who made it.
public struct VoiceAgent: Sendable, Codable, Hashable, Identifiable {
    public var id: UUID
    public var organizationID: UUID
    public var ownerID: Int
    public var name: String
    public var description: String?
    public var llmProvider: String
    public var llmModel: String?
    public var sttProvider: String
    public var ttsProvider: String
    public var systemPrompt: String?
    public var language: String
    /// The document's free-form voice settings (`voice_id`, `speed`, `tone`, …), kept as given.
    public var voiceParameters: JSONValue
    public var status: AgentStatus
    /// Nil: the default playbook, built from the name and description.
    public var playbook: AgentPlaybook?
    /// Named fields every finished call is read into (empty: none).
    public var extractionSchema: [ExtractionField] = []
    /// How its calls are run: silence, length, transfer to a person, digits to send.
    public var callControl = AgentCallControl()
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: UUID = UUID(), organizationID: UUID, ownerID: Int, name: String, description: String?, llmProvider: String,
                llmModel: String?, sttProvider: String, ttsProvider: String, systemPrompt: String?, language: String,
                voiceParameters: JSONValue, status: AgentStatus, playbook: AgentPlaybook?, createdAt: Date = Date(), updatedAt: Date = Date()) {
        self.id = id
        self.organizationID = organizationID
        self.ownerID = ownerID
        self.name = name
        self.description = description
        self.llmProvider = llmProvider
        self.llmModel = llmModel
        self.sttProvider = sttProvider
        self.ttsProvider = ttsProvider
        self.systemPrompt = systemPrompt
        self.language = language
        self.voiceParameters = voiceParameters
        self.status = status
        self.playbook = playbook
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The provider the agent names for one engine.
    public func provider(_ kind: EngineKind) -> String {
        switch kind {
        case .llm: llmProvider
        case .stt: sttProvider
        case .tts: ttsProvider
        }
    }
}

/// Where a campaign is: drafted, dialling, held, finished, or stopped for good.
public enum CampaignStatus: String, Sendable, Codable, CaseIterable {
    case draft, active, paused, completed, cancelled
}

/// What a campaign does when an answering machine picks up.
public enum VoicemailAction: String, Sendable, Codable, CaseIterable {
    case leaveMessage = "leave_message"
    case hangUp = "hang_up"
}

/// The hours a campaign may dial, in the callee's time zone as the campaign states it:
/// `start`…`end` as minutes after midnight, on the listed weekdays (1 = Sunday … 7 = Saturday).
public struct CallingHours: Sendable, Codable, Hashable {
    public var timeZone: String
    public var start: Int
    public var end: Int
    public var weekdays: [Int]

    public init(timeZone: String, start: Int, end: Int, weekdays: [Int]) {
        self.timeZone = timeZone
        self.start = start
        self.end = end
        self.weekdays = weekdays
    }

    /// Whether `date` falls inside the hours; a window whose end is before its start runs past midnight.
    public func contains(_ date: Date) -> Bool {
        guard let zone = TimeZone(identifier: timeZone) else { return false }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents([.weekday, .hour, .minute], from: date)
        let minute = (parts.hour ?? 0) * 60 + (parts.minute ?? 0)
        guard weekdays.contains(parts.weekday ?? 0) else { return false }
        return start <= end ? (start <= minute && minute < end) : (minute >= start || minute < end)
    }

    /// The next whole minute at or after `date` inside the hours (within a week), or nil when
    /// there is none (no weekdays, an unknown time zone).
    public func nextOpening(after date: Date) -> Date? {
        if contains(date) { return date }
        let minute = (date.timeIntervalSince1970 / 60).rounded(.up) * 60
        for step in 0...(7 * 24 * 60) {
            let probe = Date(timeIntervalSince1970: minute + Double(step) * 60)
            if contains(probe) { return probe }
        }
        return nil
    }
}

/// A campaign: one agent dialling a list of numbers within a window, a few at a time.
public struct Campaign: Sendable, Codable, Hashable, Identifiable {
    public var id: UUID
    public var organizationID: UUID
    public var ownerID: Int
    public var agentID: UUID
    public var name: String
    public var status: CampaignStatus
    public var startTime: Date?
    public var endTime: Date?
    public var maxConcurrentCalls: Int
    /// Nil: any hour inside the start and end time.
    public var callingHours: CallingHours?
    /// Attempts per number in all (the first call and its retries).
    public var maxAttempts: Int
    /// Seconds before a busy, unanswered or failed number is tried again.
    public var retryDelay: TimeInterval
    public var voicemail: VoicemailAction
    /// Where the numbers came from when they came from the Leads surface.
    public var leadListQuery: String?
    public var numberCount: Int
    public var launchedAt: Date?
    public var pausedAt: Date?
    public var completedAt: Date?
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: UUID = UUID(), organizationID: UUID, ownerID: Int, agentID: UUID, name: String, status: CampaignStatus = .draft,
                startTime: Date?, endTime: Date?, maxConcurrentCalls: Int, callingHours: CallingHours?, maxAttempts: Int,
                retryDelay: TimeInterval, voicemail: VoicemailAction, leadListQuery: String? = nil, numberCount: Int = 0,
                launchedAt: Date? = nil, pausedAt: Date? = nil, completedAt: Date? = nil, createdAt: Date = Date(), updatedAt: Date = Date()) {
        self.id = id
        self.organizationID = organizationID
        self.ownerID = ownerID
        self.agentID = agentID
        self.name = name
        self.status = status
        self.startTime = startTime
        self.endTime = endTime
        self.maxConcurrentCalls = maxConcurrentCalls
        self.callingHours = callingHours
        self.maxAttempts = maxAttempts
        self.retryDelay = retryDelay
        self.voicemail = voicemail
        self.leadListQuery = leadListQuery
        self.numberCount = numberCount
        self.launchedAt = launchedAt
        self.pausedAt = pausedAt
        self.completedAt = completedAt
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// Where one number of a campaign stands.
public enum DialStatus: String, Sendable, Codable, CaseIterable {
    /// Waiting for its (next) attempt.
    case pending
    /// An attempt is placed or in progress.
    case dialling
    /// Settled: the call was answered and ended.
    case completed
    /// Settled: a machine answered.
    case voicemail
    /// Settled after its last attempt found it busy, unanswered or failing.
    case busy
    case noAnswer = "no_answer"
    case failed
    /// Settled without a call: the number is on the do-not-call list.
    case doNotCall = "do_not_call"

    /// Whether the number needs nothing more.
    public var isSettled: Bool { self != .pending && self != .dialling }
}

/// One number of a campaign and its attempts.
public struct CampaignNumber: Sendable, Codable, Hashable {
    public var campaignID: UUID
    /// E.164, as normalised.
    public var phoneNumber: String
    public var status: DialStatus
    public var attempts: Int
    public var nextAttemptAt: Date?
    /// The call log of the latest attempt.
    public var lastCallID: UUID?

    public init(campaignID: UUID, phoneNumber: String, status: DialStatus = .pending, attempts: Int = 0,
                nextAttemptAt: Date? = nil, lastCallID: UUID? = nil) {
        self.campaignID = campaignID
        self.phoneNumber = phoneNumber
        self.status = status
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.lastCallID = lastCallID
    }
}

/// A number an organization must not call, with why.
public struct BlockedNumber: Sendable, Codable, Hashable {
    public var organizationID: UUID
    public var phoneNumber: String
    public var reason: String?
    public var createdAt: Date

    public init(organizationID: UUID, phoneNumber: String, reason: String?, createdAt: Date = Date()) {
        self.organizationID = organizationID
        self.phoneNumber = phoneNumber
        self.reason = reason
        self.createdAt = createdAt
    }
}

/// Phone numbers in E.164: a `+`, a country code and at most 15 digits in all.
public enum PhoneNumber {
    /// The number in E.164 (`+14155550123`) from what people type (`+1 (415) 555-0123`,
    /// `0044 20 7946 0958`), or nil when it cannot be one: no country code, letters, too short or long.
    public static func e164(_ text: String) -> String? {
        var raw = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if raw.hasPrefix("00") { raw = "+" + raw.dropFirst(2) }
        guard raw.hasPrefix("+") else { return nil }
        let body = raw.dropFirst()
        guard body.allSatisfy({ $0.isASCII && ($0.isNumber || " -().".contains($0)) }) else { return nil }
        let digits = body.filter(\.isNumber)
        guard (8...15).contains(digits.count), digits.first != "0" else { return nil }
        return "+" + digits
    }
}

/// One voice-agent call as call logs list and count it (the conversation holds the rest).
public struct CallLogEntry: Sendable, Codable, Hashable {
    public var conversationID: UUID
    public var organizationID: UUID
    public var ownerID: Int
    public var agentID: UUID
    public var campaignID: UUID?
    public var phoneNumber: String
    public var status: CallLogStatus
    public var durationSeconds: Double
    /// `positive`, `neutral`, `negative`; nil until the call is read.
    public var sentiment: String?
    public var cost: Double
    public var keyPhrases: [String]
    public var createdAt: Date

    public init(conversationID: UUID, organizationID: UUID, ownerID: Int, agentID: UUID, campaignID: UUID?, phoneNumber: String,
                status: CallLogStatus, durationSeconds: Double = 0, sentiment: String? = nil, cost: Double = 0, keyPhrases: [String] = [],
                createdAt: Date = Date()) {
        self.conversationID = conversationID
        self.organizationID = organizationID
        self.ownerID = ownerID
        self.agentID = agentID
        self.campaignID = campaignID
        self.phoneNumber = phoneNumber
        self.status = status
        self.durationSeconds = durationSeconds
        self.sentiment = sentiment
        self.cost = cost
        self.keyPhrases = keyPhrases
        self.createdAt = createdAt
    }
}

/// Which call logs a list or a statistic covers.
public struct CallLogQuery: Sendable, Hashable {
    public var organizationID: UUID
    public var ownerID: Int
    public var agentID: UUID?
    public var campaignID: UUID?
    public var status: CallLogStatus?
    public var phoneNumber: String?
    public var from: Date?
    public var until: Date?
    public var offset: Int
    public var limit: Int

    public init(organizationID: UUID, ownerID: Int, agentID: UUID? = nil, campaignID: UUID? = nil, status: CallLogStatus? = nil,
                phoneNumber: String? = nil, from: Date? = nil, until: Date? = nil, offset: Int = 0, limit: Int = 50) {
        self.organizationID = organizationID
        self.ownerID = ownerID
        self.agentID = agentID
        self.campaignID = campaignID
        self.status = status
        self.phoneNumber = phoneNumber
        self.from = from
        self.until = until
        self.offset = offset
        self.limit = limit
    }
}

/// Call counts and averages over a set of call logs.
public struct CallStatistics: Sendable, Hashable {
    public var total: Int
    public var completed: Int
    public var failed: Int
    public var averageDuration: Double
    public var totalCost: Double
    public var sentiments: [String: Int]

    public init(total: Int, completed: Int, failed: Int, averageDuration: Double, totalCost: Double, sentiments: [String: Int]) {
        self.total = total
        self.completed = completed
        self.failed = failed
        self.averageDuration = averageDuration
        self.totalCost = totalCost
        self.sentiments = sentiments
    }
}

/// One named field an agent reads out of each finished call ("budget", "interested", …).
public struct ExtractionField: Sendable, Codable, Hashable {
    /// The kinds of value a field holds.
    public enum Kind: String, Sendable, Codable, Hashable, CaseIterable {
        case text, number, boolean, choice
    }

    /// An identifier (letters, digits, underscores), the key of the value read.
    public var name: String
    public var kind: Kind
    /// What the field means, in words; it guides both the rules and a language model.
    public var description: String?
    /// The allowed values of a `choice` field.
    public var choices: [String]

    public init(name: String, kind: Kind, description: String? = nil, choices: [String] = []) {
        self.name = name
        self.kind = kind
        self.description = description
        self.choices = choices
    }
}

/// How an agent's calls are run, beyond what it says: re-prompts after silence, the longest a
/// call may last, handing over to a person who asked for one, and digits to dial once answered.
public struct AgentCallControl: Sendable, Codable, Hashable {
    /// How a call is handed to a person.
    public enum TransferMode: String, Sendable, Codable, Hashable, CaseIterable {
        /// Put straight through.
        case cold
        /// The person hears who is calling and why before the callee is connected.
        case announced
    }

    /// Seconds of silence after the agent spoke before it asks whether the callee is still there.
    public var silenceTimeout: Double = 8
    /// Re-prompts before a silent call is ended (`silence`).
    public var maxReprompts: Int = 2
    /// The longest a call may last, in seconds.
    public var maxDuration: Double = 600
    /// Where a callee who asks for a person is transferred (E.164); nil: no transfer.
    public var transferNumber: String?
    public var transferMode: TransferMode = .cold
    /// Seconds the person's phone rings before the transfer gives up.
    public var transferRingTimeout: Int = 20
    /// DTMF digits sent once the call is answered (`0-9`, `*`, `#`, `w` for a half-second wait), to
    /// reach an extension behind a switchboard.
    public var sendDigits: String?

    public init() {}
}

