import Foundation

/// An independent client written in Python (`requests`, `websocket-client`, …) run against a
/// test server with the project's virtual environment. Its output goes to files and it is
/// awaited with sleeps, never a blocking read: on 2 cores a blocked cooperative thread starves
/// the in-process server the script is talking to.
public enum ClientScript {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Runs `scripts/tests/<name>` with `arguments`; its exit status, the JSON report it printed
    /// on standard output, and what it wrote to standard error.
    public static func run(_ name: String, _ arguments: [String]) async throws -> (status: Int32, report: [String: Any], errors: String) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("parley-client-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("out"), err = folder.appendingPathComponent("err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let process = Process()
        process.executableURL = root.appendingPathComponent(".venv/bin/python")
        process.arguments = [root.appendingPathComponent("scripts/tests/\(name)").path] + arguments
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        while process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        let printed = (try? Data(contentsOf: out)) ?? Data()
        let report = (try? JSONSerialization.jsonObject(with: printed)) as? [String: Any]
            ?? ["unreadable output": String(decoding: printed, as: UTF8.self)]
        return (process.terminationStatus, report, String(decoding: (try? Data(contentsOf: err)) ?? Data(), as: UTF8.self))
    }
}

/// A Python script left running beside a test (a local fake of a hosted provider), its output in
/// files; `stop()` ends it. The script writes the port it listens on to `portFile` when ready.
public final class BackgroundScript: @unchecked Sendable {
    // Only touched from the test that started it; Process itself is not Sendable.
    private let process: Process
    public let folder: URL
    public let port: Int

    /// Starts `scripts/tests/<name>` with `arguments` plus `--port-file`, and waits (sleeping,
    /// never blocking a thread) until it has written its port.
    public init(_ name: String, _ arguments: [String], timeout: Duration = .seconds(30)) async throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("parley-fake-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let portFile = folder.appendingPathComponent("port")
        let out = folder.appendingPathComponent("out"), err = folder.appendingPathComponent("err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        process = Process()
        process.executableURL = ClientScript.root.appendingPathComponent(".venv/bin/python")
        process.arguments = [ClientScript.root.appendingPathComponent("scripts/tests/\(name)").path, "--port-file", portFile.path] + arguments
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var found: Int?
        while found == nil {
            if let text = try? String(contentsOf: portFile, encoding: .utf8), let number = Int(text) { found = number; break }
            guard process.isRunning, clock.now < deadline else {
                process.terminate()
                let said = String(decoding: (try? Data(contentsOf: err)) ?? Data(), as: UTF8.self)
                throw CocoaError(.fileReadNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "\(name) did not start: \(said)"])
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        port = found ?? 0
    }

    /// What the script wrote to standard error so far.
    public var errors: String {
        String(decoding: (try? Data(contentsOf: folder.appendingPathComponent("err"))) ?? Data(), as: UTF8.self)
    }

    /// Ends the script: SIGTERM, then SIGKILL if it is still there (a child may inherit a blocked SIGTERM).
    public func stop() {
        if process.isRunning {
            process.terminate()
            usleep(200_000)
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        try? FileManager.default.removeItem(at: folder)
    }
}
