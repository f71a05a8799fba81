import FluentKit
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import Logging
import NIOCore
import NIOPosix
import ParleyDomain
@testable import ParleyStore

/// A migrated database for one test, without a server: a fresh SQLite file, or a fresh
/// PostgreSQL database when `DATABASE_URL` points at a server (as `make test`'s second pass does).
final class StoreHarness: @unchecked Sendable {
    let databases: Databases
    let threadPool: NIOThreadPool
    let logger = Logger(label: "store-tests")
    let location: DatabaseLocation
    private let cleanup: @Sendable () async -> Void

    var db: any Database { databases.database(logger: logger, on: MultiThreadedEventLoopGroup.singleton.any())! }

    static func with<T>(_ body: (StoreHarness) async throws -> T) async throws -> T {
        let harness = try await StoreHarness()
        do {
            let result = try await body(harness)
            await harness.shutdown()
            return result
        } catch {
            await harness.shutdown()
            throw error
        }
    }

    private init() async throws {
        threadPool = NIOThreadPool(numberOfThreads: 2)
        threadPool.start()
        databases = Databases(threadPool: threadPool, on: MultiThreadedEventLoopGroup.singleton)
        if let server = ProcessInfo.processInfo.environment["DATABASE_URL"], server.hasPrefix("postgres") {
            let name = "store_\(UUID().uuidString.prefix(8).lowercased())"
            try await Self.administer(server, "CREATE DATABASE \(name)")
            var parts = URLComponents(string: server)!
            parts.path = "/" + name
            location = .postgres(url: parts.string!)
            cleanup = { try? await Self.administer(server, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)") }
        } else {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString.prefix(8)).sqlite").path
            location = .sqlite(path: path)
            cleanup = {
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            }
        }
        databases.use(try location.configuration(), as: DatabaseID(string: "main"), isDefault: true)
        let migrations = Migrations()
        migrations.add(ParleyMigrations.all)
        try await DatabaseLocation.prepare(db)
        let migrator = Migrator(databases: databases, migrations: migrations, logger: logger, on: MultiThreadedEventLoopGroup.singleton.any())
        try await migrator.setupIfNeeded().flatMap { migrator.prepareBatch() }.get()
    }

    func shutdown() async {
        await databases.shutdownAsync()
        try? await threadPool.shutdownGracefully()
        await cleanup()
    }

    private static func administer(_ server: String, _ statement: String) async throws {
        let configuration = try SQLPostgresConfiguration(url: server).coreConfiguration
        let connection = try await PostgresConnection.connect(
            on: MultiThreadedEventLoopGroup.singleton.any(), configuration: configuration, id: 1, logger: Logger(label: "store-tests")).get()
        do {
            _ = try await connection.query(PostgresQuery(unsafeSQL: statement), logger: Logger(label: "store-tests"))
            try await connection.close()
        } catch {
            try? await connection.close()
            throw error
        }
    }

    /// An organization with one user, for rows that need owners.
    func owner(_ name: String = "Acme") async throws -> User {
        let identity = FluentIdentityStore(database: db)
        let organization = try await identity.createOrganization(name: name, slug: "\(name.lowercased())-\(UUID().uuidString.prefix(6).lowercased())")
        return try await identity.createUser(NewUser(
            organizationID: organization.id, email: "\(UUID().uuidString.prefix(8).lowercased())@example.com", passwordHash: "x",
            firstName: "Owner", lastName: name, company: nil, role: .user))
    }

    func conversation(of user: User, title: String, status: ConversationStatus = .created, kind: ConversationKind = .coaching) async throws -> Conversation {
        try await FluentConversationStore(database: db).createConversation(Conversation(
            id: UUID(), publicID: "session_\(UUID().uuidString.prefix(12).lowercased())", organizationID: user.organizationID, userID: user.id,
            kind: kind, scenarioID: nil, title: title, status: status, configuration: ConversationSettings(), details: ConversationDetails(), analysis: nil,
            createdAt: Date(), startedAt: nil, completedAt: nil, duration: nil))
    }
}
