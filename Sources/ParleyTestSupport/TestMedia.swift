import Foundation
import ParleyAudio
import ParleySpeech

/// Speech recordings with known words, made with espeak-ng and converted with ffmpeg.
public enum TestMedia {
    /// A WAV file of `text` spoken by espeak-ng at its default rate.
    public static func speechWAV(_ text: String, voice: String = "professional_male") async throws -> Data {
        let speech = try await EspeakSynthesizer().synthesize(SpeechRequest(text: text, voiceID: voice))
        return WAVFile.encode(speech.audio)
    }

    /// Speech written by the espeak-ng program in a process of its own, so the same text always
    /// gives the same bytes. (The library inside the server keeps state between calls: its output
    /// for one text can shift by a few milliseconds with what it said before, which suites that
    /// compare measured values to the decimal cannot have.)
    public static func speechWAVFromProgram(_ text: String, voice: String = "en-us+m3") throws -> Data {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("parley-espeak-\(UUID().uuidString.prefix(8)).wav")
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/espeak-ng")
        process.arguments = ["-v", voice, "-w", file.path, text]
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw TestMediaError.conversionFailed("espeak-ng") }
        return try Data(contentsOf: file)
    }

    /// `wav` converted by ffmpeg to a container: `mp3`, `webm` (Opus), `m4a`/`mp4` (AAC), `ogg`, `flac`.
    public static func convert(_ wav: Data, to format: String) throws -> Data {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("parley-media-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("in.wav")
        let output = folder.appendingPathComponent("out.\(format)")
        try wav.write(to: input)
        var arguments = ["-nostdin", "-loglevel", "error", "-y", "-i", input.path]
        switch format {
        case "webm": arguments += ["-c:a", "libopus", "-b:a", "48k"]
        case "m4a", "mp4": arguments += ["-c:a", "aac", "-b:a", "64k"]
        case "ogg": arguments += ["-c:a", "libvorbis"]
        default: break
        }
        arguments.append(output.path)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
        process.arguments = arguments
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw TestMediaError.conversionFailed(format) }
        return try Data(contentsOf: output)
    }

    /// A multipart/form-data body with the given parts; returns the body and its Content-Type.
    public static func multipart(_ parts: [(name: String, fileName: String?, contentType: String?, data: Data)]) -> (body: Data, contentType: String) {
        let boundary = "parley-\(UUID().uuidString)"
        var body = Data()
        for part in parts {
            body.append(Data("--\(boundary)\r\n".utf8))
            var disposition = "Content-Disposition: form-data; name=\"\(part.name)\""
            if let fileName = part.fileName { disposition += "; filename=\"\(fileName)\"" }
            body.append(Data("\(disposition)\r\n".utf8))
            if let type = part.contentType { body.append(Data("Content-Type: \(type)\r\n".utf8)) }
            body.append(Data("\r\n".utf8))
            body.append(part.data)
            body.append(Data("\r\n".utf8))
        }
        body.append(Data("--\(boundary)--\r\n".utf8))
        return (body, "multipart/form-data; boundary=\(boundary)")
    }
}

/// A test recording could not be made.
public enum TestMediaError: Error {
    case conversionFailed(String)
}
