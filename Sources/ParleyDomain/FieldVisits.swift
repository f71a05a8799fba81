import Foundation

/// A field conversation's id: `CONV-YYYYMMDD-NNN`, numbered per organization and UTC day. Stored
/// with its organization appended, because conversation ids are unique across organizations
/// and two organizations both have a `CONV-20241104-001`.
public struct FieldVisitID: Sendable, Hashable, CustomStringConvertible {
    /// What clients see: `CONV-20241104-001`.
    public var display: String
    public var organizationID: UUID

    public init(display: String, organizationID: UUID) {
        self.display = display
        self.organizationID = organizationID
    }

    /// The id of the `number`th conversation of the organization on `day` (its UTC date).
    public init(day: Date, number: Int, organizationID: UUID) {
        self.init(display: "CONV-\(Self.dayKey(day))-\(String(format: "%03d", number))", organizationID: organizationID)
    }

    /// A client's id read back; nil when it does not have the shape, so nothing is looked up.
    public init?(client text: String, organizationID: UUID) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "CONV", parts[1].count == 8, parts[1].allSatisfy(\.isASCII), Int(parts[1]) != nil,
              parts[2].count >= 3, parts[2].count <= 9, Int(parts[2]).map({ $0 > 0 }) == true
        else { return nil }
        self.init(display: text, organizationID: organizationID)
    }

    /// The conversation's stored `publicID`.
    public var stored: String { "\(display)@\(organizationID.uuidString.lowercased())" }

    /// The client's id of a stored `publicID`.
    public static func display(ofStored stored: String) -> String {
        String(stored.prefix { $0 != "@" })
    }

    /// `20241104` for a date (UTC): the day conversations are numbered in.
    public static func dayKey(_ date: Date) -> String {
        let parts = utc.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d%02d%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }

    static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    public var description: String { display }
}

/// Someone's agreement to be recorded: who, in which role, and when it was given.
public struct RecordingConsent: Sendable, Codable, Hashable {
    /// `technician` or `customer`.
    public var party: String
    public var name: String?
    public var agreedAt: Date

    public init(party: String, name: String?, agreedAt: Date) {
        self.party = party
        self.name = name
        self.agreedAt = agreedAt
    }
}

/// What a field conversation is about (the job, the customer, where) and how its recording
/// arrived; kept with the conversation.
public struct FieldVisitFacts: Sendable, Codable, Hashable {
    public var jobID: String?
    public var jobTitle: String?
    public var customerName: String?
    public var customerPhone: String?
    public var locationAddress: String?
    /// Who agreed to the recording, as recorded at the start and after.
    public var consent: [RecordingConsent]
    /// Whether the conversation had a recording at all (a visit can be logged without one).
    public var recorded: Bool
    /// When the technician stopped it.
    public var endedAt: Date?
    /// Chunk sequences that never arrived below the highest received one, as found at stop.
    public var missingChunks: [Int]
    /// The assembled recording (relative to the data directory), once stopped.
    public var recordingPath: String?
    /// Why analysis waits (consent the organization requires is missing), when it does.
    public var analysisHeld: String?

    public init(jobID: String? = nil, jobTitle: String? = nil, customerName: String? = nil, customerPhone: String? = nil,
                locationAddress: String? = nil, consent: [RecordingConsent] = [], recorded: Bool = true, endedAt: Date? = nil,
                missingChunks: [Int] = [], recordingPath: String? = nil, analysisHeld: String? = nil) {
        self.jobID = jobID
        self.jobTitle = jobTitle
        self.customerName = customerName
        self.customerPhone = customerPhone
        self.locationAddress = locationAddress
        self.consent = consent
        self.recorded = recorded
        self.endedAt = endedAt
        self.missingChunks = missingChunks
        self.recordingPath = recordingPath
        self.analysisHeld = analysisHeld
    }
}

/// One piece of a field conversation's recording as it was uploaded: its place in the order,
/// the file as sent, and the audio decoded from it (16 kHz mono, what assembly and live
/// recognition read).
public struct FieldChunk: Sendable, Codable, Hashable {
    public var conversationID: UUID
    public var sequence: Int
    /// `CHUNK-…`, what the upload answer names.
    public var publicID: String
    /// The container sniffed from the bytes (`mp4`, `wav`, `mp3`, `matroska`, …).
    public var format: String
    public var bytes: Int64
    public var seconds: Double
    /// The file as uploaded and its decoded samples, relative to the data directory.
    public var path: String
    public var pcmPath: String
    public var receivedAt: Date

    public init(conversationID: UUID, sequence: Int, publicID: String, format: String, bytes: Int64, seconds: Double, path: String,
                pcmPath: String, receivedAt: Date) {
        self.conversationID = conversationID
        self.sequence = sequence
        self.publicID = publicID
        self.format = format
        self.bytes = bytes
        self.seconds = seconds
        self.path = path
        self.pcmPath = pcmPath
        self.receivedAt = receivedAt
    }
}

/// Where an upsell opportunity stands, from found to won or lost.
public enum UpsellStatus: String, Sendable, Codable, CaseIterable {
    case identified, pitched, quoted
    case closedWon = "closed_won"
    case closedLost = "closed_lost"
    case dismissed

    /// The statuses it may move to: forward through the sale, never back from a decision.
    public var next: [UpsellStatus] {
        switch self {
        case .identified: [.pitched, .quoted, .closedWon, .closedLost, .dismissed]
        case .pitched: [.quoted, .closedWon, .closedLost, .dismissed]
        case .quoted: [.closedWon, .closedLost]
        case .closedWon, .closedLost, .dismissed: []
        }
    }
}

/// An upsell opportunity found in a field conversation, with its place in the sale.
public struct FieldUpsell: Sendable, Codable, Hashable {
    /// Assigned when stored.
    public var id: Int
    public var organizationID: UUID
    public var conversationID: UUID
    /// The technician whose conversation it came from.
    public var userID: Int
    public var type: String
    public var title: String
    public var description: String
    public var triggerPhrase: String
    public var timestampInCall: Double?
    public var confidence: Double
    public var estimatedValue: Double
    public var priority: String
    public var status: UpsellStatus
    public var actualValue: Double?
    public var notes: String?
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: Int = 0, organizationID: UUID, conversationID: UUID, userID: Int, type: String, title: String, description: String,
                triggerPhrase: String, timestampInCall: Double?, confidence: Double, estimatedValue: Double, priority: String,
                status: UpsellStatus = .identified, actualValue: Double? = nil, notes: String? = nil, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.organizationID = organizationID
        self.conversationID = conversationID
        self.userID = userID
        self.type = type
        self.title = title
        self.description = description
        self.triggerPhrase = triggerPhrase
        self.timestampInCall = timestampInCall
        self.confidence = confidence
        self.estimatedValue = estimatedValue
        self.priority = priority
        self.status = status
        self.actualValue = actualValue
        self.notes = notes
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// A coaching moment of a field conversation, stored so supervisors can count and find them.
public struct FieldCoachingMoment: Sendable, Codable, Hashable {
    public var id: Int
    public var conversationID: UUID
    public var category: String
    public var title: String
    public var timestampInCall: Double?
    public var whatHappened: String
    public var whatShouldHappen: String
    public var exampleBetterResponse: String
    /// `minor`, `moderate`, `important` or `critical`.
    public var severity: String

    public init(id: Int = 0, conversationID: UUID, category: String, title: String, timestampInCall: Double?, whatHappened: String,
                whatShouldHappen: String, exampleBetterResponse: String, severity: String) {
        self.id = id
        self.conversationID = conversationID
        self.category = category
        self.title = title
        self.timestampInCall = timestampInCall
        self.whatHappened = whatHappened
        self.whatShouldHappen = whatShouldHappen
        self.exampleBetterResponse = exampleBetterResponse
        self.severity = severity
    }
}

/// A supervisor's review of a technician's conversation (ratings 1–5).
public struct FieldFeedback: Sendable, Codable, Hashable {
    public var id: Int
    public var organizationID: UUID
    public var conversationID: UUID
    public var supervisorID: Int
    public var technicianID: Int
    public var overallRating: Int
    public var rapportRating: Int?
    public var technicalRating: Int?
    public var upsellRating: Int?
    public var strengths: String?
    public var areasForImprovement: String?
    public var isTrainingExample: Bool
    public var createdAt: Date

    public init(id: Int = 0, organizationID: UUID, conversationID: UUID, supervisorID: Int, technicianID: Int, overallRating: Int,
                rapportRating: Int?, technicalRating: Int?, upsellRating: Int?, strengths: String?, areasForImprovement: String?,
                isTrainingExample: Bool, createdAt: Date) {
        self.id = id
        self.organizationID = organizationID
        self.conversationID = conversationID
        self.supervisorID = supervisorID
        self.technicianID = technicianID
        self.overallRating = overallRating
        self.rapportRating = rapportRating
        self.technicalRating = technicalRating
        self.upsellRating = upsellRating
        self.strengths = strengths
        self.areasForImprovement = areasForImprovement
        self.isTrainingExample = isTrainingExample
        self.createdAt = createdAt
    }
}

/// A live nudge shown to a technician during a conversation, and what they did with it.
public struct FieldNudge: Sendable, Codable, Hashable {
    public var id: Int
    public var organizationID: UUID
    public var conversationID: UUID
    public var userID: Int
    /// `upsell_prompt`, `unanswered_question`, `pricing_unclear`, `safety_mention`, …
    public var type: String
    /// What makes it the same nudge (its type and subject): never shown twice in a conversation.
    public var key: String
    public var title: String
    public var message: String
    public var suggestedResponse: String
    public var confidence: Double
    /// Seconds into the conversation.
    public var triggeredAt: Double
    /// `dismissed` or `accepted`, once the technician acted.
    public var action: String?
    public var actedAt: Date?

    public init(id: Int = 0, organizationID: UUID, conversationID: UUID, userID: Int, type: String, key: String, title: String, message: String,
                suggestedResponse: String, confidence: Double, triggeredAt: Double, action: String? = nil, actedAt: Date? = nil) {
        self.id = id
        self.organizationID = organizationID
        self.conversationID = conversationID
        self.userID = userID
        self.type = type
        self.key = key
        self.title = title
        self.message = message
        self.suggestedResponse = suggestedResponse
        self.confidence = confidence
        self.triggeredAt = triggeredAt
        self.action = action
        self.actedAt = actedAt
    }
}

/// An organization's Field Intelligence settings: its upsell catalogue (JSON, the shape of
/// `UpsellCatalogue`) and whether every party must consent before a recording is analysed.
public struct FieldSettings: Sendable, Codable, Hashable {
    public var requireAllPartyConsent: Bool
    /// The organization's own catalogue; nil: the standard field-service one.
    public var upsellCatalogue: JSONValue?

    public init(requireAllPartyConsent: Bool = false, upsellCatalogue: JSONValue? = nil) {
        self.requireAllPartyConsent = requireAllPartyConsent
        self.upsellCatalogue = upsellCatalogue
    }
}

/// One technician's field figures over a period, computed in SQL.
public struct FieldPeriodFigures: Sendable, Hashable {
    public var userID: Int
    /// The UTC day (`2024-11-04`) for daily rows; nil for a whole period.
    public var day: String?
    public var calls: Int
    public var analysedCalls: Int
    /// Seconds, over finished conversations.
    public var averageDuration: Double?
    /// The customer-satisfaction score, 0–100, over analysed conversations.
    public var averageSatisfaction: Double?
    public var upsellsIdentified: Int
    public var upsellsClosed: Int
    public var upsellRevenue: Double
    public var coachingMoments: Int
    /// Conversations with a recording.
    public var recordedCalls: Int

    public init(userID: Int, day: String?, calls: Int, analysedCalls: Int, averageDuration: Double?, averageSatisfaction: Double?,
                upsellsIdentified: Int, upsellsClosed: Int, upsellRevenue: Double, coachingMoments: Int, recordedCalls: Int) {
        self.userID = userID
        self.day = day
        self.calls = calls
        self.analysedCalls = analysedCalls
        self.averageDuration = averageDuration
        self.averageSatisfaction = averageSatisfaction
        self.upsellsIdentified = upsellsIdentified
        self.upsellsClosed = upsellsClosed
        self.upsellRevenue = upsellRevenue
        self.coachingMoments = coachingMoments
        self.recordedCalls = recordedCalls
    }

    /// The share of identified upsells that were won, nil without any.
    public var upsellConversion: Double? {
        upsellsIdentified > 0 ? Double(upsellsClosed) / Double(upsellsIdentified) : nil
    }
}
