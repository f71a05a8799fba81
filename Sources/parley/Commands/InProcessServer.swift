#if canImport(ParleyServer)
import Foundation
import ParleyDomain
import ParleyServer
import Vapor

/// A real Parley server inside a benchmark's process: SQLite in a temporary directory (or the
/// PostgreSQL database `postgres` names), an ephemeral port, rate limits off and cheap password
/// hashing; the temporary directory is removed afterwards.
enum InProcessServer {
    static func run(workers: Int = 2, postgres: String? = nil, _ body: (Application) async throws -> Void) async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("parley-bench-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: data) }
        var environment = ProcessInfo.processInfo.environment
        environment["PARLEY_DATA_DIR"] = data.path
        environment["PARLEY_PORT"] = "0"
        environment["PARLEY_RATE_LIMITS"] = "off"
        environment["PARLEY_WORKERS"] = String(workers)
        environment["PARLEY_BCRYPT_COST"] = "4"
        environment["PARLEY_JWT_SECRET"] = environment["PARLEY_JWT_SECRET"] ?? "bench-secret-that-is-at-least-32-bytes-long"
        environment["DATABASE_URL"] = nil
        environment["DATABASE_URL"] = postgres
        let configuration = try ParleyConfiguration.fromEnvironment(environment)
        let app = try await Application.make(Environment(name: "production", arguments: ["parley"]))
        app.logger.logLevel = .error
        do {
            try await ParleyApplication.configure(app, with: configuration)
            try await ParleyApplication.migrate(app)
            try await app.startup()
            app.parley.didBind(port: app.http.server.shared.localAddress?.port ?? 0)
            try await body(app)
            try await app.asyncShutdown()
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
    }

    /// A fresh organization with one account of `role`, signed in: who a benchmark acts as.
    static func account(_ app: Application, bench: String, role: Role) async throws -> (organization: Organization, user: User, token: String) {
        let identity = ParleyApplication.identity(app)
        let run = UUID().uuidString.prefix(8).lowercased()
        let organization = try await identity.store.createOrganization(name: "\(bench) bench \(run)", slug: "\(bench.lowercased())-bench-\(run)")
        let email = "bench-\(run)@example.com"
        let user = try await identity.createUser(NewUser(
            organizationID: organization.id, email: email, passwordHash: "", firstName: "Bench", lastName: "Mark", company: nil, role: role),
            password: "bench-password-1")
        let token = try await identity.login(email: email, password: "bench-password-1").accessToken
        return (organization, user, token)
    }

    /// Seconds since an instant, as a Double.
    static func seconds(since instant: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - instant
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}
#endif
