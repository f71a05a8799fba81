import Foundation
import ParleyDomain
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One run of ffmpeg or ffprobe with a deadline: standard output is read line by line (for
/// `-progress pipe:1`), standard error goes to a temporary file so a chatty tool never blocks
/// on a full pipe, and the process is terminated when the deadline passes or `stop()` is called.
final class FFmpegRun: Sendable {
    /// What a finished run left behind.
    struct Outcome {
        var status: Int32
        var output: Data
        var errorLog: String
        var timedOut: Bool
        var stopped: Bool

        /// The first line of the error log, or the exit status when it is empty.
        var reason: String {
            let lines = errorLog.split(separator: "\n").map(String.init)
            return lines.last { !$0.isEmpty } ?? "exit status \(status)"
        }
    }

    private let process: Process
    private let state = Mutex<(timedOut: Bool, stopped: Bool, finished: Bool)>((false, false, false))

    /// Prepares `tool` (found where AudioDecoder finds it) or throws when it is not installed.
    init(_ tool: String, arguments: [String], workingDirectory: URL? = nil) throws(ClipError) {
        guard let executable = AudioDecoder.executable(named: tool) else {
            throw .rendererUnavailable("\(tool) is not installed (install it with scripts/setup.sh)")
        }
        process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let workingDirectory { process.currentDirectoryURL = workingDirectory }
    }

    /// Terminates the tool (task cancellation); `run` then reports `stopped`.
    func stop() {
        let running = state.withLock { state -> Bool in
            state.stopped = true
            return !state.finished
        }
        if running && process.isRunning { terminate() }
    }

    /// SIGTERM lets ffmpeg close its output; SIGKILL follows if it has not exited 5 s later
    /// (a tool stuck on a dead network source ignores the first).
    private func terminate() {
        process.terminate()
        let pid = process.processIdentifier
        DispatchQueue.global().asyncAfter(deadline: .now() + 5) { [self] in
            if !state.withLock({ $0.finished }) && process.isRunning { kill(pid, SIGKILL) }
        }
    }

    /// Runs to the end, calling `line` with each line of standard output as it arrives
    /// (when `collectOutput` is false) or returning all of it in `output`.
    func run(timeout: Duration, collectOutput: Bool = false, line: (Substring) -> Void = { _ in }) throws(ClipError) -> Outcome {
        let logURL = FileManager.default.temporaryDirectory.appendingPathComponent("parley-ffmpeg-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: logURL) }
        guard let logHandle = try? FileHandle(forWritingTo: logURL) else {
            throw .renderFailed("could not create a temporary file in \(logURL.deletingLastPathComponent().path)")
        }
        defer { try? logHandle.close() }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = logHandle
        process.standardInput = FileHandle.nullDevice
        if state.withLock({ $0.stopped }) {
            return Outcome(status: -1, output: Data(), errorLog: "", timedOut: false, stopped: true)
        }
        do {
            try process.run()
        } catch {
            throw .rendererUnavailable("\(process.executableURL?.lastPathComponent ?? "ffmpeg") could not start: \(error.localizedDescription)")
        }
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        let deadline = DispatchWorkItem { [self] in
            let running = state.withLock { state -> Bool in
                guard !state.finished else { return false }
                state.timedOut = true
                return true
            }
            if running && process.isRunning { terminate() }
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds, execute: deadline)
        defer { deadline.cancel() }

        let reader = output.fileHandleForReading
        var collected = Data()
        var pending = Data()
        // `availableData` returns as soon as anything arrives (`read(upToCount:)` would wait for the
        // whole count, holding every progress line back until ffmpeg ends); empty means end of file.
        while case let chunk = reader.availableData, !chunk.isEmpty {
            if collectOutput {
                collected.append(chunk)
                continue
            }
            pending.append(chunk)
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                line(Substring(String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)))
                pending.removeSubrange(pending.startIndex...newline)
            }
        }
        process.waitUntilExit()
        let flags = state.withLock { state in
            state.finished = true
            return (state.timedOut, state.stopped)
        }
        let log = (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
        return Outcome(status: process.terminationStatus, output: collected, errorLog: log,
                       timedOut: flags.0, stopped: flags.1)
    }
}
