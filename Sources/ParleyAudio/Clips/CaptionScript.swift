import Foundation
import ParleyDomain

/// Captions as an ASS (Advanced SubStation Alpha) script for ffmpeg's libass `subtitles` filter.
enum CaptionScript {
    /// The script for a picture of `width`×`height`, in one of `ClipRenderer.captionStyles`.
    static func ass(_ captions: [Caption], width: Int, height: Int, style: String) -> String {
        // Colours are &HAABBGGRR with alpha 00 opaque, FF transparent.
        let size = max(10, height / 16)
        let margin = max(8, height / 12)
        let styleLine: String
        switch style {
        case "classic":
            // White text with a black outline and drop shadow, like broadcast subtitles.
            styleLine = "DejaVu Sans,\(size),&H00FFFFFF,&H00FFFFFF,&H00000000,&H80000000,0,0,0,0,100,100,0,0,1,\(max(1, size / 14)),\(max(1, size / 20)),2,\(margin),\(margin),\(margin),1"
        case "minimal":
            // Smaller light text with a thin outline, for clips where the waveform matters.
            styleLine = "DejaVu Sans,\(size * 4 / 5),&H00F0F0F0,&H00F0F0F0,&H60000000,&H00000000,0,0,0,0,100,100,0,0,1,1,0,2,\(margin),\(margin),\(margin),1"
        default:
            // "modern": bold white text on a translucent dark box.
            styleLine = "DejaVu Sans,\(size),&H00FFFFFF,&H00FFFFFF,&H60000000,&H60000000,1,0,0,0,100,100,0,0,3,\(max(2, size / 4)),0,2,\(margin),\(margin),\(margin),1"
        }
        var lines = [
            "[Script Info]",
            "ScriptType: v4.00+",
            "PlayResX: \(width)",
            "PlayResY: \(height)",
            "WrapStyle: 0",
            "ScaledBorderAndShadow: yes",
            "",
            "[V4+ Styles]",
            "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, "
                + "Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, "
                + "MarginL, MarginR, MarginV, Encoding",
            "Style: Default,\(styleLine)",
            "",
            "[Events]",
            "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text",
        ]
        for caption in captions {
            lines.append("Dialogue: 0,\(time(caption.start)),\(time(caption.end)),Default,,0,0,0,,\(escape(caption.text))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// ASS time: H:MM:SS.cc.
    static func time(_ seconds: Double) -> String {
        let centiseconds = Int((max(0, seconds) * 100).rounded())
        return String(format: "%d:%02d:%02d.%02d", centiseconds / 360_000, centiseconds / 6_000 % 60,
                      centiseconds / 100 % 60, centiseconds % 100)
    }

    /// Keeps user text from being read as ASS markup: braces open override tags and a backslash
    /// starts an escape, so they are replaced by look-alikes; line breaks become ASS's `\N`.
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\u{2216}")
            .replacingOccurrences(of: "{", with: "(")
            .replacingOccurrences(of: "}", with: ")")
            .replacingOccurrences(of: "\r\n", with: "\n")
            .split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .joined(separator: "\\N")
    }
}
