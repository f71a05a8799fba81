import AsyncHTTPClient
import FluentPostgresDriver
import Foundation
import NIOCore
import NIOHTTP1
import ParleyDomain
import ParleyServer
import ParleySpeech
import ParleyStore
import Testing
import Vapor

/// A real Parley server for one test: its own data directory and database (a fresh SQLite
/// file, or a fresh PostgreSQL database when `DATABASE_URL` points at a server), listening
/// on an ephemeral loopback port and spoken to over real HTTP.
public struct TestServer: Sendable {
    public let app: Application
    public let baseURL: String
    public let configuration: ParleyConfiguration
    let scratchDatabase: ScratchPostgresDatabase?
    /// Instances sharing a database also share the data directory (media); the first owns it.
    var ownsDataDirectory = true
    /// Every JSON answer is checked against the served OpenAPI documents' response schemas.
    let schemas: ResponseSchemaCheck

    /// Starts a server, runs `body`, and always shuts the server down.
    /// With `sharingDatabaseWith`, the new server is a second instance on the other's database.
    public static func with<T>(
        _ adjust: @Sendable (inout ParleyConfiguration) -> Void = { _ in },
        sharingDatabaseWith other: TestServer? = nil,
        speech: SpeechEngines? = nil,
        prospectWording: (any LanguageModel)? = nil,
        _ body: (TestServer) async throws -> T
    ) async throws -> T {
        let server = try await start(adjust, sharingDatabaseWith: other, speech: speech, prospectWording: prospectWording)
        do {
            let result = try await body(server)
            try await server.stop()
            return result
        } catch {
            try? await server.stop()
            throw error
        }
    }

    public static func start(
        _ adjust: @Sendable (inout ParleyConfiguration) -> Void = { _ in }, sharingDatabaseWith other: TestServer? = nil,
        speech: SpeechEngines? = nil, prospectWording: (any LanguageModel)? = nil
    ) async throws -> TestServer {
        let dataDirectory = other?.configuration.dataDirectory ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("parley-test-\(UUID().uuidString.prefix(8))").path
        var environment = ProcessInfo.processInfo.environment
        environment["PARLEY_DATA_DIR"] = dataDirectory
        environment["PARLEY_PORT"] = "0"
        environment["PARLEY_HOST"] = "127.0.0.1"
        environment["PARLEY_BCRYPT_COST"] = "4"  // the minimum: tests hash many passwords
        environment["PARLEY_JWT_SECRET"] = "test-secret-that-is-at-least-32-bytes-long"
        environment["PARLEY_ADMIN_EMAIL"] = nil
        environment["PARLEY_ADMIN_PASSWORD"] = nil
        var scratch: ScratchPostgresDatabase?
        if let other {
            environment["DATABASE_URL"] = nil
            if case .postgres(let url) = other.configuration.database { environment["DATABASE_URL"] = url }
        } else if let url = environment["DATABASE_URL"], url.hasPrefix("postgres") {
            scratch = try await ScratchPostgresDatabase.create(serverURL: url)
            environment["DATABASE_URL"] = scratch?.url
        } else {
            environment["DATABASE_URL"] = nil
        }
        var configuration = try ParleyConfiguration.fromEnvironment(environment)
        if let other { configuration.database = other.configuration.database }
        adjust(&configuration)

        let app = try await Application.make(Environment(name: "testing", arguments: ["parley"]))
        app.logger.logLevel = .warning
        do {
            try await ParleyApplication.configure(
                app, with: configuration, speech: speech ?? sharedSpeechEngines, prospectWording: prospectWording)
            try await ParleyApplication.migrate(app)
            try await ParleyApplication.ensureConfiguredAdmin(app)
            try await app.startup()
        } catch {
            try? await app.asyncShutdown()
            try? await scratch?.drop()
            throw error
        }
        guard let port = app.http.server.shared.localAddress?.port else {
            try await app.asyncShutdown()
            throw TestServerError.notListening
        }
        app.parley.didBind(port: port)
        configuration.publicURL = app.parley.publicURL
        var server = TestServer(
            app: app, baseURL: "http://127.0.0.1:\(port)", configuration: configuration, scratchDatabase: scratch,
            schemas: ResponseSchemaCheck(documents: app.parley.openAPI.documents.map { surface, data in
                // Each document as this server places it, so a moved surface is checked where it is.
                guard var document = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                      app.parley.surfaces.place(&document, of: surface),
                      let placed = try? JSONSerialization.data(withJSONObject: document)
                else { return data }
                return placed
            }))
        server.ownsDataDirectory = other == nil
        return server
    }

    public func stop() async throws {
        try await app.asyncShutdown()
        try? await scratchDatabase?.drop()
        if ownsDataDirectory { try? FileManager.default.removeItem(atPath: configuration.dataDirectory) }
    }

    /// Sends a request; `json` is serialised with JSONSerialization, `body` is sent as is.
    public func request(
        _ method: HTTPMethod, _ path: String, json: Any? = nil, body: Data? = nil,
        token: String? = nil, headers: [(String, String)] = []
    ) async throws -> TestResponse {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(data: try JSONSerialization.data(withJSONObject: json)))
        } else if let body {
            request.body = .bytes(ByteBuffer(data: body))
        }
        for (name, value) in headers { request.headers.replaceOrAdd(name: name, value: value) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let buffer = try await response.body.collect(upTo: 64 << 20)
        let answer = TestResponse(status: Int(response.status.code), headers: response.headers, body: Data(buffer: buffer))
        for problem in schemas.problems(method: method.rawValue, path: path, status: answer.status,
                                        contentType: answer.header("Content-Type"), body: answer.body) {
            Issue.record("The answer does not match its OpenAPI document: \(problem)")
        }
        return answer
    }
}

/// One set of speech engines for every test server of the process: one local Whisper service
/// (loaded once) instead of one per test, which on 2 cores starved everything else.
let sharedSpeechEngines: SpeechEngines? = try? SpeechEngines.make(SpeechConfiguration.fromEnvironment())

/// An HTTP response as a test sees it.
public struct TestResponse: Sendable {
    public let status: Int
    public let headers: HTTPHeaders
    public let body: Data

    /// The body as a JSON object (empty when it is not one).
    public var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:]
    }

    /// The body as a JSON array (empty when it is not one).
    public var jsonArray: [[String: Any]] {
        (try? JSONSerialization.jsonObject(with: body)) as? [[String: Any]] ?? []
    }

    public var text: String { String(decoding: body, as: UTF8.self) }

    public func header(_ name: String) -> String? { headers.first(name: name) }
}

/// Why a test server could not be used.
public enum TestServerError: Error {
    case notListening
}

/// A database of its own on the PostgreSQL server the suite runs against, dropped afterwards.
struct ScratchPostgresDatabase: Sendable {
    let serverURL: String
    let name: String
    let url: String

    static func create(serverURL: String) async throws -> ScratchPostgresDatabase {
        let name = "parley_test_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased())"
        try await execute("CREATE DATABASE \(name)", serverURL: serverURL)
        guard var components = URLComponents(string: serverURL) else { throw TestServerError.notListening }
        components.path = "/\(name)"
        return ScratchPostgresDatabase(serverURL: serverURL, name: name, url: components.string ?? serverURL)
    }

    func drop() async throws {
        try await Self.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)", serverURL: serverURL)
    }

    private static func execute(_ sql: String, serverURL: String) async throws {
        let configuration = try SQLPostgresConfiguration(url: serverURL).coreConfiguration
        let connection = try await PostgresConnection.connect(
            configuration: configuration, id: 1, logger: Logger(label: "parley.test.postgres"))
        do {
            _ = try await connection.query(PostgresQuery(unsafeSQL: sql), logger: Logger(label: "parley.test.postgres"))
            try await connection.close()
        } catch {
            try? await connection.close()
            throw error
        }
    }
}
