import Foundation
import ParleyDomain
import Vapor

extension SalesTrainer {
    /// A scenario as the Sales Trainer document shows it, plus its persona and flow.
    struct ScenarioDTO: Content {
        struct Persona: Codable {
            var name: String
            var title: String
            var company: String
            var pain_points: [String]
            var personality: String
            var communication_style: String
        }

        struct Flow: Codable {
            var opening: String?
            var discovery_questions: [String]
            var objection_scenarios: [String]
        }

        var id: Int
        var title: String
        var description: String
        var category: String
        var difficulty: String
        var estimated_duration: Int
        var objectives: [String]
        var coaching_points: [String]
        var prospect_persona: Persona?
        var conversation_flow: Flow?
        var is_active: Bool
        var is_builtin: Bool
        var created_at: String

        init(_ scenario: Scenario) {
            id = scenario.id
            title = scenario.title
            description = scenario.description
            category = scenario.category.rawValue
            difficulty = scenario.difficulty.rawValue
            estimated_duration = scenario.estimatedDuration
            objectives = scenario.objectives
            coaching_points = scenario.coachingPoints
            prospect_persona = scenario.persona.map {
                Persona(name: $0.name, title: $0.title, company: $0.company, pain_points: $0.painPoints,
                        personality: $0.personality, communication_style: $0.communicationStyle)
            }
            conversation_flow = scenario.flow.map {
                Flow(opening: $0.opening, discovery_questions: $0.discoveryQuestions, objection_scenarios: $0.objectionScenarios)
            }
            is_active = scenario.isActive
            is_builtin = scenario.organizationID == nil
            created_at = Timestamp.iso8601(scenario.createdAt)
        }
    }

    /// The body of `POST /scenarios` and `PUT /scenarios/{id}`; on PUT every field is optional.
    struct ScenarioRequest: Decodable {
        var title: String?
        var description: String?
        var category: String?
        var difficulty: String?
        var estimated_duration: Int?
        var objectives: [String]?
        var coaching_points: [String]?
        var prospect_persona: ScenarioDTO.Persona?
        var conversation_flow: ScenarioDTO.Flow?
        var is_active: Bool?

        /// Applies the present fields to `scenario`, validating each and naming the one at fault.
        func apply(to scenario: inout Scenario) throws {
            if let title { scenario.title = try AccountRules.name(title, field: "title", maxLength: 200) }
            if let description { scenario.description = try AccountRules.name(description, field: "description", maxLength: 2000) }
            if let category {
                guard let value = ScenarioCategory(rawValue: category) else {
                    throw APIError.validation("category", "must be one of \(ScenarioCategory.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                scenario.category = value
            }
            if let difficulty {
                guard let value = Difficulty(rawValue: difficulty) else {
                    throw APIError.validation("difficulty", "must be one of \(Difficulty.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                scenario.difficulty = value
            }
            if let estimated_duration {
                guard (60...7200).contains(estimated_duration) else {
                    throw APIError.validation("estimated_duration", "must be between 60 and 7200 seconds")
                }
                scenario.estimatedDuration = estimated_duration
            }
            if let objectives { scenario.objectives = try Self.lines(objectives, field: "objectives") }
            if let coaching_points { scenario.coachingPoints = try Self.lines(coaching_points, field: "coaching_points") }
            if let persona = prospect_persona {
                scenario.persona = ProspectPersona(
                    name: try AccountRules.name(persona.name, field: "prospect_persona.name"),
                    title: try AccountRules.name(persona.title, field: "prospect_persona.title", maxLength: 200),
                    company: try AccountRules.name(persona.company, field: "prospect_persona.company", maxLength: 200),
                    painPoints: try Self.lines(persona.pain_points, field: "prospect_persona.pain_points"),
                    personality: try AccountRules.name(persona.personality, field: "prospect_persona.personality"),
                    communicationStyle: try AccountRules.name(persona.communication_style, field: "prospect_persona.communication_style"))
            }
            if let flow = conversation_flow {
                scenario.flow = ConversationFlow(
                    opening: try flow.opening.map { try AccountRules.name($0, field: "conversation_flow.opening", maxLength: 1000) },
                    discoveryQuestions: try Self.lines(flow.discovery_questions, field: "conversation_flow.discovery_questions"),
                    objectionScenarios: try Self.lines(flow.objection_scenarios, field: "conversation_flow.objection_scenarios"))
            }
            if let is_active { scenario.isActive = is_active }
        }

        private static func lines(_ values: [String], field: String) throws -> [String] {
            guard values.count <= 50 else { throw APIError.validation(field, "at most 50 entries") }
            return try values.enumerated().map { try AccountRules.name($1, field: "\(field)[\($0)]", maxLength: 500) }
        }
    }
}
