import Foundation
import ParleyTestSupport
import Testing

@Suite("Admin surface over HTTP")
struct AdminTests {
    @Test func onlyAdminsReachTheAdminSurface() async throws {
        try await TestServer.with { server in
            let rep = try await server.register()
            for (method, path) in [("GET", "/api/v1/admin/users"), ("POST", "/api/v1/admin/users"), ("PATCH", "/api/v1/admin/users/1"),
                                   ("GET", "/api/v1/admin/teams"), ("POST", "/api/v1/admin/teams")] {
                let json: [String: String]? = method == "GET" ? nil : ["name": "x"]
                let anonymous = try await server.request(.init(rawValue: method), path, json: json)
                #expect(anonymous.status == 401, "\(method) \(path) without a token")
                let forbidden = try await server.request(.init(rawValue: method), path, json: json, token: rep.accessToken)
                #expect(forbidden.status == 403, "\(method) \(path) as a rep")
                #expect(forbidden.json["error_code"] as? String == "AUTH_INSUFFICIENT_PERMISSIONS")
            }
        }
    }

    @Test func adminsManageUsersAndTeams() async throws {
        try await TestServer.with { server in
            let admin = try await server.admin()
            let team = try await server.request(.POST, "/api/v1/admin/teams", json: ["name": "West Coast"], token: admin.accessToken)
            #expect(team.status == 201)
            let teamID = try #require(team.json["id"] as? Int)
            #expect(try await server.request(.POST, "/api/v1/admin/teams", json: ["name": "West Coast"], token: admin.accessToken).status == 409)

            let coach = try await server.request(.POST, "/api/v1/admin/users", json: [
                "email": "coach@example.com", "password": "coaching123", "first_name": "Casey", "last_name": "Coach", "role": "supervisor", "team_id": teamID,
            ], token: admin.accessToken)
            #expect(coach.status == 201)
            #expect(coach.json["role"] as? String == "supervisor")
            let coachID = try #require(coach.json["id"] as? Int)

            let rep = try await server.register()
            let patched = try await server.request(.PATCH, "/api/v1/admin/users/\(rep.id)", json: [
                "team_id": teamID, "supervisor_id": coachID, "first_name": "Renamed",
            ], token: admin.accessToken)
            #expect(patched.status == 200)
            #expect(patched.json["team_id"] as? Int == teamID)
            #expect(patched.json["supervisor_id"] as? Int == coachID)
            #expect(patched.json["first_name"] as? String == "Renamed")

            // A rep cannot supervise; links must exist; null clears a link.
            #expect(try await server.request(.PATCH, "/api/v1/admin/users/\(coachID)", json: ["supervisor_id": rep.id], token: admin.accessToken).status == 422)
            #expect(try await server.request(.PATCH, "/api/v1/admin/users/\(rep.id)", json: ["team_id": 99999], token: admin.accessToken).status == 422)
            let cleared = try await server.request(.PATCH, "/api/v1/admin/users/\(rep.id)", json: ["team_id": NSNull()], token: admin.accessToken)
            #expect(cleared.json["team_id"] is NSNull)
            #expect(cleared.json["supervisor_id"] as? Int == coachID)

            let promoted = try await server.request(.PATCH, "/api/v1/admin/users/\(rep.id)", json: ["role": "supervisor"], token: admin.accessToken)
            #expect(promoted.json["role"] as? String == "supervisor")
            #expect(try await server.request(.PATCH, "/api/v1/admin/users/\(rep.id)", json: ["role": "owner"], token: admin.accessToken).status == 422)
            #expect(try await server.request(.PATCH, "/api/v1/admin/users/424242", json: ["role": "user"], token: admin.accessToken).status == 404)
            #expect(try await server.request(.PATCH, "/api/v1/admin/users/abc", json: ["role": "user"], token: admin.accessToken).status == 422)
            // The role change takes effect on the rep's existing token at once.
            #expect(try await server.request(.GET, "/api/v1/auth/me", token: rep.accessToken).json["role"] as? String == "supervisor")

            let selfDemote = try await server.request(.PATCH, "/api/v1/admin/users/\(admin.id)", json: ["role": "user"], token: admin.accessToken)
            #expect(selfDemote.status == 409)

            let list = try await server.request(.GET, "/api/v1/admin/users?limit=2", token: admin.accessToken)
            #expect(list.status == 200)
            #expect(list.jsonArray.count == 2)
            #expect(try await server.request(.GET, "/api/v1/admin/users?limit=0", token: admin.accessToken).status == 422)
            let teams = try await server.request(.GET, "/api/v1/admin/teams", token: admin.accessToken)
            #expect(teams.jsonArray.map { $0["name"] as? String } == ["West Coast"])
        }
    }

    @Test func nothingCrossesOrganizations() async throws {
        try await TestServer.with { server in
            let adminA = try await server.admin()
            let repA = try await server.register()
            let teamA = try await server.request(.POST, "/api/v1/admin/teams", json: ["name": "Alpha"], token: adminA.accessToken).json["id"] as? Int
            let (_, adminB) = try await server.adminOfNewOrganization(name: "Beta Corp")

            let usersB = try await server.request(.GET, "/api/v1/admin/users", token: adminB.accessToken).jsonArray
            #expect(usersB.map { $0["email"] as? String } == [adminB.email])
            #expect(try await server.request(.GET, "/api/v1/admin/teams", token: adminB.accessToken).jsonArray.isEmpty)

            let patch = try await server.request(.PATCH, "/api/v1/admin/users/\(repA.id)", json: ["is_active": false], token: adminB.accessToken)
            #expect(patch.status == 404)
            let memberB = try await server.request(.POST, "/api/v1/admin/users", json: [
                "email": "b-rep@example.com", "password": "practice123", "first_name": "B", "last_name": "Rep", "team_id": teamA ?? 0,
            ], token: adminB.accessToken)
            #expect(memberB.status == 422)
            let ok = try await server.request(.POST, "/api/v1/admin/users", json: [
                "email": "b-rep@example.com", "password": "practice123", "first_name": "B", "last_name": "Rep",
            ], token: adminB.accessToken)
            #expect(ok.status == 201)
            let repB = try #require(ok.json["id"] as? Int)
            #expect(try await server.request(.PATCH, "/api/v1/admin/users/\(repB)", json: ["supervisor_id": adminA.id], token: adminB.accessToken).status == 422)
            let usersA = try await server.request(.GET, "/api/v1/admin/users?limit=500", token: adminA.accessToken).jsonArray
            #expect(!usersA.contains { $0["email"] as? String == "b-rep@example.com" })
            #expect(try await server.request(.GET, "/api/v1/auth/me", token: repA.accessToken).json["is_active"] as? Bool == true)
        }
    }
}
