import ArgumentParser
import Foundation
import ParleyAudio
import ParleyDomain

/// `parley analyze FILE`: pace, pitch, loudness, pauses and timeline of a recording.
struct AnalyzeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Analyse a recording: speaking rate, pitch, volume, pauses, voice activity and timeline.",
        discussion: """
            Reads WAV natively and MP3, M4A, MP4, WebM, OGG, FLAC and more through ffmpeg. \
            Exit status 3 means the format is unsupported, 4 that the file is damaged, 5 that ffmpeg is missing.
            """
    )

    @Argument(help: "The audio or video file to analyse.")
    var file: String

    @Flag(help: "Print the full analysis as JSON (the API's metrics shape).")
    var json = false

    @Flag(help: "Include per-frame pitch, loudness and voice activity (10 ms frames) in the JSON.")
    var frames = false

    @Option(help: "Timeline granularity: second, 5second, 10second or minute.")
    var granularity: String = "10second"

    @Option(help: "A JSON array of words with timings ({text, start, end}) for an exact speaking rate.")
    var words: String?

    func run() throws {
        guard let granularity = TimelineGranularity(rawValue: granularity) else {
            throw ValidationError("granularity must be one of: second, 5second, 10second, minute")
        }
        let url = URL(fileURLWithPath: file)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw ValidationError("no such file: \(file)")
        }
        var transcript: [Word] = []
        if let words {
            do {
                transcript = try JSONDecoder().decode([Word].self, from: Data(contentsOf: URL(fileURLWithPath: words)))
            } catch {
                throw ValidationError("cannot read words from \(words): \(error.localizedDescription)")
            }
        }

        var options = AnalysisOptions()
        options.keepsFrames = frames
        let total = AudioDecoder.duration(of: url)
        var progress = ProgressBar(total: total, enabled: isatty(STDERR_FILENO) == 1 && (total ?? 0) >= 30)
        var analyzer: AudioAnalyzer?
        do {
            try AudioDecoder.stream(contentsOf: url) { chunk in
                if analyzer == nil {
                    analyzer = AudioAnalyzer(options: options, inputSampleRate: chunk.sampleRate)
                    analyzer!.append(words: transcript)
                }
                _ = analyzer!.append(chunk.samples)
                progress.advance(by: chunk.duration)
            }
        } catch let error as AudioDecodingError {
            progress.clear()
            FileHandle.standardError.write(Data("parley analyze: \(error.description)\n".utf8))
            let status: Int32 =
                switch error.kind {
                case .unsupported: 3
                case .corrupt: 4
                case .decoderUnavailable: 5
                }
            throw ExitCode(status)
        }
        progress.clear()
        let analysis = analyzer?.finish() ?? AudioAnalyzer.analyze(PCMAudio(samples: [], sampleRate: 16_000))
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            var shown = analysis
            shown.timeline = analysis.timeline(granularity)
            print(String(decoding: try encoder.encode(shown), as: UTF8.self))
        } else {
            print(Self.report(analysis, granularity: granularity))
        }
    }

    /// The human-readable summary.
    static func report(_ analysis: AudioAnalysis, granularity: TimelineGranularity) -> String {
        func number(_ value: Double?, _ digits: Int = 1) -> String {
            value.map { String(format: "%.\(digits)f", $0) } ?? "–"
        }
        let rate = analysis.speakingRate
        let pitch = analysis.pitch
        let volume = analysis.volume
        var lines = [
            "duration     \(number(analysis.duration, 2)) s, speech \(number(analysis.speechTime, 2)) s in \(analysis.speech.count) segments",
            "pace         \(number(analysis.wpm, 0)) wpm (from \(rate.source.rawValue): \(number(rate.words, 1)) words, \(rate.syllables) syllables over \(number(rate.span, 2)) s; articulation \(number(rate.articulationRate, 2)) syll/s\(rate.source == .words ? "; acoustic estimate \(number(rate.syllableEstimate, 0)) wpm" : ""))",
            "pitch        mean \(number(pitch.mean)) Hz, std \(number(pitch.std)), range \(number(pitch.min))–\(number(pitch.max)) Hz, trend \(pitch.trend.rawValue), voiced \(pitch.voicedFrames) frames",
            "volume       mean \(number(volume.mean)) dBFS, std \(number(volume.std)), range \(number(volume.min))–\(number(volume.max)), trend \(volume.trend.rawValue); rms \(number(volume.rms)) dBFS, peak \(number(volume.peak)) dBFS",
            "clipping     \(volume.clipping.detected ? "YES" : "no") (\(volume.clipping.clippedSamples) samples in \(volume.clipping.events) runs)",
            "pauses       \(analysis.totalPauses), \(number(analysis.pauseTime, 2)) s in total",
        ]
        for pause in analysis.pauses {
            lines.append("  \(number(pause.start, 2))–\(number(pause.end, 2)) s  \(number(pause.duration, 2)) s  \(pause.type.rawValue)")
        }
        lines.append("timeline (\(granularity.rawValue))")
        lines.append("  time      wpm   pitch Hz   volume dBFS   pauses")
        func right(_ text: String, _ width: Int) -> String {
            String(repeating: " ", count: max(0, width - text.count)) + text
        }
        for point in analysis.timeline(granularity) {
            lines.append(
                "  " + [
                    right(String(format: "%.0fs", point.timestamp), 6), right(String(format: "%.0f", point.wpm), 6),
                    right(number(point.pitch), 10), right(number(point.volume), 13), right(String(point.pauses.count), 8),
                ].joined(separator: " "))
        }
        return lines.joined(separator: "\n")
    }
}

/// A one-line progress bar on standard error, for long files on a terminal.
struct ProgressBar {
    let total: Double?
    let enabled: Bool
    private var done = 0.0
    private var shownPercent = -1

    init(total: Double?, enabled: Bool) {
        self.total = total
        self.enabled = enabled && total != nil
    }

    mutating func advance(by seconds: Double) {
        guard enabled, let total, total > 0 else { return }
        done += seconds
        let percent = min(100, Int(done / total * 100))
        guard percent != shownPercent else { return }
        shownPercent = percent
        let width = 30
        let filled = percent * width / 100
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        FileHandle.standardError.write(Data("\r\(bar) \(percent)%  \(Int(done))/\(Int(total)) s".utf8))
    }

    func clear() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
    }
}
