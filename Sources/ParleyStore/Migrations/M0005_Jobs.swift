import Fluent
import SQLKit

/// The durable job queue.
struct M0005_Jobs: AsyncMigration {
    var name: String { "M0005_Jobs" }

    func prepare(on database: any Database) async throws {
        try await database.schema("jobs")
            .id()
            .field("kind", .string, .required)
            .field("payload", .string, .required)
            .field("status", .string, .required)
            .field("attempts", .int, .required)
            .field("max_attempts", .int, .required)
            .field("run_at", .double, .required)
            .field("locked_by", .string)
            .field("locked_until", .double)
            .field("last_error", .string)
            .field("dedupe_key", .string)
            .field("created_at", .double, .required)
            .field("completed_at", .double)
            .unique(on: "dedupe_key")
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.raw("CREATE INDEX jobs_due ON jobs (status, run_at)").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("jobs").delete()
    }
}
