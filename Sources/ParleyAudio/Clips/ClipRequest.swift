import Foundation
import ParleyDomain

/// The container and codecs of a rendered clip.
public enum ClipFormat: String, Sendable, Codable, CaseIterable {
    /// H.264 video with AAC audio, playable everywhere.
    case mp4
    /// VP9 video with Opus audio, for browsers.
    case webm
    /// A small looping animation without sound.
    case gif

    /// The file name extension of this format.
    public var fileExtension: String { rawValue }
}

/// How large and how finely encoded a clip is.
public enum ClipQuality: String, Sendable, Codable, CaseIterable {
    case low, medium, high
}

/// One caption line, timed in seconds from the start of the source media (not of the clip).
public struct Caption: Sendable, Codable, Hashable {
    public var start: Double
    public var end: Double
    public var text: String

    public init(start: Double, end: Double, text: String) {
        self.start = start
        self.end = end
        self.text = text
    }

    /// Groups transcript words into caption lines of at most `maxWords` words and `maxDuration`
    /// seconds, breaking early at a silence longer than `maxGap`, so captions follow the speech.
    public static func lines(
        from words: [Word], maxWords: Int = 8, maxDuration: Double = 3.5, maxGap: Double = 0.7
    ) -> [Caption] {
        var captions: [Caption] = []
        var current: [Word] = []
        func flush() {
            guard let first = current.first, let last = current.last else { return }
            captions.append(Caption(start: first.start, end: last.end, text: current.map(\.text).joined(separator: " ")))
            current.removeAll()
        }
        for word in words.sorted(by: { $0.start < $1.start }) {
            if let first = current.first, let last = current.last,
                current.count >= maxWords || word.end - first.start > maxDuration || word.start - last.end > maxGap
            {
                flush()
            }
            current.append(word)
        }
        flush()
        return captions
    }
}

/// What to cut from a recording and how to render it.
public struct ClipRequest: Sendable, Hashable {
    /// The session media: audio (the usual case, rendered as a waveform video) or video (kept).
    public var source: URL
    /// Seconds from the start of the source.
    public var start: Double
    public var end: Double
    public var format: ClipFormat
    public var quality: ClipQuality
    /// Burned into the picture; empty for none.
    public var captions: [Caption]
    /// A name from `ClipRenderer.captionStyles` (nil: "modern").
    public var captionsStyle: String?

    public init(
        source: URL, start: Double, end: Double, format: ClipFormat, quality: ClipQuality = .medium,
        captions: [Caption] = [], captionsStyle: String? = nil
    ) {
        self.source = source
        self.start = start
        self.end = end
        self.format = format
        self.quality = quality
        self.captions = captions
        self.captionsStyle = captionsStyle
    }

    /// Length of the clip in seconds.
    public var duration: Double { end - start }
}

/// A finished clip on disk, with a JPEG still taken from it.
public struct RenderedClip: Sendable, Hashable {
    public var file: URL
    public var thumbnail: URL
    /// Seconds, as measured on the rendered file.
    public var duration: Double
    public var byteCount: Int

    public init(file: URL, thumbnail: URL, duration: Double, byteCount: Int) {
        self.file = file
        self.thumbnail = thumbnail
        self.duration = duration
        self.byteCount = byteCount
    }
}

/// Why a clip could not be rendered; `httpStatus` says how a surface should answer.
public enum ClipError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The request itself is wrong (times, length, style): answer 422.
    case invalidRequest(String)
    /// The source file is missing, unreadable or has neither audio nor video: answer 422.
    case unreadableSource(String)
    /// ffmpeg is not installed or could not start: answer 503.
    case rendererUnavailable(String)
    /// ffmpeg ran and failed, or took longer than the time allowed: answer 500.
    case renderFailed(String)

    /// A sentence a user can act on.
    public var description: String {
        switch self {
        case .invalidRequest(let message): "Invalid clip request: \(message)"
        case .unreadableSource(let message): "The session media cannot be read: \(message)"
        case .rendererUnavailable(let message): "Clip rendering is unavailable: \(message)"
        case .renderFailed(let message): "Rendering the clip failed: \(message)"
        }
    }

    /// The HTTP status a surface should answer with.
    public var httpStatus: Int {
        switch self {
        case .invalidRequest, .unreadableSource: 422
        case .rendererUnavailable: 503
        case .renderFailed: 500
        }
    }
}

extension ClipError: LocalizedError {
    public var errorDescription: String? { description }
}
