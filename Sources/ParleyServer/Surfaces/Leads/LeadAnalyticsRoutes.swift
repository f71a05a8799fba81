import Foundation
import ParleyDomain
import Vapor

extension LeadsAndCalls {
    /// `/api/v1/analytics/dashboard` (camelCase, as the document shows it) and
    /// `/api/v1/leads/analytics/overview`, both counted by the database.
    enum LeadAnalyticsRoutes {
        static func register(on routes: any RoutesBuilder) {
            routes.get("analytics", "dashboard", use: dashboard)
            routes.get("leads", "analytics", "overview", use: overview)
        }

        static func round(_ value: Double, _ places: Double) -> Double {
            let scale = pow(10, places)
            return (value * scale).rounded() / scale
        }

        static func dashboard(_ request: Request) async throws -> Response {
            let user = try request.principal.user
            let days = try request.pagingValue("days", default: 30, range: 1...3650)
            let numbers = try await request.core.leads.dashboard(organizationID: user.organizationID, days: days)
            return try request.renderJSON(.object([
                "totalLeads": .number(Double(numbers.totalLeads)), "newLeadsToday": .number(Double(numbers.newLeadsToday)),
                "totalCalls": .number(Double(numbers.totalCalls)), "callsToday": .number(Double(numbers.callsToday)),
                // Percent of the leads closed in the period that were won.
                "conversionRate": .number(numbers.closedLeads == 0 ? 0 : round(Double(numbers.wonLeads) * 100 / Double(numbers.closedLeads), 1)),
                "avgLeadScore": .number(round(numbers.averageScore, 2)), "revenue": .number(round(numbers.revenue, 2)),
                "voiceAICallsActive": .number(Double(numbers.activeCalls)),
            ]))
        }

        static func overview(_ request: Request) async throws -> Response {
            let user = try request.principal.user
            let days = try request.pagingValue("days", default: 30, range: 1...3650)
            let overview = try await request.core.leads.overview(organizationID: user.organizationID, days: days)
            func counts(_ map: [String: Int]) -> JSONValue { .object(map.mapValues { .number(Double($0)) }) }
            return try request.renderJSON(.object([
                "total_leads": .number(Double(overview.totalLeads)), "new_leads": .number(Double(overview.newLeads)),
                "qualified_leads": .number(Double(overview.qualifiedLeads)), "converted_leads": .number(Double(overview.convertedLeads)),
                "average_score": .number(round(overview.averageScore, 2)),
                // Won out of closed (won or lost), as a fraction.
                "conversion_rate": .number(overview.closedLeads == 0 ? 0 : round(Double(overview.convertedLeads) / Double(overview.closedLeads), 3)),
                "by_source": counts(overview.bySource), "by_status": counts(overview.byStatus), "by_industry": counts(overview.byIndustry),
            ]))
        }
    }
}
