import Foundation
import ParleyTestSupport
import Testing

/// A field visit end to end with independent clients (`requests`, `websocket-client`): two
/// espeak-ng voices uploaded as out-of-order M4A chunks with a duplicate while both sockets are
/// open, live segments with their speakers and an upsell nudge before stop, the analysis
/// (insights, an upsell quoting its trigger, coaching), the supervisor's side, and another
/// team's technician refused.
@Suite("Field Intelligence: a visit end to end")
struct FieldVisitFlowTests {
    @Test func aVisitIsHeardLiveAnalysedAndCoached() async throws {
        try await TestServer.with { server in
            let admin = try await server.admin()
            func team(_ name: String) async throws -> Int {
                let made = try await server.request(.POST, "/api/v1/admin/teams", json: ["name": name], token: admin.accessToken)
                return try #require(made.json["id"] as? Int, "\(made.text)")
            }
            let (north, south) = (try await team("North Field"), try await team("South Field"))
            let coach = try await server.request(.POST, "/api/v1/admin/users", json: [
                "email": "north-coach@example.com", "password": "coaching123", "first_name": "Sarah", "last_name": "Supervisor",
                "role": "supervisor", "team_id": north,
            ], token: admin.accessToken)
            let coachID = try #require(coach.json["id"] as? Int, "\(coach.text)")
            let technician = try await server.register()
            let other = try await server.register()
            #expect(try await server.request(.PATCH, "/api/v1/admin/users/\(technician.id)", json: ["team_id": north, "supervisor_id": coachID],
                                             token: admin.accessToken).status == 200)
            #expect(try await server.request(.PATCH, "/api/v1/admin/users/\(other.id)", json: ["team_id": south], token: admin.accessToken).status == 200)
            let supervisor = try await server.login(email: "north-coach@example.com", password: "coaching123")
            let (status, report, errors) = try await ClientScript.run("field_visit_flow.py", [
                "--base-url", server.baseURL, "--technician-token", technician.accessToken, "--supervisor-token", supervisor.accessToken,
                "--other-token", other.accessToken, "--technician-id", "USER-" + String(format: "%05d", technician.id),
            ])
            // What was heard and found, for the record (speaker accuracy, nudges, upsells).
            print("field visit report: \(report)")
            #expect(status == 0, "\(report) \(errors)")
            #expect(report["ok"] as? Bool == true, "\(report)")
            #expect((report["steps"] as? [String])?.last == "access", "\(report)")
        }
    }
}
