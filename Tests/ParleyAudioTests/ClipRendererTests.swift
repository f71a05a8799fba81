import Foundation
import Synchronization
import ParleyDomain
import Testing
@testable import ParleyAudio

@Suite("Clip rendering")
struct ClipRendererTests {
    static let text = "Thank you all for coming today. I want to talk about how our team can work better with "
        + "customers over the next few months. First, we should listen more than we speak."

    /// A fresh folder with espeak speech in it; the folder is the clip destination too, so that
    /// leftovers (partial files) would show up in its listing.
    static func workspace() async throws -> (folder: URL, speech: URL, words: [Word]) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("parley-clips-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let utterance = try await Espeak.speak(text, wordsPerMinute: 170)
        let speech = folder.appendingPathComponent("speech.wav")
        try WAVFile.encode(utterance.audio).write(to: speech)
        return (folder, speech, utterance.words)
    }

    /// Runs ffprobe/ffmpeg independently of the renderer and returns standard output.
    static func tool(_ name: String, _ arguments: [String]) throws -> Data {
        guard let executable = AudioDecoder.executable(named: name) else {
            throw ClipError.rendererUnavailable("\(name) is needed for this test (scripts/setup.sh)")
        }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(name) \(arguments.joined(separator: " "))")
        return data
    }

    struct Probe: Decodable {
        struct Stream: Decodable {
            var codec_type: String
            var codec_name: String
            var width: Int?
            var height: Int?
            var nb_read_frames: String?
        }
        struct Format: Decodable {
            var duration: String
        }
        var streams: [Stream]
        var format: Format

        var duration: Double { Double(format.duration) ?? 0 }
        func codec(_ type: String) -> String? { streams.first { $0.codec_type == type }?.codec_name }
    }

    static func probe(_ url: URL) throws -> Probe {
        try JSONDecoder().decode(Probe.self, from: tool("ffprobe", [
            "-v", "error", "-count_frames", "-show_entries",
            "stream=codec_type,codec_name,width,height,nb_read_frames:format=duration", "-of", "json", url.path,
        ]))
    }

    /// Gray pixels of the bottom quarter of the frame at `time`, where captions sit.
    static func captionBand(_ url: URL, at time: Double) throws -> [UInt8] {
        Array(try tool("ffmpeg", [
            "-nostdin", "-v", "error", "-ss", String(time), "-i", url.path, "-frames:v", "1",
            "-vf", "crop=iw:ih/4:0:ih*3/4", "-f", "rawvideo", "-pix_fmt", "gray", "pipe:1",
        ]))
    }

    static func brightShare(_ pixels: [UInt8]) -> Double {
        Double(pixels.count { $0 > 180 }) / Double(max(1, pixels.count))
    }

    @Test("mp4 and webm: waveform video with the speech, the asked length, a JPEG thumbnail, nothing else left behind",
          arguments: [(ClipFormat.mp4, "h264", "aac"), (.webm, "vp9", "opus")])
    func video(format: ClipFormat, videoCodec: String, audioCodec: String) async throws {
        let (folder, speech, _) = try await Self.workspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        let target = folder.appendingPathComponent("clip_1.\(format.fileExtension)")
        let clip = try await ClipRenderer().render(
            ClipRequest(source: speech, start: 1.0, end: 5.0, format: format, quality: .low), to: target)
        #expect(clip.file == target)
        let probe = try Self.probe(clip.file)
        #expect(probe.codec("video") == videoCodec)
        #expect(probe.codec("audio") == audioCodec)
        #expect(probe.streams.first { $0.codec_type == "video" }?.width == 640)
        #expect(abs(probe.duration - 4) < 0.15, "duration \(probe.duration)")
        #expect(abs(clip.duration - 4) < 0.15)
        #expect(clip.byteCount == (try Data(contentsOf: clip.file)).count)
        #expect(try Data(contentsOf: clip.thumbnail).starts(with: [0xFF, 0xD8, 0xFF]))
        #expect(clip.thumbnail.lastPathComponent == "clip_1_thumb.jpg")
        let left = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(left == ["clip_1.\(format.fileExtension)", "clip_1_thumb.jpg", "speech.wav"].sorted())
        // The clip holds the speech of that stretch: its audio is as loud as the source there.
        let audio = try AudioDecoder.decode(contentsOf: clip.file)
        #expect(audio.samples.map { abs($0) }.max() ?? 0 > 0.1)
    }

    @Test("gif: an animation of several frames, no audio, small")
    func gif() async throws {
        let (folder, speech, _) = try await Self.workspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        let clip = try await ClipRenderer().render(
            ClipRequest(source: speech, start: 0.5, end: 3.5, format: .gif, quality: .medium),
            to: folder.appendingPathComponent("clip.gif"))
        let probe = try Self.probe(clip.file)
        #expect(probe.codec("video") == "gif")
        #expect(probe.codec("audio") == nil)
        #expect(Int(probe.streams[0].nb_read_frames ?? "0")! > 10)
        #expect(probe.streams[0].width == 480)
        #expect(try Data(contentsOf: clip.file).starts(with: Data("GIF89a".utf8)))
        #expect(try Data(contentsOf: clip.thumbnail).starts(with: [0xFF, 0xD8, 0xFF]))
    }

    @Test("captions are burned in while they are shown, and only then", arguments: ClipRenderer.captionStyles)
    func captions(style: String) async throws {
        let (folder, speech, words) = try await Self.workspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        // Times are of the source; the clip starts at 2 s, so this caption shows from 1 to 2.5 s of the clip.
        let caption = Caption(start: 3.0, end: 4.5, text: "Listen more than we speak")
        let request = ClipRequest(source: speech, start: 2.0, end: 7.0, format: .mp4, quality: .medium,
                                  captions: [caption], captionsStyle: style)
        let captioned = try await ClipRenderer().render(request, to: folder.appendingPathComponent("with.mp4"))
        var plain = request
        plain.captions = []
        let uncaptioned = try await ClipRenderer().render(plain, to: folder.appendingPathComponent("without.mp4"))

        let during = Self.brightShare(try Self.captionBand(captioned.file, at: 1.8))
        let after = Self.brightShare(try Self.captionBand(captioned.file, at: 4.0))
        let without = Self.brightShare(try Self.captionBand(uncaptioned.file, at: 1.8))
        #expect(during > 0.003, "bright share with the caption \(during)")
        #expect(after < 0.001 && without < 0.001, "after \(after), without \(without)")
        #expect(!words.isEmpty)
    }

    @Test("a source with a picture keeps it")
    func videoSource() async throws {
        let (folder, speech, _) = try await Self.workspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        let movie = folder.appendingPathComponent("movie.mkv")
        _ = try Self.tool("ffmpeg", [
            "-nostdin", "-v", "error", "-f", "lavfi", "-i", "color=c=white:s=320x240:r=25", "-i", speech.path,
            "-shortest", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", movie.path,
        ])
        let clip = try await ClipRenderer().render(
            ClipRequest(source: movie, start: 1, end: 3, format: .webm, quality: .low),
            to: folder.appendingPathComponent("clip.webm"))
        let probe = try Self.probe(clip.file)
        #expect(probe.codec("audio") == "opus")
        // A white 4:3 picture, pillarboxed into 16:9: three quarters of the frame are white
        // (a waveform on its dark background would be almost none).
        let frame = Array(try Self.tool("ffmpeg", [
            "-nostdin", "-v", "error", "-ss", "1", "-i", clip.file.path, "-frames:v", "1",
            "-f", "rawvideo", "-pix_fmt", "gray", "pipe:1",
        ]))
        #expect(abs(Self.brightShare(frame) - 0.75) < 0.05, "white share \(Self.brightShare(frame))")
    }

    @Test("a browser-style WebM without a duration in its header is measured, not refused")
    func webmWithoutDuration() async throws {
        let (folder, speech, _) = try await Self.workspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        // Written to a pipe, the WebM muxer cannot go back to fill in the duration, as in a live recording.
        let live = folder.appendingPathComponent("live.webm")
        try Self.tool("ffmpeg", ["-nostdin", "-v", "error", "-i", speech.path, "-c:a", "libopus", "-f", "webm", "pipe:1"])
            .write(to: live)
        struct Header: Decodable {
            struct Format: Decodable { var duration: String? }
            var format: Format
        }
        let header = try JSONDecoder().decode(Header.self, from: Self.tool("ffprobe", [
            "-v", "error", "-show_entries", "format=duration", "-of", "json", live.path,
        ]))
        #expect(header.format.duration == nil)
        let length = try #require(AudioDecoder.duration(of: speech))
        let clip = try await ClipRenderer().render(
            ClipRequest(source: live, start: length - 2, end: length, format: .mp4, quality: .low),
            to: folder.appendingPathComponent("clip.mp4"))
        #expect(abs(clip.duration - 2) < 0.15)
        let failure = await #expect(throws: ClipError.self) {
            try await ClipRenderer().render(
                ClipRequest(source: live, start: 1, end: length + 3, format: .mp4), to: folder.appendingPathComponent("x.mp4"))
        }
        #expect(failure?.httpStatus == 422)
    }

    @Test("progress climbs to 100")
    func progress() async throws {
        let (folder, speech, _) = try await Self.workspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        let seen = Seen()
        _ = try await ClipRenderer().render(
            ClipRequest(source: speech, start: 0, end: 6, format: .mp4, quality: .low),
            to: folder.appendingPathComponent("clip.mp4")) { seen.add($0) }
        let values = seen.values
        #expect(values.last == 100)
        #expect(values == values.sorted())
        #expect(values.count >= 2)
    }

    final class Seen: Sendable {
        private let state = Mutex<[Int]>([])
        func add(_ value: Int) { state.withLock { $0.append(value) } }
        var values: [Int] { state.withLock { $0 } }
    }

    @Test("bad requests fail with a typed 422 error before or without leaving files")
    func badRequests() async throws {
        let (folder, speech, _) = try await Self.workspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        let length = try #require(AudioDecoder.duration(of: speech))
        let target = folder.appendingPathComponent("clip.mp4")
        func failure(_ request: ClipRequest) async -> ClipError? {
            do {
                _ = try await ClipRenderer().render(request, to: target)
                return nil
            } catch {
                return error as? ClipError
            }
        }
        let invalid: [ClipRequest] = [
            ClipRequest(source: speech, start: 3, end: 3, format: .mp4),
            ClipRequest(source: speech, start: 4, end: 2, format: .mp4),
            ClipRequest(source: speech, start: -1, end: 2, format: .mp4),
            ClipRequest(source: speech, start: .nan, end: 2, format: .mp4),
            ClipRequest(source: speech, start: 1, end: length + 5, format: .mp4),
            ClipRequest(source: speech, start: 0, end: 301, format: .mp4),
            ClipRequest(source: speech, start: 0, end: 61, format: .gif),
            ClipRequest(source: speech, start: 0, end: 2, format: .mp4, captionsStyle: "comic-sans"),
        ]
        for request in invalid {
            let error = await failure(request)
            guard case .invalidRequest = error else {
                Issue.record("\(request.start)–\(request.end) \(request.format): \(String(describing: error))")
                continue
            }
            #expect(error?.httpStatus == 422)
        }
        let text = folder.appendingPathComponent("notes.wav")
        try Data("these are not sounds".utf8).write(to: text)
        for source in [folder.appendingPathComponent("missing.wav"), text] {
            let error = await failure(ClipRequest(source: source, start: 0, end: 1, format: .mp4))
            guard case .unreadableSource = error else {
                Issue.record("\(source.lastPathComponent): \(String(describing: error))")
                continue
            }
            #expect(error?.httpStatus == 422)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["notes.wav", "speech.wav"])
    }

    @Test("a render over its time limit is stopped and leaves no partial file")
    func timeout() async throws {
        let (folder, speech, _) = try await Self.workspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        do {
            _ = try await ClipRenderer(timeout: .milliseconds(1)).render(
                ClipRequest(source: speech, start: 0, end: 8, format: .webm, quality: .high),
                to: folder.appendingPathComponent("clip.webm"))
            Issue.record("the render finished within 1 ms")
        } catch let error as ClipError {
            guard case .renderFailed = error else { throw error }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["speech.wav"])
    }

    @Test("cancelling the task stops ffmpeg and leaves no partial file")
    func cancel() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("parley-clips-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // A minute of tone: long enough that the render is still running when the first progress arrives.
        let tone = folder.appendingPathComponent("tone.wav")
        _ = try Self.tool("ffmpeg", ["-nostdin", "-v", "error", "-f", "lavfi", "-i", "sine=f=440:d=60", tone.path])
        let (reports, sink) = AsyncStream<Int>.makeStream()
        let render = Task {
            try await ClipRenderer().render(
                ClipRequest(source: tone, start: 0, end: 60, format: .webm, quality: .high),
                to: folder.appendingPathComponent("clip.webm")) { sink.yield($0) }
        }
        var seen: [Int] = []
        for await percent in reports {
            seen.append(percent)
            break
        }
        render.cancel()
        let result = await render.result
        sink.finish()
        for await percent in reports { seen.append(percent) }
        #expect(throws: CancellationError.self) { try result.get() }
        // Stopped during the encode, not after it: the progress never got near the end.
        #expect((seen.max() ?? 100) < 90, "progress seen: \(seen)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["tone.wav"])
    }

    @Test("partial files abandoned by a killed render are cleared, a running one's are not")
    func abandonedPartials() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("parley-clips-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let old = folder.appendingPathComponent(".clip.mp4.A.partial")
        let fresh = folder.appendingPathComponent(".clip.mp4.B.partial")
        let other = folder.appendingPathComponent(".other.mp4.C.partial")
        for url in [old, fresh, other] { try Data("x".utf8).write(to: url) }
        for url in [old, other] {
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -86_400)], ofItemAtPath: url.path)
        }
        ClipRenderer.removeAbandonedPartials(of: folder.appendingPathComponent("clip.mp4"), olderThan: .seconds(600))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
                == [".clip.mp4.B.partial", ".other.mp4.C.partial"])
    }

    @Test("transcript words become caption lines that break at pauses and length")
    func captionLines() {
        let words = [
            Word(text: "Hello", start: 0.0, end: 0.4), Word(text: "everyone", start: 0.45, end: 0.9),
            Word(text: "Today", start: 2.0, end: 2.3),  // after a long pause
        ] + (0..<10).map { Word(text: "w\($0)", start: 3 + Double($0) * 0.3, end: 3.25 + Double($0) * 0.3) }
        let lines = Caption.lines(from: words, maxWords: 8)
        #expect(lines.first == Caption(start: 0, end: 0.9, text: "Hello everyone"))
        #expect(lines.map(\.text).joined(separator: " ") == words.map(\.text).joined(separator: " "))
        #expect(lines.allSatisfy { $0.text.split(separator: " ").count <= 8 && $0.end - $0.start <= 3.5 })
    }

    @Test("caption text cannot inject ASS markup")
    func escaping() {
        #expect(CaptionScript.escape("a {\\b1}bold\\N x\nnext") == "a (∖b1)bold∖N x\\Nnext")
        #expect(CaptionScript.time(3_723.456) == "1:02:03.46")
    }
}
