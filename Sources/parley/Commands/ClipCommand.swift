import ArgumentParser
import Foundation
import ParleyAudio

/// `parley clip FILE --start --end --format`: render a highlight clip of a recording.
struct ClipCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clip",
        abstract: "Cut a clip from a recording as mp4, webm or gif (audio becomes a waveform video).",
        discussion: """
            Captions come from --caption START:END:TEXT (times in seconds of the recording; repeatable) \
            and are burned into the picture. A JPEG thumbnail is written beside the clip as NAME_thumb.jpg. \
            Exit status 2 means an invalid request (times, length, style), 3 an unreadable recording, \
            4 that ffmpeg is missing, 5 that ffmpeg failed.
            """
    )

    @Argument(help: "The recording (audio or video) to cut from.")
    var file: String

    @Option(help: "Start, in seconds from the beginning of the recording.")
    var start: Double

    @Option(help: "End, in seconds from the beginning of the recording.")
    var end: Double

    @Option(help: "mp4, webm or gif.")
    var format = "mp4"

    @Option(help: "low, medium or high.")
    var quality = "medium"

    @Option(help: "A caption as START:END:TEXT, in seconds of the recording (repeatable).")
    var caption: [String] = []

    @Option(help: "Caption style: \(ClipRenderer.captionStyles.joined(separator: ", ")).")
    var captionsStyle: String?

    @Option(name: .shortAndLong, help: "The clip file to write (default: clip.FORMAT in the current folder).")
    var output: String?

    func run() async throws {
        guard let format = ClipFormat(rawValue: format.lowercased()) else {
            throw ValidationError("format must be one of: mp4, webm, gif")
        }
        guard let quality = ClipQuality(rawValue: quality.lowercased()) else {
            throw ValidationError("quality must be one of: low, medium, high")
        }
        let captions = try caption.map { text -> Caption in
            let parts = text.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3, let start = Double(parts[0]), let end = Double(parts[1]) else {
                throw ValidationError("a caption is START:END:TEXT, for example 1.5:4:Hello everyone (got \(text))")
            }
            return Caption(start: start, end: end, text: String(parts[2]))
        }
        let request = ClipRequest(source: URL(fileURLWithPath: file), start: start, end: end, format: format,
                                  quality: quality, captions: captions, captionsStyle: captionsStyle)
        let target = URL(fileURLWithPath: output ?? "clip.\(format.fileExtension)")
        let began = ContinuousClock.now
        do {
            let clip = try await ClipRenderer().render(request, to: target) { percent in
                if isatty(STDERR_FILENO) == 1 { FileHandle.standardError.write(Data("\rrendering… \(percent)%".utf8)) }
            }
            if isatty(STDERR_FILENO) == 1 { FileHandle.standardError.write(Data("\r".utf8)) }
            print(String(format: "%@: %.2f s %@, %d bytes, thumbnail %@ (rendered in %@)", clip.file.path, clip.duration,
                         format.rawValue, clip.byteCount, clip.thumbnail.path, "\(ContinuousClock.now - began)"))
        } catch let error as ClipError {
            FileHandle.standardError.write(Data("parley clip: \(error)\n".utf8))
            let status: Int32 = switch error {
            case .invalidRequest: 2
            case .unreadableSource: 3
            case .rendererUnavailable: 4
            case .renderFailed: 5
            }
            throw ExitCode(status)
        }
    }
}
