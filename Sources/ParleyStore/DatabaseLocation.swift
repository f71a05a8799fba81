import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import ParleyDomain

/// Where the database lives: an SQLite file (the embedded default) or a PostgreSQL server.
public enum DatabaseLocation: Sendable, Equatable {
    case sqlite(path: String)
    case postgres(url: String)

    /// Reads `DATABASE_URL`: `postgres://…`/`postgresql://…`, `sqlite://PATH`, `sqlite:PATH`,
    /// or nothing, which means `parley.sqlite` in the data directory.
    public static func parse(_ url: String?, dataDirectory: String) throws -> DatabaseLocation {
        guard let url = url?.trimmingCharacters(in: .whitespaces), !url.isEmpty else {
            return .sqlite(path: (dataDirectory as NSString).appendingPathComponent("parley.sqlite"))
        }
        if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
            return .postgres(url: url)
        }
        for prefix in ["sqlite://", "sqlite:"] where url.hasPrefix(prefix) {
            let path = String(url.dropFirst(prefix.count))
            guard !path.isEmpty else { break }
            return .sqlite(path: path)
        }
        throw DomainError.validation(
            field: "DATABASE_URL", message: "expected postgres://user:password@host:port/database or sqlite://path, got '\(url)'")
    }

    /// A description safe for logs (no password).
    public var redacted: String {
        switch self {
        case .sqlite(let path): return "SQLite at \(path)"
        case .postgres(let url):
            guard var parts = URLComponents(string: url) else { return "PostgreSQL" }
            if parts.password != nil { parts.password = "***" }
            return "PostgreSQL at \(parts.string ?? "?")"
        }
    }

    /// The Fluent configuration for this location.
    public func configuration(maxConnectionsPerEventLoop: Int = 4, creatingDirectory: Bool = true) throws -> DatabaseConfigurationFactory {
        switch self {
        case .sqlite(let path):
            let directory = (path as NSString).deletingLastPathComponent
            if creatingDirectory, !directory.isEmpty {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            }
            // One connection per event loop: SQLite serialises writers anyway, and its busy
            // handler (set by SQLiteNIO) waits instead of failing when two loops write at once.
            // A request may wait for the pool as long as a writer may wait for the lock (busy_timeout
            // 30 s): under load, a shorter pool timeout failed requests that would have gone through.
            return .sqlite(.file(path), maxConnectionsPerEventLoop: 1, connectionPoolTimeout: .seconds(30), sqlLogLevel: .trace)
        case .postgres(let url):
            var config = try SQLPostgresConfiguration(url: url)
            config.searchPath = nil
            return .postgres(
                configuration: config, maxConnectionsPerEventLoop: maxConnectionsPerEventLoop,
                connectionPoolTimeout: .seconds(10), sqlLogLevel: .trace)
        }
    }

    /// Settings applied once the database is reachable: WAL journaling for SQLite, so readers
    /// never block the writer and a crash after commit loses nothing.
    public static func prepare(_ database: any Database) async throws {
        guard let sql = database as? any SQLDatabase, sql.dialect.name == "sqlite" else { return }
        try await sql.raw("PRAGMA journal_mode=WAL").run()
    }

    /// True when the database answers a trivial query.
    public static func ping(_ database: any Database) async -> Bool {
        guard let sql = database as? any SQLDatabase else { return false }
        do {
            try await sql.raw("SELECT 1").run()
            return true
        } catch {
            return false
        }
    }
}
