import Foundation
import ParleyDomain
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Cuts a clip out of session media with ffmpeg and renders it as mp4, webm or gif.
///
/// Audio-only sources (the usual case) become a video of their moving waveform on a plain
/// background; sources with a picture keep it. Captions are burned in from an ASS subtitles
/// file (libass handles wrapping, escaping and fonts). The clip is written under a temporary
/// name next to the destination and renamed only when complete, so a half-written file is never
/// visible; a JPEG still is written beside it as `<name>_thumb.jpg`.
public struct ClipRenderer: Sendable {
    /// The longest clip, in seconds.
    public static let maximumDuration = 300.0
    /// The longest gif, in seconds: gifs are meant to be short and small.
    public static let maximumGIFDuration = 60.0
    /// Caption looks that `ClipRequest.captionsStyle` may name.
    public static let captionStyles = ["modern", "classic", "minimal"]

    /// How long one ffmpeg encode may run before it is stopped.
    public var timeout: Duration

    public init(timeout: Duration = .seconds(600)) {
        self.timeout = timeout
    }

    /// Renders `request` into `file` (its extension is not consulted), calling `progress` with
    /// 0–100 as ffmpeg reports it. Throws `ClipError`, or `CancellationError` when the task is cancelled.
    public func render(
        _ request: ClipRequest, to file: URL, progress: @escaping @Sendable (Int) -> Void = { _ in }
    ) async throws -> RenderedClip {
        try Self.validateShape(request)
        let control = Control()
        let timeout = self.timeout
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<RenderedClip, Error>) in
                // ffmpeg runs for seconds to minutes: keep its blocking waits off the cooperative pool.
                DispatchQueue.global().async {
                    continuation.resume(with: Result {
                        try Self.renderBlocking(request, to: file, timeout: timeout, control: control, progress: progress)
                    })
                }
            }
        } onCancel: {
            control.cancel()
        }
    }

    /// A rough render time in whole seconds for the API's `estimatedTime`, from `parley bench media`
    /// on 2 busy cores (seconds of clip rendered per second, per format and quality).
    public static func estimatedSeconds(for request: ClipRequest) -> Int {
        let speed: Double = switch (request.format, request.quality) {
        case (.mp4, .low): 10
        case (.mp4, .medium): 6
        case (.mp4, .high): 3.4
        case (.webm, .low): 14
        case (.webm, .medium): 4.6
        case (.webm, .high): 2.5
        case (.gif, .low): 30
        case (.gif, .medium): 20
        case (.gif, .high): 12
        }
        return 1 + Int((max(0, request.duration) / speed).rounded(.up))
    }

    // MARK: Validation

    /// Checks what can be checked without opening the source.
    static func validateShape(_ request: ClipRequest) throws(ClipError) {
        guard request.start.isFinite, request.end.isFinite else {
            throw .invalidRequest("start and end must be numbers of seconds")
        }
        guard request.start >= 0 else { throw .invalidRequest("start must not be negative (got \(seconds(request.start)))") }
        guard request.end > request.start else {
            throw .invalidRequest("end (\(seconds(request.end))) must be after start (\(seconds(request.start)))")
        }
        let limit = request.format == .gif ? maximumGIFDuration : maximumDuration
        guard request.duration <= limit else {
            throw .invalidRequest(
                "a \(request.format.rawValue) clip may be at most \(seconds(limit)) long (asked for \(seconds(request.duration)))")
        }
        if let style = request.captionsStyle, !captionStyles.contains(style.lowercased()) {
            throw .invalidRequest("captionsStyle must be one of \(captionStyles.joined(separator: ", ")) (got \"\(style)\")")
        }
    }

    private static func seconds(_ value: Double) -> String { String(format: "%.2f s", value) }

    // MARK: Probing

    /// What ffprobe says about the source.
    struct Probe {
        var duration: Double
        var hasAudio: Bool
        var hasVideo: Bool
    }

    private struct ProbeReport: Decodable {
        struct Stream: Decodable {
            var codec_type: String?
            var disposition: [String: Int]?
        }
        struct Format: Decodable {
            var duration: String?
        }
        var streams: [Stream]?
        var format: Format?
    }

    static func probe(_ url: URL, control: Control) throws -> Probe {
        guard FileManager.default.isReadableFile(atPath: url.path) else {
            throw ClipError.unreadableSource("\(url.lastPathComponent) does not exist or cannot be read")
        }
        let run = try FFmpegRun("ffprobe", arguments: [
            "-v", "error", "-show_entries", "format=duration:stream=codec_type:stream_disposition=attached_pic",
            "-of", "json", url.path,
        ])
        let outcome = try control.perform(run, timeout: .seconds(60), collectOutput: true)
        guard outcome.status == 0, let report = try? JSONDecoder().decode(ProbeReport.self, from: outcome.output) else {
            throw ClipError.unreadableSource("\(url.lastPathComponent) is not a media file ffmpeg can read (\(outcome.reason))")
        }
        let streams = report.streams ?? []
        // Cover art in an MP3 or M4A is a one-frame "video" stream: that recording is still audio-only.
        let hasVideo = streams.contains { $0.codec_type == "video" && $0.disposition?["attached_pic"] != 1 }
        let hasAudio = streams.contains { $0.codec_type == "audio" }
        guard hasAudio || hasVideo else { throw ClipError.unreadableSource("\(url.lastPathComponent) has neither audio nor video") }
        if let duration = report.format?.duration.flatMap(Double.init), duration > 0 {
            return Probe(duration: duration, hasAudio: hasAudio, hasVideo: hasVideo)
        }
        // WebM recorded in a browser (MediaRecorder) or streamed has no duration in its header:
        // read it through to the end instead, which for audio takes a fraction of a second a minute.
        guard let duration = try measuredDuration(url, control: control), duration > 0 else {
            throw ClipError.unreadableSource("the length of \(url.lastPathComponent) cannot be determined")
        }
        return Probe(duration: duration, hasAudio: hasAudio, hasVideo: hasVideo)
    }

    /// The timestamp ffmpeg reaches when it demuxes and decodes the whole file to nowhere.
    private static func measuredDuration(_ url: URL, control: Control) throws -> Double? {
        let run = try FFmpegRun("ffmpeg", arguments: [
            "-nostdin", "-hide_banner", "-loglevel", "error", "-i", url.path, "-map", "0", "-f", "null",
            "-progress", "pipe:1", "-nostats", "-",
        ])
        var last: Double?
        let outcome = try control.perform(run, timeout: .seconds(300)) { line in
            if line.hasPrefix("out_time_us="), let micros = Double(line.dropFirst("out_time_us=".count)) {
                last = micros / 1e6
            }
        }
        return outcome.status == 0 ? last : nil
    }

    // MARK: Rendering

    /// Frame size, rate and encoder settings of one quality.
    struct Preset {
        var width: Int
        var height: Int
        var fps: Int
        var x264CRF: Int
        var vp9CRF: Int
        var audioBitrate: String
        var gifWidth: Int
        var gifFPS: Int

        static func of(_ quality: ClipQuality) -> Preset {
            switch quality {
            case .low: Preset(width: 640, height: 360, fps: 15, x264CRF: 30, vp9CRF: 42, audioBitrate: "64k", gifWidth: 320, gifFPS: 8)
            case .medium: Preset(width: 854, height: 480, fps: 25, x264CRF: 26, vp9CRF: 36, audioBitrate: "96k", gifWidth: 480, gifFPS: 10)
            case .high: Preset(width: 1280, height: 720, fps: 30, x264CRF: 22, vp9CRF: 32, audioBitrate: "128k", gifWidth: 640, gifFPS: 12)
            }
        }
    }

    private static func renderBlocking(
        _ request: ClipRequest, to file: URL, timeout: Duration, control: Control,
        progress: @Sendable (Int) -> Void
    ) throws -> RenderedClip {
        let source = try probe(request.source, control: control)
        guard request.end <= source.duration + 0.05 else {
            throw ClipError.invalidRequest(
                "the clip ends at \(seconds(request.end)) but the recording is only \(seconds(source.duration)) long")
        }
        let directory = file.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw ClipError.renderFailed("cannot create \(directory.path): \(error.localizedDescription)")
        }
        Self.removeAbandonedPartials(of: file, olderThan: timeout)
        let thumbnail = Self.thumbnailURL(for: file)
        let stem = ".\(file.lastPathComponent).\(UUID().uuidString)"
        let partialClip = directory.appendingPathComponent("\(stem).partial")
        let partialThumbnail = directory.appendingPathComponent("\(stem).thumb.partial")
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("parley-clip-\(UUID().uuidString)")
        defer {
            try? FileManager.default.removeItem(at: work)
            try? FileManager.default.removeItem(at: partialClip)
            try? FileManager.default.removeItem(at: partialThumbnail)
        }
        do {
            try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        } catch {
            throw ClipError.renderFailed("cannot create a temporary folder: \(error.localizedDescription)")
        }

        let preset = Preset.of(request.quality)
        let captions = Self.captions(request)
        let subtitles = captions.isEmpty ? nil : work.appendingPathComponent("captions.ass")
        if let subtitles {
            let size = request.format == .gif
                ? (preset.gifWidth, preset.gifWidth * 9 / 16) : (preset.width, preset.height)
            let script = CaptionScript.ass(captions, width: size.0, height: size.1,
                                           style: request.captionsStyle?.lowercased() ?? "modern")
            do {
                try Data(script.utf8).write(to: subtitles)
            } catch {
                throw ClipError.renderFailed("cannot write the captions: \(error.localizedDescription)")
            }
        }
        let arguments = Self.arguments(request, source: source, preset: preset, subtitles: subtitles, output: partialClip)
        let run = try FFmpegRun("ffmpeg", arguments: arguments, workingDirectory: work)
        var reported = -1
        let outcome = try control.perform(run, timeout: timeout) { line in
            guard line.hasPrefix("out_time_us="), let micros = Double(line.dropFirst("out_time_us=".count)) else { return }
            let percent = min(95, max(0, Int(micros / 1e6 / request.duration * 95)))
            if percent > reported {
                reported = percent
                progress(percent)
            }
        }
        if outcome.timedOut {
            throw ClipError.renderFailed("ffmpeg took longer than \(timeout) and was stopped")
        }
        guard outcome.status == 0 else { throw ClipError.renderFailed(outcome.reason) }

        let duration = AudioDecoder.duration(of: partialClip) ?? request.duration
        let still = try FFmpegRun("ffmpeg", arguments: [
            "-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-ss", String(format: "%.3f", duration / 2),
            "-i", partialClip.path, "-frames:v", "1", "-q:v", "3", "-f", "image2", "-c:v", "mjpeg", partialThumbnail.path,
        ])
        let stillOutcome = try control.perform(still, timeout: .seconds(60))
        guard stillOutcome.status == 0 else { throw ClipError.renderFailed("the thumbnail failed: \(stillOutcome.reason)") }

        // The thumbnail first, so that a visible clip always has its thumbnail.
        guard rename(partialThumbnail.path, thumbnail.path) == 0, rename(partialClip.path, file.path) == 0 else {
            throw ClipError.renderFailed("cannot move the clip into \(directory.path): \(String(cString: strerror(errno)))")
        }
        let byteCount = (try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int) ?? 0
        progress(100)
        return RenderedClip(file: file, thumbnail: thumbnail, duration: duration, byteCount: byteCount)
    }

    /// Deletes partial files of `file` that a killed process left behind. Only those older than
    /// the time limit go: a younger one may belong to a render still running for the same clip.
    static func removeAbandonedPartials(of file: URL, olderThan timeout: Duration) {
        let directory = file.deletingLastPathComponent()
        let prefix = ".\(file.lastPathComponent)."
        let limit = Date().addingTimeInterval(-(Double(timeout.components.seconds) + 60))
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        where name.hasPrefix(prefix) && name.hasSuffix(".partial") {
            let url = directory.appendingPathComponent(name)
            if let modified = (try? FileManager.default.attributesOfItem(atPath: url.path))?[.modificationDate] as? Date,
                modified < limit
            {
                try? FileManager.default.removeItem(at: url)
            }
        }
    }

    /// Where the still of `file` goes: `clip_123.mp4` → `clip_123_thumb.jpg`.
    public static func thumbnailURL(for file: URL) -> URL {
        file.deletingPathExtension().deletingLastPathComponent()
            .appendingPathComponent(file.deletingPathExtension().lastPathComponent + "_thumb.jpg")
    }

    /// The captions that fall inside the clip, cut to it and shifted to clip time.
    static func captions(_ request: ClipRequest) -> [Caption] {
        request.captions.compactMap { caption in
            let text = caption.text.trimmingCharacters(in: .whitespacesAndNewlines)
            let start = max(caption.start, request.start) - request.start
            let end = min(caption.end, request.end) - request.start
            guard !text.isEmpty, caption.start.isFinite, caption.end.isFinite, end > start else { return nil }
            return Caption(start: start, end: end, text: text)
        }
    }

    /// The ffmpeg command line; the captions file is referred to relative to the working directory,
    /// which keeps odd characters of temporary paths out of the filter graph's own escaping.
    static func arguments(
        _ request: ClipRequest, source: Probe, preset: Preset, subtitles: URL?, output: URL
    ) -> [String] {
        let gif = request.format == .gif
        let (width, height, fps) = gif
            ? (preset.gifWidth, preset.gifWidth * 9 / 16, preset.gifFPS) : (preset.width, preset.height, preset.fps)
        var graph: [String] = []
        let keepAudio = !gif && source.hasAudio
        if source.hasVideo {
            graph.append("[0:v]fps=\(fps),scale=\(width):\(height):force_original_aspect_ratio=decrease,"
                + "pad=\(width):\(height):(ow-iw)/2:(oh-ih)/2:color=black,setsar=1[base]")
            if keepAudio { graph.append("[0:a:0]anull[aout]") }
        } else {
            let waveHeight = height / 2
            graph.append("color=c=0x1b2333:s=\(width)x\(height):r=\(fps)[bg]")
            if keepAudio {
                graph.append("[0:a:0]asplit=2[aout][wsrc]")
            } else {
                graph.append("[0:a:0]anull[wsrc]")
            }
            graph.append("[wsrc]showwaves=s=\(width)x\(waveHeight):mode=cline:colors=0x4fc3f7:rate=\(fps),format=rgba[wave]")
            // The waveform fills the middle half; captions sit in the bottom quarter, clear of it.
            graph.append("[bg][wave]overlay=0:\(height / 4):shortest=1[base]")
        }
        var last = "base"
        if let subtitles {
            graph.append("[\(last)]subtitles=filename=\(subtitles.lastPathComponent)[captioned]")
            last = "captioned"
        }
        if gif {
            graph.append("[\(last)]split[g1][g2]")
            graph.append("[g1]palettegen=max_colors=64:stats_mode=diff[palette]")
            graph.append("[g2][palette]paletteuse=dither=bayer:bayer_scale=3[v]")
        } else {
            graph.append("[\(last)]format=yuv420p[v]")
        }

        var arguments = [
            "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
            "-ss", String(format: "%.3f", request.start), "-t", String(format: "%.3f", request.duration),
            "-i", request.source.path,
            "-filter_complex", graph.joined(separator: ";"),
            "-map", "[v]",
        ]
        if keepAudio { arguments += ["-map", "[aout]"] }
        switch request.format {
        case .mp4:
            arguments += ["-c:v", "libx264", "-preset", "veryfast", "-crf", String(preset.x264CRF)]
            if keepAudio { arguments += ["-c:a", "aac", "-b:a", preset.audioBitrate] }
            arguments += ["-movflags", "+faststart", "-f", "mp4"]
        case .webm:
            arguments += ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-row-mt", "1",
                          "-crf", String(preset.vp9CRF), "-b:v", "0"]
            if keepAudio { arguments += ["-c:a", "libopus", "-b:a", preset.audioBitrate] }
            arguments += ["-f", "webm"]
        case .gif:
            arguments += ["-loop", "0", "-f", "gif"]
        }
        return arguments + ["-map_metadata", "-1", "-shortest", "-progress", "pipe:1", "-nostats", output.path]
    }

    // MARK: Cancellation

    /// The ffmpeg run in progress, so that cancelling the task can stop it.
    final class Control: Sendable {
        private let state = Mutex<(cancelled: Bool, run: FFmpegRun?)>((false, nil))

        func cancel() {
            let run = state.withLock { state -> FFmpegRun? in
                state.cancelled = true
                return state.run
            }
            run?.stop()
        }

        func perform(
            _ run: FFmpegRun, timeout: Duration, collectOutput: Bool = false, line: (Substring) -> Void = { _ in }
        ) throws -> FFmpegRun.Outcome {
            let cancelled = state.withLock { state -> Bool in
                state.run = run
                return state.cancelled
            }
            if cancelled { throw CancellationError() }
            let outcome = try run.run(timeout: timeout, collectOutput: collectOutput, line: line)
            if outcome.stopped { throw CancellationError() }
            return outcome
        }
    }
}
