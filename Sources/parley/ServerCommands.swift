import ArgumentParser

#if canImport(ParleyServer)
import Foundation
import ParleyServer
import Vapor

/// Commands that need the server and database; absent in PARLEY_ENGINES_ONLY builds.
let serverCommands: [any ParsableCommand.Type] = [
    ServeCommand.self, WorkerCommand.self, MigrateCommand.self, CreateAdminCommand.self, RoutesCommand.self,
]

/// Benchmarks that run a real server in process (`parley bench coaching`, `parley bench live`).
let serverBenchmarks: [any ParsableCommand.Type] = [BenchCoaching.self, BenchLive.self, BenchLeads.self, BenchCampaign.self, BenchField.self]

/// Builds a configured application from the environment, runs `body`, and shuts it down.
func withApplication<T>(purpose: ApplicationPurpose = .serving, _ body: (Application) async throws -> T) async throws -> T {
    let configuration: ParleyConfiguration
    do {
        configuration = try ParleyConfiguration.fromEnvironment()
    } catch {
        throw ArgumentParser.ValidationError("configuration: \(error)")
    }
    var environment = Environment(name: ProcessInfo.processInfo.environment["PARLEY_ENV"] ?? "production", arguments: ["parley"])
    if ProcessInfo.processInfo.environment["PARLEY_LOG_FORMAT"] == "json" {
        let level = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        LoggingSystem.bootstrap { JSONLogHandler(label: $0, level: level) }
    } else {
        try LoggingSystem.bootstrap(from: &environment)
    }
    let app = try await Application.make(environment)
    do {
        try await ParleyApplication.configure(app, with: configuration, purpose: purpose)
        let result = try await body(app)
        try await app.asyncShutdown()
        return result
    } catch {
        try? await app.asyncShutdown()
        throw error
    }
}

/// `parley serve`: migrate, ensure the configured admin, then serve until SIGINT/SIGTERM.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the HTTP server (default).")

    func run() async throws {
        try await withApplication { app in
            let config = app.parley.configuration
            try await ParleyApplication.migrate(app)
            try await ParleyApplication.ensureConfiguredAdmin(app)
            app.logger.notice("Parley \(config.version): \(config.database.redacted); data in \(config.dataDirectory)")
            app.logger.notice("listening on http://\(config.host):\(config.port) (public URL \(config.publicURL); docs at \(config.publicURL)/docs)")
            // Vapor's serve command handles SIGINT/SIGTERM and drains in-flight requests.
            app.environment.arguments = ["parley", "serve"]
            try await app.execute()
        }
    }
}

/// `parley worker`: run durable jobs without serving HTTP, until SIGINT/SIGTERM.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker", abstract: "Process background jobs (uploads, clips, reports, webhooks, campaign calls) without serving HTTP.")

    @ArgumentParser.Option(help: "Concurrent jobs (default PARLEY_WORKERS or 2).") var concurrency: Int?

    func run() async throws {
        try await withApplication { app in
            try await ParleyApplication.migrate(app)
            app.parley.jobs.start(app, count: concurrency ?? max(1, app.parley.configuration.jobs.concurrency))
            app.logger.notice("worker \(app.parley.jobs.workerID) processing jobs; stop with Ctrl-C or SIGTERM")
            await ShutdownSignal.wait()
            app.logger.notice("stopping: finishing jobs in progress")
            await app.parley.jobs.stop()
        }
    }
}

/// `parley migrate`: run pending migrations (a no-op when there are none).
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Create or upgrade the database schema.")

    func run() async throws {
        try await withApplication { app in
            try await ParleyApplication.migrate(app)
            print("migrations complete: \(app.parley.configuration.database.redacted)")
        }
    }
}

/// `parley create-admin`: create an administrator or reset one's password and role.
struct CreateAdminCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create-admin", abstract: "Create an administrator, or make an existing user one and set the password.")

    @ArgumentParser.Option(help: "Email address of the administrator.") var email: String
    @ArgumentParser.Option(help: "Password (or set PARLEY_ADMIN_PASSWORD to keep it out of the shell history).") var password: String?
    @ArgumentParser.Option(help: "First name for a new account.") var firstName = "Admin"
    @ArgumentParser.Option(help: "Last name for a new account.") var lastName = "User"

    func run() async throws {
        guard let password = password ?? ProcessInfo.processInfo.environment["PARLEY_ADMIN_PASSWORD"] else {
            throw ArgumentParser.ValidationError("give --password or set PARLEY_ADMIN_PASSWORD")
        }
        try await withApplication { app in
            try await ParleyApplication.migrate(app)
            let admin = try await ParleyApplication.identity(app).ensureAdmin(
                email: email, password: password, firstName: firstName, lastName: lastName)
            print("administrator \(admin.email) (id \(admin.id)) is ready")
        }
    }
}

/// `parley routes`: list every HTTP route the server registers.
struct RoutesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "routes", abstract: "List the HTTP routes.")

    func run() async throws {
        try await withApplication(purpose: .inspecting) { app in
            let rows = app.routes.all.map { route in
                (route.method.rawValue, "/" + route.path.map(\.description).joined(separator: "/"))
            }.sorted { ($0.1, $0.0) < ($1.1, $1.0) }
            for (method, path) in rows {
                print(method.padding(toLength: 8, withPad: " ", startingAt: 0) + path)
            }
        }
    }
}
/// Waits for SIGINT or SIGTERM.
enum ShutdownSignal {
    static func wait() async {
        let (stream, continuation) = AsyncStream<Void>.makeStream()
        let sources = [SIGINT, SIGTERM].map { signalNumber in
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { continuation.yield() }
            source.resume()
            return source
        }
        for await _ in stream { break }
        sources.forEach { $0.cancel() }
    }
}
#else
let serverCommands: [any ParsableCommand.Type] = []
let serverBenchmarks: [any ParsableCommand.Type] = []
#endif
