import ArgumentParser
import Foundation
import ParleyAudio

#if canImport(Glibc)
import Glibc
#endif

/// `parley bench audio`: speed and memory of the full audio analysis on a long recording, and
/// its pitch against Praat's (praat-parselmouth) on the same audio.
struct BenchAudio: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audio",
        abstract: "Real-time factor, peak memory (batch vs streaming) and a Praat pitch comparison.",
        discussion: """
            Synthesises a recording with espeak-ng (cached under ~/.cache/parley) unless --file is given. \
            Batch and streaming runs happen in child processes so that each reports its own peak memory. \
            The Praat reference runs in a venv created from Benchmarks/requirements-audio.txt.
            """
    )

    @Option(help: "Length of the synthesised recording in minutes.")
    var minutes: Double = 10

    @Option(help: "Benchmark this recording instead of a synthesised one.")
    var file: String?

    @Flag(help: "Skip the Praat comparison.")
    var skipReference = false

    @Option(help: .hidden)
    var measure: String?

    @Option(help: .hidden)
    var repeats = 1

    func run() throws {
        if let measure {
            try Self.measureInChild(mode: measure, file: file!, repeats: repeats)
            return
        }
        let recording = try file.map { URL(fileURLWithPath: $0) } ?? Self.synthesisedRecording(minutes: minutes)
        print("recording: \(recording.path)")

        let batch = try Self.child(mode: "batch", file: recording, repeats: 1)
        let stream = try Self.child(mode: "stream", file: recording, repeats: 1)
        let streamTwice = try Self.child(mode: "stream", file: recording, repeats: 2)
        let audioMinutes = batch.audioSeconds / 60
        print("")
        print("full analysis (decode + resample + VAD + pitch + loudness + pauses + syllables + timeline), one thread:")
        print(row("mode", "audio", "CPU s", "× real time (per core)", "peak RSS"))
        print(row("batch", minutesText(batch.audioSeconds), String(format: "%.2f", batch.cpuSeconds),
                  String(format: "%.0f×", batch.audioSeconds / batch.cpuSeconds), megabytes(batch.peakKilobytes)))
        print(row("streaming", minutesText(stream.audioSeconds), String(format: "%.2f", stream.cpuSeconds),
                  String(format: "%.0f×", stream.audioSeconds / stream.cpuSeconds), megabytes(stream.peakKilobytes)))
        print(row("streaming", minutesText(streamTwice.audioSeconds), String(format: "%.2f", streamTwice.cpuSeconds),
                  String(format: "%.0f×", streamTwice.audioSeconds / streamTwice.cpuSeconds),
                  megabytes(streamTwice.peakKilobytes)))
        print(String(format: "streaming memory growth from %.0f to %.0f minutes: %+.1f MB",
                     audioMinutes, 2 * audioMinutes, Double(streamTwice.peakKilobytes - stream.peakKilobytes) / 1024))

        guard !skipReference else { return }
        try compareWithPraat(recording, label: "the recording", ourCPUSeconds: batch.cpuSeconds)
        try compareWithPraat(
            Self.noisyCopy(of: recording, snr: 10), label: "the recording + white noise at 10 dB SNR",
            ourCPUSeconds: nil)
    }

    // MARK: Recording

    static let paragraphs = [
        "Thank you all for coming today. I want to talk about how our team can work better with customers over the next few months.",
        "First, we should listen more than we speak, and ask questions that help people explain what they really need.",
        "Our quarterly results show steady growth across every region, although the market remains competitive.",
        "During the next quarter, we will introduce several improvements to the analytics dashboard and simplify the onboarding process.",
        "Finally, we should share what we learn with each other, so that every conversation makes the whole team a little smarter.",
    ]

    /// Espeak speech at varied rates with pauses from 0.3 to 2.5 s, repeated to `minutes`, cached.
    static func synthesisedRecording(minutes: Double) throws -> URL {
        let directory = FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/parley")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent("bench-audio-\(Int(minutes * 60))s.wav")
        if FileManager.default.fileExists(atPath: url.path) { return url }
        print("synthesising \(minutes) minutes of speech with espeak-ng…")
        let rates = [140, 160, 180, 200, 220]
        let pauses = [0.3, 0.6, 0.45, 1.2, 2.5, 0.8]
        var samples: [Float] = []
        var sampleRate = 22_050
        var pieces: [PCMAudio] = []
        for (index, text) in paragraphs.enumerated() {
            for rate in rates where (index + rate / 20) % 2 == 0 || rate == 160 {
                pieces.append(try espeak(text, rate: rate))
            }
        }
        var index = 0
        while Double(samples.count) < minutes * 60 * Double(sampleRate) {
            let piece = pieces[index % pieces.count]
            sampleRate = piece.sampleRate
            samples += piece.samples
            samples += [Float](repeating: 0, count: Int(pauses[index % pauses.count] * Double(sampleRate)))
            index += 1
        }
        samples = Array(samples.prefix(Int(minutes * 60 * Double(sampleRate))))
        // A little steady noise so the recording is not digitally silent between phrases.
        var state: UInt32 = 12_345
        for position in samples.indices {
            state = state &* 1_664_525 &+ 1_013_904_223
            samples[position] += (Float(state >> 8) / Float(1 << 24) - 0.5) * 0.002
        }
        try WAVFile.encode(PCMAudio(samples: samples, sampleRate: sampleRate)).write(to: url)
        return url
    }

    static func espeak(_ text: String, rate: Int) throws -> PCMAudio {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("parley-bench-\(UUID().uuidString).wav")
        defer { try? FileManager.default.removeItem(at: output) }
        try run(
            URL(fileURLWithPath: "/usr/bin/env"), ["espeak-ng", "-s", String(rate), "-w", output.path, text],
            failure: "espeak-ng failed; install it (scripts/setup.sh) or pass --file")
        return try WAVFile.decode(Data(contentsOf: output))
    }

    // MARK: Child processes

    struct Measurement: Codable {
        var audioSeconds: Double
        var cpuSeconds: Double
        var wallSeconds: Double
        var peakKilobytes: Int
    }

    static func child(mode: String, file: URL, repeats: Int) throws -> Measurement {
        let data = try run(
            URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath(),
            ["bench", "audio", "--measure", mode, "--file", file.path, "--repeats", String(repeats)],
            failure: "the \(mode) measurement failed")
        return try JSONDecoder().decode(Measurement.self, from: data)
    }

    /// Runs a program to completion and returns its standard output.
    @discardableResult
    static func run(_ executable: URL, _ arguments: [String], failure: String) throws -> Data {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw ValidationError(failure) }
        return data
    }

    /// Runs one analysis mode and prints its measurement as JSON.
    static func measureInChild(mode: String, file: String, repeats: Int) throws {
        let url = URL(fileURLWithPath: file)
        let wallStart = Date()
        let cpuStart = cpuSeconds()
        var audioSeconds = 0.0
        switch mode {
        case "batch":
            let audio = try AudioDecoder.decode(contentsOf: url)
            let analysis = AudioAnalyzer.analyze(audio)
            audioSeconds = analysis.duration
        default:
            var options = AnalysisOptions()
            options.keepsFrames = false
            var analyzer: AudioAnalyzer?
            for _ in 0..<repeats {
                try AudioDecoder.stream(contentsOf: url) { chunk in
                    if analyzer == nil { analyzer = AudioAnalyzer(options: options, inputSampleRate: chunk.sampleRate) }
                    _ = analyzer!.append(chunk.samples)
                }
            }
            audioSeconds = analyzer?.finish().duration ?? 0
        }
        let measurement = Measurement(
            audioSeconds: audioSeconds, cpuSeconds: cpuSeconds() - cpuStart,
            wallSeconds: Date().timeIntervalSince(wallStart), peakKilobytes: peakKilobytes())
        print(String(decoding: try JSONEncoder().encode(measurement), as: UTF8.self))
    }

    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec)
            + Double(usage.ru_stime.tv_usec) / 1e6
    }

    /// Peak resident memory of this process image. `VmHWM` resets at exec, unlike `ru_maxrss`,
    /// which a spawned child inherits from the parent's peak on Linux.
    static func peakKilobytes() -> Int {
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
            let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "")
        {
            return kilobytes
        }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss
    }

    // MARK: Praat

    struct PraatPitch: Codable {
        var seconds: Double
        var times: [Double]
        var pitch: [Double]
    }

    /// The recording with white noise 10 dB below its speech (samples above -50 dBFS), cached beside it.
    static func noisyCopy(of recording: URL, snr: Double) throws -> URL {
        let url = recording.deletingPathExtension().appendingPathExtension("snr\(Int(snr)).wav")
        if FileManager.default.fileExists(atPath: url.path) { return url }
        var audio = try AudioDecoder.decode(contentsOf: recording)
        let loud = audio.samples.filter { abs($0) > 0.003 }
        let power = loud.reduce(0.0) { $0 + Double($1 * $1) } / Double(max(1, loud.count))
        let deviation = (power / pow(10, snr / 10)).squareRoot()
        var state: UInt64 = 0x1234_5678
        func uniform() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return (Double(state >> 11) + 0.5) / Double(1 << 53)
        }
        for index in audio.samples.indices {
            let gaussian = (-2 * log(uniform())).squareRoot() * cos(2 * Double.pi * uniform())
            audio.samples[index] += Float(gaussian * deviation)
        }
        try WAVFile.encode(audio).write(to: url)
        return url
    }

    func compareWithPraat(_ recording: URL, label: String, ourCPUSeconds: Double?) throws {
        let python = try Self.referenceVenv()
        let script = Self.repositoryRoot.appendingPathComponent("Benchmarks/praat_pitch.py")
        let options = AnalysisOptions()
        let data = try Self.run(
            python, [script.path, recording.path, String(options.minimumPitch), String(options.maximumPitch)],
            failure: "the Praat reference failed")
        let praat = try JSONDecoder().decode(PraatPitch.self, from: data)

        let audio = try AudioDecoder.decode(contentsOf: recording)
        let cpuStart = Self.cpuSeconds()
        let ours = AudioAnalyzer.analyze(audio, options: options)
        let ourSeconds = ourCPUSeconds ?? Self.cpuSeconds() - cpuStart
        guard let track = ours.frames else { return }
        var bothVoiced = 0, agreeVoicing = 0, compared = 0, within5 = 0, gross = 0, onlyPraat = 0, onlyOurs = 0
        var cents: [Double] = []
        for (time, reference) in zip(praat.times, praat.pitch) {
            let index = Int((time / track.hop - 0.5).rounded())
            guard index >= 0 && index < track.pitch.count else { continue }
            let value = Double(track.pitch[index])
            compared += 1
            if (value > 0) == (reference > 0) { agreeVoicing += 1 }
            if value > 0 && reference <= 0 { onlyOurs += 1 }
            if value <= 0 && reference > 0 { onlyPraat += 1 }
            guard value > 0 && reference > 0 else { continue }
            bothVoiced += 1
            let ratio = value / reference
            if abs(ratio - 1) <= 0.05 { within5 += 1 }
            if abs(ratio - 1) > 0.2 { gross += 1 }
            cents.append(abs(1_200 * log2(ratio)))
        }
        cents.sort()
        let praatVoiced = praat.pitch.filter { $0 > 0 }
        let praatMean = praatVoiced.reduce(0, +) / Double(max(1, praatVoiced.count))
        func percent(_ part: Int, _ whole: Int) -> String { String(format: "%.1f%%", 100 * Double(part) / Double(max(1, whole))) }
        print("")
        print("pitch against Praat on \(label) (parselmouth \(praat.times.count) frames, 10 ms, \(Int(options.minimumPitch))–\(Int(options.maximumPitch)) Hz):")
        print("  speed: Praat pitch alone \(String(format: "%.2f", praat.seconds)) CPU s; Parley full analysis \(String(format: "%.2f", ourSeconds)) CPU s (\(ourCPUSeconds == nil ? "decoding excluded" : "decoding included")) → Parley \(String(format: "%.1f", praat.seconds / ourSeconds))× Praat's speed")
        print("  voicing decisions agree on \(percent(agreeVoicing, compared)) of frames (voiced only by Praat \(percent(onlyPraat, compared)), only by Parley \(percent(onlyOurs, compared)))")
        print("  frames voiced in both: \(bothVoiced); within 5%: \(percent(within5, bothVoiced)); gross errors (>20%): \(percent(gross, bothVoiced))")
        if !cents.isEmpty {
            print("  median |difference| \(String(format: "%.1f", cents[cents.count / 2])) cents, 90th percentile \(String(format: "%.1f", cents[cents.count * 9 / 10])) cents")
        }
        print("  mean pitch: Praat \(String(format: "%.1f", praatMean)) Hz, Parley \(String(format: "%.1f", ours.pitch.mean ?? 0)) Hz")
    }

    static var repositoryRoot: URL {
        let fromSource = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        if FileManager.default.fileExists(atPath: fromSource.appendingPathComponent("Benchmarks").path) { return fromSource }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }

    /// The bench-only venv with praat-parselmouth, created on first use.
    static func referenceVenv() throws -> URL {
        let venv = FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/parley/bench-venv-audio")
        let python = venv.appendingPathComponent("bin/python")
        let check = Process()
        check.executableURL = python
        check.arguments = ["-c", "import parselmouth"]
        if FileManager.default.isExecutableFile(atPath: python.path), (try? check.run()) != nil {
            check.waitUntilExit()
            if check.terminationStatus == 0 { return python }
        }
        print("installing praat-parselmouth into \(venv.path)…")
        let requirements = repositoryRoot.appendingPathComponent("Benchmarks/requirements-audio.txt")
        for arguments in [
            ["python3", "-m", "venv", venv.path],
            [venv.appendingPathComponent("bin/pip").path, "install", "-q", "-r", requirements.path],
        ] {
            try run(URL(fileURLWithPath: "/usr/bin/env"), arguments, failure: "could not set up the Praat reference venv")
        }
        return python
    }
}

private func row(_ columns: String...) -> String {
    zip(columns, [10, 10, 8, 24, 10]).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: " ")
}

private func minutesText(_ seconds: Double) -> String { String(format: "%.1f min", seconds / 60) }

private func megabytes(_ kilobytes: Int) -> String { String(format: "%.1f MB", Double(kilobytes) / 1024) }
