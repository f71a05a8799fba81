import AsyncHTTPClient
import Foundation
import ParleyServer

/// A real `parley serve` process on a test server's database and data directory, for tests that
/// kill a server with SIGKILL and check what the next instance makes of what it left.
public struct ServeProcess: Sendable {
    public let process: Process
    public let baseURL: String

    /// The package's built `parley` executable (`swift build` puts it beside the tests).
    public static let binary = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".build/debug/parley")

    /// Starts `parley serve` on a free port beside `server` (its database and data directory),
    /// with `environment` on top, and waits until it answers `/health`.
    public static func start(beside server: TestServer, port: Int, environment extra: [String: String] = [:]) async throws -> ServeProcess {
        let process = Process()
        process.executableURL = binary
        process.arguments = ["serve"]
        var environment = ProcessInfo.processInfo.environment
        environment["PARLEY_PORT"] = String(port)
        environment["PARLEY_DATA_DIR"] = server.configuration.dataDirectory
        environment["PARLEY_JWT_SECRET"] = "test-secret-that-is-at-least-32-bytes-long"
        environment["LOG_LEVEL"] = "warning"
        environment["DATABASE_URL"] = nil
        if case .postgres(let url) = server.configuration.database { environment["DATABASE_URL"] = url }
        if case .sqlite(let path) = server.configuration.database { environment["DATABASE_URL"] = "sqlite://" + path }
        environment.merge(extra) { _, new in new }
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let running = ServeProcess(process: process, baseURL: "http://127.0.0.1:\(port)")
        for _ in 0..<200 {
            if (try? await HTTPClient.shared.execute(HTTPClientRequest(url: running.baseURL + "/health"), timeout: .seconds(2)).status) == .ok {
                return running
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        running.kill()
        throw TestServerError.notListening
    }

    /// SIGKILL, and wait for the process to be gone.
    public func kill() {
        guard process.isRunning else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
