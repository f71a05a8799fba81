import Foundation
import ParleyTestSupport
import Testing

@Suite("API keys")
struct APIKeyTests {
    @Test func adminsCreateUseAndRevokeKeys() async throws {
        try await TestServer.with { server in
            let admin = try await server.admin()
            let created = try await server.request(.POST, "/api/v1/admin/api-keys", json: ["name": "CRM sync"], token: admin.accessToken)
            #expect(created.status == 201)
            let secret = try #require(created.json["key"] as? String)
            let id = try #require(created.json["id"] as? String)
            #expect(secret.hasPrefix(created.json["prefix"] as? String ?? "-"))

            let viaKey = try await server.request(.GET, "/api/v1/admin/users", headers: [("X-API-Key", secret)])
            #expect(viaKey.status == 200)
            let listed = try await server.request(.GET, "/api/v1/admin/api-keys", token: admin.accessToken).jsonArray
            #expect(listed.count == 1)
            #expect(listed.first?["key"] == nil, "the secret is shown only once")
            #expect(listed.first?["last_used_at"] is String)

            #expect(try await server.request(.DELETE, "/api/v1/admin/api-keys/\(id)", token: admin.accessToken).status == 204)
            let revoked = try await server.request(.GET, "/api/v1/admin/users", headers: [("X-API-Key", secret)])
            #expect(revoked.status == 401)
            #expect(revoked.json["error_code"] as? String == "AUTH_INVALID_API_KEY")
            #expect(try await server.request(.DELETE, "/api/v1/admin/api-keys/\(UUID().uuidString.lowercased())", token: admin.accessToken).status == 404)
            #expect(try await server.request(.DELETE, "/api/v1/admin/api-keys/not-a-uuid", token: admin.accessToken).status == 422)
        }
    }

    @Test func keysStayInTheirOrganization() async throws {
        try await TestServer.with { server in
            let adminA = try await server.admin()
            let (_, adminB) = try await server.adminOfNewOrganization(name: "Other")
            let keyA = try await server.request(.POST, "/api/v1/admin/api-keys", json: ["name": "A"], token: adminA.accessToken).json
            let id = try #require(keyA["id"] as? String)
            #expect(try await server.request(.DELETE, "/api/v1/admin/api-keys/\(id)", token: adminB.accessToken).status == 404)
            #expect(try await server.request(.GET, "/api/v1/admin/api-keys", token: adminB.accessToken).jsonArray.isEmpty)
            let usersSeenByKeyA = try await server.request(.GET, "/api/v1/admin/users", headers: [("X-API-Key", keyA["key"] as? String ?? "")]).jsonArray
            #expect(!usersSeenByKeyA.contains { $0["email"] as? String == adminB.email })
        }
    }
}
