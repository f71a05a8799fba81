import Foundation
import ParleyDomain
import Vapor

extension SalesTrainer {
    /// `/api/v1/scenarios`: the catalogue (built-in plus the organization's own); admins write.
    enum ScenarioRoutes {
        static func register(on routes: any RoutesBuilder) {
            let scenarios = routes.grouped("scenarios")
            scenarios.get(use: list)
            scenarios.get(":scenario_id", use: get)
            let admin = scenarios.grouped(RoleGuard(minimum: .admin))
            admin.post(use: create)
            admin.put(":scenario_id", use: update)
            admin.delete(":scenario_id", use: deactivate)
        }

        static func list(_ request: Request) async throws -> [ScenarioDTO] {
            let user = try request.principal.user
            var query = ScenarioQuery(organizationID: user.organizationID)
            query.offset = try request.pagingValue("skip", default: 0, range: 0...Int.max)
            query.limit = try request.pagingValue("limit", default: 50, range: 1...500)
            if let raw = request.query[String.self, at: "category"] {
                guard let category = ScenarioCategory(rawValue: raw) else {
                    throw APIError.validation("category", "must be one of \(ScenarioCategory.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                query.category = category
            }
            if let raw = request.query[String.self, at: "difficulty"] {
                guard let difficulty = Difficulty(rawValue: raw) else {
                    throw APIError.validation("difficulty", "must be one of \(Difficulty.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                query.difficulty = difficulty
            }
            query.includeInactive = user.role == .admin && request.query[Bool.self, at: "include_inactive"] == true
            return try await request.core.scenarios.scenarios(query).map(ScenarioDTO.init)
        }

        static func get(_ request: Request) async throws -> ScenarioDTO {
            ScenarioDTO(try await scenario(request))
        }

        static func create(_ request: Request) async throws -> Response {
            let admin = try request.principal.user
            let body = try request.decodeJSON(ScenarioRequest.self)
            for (field, present) in [("title", body.title != nil), ("description", body.description != nil),
                                     ("category", body.category != nil), ("difficulty", body.difficulty != nil)] where !present {
                throw APIError.validation(field, "is required")
            }
            var scenario = Scenario(
                id: 0, organizationID: admin.organizationID, title: "", description: "", category: .discovery, difficulty: .intermediate,
                estimatedDuration: 900, objectives: [], coachingPoints: [], persona: nil, flow: nil, isActive: true, createdAt: Date())
            try body.apply(to: &scenario)
            let created = try await request.core.scenarios.createScenario(scenario)
            return try await ScenarioDTO(created).encodeResponse(status: .created, for: request)
        }

        static func update(_ request: Request) async throws -> ScenarioDTO {
            var scenario = try await scenario(request)
            let body = try request.decodeJSON(ScenarioRequest.self)
            try body.apply(to: &scenario)
            return ScenarioDTO(try await request.core.scenarios.updateScenario(scenario))
        }

        /// Deactivation keeps the scenario for past sessions but hides it from the catalogue.
        static func deactivate(_ request: Request) async throws -> ScenarioDTO {
            var scenario = try await scenario(request)
            scenario.isActive = false
            return ScenarioDTO(try await request.core.scenarios.updateScenario(scenario))
        }

        /// The scenario named in the path, if the caller's organization can see it.
        static func scenario(_ request: Request, parameter: String = "scenario_id") async throws -> Scenario {
            let user = try request.principal.user
            guard let id = request.parameters.get(parameter, as: Int.self) else {
                throw APIError.notFound("SCENARIO_NOT_FOUND", "Scenario not found: the id must be an integer")
            }
            guard let scenario = try await request.core.scenarios.scenario(id: id, visibleTo: user.organizationID) else {
                throw APIError.notFound("SCENARIO_NOT_FOUND", "Scenario \(id) not found")
            }
            return scenario
        }
    }
}
