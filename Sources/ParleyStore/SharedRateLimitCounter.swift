import Fluent
import Foundation
import SQLKit

/// Fixed-window request counts kept in the database, so every instance sees the same totals.
/// One atomic upsert per request; both SQLite (3.35+) and PostgreSQL support `RETURNING`.
public struct SharedRateLimitCounter: Sendable {
    let database: any Database

    public init(database: any Database) {
        self.database = database
    }

    /// Adds one hit to `bucket`'s window starting at `windowStart` and returns the new count.
    public func hit(bucket: String, windowStart: Int, retention: Int) async throws -> Int {
        guard let sql = database as? any SQLDatabase else { return 0 }
        let row = try await sql.raw("""
            INSERT INTO rate_limit_windows (bucket, window_start, hits) VALUES (\(bind: bucket), \(bind: Int64(windowStart)), 1)
            ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limit_windows.hits + 1
            RETURNING hits
            """).first()
        // Old windows are swept now and then rather than on every request.
        if Int.random(in: 0..<500) == 0 {
            try await sql.raw("DELETE FROM rate_limit_windows WHERE window_start < \(bind: Int64(windowStart - retention))").run()
        }
        return Int(try row?.decode(column: "hits", as: Int64.self) ?? 1)
    }
}
