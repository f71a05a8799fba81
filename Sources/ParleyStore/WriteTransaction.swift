import Fluent
import Foundation
import SQLKit
import SQLiteNIO

/// One transaction that writes, on either database. On SQLite it begins `IMMEDIATE`: a
/// deferred transaction that reads and then writes fails at once with `database is locked`
/// when another connection committed in between (SQLite cannot wait there without risking a
/// deadlock), whereas an immediate one takes the write lock before it reads. While another
/// connection holds that lock, the attempt is repeated after a short asynchronous pause rather
/// than in SQLite's busy handler, which would hold one of the few blocking-pool threads that
/// the lock's holder needs to finish. On PostgreSQL it is Fluent's transaction. Calls inside
/// one run in the outer transaction.
public enum WriteTransaction {
    @TaskLocal private static var open = false

    /// Runs `body` in one transaction on `database`, committed when it returns, rolled back when it throws.
    public static func run<T: Sendable>(
        on database: any Database, _ body: @escaping @Sendable (any Database) async throws -> T
    ) async throws -> T {
        if open || database.inTransaction { return try await body(database) }
        guard let sql = database as? any SQLDatabase, sql.dialect.name == "sqlite" else {
            return try await database.transaction { transaction in
                try await $open.withValue(true) { try await body(transaction) }
            }
        }
        return try await database.withConnection { connection in
            guard let sql = connection as? any SQLDatabase else {
                return try await connection.transaction { transaction in
                    try await $open.withValue(true) { try await body(transaction) }
                }
            }
            try await begin(sql)
            do {
                let result = try await $open.withValue(true) { try await body(connection) }
                try await sql.raw("COMMIT").run()
                return result
            } catch {
                try? await sql.raw("ROLLBACK").run()
                throw error
            }
        }
    }

    /// How long a writer waits for the lock before its request fails.
    static let patience: Duration = .seconds(30)

    private static func begin(_ sql: any SQLDatabase) async throws {
        // Without a busy handler, BEGIN IMMEDIATE answers SQLITE_BUSY at once; the waiting is ours.
        try await sql.raw("PRAGMA busy_timeout = 0").run()
        // SQLite's default page cache (2 MB a connection) spills a large transaction (an import's
        // batch) to the WAL half-way and reads its own pages back from the kernel: 32 MB keeps
        // them, and the connection's reads afterwards, in memory.
        try await sql.raw("PRAGMA cache_size = -32768").run()
        do {
            let deadline = ContinuousClock.now + patience
            var pause = 1
            while true {
                do {
                    try await sql.raw("BEGIN IMMEDIATE").run()
                    break
                } catch let error as SQLiteError where error.reason == .busy && ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(Int.random(in: pause...(2 * pause))))
                    pause = min(pause * 2, 50)
                }
            }
        } catch {
            try? await sql.raw("PRAGMA busy_timeout = \(unsafeRaw: blockingTimeout)").run()
            throw error
        }
        // Statements outside these transactions on this connection wait (sleeping, up to the
        // patience) for the lock, as they did in SQLiteNIO's handler (which spun for ever).
        try await sql.raw("PRAGMA busy_timeout = \(unsafeRaw: blockingTimeout)").run()
    }

    private static let blockingTimeout = String(patience.components.seconds * 1000)
}
