import Foundation
import ParleyCore
import ParleyDomain
import Vapor

extension FieldIntelligence {
    /// `/v1/users`: a user's profile with their figures, and a supervisor's technicians.
    enum FieldUserRoutes {
        static func register(on signedIn: any RoutesBuilder) {
            let users = signedIn.grouped("users")
            users.get("technicians", use: technicians)
            users.get(":user_id", use: profile)
        }

        static func profile(_ request: Request) async throws -> Response {
            let viewer = try request.principal.user
            guard let id = UserID.parse(request.parameters.get("user_id")) else {
                throw APIError.notFound("NOT_FOUND", "User \(request.parameters.get("user_id") ?? "") not found")
            }
            let person = try await request.core.fieldTeam.person(id: id, visibleTo: viewer)
            let figures = try await request.core.fieldTeam.figures(of: person)
            return try request.renderJSON(.object([
                "user_id": .string(UserID.make(person.id)), "email": .string(person.email),
                "full_name": .string(FieldAuthRoutes.fullName(person)), "role": .string(role(person.role)),
                "stats": .object([
                    "total_calls": .number(Double(figures.totalCalls)),
                    "avg_satisfaction": figures.averageSatisfaction.map(JSONValue.number) ?? .null,
                    "upsell_conversion": figures.upsellConversion.map { .number(($0 * 100).rounded() / 100) } ?? .null,
                ]),
            ]))
        }

        static func technicians(_ request: Request) async throws -> Response {
            let viewer = try request.principal.user
            var items: [JSONValue] = []
            for technician in try await request.core.fieldTeam.technicians(visibleTo: viewer) {
                let figures = try await request.core.fieldTeam.figures(of: technician)
                items.append(.object([
                    "user_id": .string(UserID.make(technician.id)), "full_name": .string(FieldAuthRoutes.fullName(technician)),
                    "stats": .object([
                        "calls_today": .number(Double(figures.callsToday)),
                        "avg_call_duration": figures.averageDuration.map { .number($0.rounded()) } ?? .null,
                        "customer_satisfaction": figures.averageSatisfaction.map(JSONValue.number) ?? .null,
                    ]),
                ]))
            }
            return try request.renderJSON(.object(["technicians": .array(items)]))
        }
    }
}
