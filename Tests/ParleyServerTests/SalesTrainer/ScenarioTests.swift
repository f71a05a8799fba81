import Foundation
import ParleyTestSupport
import Testing

@Suite("Sales Trainer scenarios over HTTP")
struct ScenarioTests {
    static let categories = ["cold_calling", "discovery", "demo", "objection_handling", "negotiation", "closing", "renewal", "upsell", "field_service"]

    @Test func theBuiltInCatalogueCoversEveryCategoryAndDifficulty() async throws {
        try await TestServer.with { server in
            let rep = try await server.register()
            let response = try await server.request(.GET, "/api/v1/scenarios?limit=100", token: rep.accessToken)
            #expect(response.status == 200)
            let scenarios = response.jsonArray
            #expect(scenarios.count >= 10)
            #expect(Set(scenarios.compactMap { $0["category"] as? String }) == Set(Self.categories))
            #expect(Set(scenarios.compactMap { $0["difficulty"] as? String }) == ["beginner", "intermediate", "advanced", "expert"])
            for scenario in scenarios {
                for key in ["id", "title", "description", "estimated_duration", "objectives", "coaching_points", "is_active", "created_at"] {
                    #expect(scenario[key] != nil, "scenario.\(key) missing")
                }
                let persona = try #require(scenario["prospect_persona"] as? [String: Any])
                #expect((persona["pain_points"] as? [String])?.isEmpty == false)
                let flow = try #require(scenario["conversation_flow"] as? [String: Any])
                #expect((flow["objection_scenarios"] as? [String])?.isEmpty == false)
            }
        }
    }

    @Test func listingFiltersAndPages() async throws {
        try await TestServer.with { server in
            let rep = try await server.register()
            let discovery = try await server.request(.GET, "/api/v1/scenarios?category=discovery", token: rep.accessToken).jsonArray
            #expect(!discovery.isEmpty)
            #expect(discovery.allSatisfy { $0["category"] as? String == "discovery" })
            let advanced = try await server.request(.GET, "/api/v1/scenarios?difficulty=advanced", token: rep.accessToken).jsonArray
            #expect(advanced.allSatisfy { $0["difficulty"] as? String == "advanced" })
            let page1 = try await server.request(.GET, "/api/v1/scenarios?skip=0&limit=2", token: rep.accessToken).jsonArray
            let page2 = try await server.request(.GET, "/api/v1/scenarios?skip=2&limit=2", token: rep.accessToken).jsonArray
            #expect(page1.count == 2 && page2.count == 2)
            #expect(Set(page1.compactMap { $0["id"] as? Int }).isDisjoint(with: page2.compactMap { $0["id"] as? Int }))
            #expect(try await server.request(.GET, "/api/v1/scenarios?category=juggling", token: rep.accessToken).status == 422)
            #expect(try await server.request(.GET, "/api/v1/scenarios").status == 401)
        }
    }

    @Test func unknownScenariosAre404ScenarioNotFound() async throws {
        try await TestServer.with { server in
            let rep = try await server.register()
            for id in ["99999", "abc"] {
                let response = try await server.request(.GET, "/api/v1/scenarios/\(id)", token: rep.accessToken)
                #expect(response.status == 404)
                #expect(response.json["error_code"] as? String == "SCENARIO_NOT_FOUND")
            }
        }
    }

    static var enterpriseDiscovery: [String: Any] { [
        "title": "Enterprise Sales Discovery Call", "description": "Advanced discovery call with enterprise client",
        "category": "discovery", "difficulty": "advanced", "estimated_duration": 1200,
        "objectives": ["Uncover business challenges", "Identify budget parameters", "Map decision-making process"],
        "coaching_points": ["Ask open-ended questions", "Listen for emotional triggers", "Qualify thoroughly"],
        "prospect_persona": [
            "name": "Sarah Johnson", "title": "VP of Operations", "company": "Enterprise Solutions Inc",
            "pain_points": ["Process inefficiency", "Cost reduction pressure"], "personality": "analytical", "communication_style": "direct",
        ],
        "conversation_flow": [
            "opening": "Thank you for taking the time to meet with me today...",
            "discovery_questions": ["What are your biggest operational challenges?", "How are you currently handling X process?"],
            "objection_scenarios": ["We're happy with our current solution", "Budget is tight this year"],
        ],
    ] }

    @Test func adminsCreateUpdateAndDeactivateTheirOwnScenarios() async throws {
        try await TestServer.with { server in
            let admin = try await server.admin()
            let rep = try await server.register()
            #expect(try await server.request(.POST, "/api/v1/scenarios", json: Self.enterpriseDiscovery, token: rep.accessToken).status == 403)

            let created = try await server.request(.POST, "/api/v1/scenarios", json: Self.enterpriseDiscovery, token: admin.accessToken)
            #expect(created.status == 201)
            let id = try #require(created.json["id"] as? Int)
            #expect((created.json["prospect_persona"] as? [String: Any])?["name"] as? String == "Sarah Johnson")
            #expect(created.json["is_builtin"] as? Bool == false)

            let updated = try await server.request(.PUT, "/api/v1/scenarios/\(id)", json: ["difficulty": "expert", "title": "Renamed"], token: admin.accessToken)
            #expect(updated.status == 200)
            #expect(updated.json["difficulty"] as? String == "expert")
            #expect(updated.json["description"] as? String == "Advanced discovery call with enterprise client")

            #expect(try await server.request(.DELETE, "/api/v1/scenarios/\(id)", token: admin.accessToken).json["is_active"] as? Bool == false)
            let visible = try await server.request(.GET, "/api/v1/scenarios?limit=100", token: rep.accessToken).jsonArray
            #expect(!visible.contains { $0["id"] as? Int == id })

            let builtin = try #require(visible.first?["id"] as? Int)
            #expect(try await server.request(.PUT, "/api/v1/scenarios/\(builtin)", json: ["title": "x"], token: admin.accessToken).status == 403)

            var invalid = Self.enterpriseDiscovery
            invalid["category"] = "karaoke"
            let bad = try await server.request(.POST, "/api/v1/scenarios", json: invalid, token: admin.accessToken)
            #expect(bad.status == 422)
            #expect((bad.json["details"] as? [String: Any])?["field"] as? String == "category")
            invalid = Self.enterpriseDiscovery
            invalid.removeValue(forKey: "title")
            #expect((try await server.request(.POST, "/api/v1/scenarios", json: invalid, token: admin.accessToken).json["details"] as? [String: Any])?["field"] as? String == "title")
        }
    }

    @Test func organizationsDoNotSeeEachOthersScenarios() async throws {
        try await TestServer.with { server in
            let adminA = try await server.admin()
            let (_, adminB) = try await server.adminOfNewOrganization(name: "Rival")
            let created = try await server.request(.POST, "/api/v1/scenarios", json: Self.enterpriseDiscovery, token: adminA.accessToken)
            let id = try #require(created.json["id"] as? Int)
            #expect(try await server.request(.GET, "/api/v1/scenarios/\(id)", token: adminB.accessToken).status == 404)
            #expect(try await server.request(.PUT, "/api/v1/scenarios/\(id)", json: ["title": "stolen"], token: adminB.accessToken).status == 404)
        }
    }
}
