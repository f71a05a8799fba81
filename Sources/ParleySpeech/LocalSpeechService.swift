import Foundation

/// How to start one of the local speech services (the Python scripts in `scripts/speech/`).
public struct LocalServiceCommand: Sendable, Hashable {
    /// What the service provides, as errors name it ("speech recognition", "speech synthesis").
    public var service: String
    public var python: String
    public var script: String
    public var arguments: [String]
    /// How long loading its model may take before it counts as unavailable.
    public var startTimeout: Duration

    public init(service: String, python: String, script: String, arguments: [String], startTimeout: Duration) {
        self.service = service
        self.python = python
        self.script = script
        self.arguments = arguments
        self.startTimeout = startTimeout
    }
}

/// Finds the project checkout that holds the speech scripts and the `.venv`.
enum ProjectRoot {
    static let scripts = "scripts/speech"

    /// The interpreter and script for a service: `override` / PARLEY_SPEECH_PYTHON when set,
    /// else a project checkout found upwards from PARLEY_HOME, the working directory, the
    /// executable, or this source file, whose `.venv` (made by scripts/setup.sh) has the packages.
    static func locate(
        script name: String, override: String, service: String, environment: [String: String]
    ) throws(SpeechError) -> (python: String, script: String) {
        let root = find(environment: environment)
        guard let script = environment[override] ?? root.map({ "\($0)/\(scripts)/\(name)" }),
              FileManager.default.isReadableFile(atPath: script)
        else {
            throw .serviceUnavailable(
                service: service, reason: "the embedded service script \(name) was not found (set \(override) or PARLEY_HOME)"
            )
        }
        let venvPython = root.map { $0 + "/.venv/bin/python3" }
        let python = environment["PARLEY_SPEECH_PYTHON"]
            ?? venvPython.flatMap { FileManager.default.isExecutableFile(atPath: $0) ? $0 : nil }
            ?? "/usr/bin/python3"
        return (python, script)
    }

    static func find(environment: [String: String]) -> String? {
        var starts: [URL] = []
        if let home = environment["PARLEY_HOME"] { starts.append(URL(fileURLWithPath: home)) }
        starts.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        if let executable = Bundle.main.executableURL { starts.append(executable.deletingLastPathComponent()) }
        // This file sits at Sources/ParleySpeech/ in a checkout.
        starts.append(URL(fileURLWithPath: #filePath).deletingLastPathComponent())
        for start in starts {
            var directory = start.standardizedFileURL
            while true {
                if FileManager.default.fileExists(atPath: directory.appendingPathComponent(scripts + "/whisper_server.py").path) {
                    return directory.path
                }
                let parent = directory.deletingLastPathComponent()
                if parent.path == directory.path { break }
                directory = parent
            }
        }
        return nil
    }
}

/// Runs a local speech service (Whisper, piper) as a supervised child process: starts it when
/// first needed, learns its port from its ready line, restarts it when it dies (within limits,
/// so a broken install fails fast instead of looping), and stops it.
public actor LocalSpeechService {
    public nonisolated let command: LocalServiceCommand

    private var child: ChildProcess?
    private var starting: Task<URL, any Error>?
    private var stopped = false
    /// When the service died recently; more than `maxRecentDeaths` in `deathWindow` stops restarts.
    private var deaths: [ContinuousClock.Instant] = []
    private static let maxRecentDeaths = 3
    private static let deathWindow = Duration.seconds(60)
    private var lastFailure: String?
    /// Processes whose exit is already counted in `deaths` (both the launch loop and the exit
    /// handler see an early death).
    private var counted: Set<Int32> = []

    /// How many times the service process has been started (for tests and logs).
    public private(set) var launches = 0

    public init(command: LocalServiceCommand) {
        self.command = command
    }

    /// The service's API root (`http://127.0.0.1:PORT/v1`), starting the service if needed.
    public func endpoint() async throws -> URL {
        if let child, child.isRunning, let port = child.port {
            return URL(string: "http://127.0.0.1:\(port)/v1")!
        }
        if let starting { return try await starting.value }
        let now = ContinuousClock.now
        deaths.removeAll { now - $0 > Self.deathWindow }
        if deaths.count >= Self.maxRecentDeaths {
            throw SpeechError.serviceUnavailable(
                service: command.service,
                reason: "the local service keeps exiting (\(lastFailure ?? "no message")); not restarting for a minute"
            )
        }
        stopped = false
        let task = Task { try await self.launch() }
        starting = task
        defer { starting = nil }
        return try await task.value
    }

    /// Starts the service now rather than on first use (at server start-up, say).
    public func start() async throws {
        _ = try await endpoint()
    }

    /// Asks the running service whether it is healthy (GET /health within two seconds).
    public func isHealthy() async -> Bool {
        guard let child, child.isRunning, let port = child.port else { return false }
        let http = ProviderHTTP(provider: command.service, timeout: .seconds(2))
        let url = URL(string: "http://127.0.0.1:\(port)/health")!
        return (try? await http.send(.GET, url, headers: []).status) == 200
    }

    /// Called when a request to the service failed at the transport level: a dead or stuck
    /// service is stopped so the next `endpoint()` starts a fresh one. Returns whether it was.
    @discardableResult
    public func recover() async -> Bool {
        guard let child else { return true }
        if await isHealthy() { return false }
        child.terminate()
        self.child = nil
        noteDeath(child)
        return true
    }

    /// Stops the service; a later `endpoint()` starts it again.
    public func stop() {
        stopped = true
        starting?.cancel()
        child?.terminate()
        child = nil
    }

    /// The running service's process id (benchmarks read its CPU time), nil when it is not running.
    public var processIdentifier: Int32? {
        guard let child, child.isRunning else { return nil }
        return child.processIdentifier
    }

    /// Kills the running service as a crash would (SIGKILL), for tests of the restart path.
    func killForTesting() async throws {
        guard let child else { return }
        kill(child.processIdentifier, SIGKILL)
        while child.isRunning { try await Task.sleep(for: .milliseconds(20)) }
    }

    private func launch() async throws -> URL {
        var environment = ProcessInfo.processInfo.environment
        environment["HF_HUB_OFFLINE"] = "1"
        environment["PYTHONUNBUFFERED"] = "1"
        let process = try ChildProcess(
            executable: command.python, arguments: [command.script] + command.arguments, environment: environment,
            service: command.service
        ) { [weak self] pid in
            Task { await self?.childExited(pid) }
        }
        launches += 1
        child = process
        let deadline = ContinuousClock.now + command.startTimeout
        while ContinuousClock.now < deadline {
            if let port = process.port { return URL(string: "http://127.0.0.1:\(port)/v1")! }
            if !process.isRunning {
                let message = process.errorTail.isEmpty ? "exit status \(process.exitStatus)" : process.errorTail
                lastFailure = message
                child = nil
                noteDeath(process)
                throw SpeechError.serviceUnavailable(
                    service: command.service,
                    reason: "the local service exited before it was ready: \(message) (run scripts/setup.sh)"
                )
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        process.terminate()
        child = nil
        throw SpeechError.serviceUnavailable(
            service: command.service, reason: "the local service did not start within \(command.startTimeout)"
        )
    }

    /// Restarts a service that died on its own, so live sessions don't wait for the model load.
    private func childExited(_ pid: Int32) async {
        guard let child, child.processIdentifier == pid else { return }
        lastFailure = child.errorTail.isEmpty ? "exit status \(child.exitStatus)" : child.errorTail
        self.child = nil
        noteDeath(child)
        guard !stopped, starting == nil else { return }
        _ = try? await endpoint()
    }

    private func noteDeath(_ process: ChildProcess) {
        if counted.insert(process.processIdentifier).inserted { deaths.append(.now) }
    }
}

/// A child process with a pipe on standard input (closing it tells the child to exit, and it
/// closes by itself if this process dies), its port read from standard output, and the tail of
/// standard error kept for messages.
final class ChildProcess: @unchecked Sendable {
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private let errors = Pipe()
    private let lock = NSLock()
    private var outputText = ""
    private var errorText = ""
    private var foundPort: Int?
    private let readyMarker: String

    /// `readyMarker` is the text before the port number on the child's ready line.
    init(
        executable: String, arguments: [String], environment: [String: String],
        readyMarker: String = "PARLEY_SERVICE_LISTENING port=", service: String = "local service",
        onExit: @escaping @Sendable (Int32) -> Void
    ) throws {
        self.readyMarker = readyMarker
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        process.terminationHandler = { process in onExit(process.processIdentifier) }
        output.fileHandleForReading.readabilityHandler = { [weak self] handle in
            self?.readOutput(handle.availableData)
        }
        errors.fileHandleForReading.readabilityHandler = { [weak self] handle in
            self?.readErrors(handle.availableData)
        }
        do {
            try process.run()
        } catch {
            throw SpeechError.serviceUnavailable(
                service: service, reason: "could not start \(executable): \(error.localizedDescription)"
            )
        }
    }

    var isRunning: Bool { process.isRunning }
    var exitStatus: Int32 { process.isRunning ? 0 : process.terminationStatus }
    var processIdentifier: Int32 { process.processIdentifier }

    var port: Int? { lock.withLock { foundPort } }

    /// The last lines the child wrote to standard error.
    var errorTail: String {
        lock.withLock {
            errorText.split(separator: "\n").suffix(3).joined(separator: " | ")
        }
    }

    func terminate() {
        output.fileHandleForReading.readabilityHandler = nil
        errors.fileHandleForReading.readabilityHandler = nil
        try? input.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
    }

    private func readOutput(_ data: Data) {
        guard !data.isEmpty else {
            output.fileHandleForReading.readabilityHandler = nil
            return
        }
        lock.withLock {
            outputText += String(decoding: data, as: UTF8.self)
            guard foundPort == nil, let range = outputText.range(of: readyMarker) else { return }
            let digits = outputText[range.upperBound...].prefix { $0.isNumber }
            if outputText[range.upperBound...].dropFirst(digits.count).first?.isWhitespace == true {
                foundPort = Int(digits)
            }
        }
    }

    private func readErrors(_ data: Data) {
        guard !data.isEmpty else {
            errors.fileHandleForReading.readabilityHandler = nil
            return
        }
        lock.withLock {
            errorText = String((errorText + String(decoding: data, as: UTF8.self)).suffix(4000))
        }
    }

    deinit {
        terminate()
    }
}
