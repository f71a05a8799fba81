import Fluent

/// Shared rate-limit counters, used when several instances serve one database.
struct M0003_RateLimitWindows: AsyncMigration {
    var name: String { "M0003_RateLimitWindows" }

    func prepare(on database: any Database) async throws {
        try await database.schema("rate_limit_windows")
            .field("bucket", .string, .required)
            .field("window_start", .int64, .required)
            .field("hits", .int64, .required)
            .compositeIdentifier(over: "bucket", "window_start")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("rate_limit_windows").delete()
    }
}
