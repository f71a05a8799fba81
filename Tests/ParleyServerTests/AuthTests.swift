import Foundation
import JWT
import ParleyTestSupport
import Testing
@testable import ParleyServer

@Suite("Sales Trainer auth over HTTP")
struct AuthTests {
    @Test func registerReturns201WithTheDocumentedShape() async throws {
        try await TestServer.with { server in
            let response = try await server.request(.POST, "/api/v1/auth/register", json: [
                "email": "John.Doe@Example.com ", "password": "securePassword123", "first_name": "John",
                "last_name": "Doe", "company": "Acme Corp", "role": "user",
            ])
            #expect(response.status == 201)
            let json = response.json
            #expect(json["token_type"] as? String == "bearer")
            #expect(json["expires_in"] as? Int == 28800)
            #expect((json["access_token"] as? String)?.split(separator: ".").count == 3)
            #expect(json["refresh_token"] is String)
            let user = try #require(json["user"] as? [String: Any])
            #expect(user["email"] as? String == "john.doe@example.com")
            #expect(user["role"] as? String == "user")
            #expect(user["is_active"] as? Bool == true)
            #expect(user["company"] as? String == "Acme Corp")
            for key in ["id", "first_name", "last_name", "created_at", "last_login"] {
                #expect(user[key] != nil, "user.\(key) missing")
            }
        }
    }

    @Test func registrationNeverGrantsAHigherRole() async throws {
        try await TestServer.with { server in
            for role in ["admin", "supervisor"] {
                let response = try await server.request(.POST, "/api/v1/auth/register", json: [
                    "email": "sneaky-\(role)@example.com", "password": "securePassword123", "first_name": "S", "last_name": "Neaky", "role": role,
                ])
                #expect(response.status == 422)
                #expect((response.json["details"] as? [String: Any])?["field"] as? String == "role")
            }
        }
    }

    @Test(arguments: [
        (["password": "securePassword123", "first_name": "A", "last_name": "B"], "email"),
        (["email": "not-an-email", "password": "securePassword123", "first_name": "A", "last_name": "B"], "email"),
        (["email": "a@example.com", "password": "short1", "first_name": "A", "last_name": "B"], "password"),
        (["email": "a@example.com", "password": "onlyletters", "first_name": "A", "last_name": "B"], "password"),
        (["email": "a@example.com", "password": String(repeating: "a1", count: 40), "first_name": "A", "last_name": "B"], "password"),
        (["email": "a@example.com", "password": "securePassword123", "first_name": "  ", "last_name": "B"], "first_name"),
        (["email": "a@example.com", "password": "securePassword123", "first_name": "A"], "last_name"),
        (["email": 42, "password": "securePassword123", "first_name": "A", "last_name": "B"], "email"),
    ] as [([String: any Sendable], String)])
    func invalidRegistrationsName422Field(body: [String: any Sendable], field: String) async throws {
        try await TestServer.with { server in
            let response = try await server.request(.POST, "/api/v1/auth/register", json: body)
            #expect(response.status == 422)
            let json = response.json
            #expect(json["error_code"] as? String == "VALIDATION_ERROR")
            #expect(json["status_code"] as? Int == 422)
            #expect((json["details"] as? [String: Any])?["field"] as? String == field)
            #expect((json["detail"] as? String)?.contains(field) == true)
            #expect(json["timestamp"] is String)
        }
    }

    @Test func malformedAndWronglyTypedBodies() async throws {
        try await TestServer.with { server in
            let malformed = try await server.request(.POST, "/api/v1/auth/login", body: Data("{\"email\":".utf8), headers: [("Content-Type", "application/json")])
            #expect(malformed.status == 400)
            #expect(malformed.json["error_code"] as? String == "INVALID_JSON")
            let empty = try await server.request(.POST, "/api/v1/auth/login")
            #expect(empty.status == 400)
            let form = try await server.request(.POST, "/api/v1/auth/login", body: Data("email=a".utf8), headers: [("Content-Type", "application/x-www-form-urlencoded")])
            #expect(form.status == 415)
            let array = try await server.request(.POST, "/api/v1/auth/login", json: ["a", "b"])
            #expect(array.status == 422 || array.status == 400)
        }
    }

    @Test func duplicateEmailIsAConflict() async throws {
        try await TestServer.with { server in
            _ = try await server.register(email: "dup@example.com")
            let again = try await server.request(.POST, "/api/v1/auth/register", json: [
                "email": "DUP@example.com", "password": "securePassword123", "first_name": "A", "last_name": "B",
            ])
            #expect(again.status == 409)
        }
    }

    @Test func concurrentRegistrationsOfOneEmailCreateOneAccount() async throws {
        try await TestServer.with { server in
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        try await server.request(.POST, "/api/v1/auth/register", json: [
                            "email": "race@example.com", "password": "securePassword123", "first_name": "R", "last_name": "Ace",
                        ]).status
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 201 }.count == 1)
            #expect(statuses.filter { $0 == 409 }.count == 7)
            let admin = try await server.admin()
            let users = try await server.request(.GET, "/api/v1/admin/users", token: admin.accessToken).jsonArray
            #expect(users.filter { $0["email"] as? String == "race@example.com" }.count == 1)
        }
    }

    @Test func loginFailuresDoNotRevealWhetherTheAccountExists() async throws {
        try await TestServer.with { server in
            let rep = try await server.register()
            let wrongPassword = try await server.request(.POST, "/api/v1/auth/login", json: ["email": rep.email, "password": "wrong-password-1"])
            let unknown = try await server.request(.POST, "/api/v1/auth/login", json: ["email": "nobody@example.com", "password": "wrong-password-1"])
            #expect(wrongPassword.status == 401)
            #expect(unknown.status == 401)
            #expect(wrongPassword.json["error_code"] as? String == "AUTH_INVALID_CREDENTIALS")
            #expect(wrongPassword.json["detail"] as? String == unknown.json["detail"] as? String)
            let ok = try await server.request(.POST, "/api/v1/auth/login", json: ["email": rep.email.uppercased(), "password": rep.password])
            #expect(ok.status == 200)
        }
    }

    @Test func meReadsAndUpdatesTheProfile() async throws {
        try await TestServer.with { server in
            let rep = try await server.register()
            let me = try await server.request(.GET, "/api/v1/auth/me", token: rep.accessToken)
            #expect(me.status == 200)
            #expect(me.json["id"] as? Int == rep.id)
            let updated = try await server.request(.PUT, "/api/v1/auth/me", json: [
                "first_name": "Johnny", "last_name": "Smith", "company": "New Company Inc",
            ], token: rep.accessToken)
            #expect(updated.status == 200)
            #expect(updated.json["first_name"] as? String == "Johnny")
            #expect(updated.json["company"] as? String == "New Company Inc")
            let reread = try await server.request(.GET, "/api/v1/auth/me", token: rep.accessToken)
            #expect(reread.json["last_name"] as? String == "Smith")
            let invalid = try await server.request(.PUT, "/api/v1/auth/me", json: ["first_name": ""], token: rep.accessToken)
            #expect(invalid.status == 422)
        }
    }

    @Test func missingAndForgedTokensAre401() async throws {
        try await TestServer.with { server in
            let none = try await server.request(.GET, "/api/v1/auth/me")
            #expect(none.status == 401)
            #expect(none.header("WWW-Authenticate") != nil)
            let garbage = try await server.request(.GET, "/api/v1/auth/me", token: "not.a.jwt")
            #expect(garbage.status == 401)
            let rep = try await server.register()
            var parts = rep.accessToken.split(separator: ".").map(String.init)
            parts[2] = String(parts[2].reversed())
            let forged = try await server.request(.GET, "/api/v1/auth/me", token: parts.joined(separator: "."))
            #expect(forged.status == 401)
        }
    }

    @Test func expiredTokenAnswersAuthTokenExpired() async throws {
        try await TestServer.with { server in
            let rep = try await server.register()
            let valid = try await server.app.jwt.keys.verify(rep.accessToken, as: AccessTokenPayload.self)
            var expired = valid
            expired.iat = .init(value: Date().addingTimeInterval(-7200))
            expired.exp = .init(value: Date().addingTimeInterval(-3600))
            let token = try await server.app.jwt.keys.sign(expired)
            let response = try await server.request(.GET, "/api/v1/auth/me", token: token)
            #expect(response.status == 401)
            #expect(response.json["error_code"] as? String == "AUTH_TOKEN_EXPIRED")
            // The documented refresh with an expired access token is refused the same way.
            let refresh = try await server.request(.POST, "/api/v1/auth/refresh", token: token)
            #expect(refresh.status == 401)
            #expect(refresh.json["error_code"] as? String == "AUTH_TOKEN_EXPIRED")
        }
    }

    @Test func refreshTokensRotateAndReuseEndsTheSession() async throws {
        try await TestServer.with { server in
            let rep = try await server.register()
            let first = try await server.request(.POST, "/api/v1/auth/refresh", json: ["refresh_token": rep.refreshToken])
            #expect(first.status == 200)
            let newRefresh = try #require(first.json["refresh_token"] as? String)
            let newAccess = try #require(first.json["access_token"] as? String)
            #expect(newRefresh != rep.refreshToken)
            #expect(try await server.request(.GET, "/api/v1/auth/me", token: newAccess).status == 200)

            // Presenting the spent token again looks like theft: the whole session ends.
            let replay = try await server.request(.POST, "/api/v1/auth/refresh", json: ["refresh_token": rep.refreshToken])
            #expect(replay.status == 401)
            #expect(replay.json["error_code"] as? String == "AUTH_TOKEN_REVOKED")
            #expect(try await server.request(.POST, "/api/v1/auth/refresh", json: ["refresh_token": newRefresh]).status == 401)
            #expect(try await server.request(.GET, "/api/v1/auth/me", token: newAccess).status == 401)

            let unknown = try await server.request(.POST, "/api/v1/auth/refresh", json: ["refresh_token": "made-up"])
            #expect(unknown.status == 401)
        }
    }

    @Test func documentedRefreshWithBearerIssuesANewToken() async throws {
        try await TestServer.with { server in
            let rep = try await server.register()
            let response = try await server.request(.POST, "/api/v1/auth/refresh", token: rep.accessToken)
            #expect(response.status == 200)
            let token = try #require(response.json["access_token"] as? String)
            #expect(try await server.request(.GET, "/api/v1/auth/me", token: token).status == 200)
            #expect(try await server.request(.POST, "/api/v1/auth/refresh").status == 401)
        }
    }

    @Test func logoutRevokesAccessAndRefreshTokens() async throws {
        try await TestServer.with { server in
            let rep = try await server.register()
            let other = try await server.login(email: rep.email, password: rep.password)
            let logout = try await server.request(.POST, "/api/v1/auth/logout", token: rep.accessToken)
            #expect(logout.status == 200)
            #expect(logout.json["message"] as? String == "Logged out successfully")
            let after = try await server.request(.GET, "/api/v1/auth/me", token: rep.accessToken)
            #expect(after.status == 401)
            #expect(try await server.request(.POST, "/api/v1/auth/refresh", json: ["refresh_token": rep.refreshToken]).status == 401)
            // Another device's session is unaffected.
            #expect(try await server.request(.GET, "/api/v1/auth/me", token: other.accessToken).status == 200)
        }
    }

    @Test func changingThePasswordRevokesOtherSessions() async throws {
        try await TestServer.with { server in
            let rep = try await server.register(password: "oldPassword123")
            let laptop = try await server.login(email: rep.email, password: "oldPassword123")
            let wrong = try await server.request(.POST, "/api/v1/auth/change-password", json: [
                "current_password": "nope12345", "new_password": "newSecurePassword456",
            ], token: rep.accessToken)
            #expect(wrong.status == 400)
            #expect(wrong.json["error_code"] as? String == "AUTH_INVALID_CREDENTIALS")
            let weak = try await server.request(.POST, "/api/v1/auth/change-password", json: [
                "current_password": "oldPassword123", "new_password": "short",
            ], token: rep.accessToken)
            #expect(weak.status == 422)
            #expect((weak.json["details"] as? [String: Any])?["field"] as? String == "new_password")

            let changed = try await server.request(.POST, "/api/v1/auth/change-password", json: [
                "current_password": "oldPassword123", "new_password": "newSecurePassword456",
            ], token: rep.accessToken)
            #expect(changed.status == 200)
            #expect(changed.json["message"] as? String == "Password changed successfully")
            #expect(try await server.request(.GET, "/api/v1/auth/me", token: rep.accessToken).status == 200)
            #expect(try await server.request(.GET, "/api/v1/auth/me", token: laptop.accessToken).status == 401)
            #expect(try await server.request(.POST, "/api/v1/auth/refresh", json: ["refresh_token": laptop.refreshToken]).status == 401)
            #expect(try await server.request(.POST, "/api/v1/auth/login", json: ["email": rep.email, "password": "oldPassword123"]).status == 401)
            #expect(try await server.request(.POST, "/api/v1/auth/login", json: ["email": rep.email, "password": "newSecurePassword456"]).status == 200)
        }
    }

    @Test func disabledAccountsAreRefused() async throws {
        try await TestServer.with { server in
            let admin = try await server.admin()
            let rep = try await server.register()
            let disable = try await server.request(.PATCH, "/api/v1/admin/users/\(rep.id)", json: ["is_active": false], token: admin.accessToken)
            #expect(disable.status == 200)
            #expect(try await server.request(.GET, "/api/v1/auth/me", token: rep.accessToken).status == 401)
            let login = try await server.request(.POST, "/api/v1/auth/login", json: ["email": rep.email, "password": rep.password])
            #expect(login.status == 403)
            #expect(login.json["error_code"] as? String == "AUTH_ACCOUNT_DISABLED")
        }
    }
}
