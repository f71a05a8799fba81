import Foundation
import ParleyTestSupport
import Testing

/// Every route, fed malformed and hostile bodies, answers with a client error, never a 500,
/// and the server keeps working afterwards.
@Suite("Hostile input never causes a server error")
struct HostileInputTests {
    static let bodies: [(String, String)] = [
        ("", "application/json"),
        ("{", "application/json"),
        ("null", "application/json"),
        ("[]", "application/json"),
        ("\"text\"", "application/json"),
        (#"{"email":{"$gt":""},"password":[1,2],"name":null,"role":{"a":1},"team_id":"1 OR 1=1","is_active":"yes"}"#, "application/json"),
        (#"{"email":"a@b.co","password":"x","first_name":"\u0000","last_name":"' OR '1'='1","name":"\ud800"}"#, "application/json"),
        (#"{"team_id":99999999999999999999999,"supervisor_id":-1,"limit":1e308,"refresh_token":""}"#, "application/json"),
        (String(repeating: "[", count: 5000), "application/json"),
        ("\u{FEFF}{\"email\":\"a@b.co\"}", "application/json"),
        ("email=a&password=b", "application/x-www-form-urlencoded"),
        ("<xml/>", "text/xml"),
    ]

    @Test func noRouteAnswers500() async throws {
        try await TestServer.with({ $0.rateLimits.enabled = false }) { server in
            let admin = try await server.admin()
            let routes = server.app.routes.all.map { route in
                (route.method, "/" + route.path.map { $0.description.hasPrefix(":") ? "1" : $0.description }.joined(separator: "/"))
            }
            for (method, path) in routes {
                for token in [nil, admin.accessToken] {
                    for (body, contentType) in Self.bodies {
                        let response = try await server.request(method, path, body: Data(body.utf8), token: token, headers: [("Content-Type", contentType)])
                        #expect(response.status < 500, "\(method) \(path) with \(body.prefix(40)) answered \(response.status): \(response.text.prefix(200))")
                    }
                    for query in ["?skip=-1&limit=abc", "?limit=99999999999999999999", "?skip=%00"] {
                        let response = try await server.request(method, path + query, token: token)
                        #expect(response.status < 500, "\(method) \(path)\(query) answered \(response.status)")
                    }
                }
            }
            // The sweep logged the admin out along the way; a fresh sign-in must still work.
            let again = try await server.login(email: admin.email, password: admin.password)
            #expect(try await server.request(.GET, "/api/v1/auth/me", token: again.accessToken).status == 200)
        }
    }
}
