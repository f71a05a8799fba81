import Foundation
import ParleyDomain
import ParleyServer
import Vapor

/// A signed-in account a test acts as.
public struct TestAccount: Sendable {
    public let id: Int
    public let email: String
    public let password: String
    public let accessToken: String
    public let refreshToken: String
}

extension TestServer {
    /// Registers a rep through the public endpoint and returns the signed-in account.
    public func register(
        email: String = "rep-\(UUID().uuidString.prefix(8).lowercased())@example.com", password: String = "practice123"
    ) async throws -> TestAccount {
        let response = try await request(.POST, "/api/v1/auth/register", json: [
            "email": email, "password": password, "first_name": "Test", "last_name": "Rep", "company": "Acme",
        ])
        guard response.status == 201 else { throw TestAccountError.unexpected(response.status, response.text) }
        return try account(from: response, email: email, password: password)
    }

    /// Creates (or promotes) an admin in the default organization and signs in as them.
    public func admin(email: String = "admin-\(UUID().uuidString.prefix(8).lowercased())@example.com", password: String = "admin12345") async throws -> TestAccount {
        try await ParleyApplication.identity(app).ensureAdmin(email: email, password: password)
        return try await login(email: email, password: password)
    }

    /// Creates an admin of a new organization, to test tenant isolation.
    public func adminOfNewOrganization(name: String) async throws -> (organization: Organization, admin: TestAccount) {
        let identity = ParleyApplication.identity(app)
        let organization = try await identity.store.createOrganization(
            name: name, slug: name.lowercased().replacingOccurrences(of: " ", with: "-") + "-\(UUID().uuidString.prefix(6).lowercased())")
        let email = "admin-\(UUID().uuidString.prefix(8).lowercased())@\(organization.slug).example.com"
        _ = try await identity.createUser(NewUser(
            organizationID: organization.id, email: email, passwordHash: "", firstName: "Org", lastName: "Admin",
            company: name, role: .admin), password: "admin12345")
        return (organization, try await login(email: email, password: "admin12345"))
    }

    public func login(email: String, password: String) async throws -> TestAccount {
        let response = try await request(.POST, "/api/v1/auth/login", json: ["email": email, "password": password])
        guard response.status == 200 else { throw TestAccountError.unexpected(response.status, response.text) }
        return try account(from: response, email: email, password: password)
    }

    private func account(from response: TestResponse, email: String, password: String) throws -> TestAccount {
        let json = response.json
        guard let token = json["access_token"] as? String, let refresh = json["refresh_token"] as? String,
              let user = json["user"] as? [String: Any], let id = user["id"] as? Int
        else { throw TestAccountError.unexpected(response.status, response.text) }
        return TestAccount(id: id, email: email, password: password, accessToken: token, refreshToken: refresh)
    }
}

/// A sign-in step of a test did not go as expected.
public enum TestAccountError: Error, CustomStringConvertible {
    case unexpected(Int, String)

    public var description: String {
        switch self {
        case .unexpected(let status, let body): "unexpected response \(status): \(body)"
        }
    }
}

extension TestServer {
    /// Registers through the Speech Coaching endpoint and returns the signed-in account.
    public func coachingAccount(
        email: String = "speaker-\(UUID().uuidString.prefix(8).lowercased())@example.com", password: String = "speaking123"
    ) async throws -> TestAccount {
        let response = try await request(.POST, "/coaching/auth/register", json: [
            "email": email, "password": password, "firstName": "Test", "lastName": "Speaker",
        ])
        let data = response.json["data"] as? [String: Any]
        guard response.status == 201, let user = data?["user"] as? [String: Any], let tokens = data?["tokens"] as? [String: Any],
              let id = (user["id"] as? String).flatMap({ Int($0.dropFirst(5)) }),
              let access = tokens["accessToken"] as? String, let refresh = tokens["refreshToken"] as? String
        else { throw TestAccountError.unexpected(response.status, response.text) }
        return TestAccount(id: id, email: email, password: password, accessToken: access, refreshToken: refresh)
    }

    /// Polls a coaching session until it leaves `processing` (or `timeout` passes) and returns it.
    public func waitForCoachingSession(_ id: String, token: String, timeout: Duration = .seconds(180)) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let response = try await request(.GET, "/coaching/sessions/\(id)", token: token)
            let session = (response.json["data"] as? [String: Any])?["session"] as? [String: Any] ?? [:]
            let status = session["status"] as? String
            if status == "completed" || status == "failed" || ContinuousClock.now > deadline { return session }
            try await Task.sleep(for: .milliseconds(250))
        }
    }
}
