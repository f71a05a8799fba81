import FluentKit
import Foundation
import ParleyTestSupport
import SQLKit
import Testing
@testable import ParleyServer

@Suite("Operations, middleware and migrations over HTTP")
struct PlatformTests {
    @Test func healthAndReadiness() async throws {
        try await TestServer.with { server in
            let health = try await server.request(.GET, "/health")
            #expect(health.status == 200)
            #expect(health.json["status"] as? String == "healthy")
            #expect((health.json["services"] as? [String: Any])?["database"] as? String == "healthy")
            #expect(health.json["version"] is String)
            #expect(health.json["uptime"] is Int)
            #expect(health.json["timestamp"] is String)
            let ready = try await server.request(.GET, "/readiness")
            #expect(ready.status == 200)
            #expect(ready.json as? [String: String] == ["database": "ok", "storage": "ok", "cache": "ok"])
        }
    }

    @Test func metricsCountRequestsByRouteAndStatus() async throws {
        try await TestServer.with { server in
            let rep = try await server.register()
            _ = try await server.request(.GET, "/api/v1/auth/me", token: rep.accessToken)
            _ = try await server.request(.GET, "/api/v1/auth/me")
            let metrics = try await server.request(.GET, "/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.header("Content-Type")?.hasPrefix("text/plain") == true)
            let text = metrics.text
            #expect(text.contains(#"http_requests_total{method="GET",route="/api/v1/auth/me",status="200"} 1"#))
            #expect(text.contains(#"http_requests_total{method="GET",route="/api/v1/auth/me",status="401"} 1"#))
            #expect(text.contains("http_request_duration_seconds_bucket"))
            #expect(text.contains("process_cpu_seconds_total"))
            #expect(text.contains("process_resident_memory_bytes"))
        }
    }

    @Test func requestIDsAreEchoedOrGenerated() async throws {
        try await TestServer.with { server in
            let given = try await server.request(.GET, "/health", headers: [("X-Request-ID", "trace-abc.123")])
            #expect(given.header("X-Request-ID") == "trace-abc.123")
            let hostile = try await server.request(.GET, "/health", headers: [("X-Request-ID", "bad id\twith spaces")])
            #expect(hostile.header("X-Request-ID") != "bad id\twith spaces")
            #expect(hostile.header("X-Request-ID")?.isEmpty == false)
        }
    }

    @Test func unknownRoutesAndOversizeBodiesUseTheErrorFormat() async throws {
        try await TestServer.with({ $0.maxBodySize = 4096 }) { server in
            let missing = try await server.request(.GET, "/api/v1/nothing-here")
            #expect(missing.status == 404)
            #expect(missing.json["status_code"] as? Int == 404)
            let big = try await server.request(.POST, "/api/v1/auth/login", body: Data(repeating: UInt8(ascii: "a"), count: 100_000),
                                               headers: [("Content-Type", "application/json")])
            #expect(big.status == 413)
            #expect(big.json["error_code"] as? String == "PAYLOAD_TOO_LARGE")
        }
    }

    @Test func corsPreflightIsAnswered() async throws {
        try await TestServer.with { server in
            let preflight = try await server.request(.OPTIONS, "/api/v1/auth/login", headers: [
                ("Origin", "https://app.example.com"), ("Access-Control-Request-Method", "POST"),
                ("Access-Control-Request-Headers", "content-type,authorization"),
            ])
            #expect(preflight.status == 200)
            #expect(preflight.header("Access-Control-Allow-Origin") != nil)
            #expect(preflight.header("Access-Control-Allow-Methods")?.contains("POST") == true)
        }
    }

    @Test func rateLimitsSendHeadersAnd429WithRetryAfter() async throws {
        // Hour-long windows here: fixed windows start on multiples of their length, so a minute's
        // window could turn over between the requests of a test on a loaded machine.
        try await TestServer.with({ $0.rateLimits.general = .init(name: "general", limit: 3, window: 3600) }) { server in
            let rep = try await server.register()
            var remaining: [Int] = []
            for _ in 0..<3 {
                let response = try await server.request(.GET, "/api/v1/auth/me", token: rep.accessToken)
                #expect(response.status == 200)
                #expect(response.header("X-RateLimit-Limit") == "3")
                #expect(Int(response.header("X-RateLimit-Reset") ?? "") ?? 0 > Int(Date().timeIntervalSince1970) - 1)
                remaining.append(Int(response.header("X-RateLimit-Remaining") ?? "") ?? -1)
            }
            #expect(remaining == [2, 1, 0])
            let limited = try await server.request(.GET, "/api/v1/auth/me", token: rep.accessToken)
            #expect(limited.status == 429)
            #expect(limited.json["error_code"] as? String == "RATE_LIMIT_EXCEEDED")
            #expect(Int(limited.header("Retry-After") ?? "") ?? 0 >= 1)
            #expect(limited.header("X-RateLimit-Remaining") == "0")
            // Limits are per user: another rep is unaffected.
            let other = try await server.register()
            #expect(try await server.request(.GET, "/api/v1/auth/me", token: other.accessToken).status == 200)
        }
    }

    @Test func signInIsLimitedPerAddress() async throws {
        try await TestServer.with({ $0.rateLimits.authentication = .init(name: "auth", limit: 2, window: 3600) }) { server in
            for _ in 0..<2 {
                let response = try await server.request(.POST, "/api/v1/auth/login", json: ["email": "x@example.com", "password": "whatever1"])
                #expect(response.status == 401)
                #expect(response.header("X-RateLimit-Limit") == "2")
            }
            let limited = try await server.request(.POST, "/api/v1/auth/login", json: ["email": "x@example.com", "password": "whatever1"])
            #expect(limited.status == 429)
            #expect(limited.header("Retry-After") != nil)
        }
    }

    /// SQLite runs in WAL mode, so readers never block the writer.
    @Test func sqliteUsesWriteAheadLogging() async throws {
        try await TestServer.with { server in
            guard case .sqlite = server.configuration.database else { return }
            let sql = try #require(server.app.db as? any SQLDatabase)
            let mode = try await sql.raw("PRAGMA journal_mode").first()?.decode(column: "journal_mode", as: String.self)
            #expect(mode == "wal")
        }
    }

    @Test func migrationsRunTwiceAreANoOp() async throws {
        try await TestServer.with { server in
            let rep = try await server.register()
            try await ParleyApplication.migrate(server.app)
            try await ParleyApplication.migrate(server.app)
            #expect(try await server.request(.GET, "/api/v1/auth/me", token: rep.accessToken).status == 200)
            let admin = try await server.admin()
            let users = try await server.request(.GET, "/api/v1/admin/users", token: admin.accessToken).jsonArray
            #expect(users.count == 2)
        }
    }

    @Test func configuredAdminIsCreatedAtStartAndUpdatedOnRestart() async throws {
        try await TestServer.with({ config in
            config.adminEmail = "Boss@Example.com"
            config.adminPassword = "bossPassword1"
        }) { server in
            let login = try await server.request(.POST, "/api/v1/auth/login", json: ["email": "boss@example.com", "password": "bossPassword1"])
            #expect(login.status == 200)
            #expect((login.json["user"] as? [String: Any])?["role"] as? String == "admin")
            // Running the start-up step again with a new password updates, never duplicates.
            try await ParleyApplication.identity(server.app).ensureAdmin(email: "boss@example.com", password: "newBossPassword2")
            #expect(try await server.request(.POST, "/api/v1/auth/login", json: ["email": "boss@example.com", "password": "newBossPassword2"]).status == 200)
        }
    }
}

@Suite("Rate limits shared through the database")
struct SharedRateLimitTests {
    /// Two application instances on one database count one caller's requests together.
    @Test func twoInstancesShareOneBudget() async throws {
        try await TestServer.with({ config in
            config.rateLimits.shared = true
            // An hour's window: fixed windows start on multiples of their length, and a one-minute
            // one sometimes turned over between these requests on a loaded machine.
            config.rateLimits.general = .init(name: "general", limit: 4, window: 3600)
        }) { first in
            let rep = try await first.register()
            let limits = first.configuration.rateLimits
            try await TestServer.with({ $0.rateLimits = limits }, sharingDatabaseWith: first) { second in
                var statuses: [Int] = []
                for server in [first, second, first, second, first] {
                    let response = try await server.request(.GET, "/api/v1/auth/me", token: rep.accessToken)
                    statuses.append(response.status)
                }
                #expect(statuses == [200, 200, 200, 200, 429])
            }
        }
    }
}
