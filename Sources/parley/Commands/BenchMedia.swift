import ArgumentParser
import Foundation
import ParleyAudio
import ParleyDomain
import ParleyReports

#if canImport(Glibc)
import Glibc
#endif

/// `parley bench media`: clip rendering speed per format and quality, and report rendering speed.
struct BenchMedia: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "media",
        abstract: "Clip render time per format (a 30 s clip of espeak speech) and report PDF/CSV time for 500 rows.",
        discussion: """
            The recording is the audio benchmark's synthesised speech (cached under ~/.cache/parley). \
            Times are medians of --repeats runs; ffmpeg's CPU time is that of the child processes.
            """
    )

    @Option(help: "Clip length in seconds.")
    var seconds = 30.0

    @Option(help: "Sessions in the benchmark report.")
    var rows = 500

    @Option(help: "Runs per measurement (the median is printed).")
    var repeats = 3

    func run() async throws {
        let recording = try BenchAudio.synthesisedRecording(minutes: 1)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("parley-bench-media-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let start = 10.0
        // A caption every 2.5 s, as transcript lines would come.
        let captions = stride(from: start, to: start + seconds, by: 2.5).map {
            Caption(start: $0, end: $0 + 2.3, text: "Caption line at \(Int($0)) seconds of the talk")
        }

        print("clip: \(Int(seconds)) s from \(recording.lastPathComponent), median of \(repeats) runs, 2 cores shared")
        print(row("format", "quality", "captions", "wall s", "ffmpeg CPU s", "× real time", "size"))
        for format in ClipFormat.allCases {
            for quality in ClipQuality.allCases {
                for withCaptions in [false, true] where withCaptions || quality == .medium {
                    var walls: [Double] = []
                    var cpus: [Double] = []
                    var size = 0
                    for attempt in 0..<repeats {
                        let request = ClipRequest(
                            source: recording, start: start,
                            end: start + (format == .gif ? min(seconds, ClipRenderer.maximumGIFDuration) : seconds),
                            format: format, quality: quality, captions: withCaptions ? captions : [])
                        let cpuBefore = Self.childCPUSeconds()
                        let began = ContinuousClock.now
                        let clip = try await ClipRenderer().render(
                            request, to: folder.appendingPathComponent("clip\(attempt).\(format.fileExtension)"))
                        walls.append(Self.seconds(ContinuousClock.now - began))
                        cpus.append(Self.childCPUSeconds() - cpuBefore)
                        size = clip.byteCount
                    }
                    let wall = Self.median(walls)
                    print(row(format.rawValue, quality.rawValue, withCaptions ? "yes" : "no", String(format: "%.2f", wall),
                              String(format: "%.2f", Self.median(cpus)), String(format: "%.1f×", seconds / wall),
                              String(format: "%.0f kB", Double(size) / 1000)))
                }
            }
        }

        let report = SessionReport.sample(rowCount: rows)
        var pdfTimes: [Double] = []
        var csvTimes: [Double] = []
        var pdf = Data()
        var csv = Data()
        for _ in 0..<repeats {
            var began = ContinuousClock.now
            pdf = try SessionReportPDF.render(report)
            pdfTimes.append(Self.seconds(ContinuousClock.now - began))
            began = ContinuousClock.now
            csv = SessionReportCSV.data(report)
            csvTimes.append(Self.seconds(ContinuousClock.now - began))
        }
        let pdfURL = folder.appendingPathComponent("report.pdf")
        try pdf.write(to: pdfURL)
        let pages = Self.pageCount(pdfURL).map(String.init) ?? "?"
        print("")
        print("report: \(rows) sessions, median of \(repeats) runs")
        print(row("format", "", "", "wall s", "", "", "size"))
        print(row("pdf", "\(pages) pages", "", String(format: "%.3f", Self.median(pdfTimes)), "", "",
                  String(format: "%.0f kB", Double(pdf.count) / 1000)))
        print(row("csv", "", "", String(format: "%.4f", Self.median(csvTimes)), "", "",
                  String(format: "%.0f kB", Double(csv.count) / 1000)))
    }

    private func row(_ cells: String...) -> String {
        zip(cells, [8, 10, 9, 8, 13, 12, 10]).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }
            .joined(separator: " ")
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
    }

    /// User + system CPU seconds of finished child processes (the ffmpeg runs).
    static func childCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_CHILDREN.rawValue), &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    /// Pages as pdfinfo counts them, when poppler-utils is installed.
    static func pageCount(_ url: URL) -> Int? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["pdfinfo", url.path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return text.split(separator: "\n").first { $0.hasPrefix("Pages:") }
            .flatMap { Int($0.dropFirst(6).trimmingCharacters(in: .whitespaces)) }
    }
}
