import Foundation

/// What a practice scenario trains.
public enum ScenarioCategory: String, Sendable, Codable, CaseIterable {
    case coldCalling = "cold_calling"
    case discovery
    case demo
    case objectionHandling = "objection_handling"
    case negotiation
    case closing
    case renewal
    case upsell
    case fieldService = "field_service"
}

/// How hard the AI prospect makes it.
public enum Difficulty: String, Sendable, Codable, CaseIterable, Comparable {
    case beginner
    case intermediate
    case advanced
    case expert

    private var rank: Int { Self.allCases.firstIndex(of: self) ?? 0 }
    public static func < (lhs: Difficulty, rhs: Difficulty) -> Bool { lhs.rank < rhs.rank }
}

/// The person the AI plays in a scenario.
public struct ProspectPersona: Sendable, Codable, Hashable {
    public var name: String
    public var title: String
    public var company: String
    public var painPoints: [String]
    /// analytical, driver, amiable, expressive, skeptical, …
    public var personality: String
    /// direct, detailed, friendly, guarded, …
    public var communicationStyle: String

    public init(name: String, title: String, company: String, painPoints: [String], personality: String, communicationStyle: String) {
        self.name = name
        self.title = title
        self.company = company
        self.painPoints = painPoints
        self.personality = personality
        self.communicationStyle = communicationStyle
    }
}

/// The shape of the conversation the scenario expects: opening, discovery, objections.
public struct ConversationFlow: Sendable, Codable, Hashable {
    public var opening: String?
    public var discoveryQuestions: [String]
    public var objectionScenarios: [String]

    public init(opening: String?, discoveryQuestions: [String], objectionScenarios: [String]) {
        self.opening = opening
        self.discoveryQuestions = discoveryQuestions
        self.objectionScenarios = objectionScenarios
    }
}

/// A practice scenario: a built-in one (no organization) or one an admin wrote for their organization.
public struct Scenario: Sendable, Codable, Hashable, Identifiable {
    public var id: Int
    public var organizationID: UUID?
    public var title: String
    public var description: String
    public var category: ScenarioCategory
    public var difficulty: Difficulty
    /// Expected length in seconds.
    public var estimatedDuration: Int
    public var objectives: [String]
    public var coachingPoints: [String]
    public var persona: ProspectPersona?
    public var flow: ConversationFlow?
    public var isActive: Bool
    public var createdAt: Date

    public init(
        id: Int, organizationID: UUID?, title: String, description: String, category: ScenarioCategory,
        difficulty: Difficulty, estimatedDuration: Int, objectives: [String], coachingPoints: [String],
        persona: ProspectPersona?, flow: ConversationFlow?, isActive: Bool, createdAt: Date
    ) {
        self.id = id
        self.organizationID = organizationID
        self.title = title
        self.description = description
        self.category = category
        self.difficulty = difficulty
        self.estimatedDuration = estimatedDuration
        self.objectives = objectives
        self.coachingPoints = coachingPoints
        self.persona = persona
        self.flow = flow
        self.isActive = isActive
        self.createdAt = createdAt
    }
}
