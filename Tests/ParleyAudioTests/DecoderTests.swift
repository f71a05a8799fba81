import Foundation
import ParleyDomain
import Testing
@testable import ParleyAudio

@Suite("Decoding files")
struct DecoderTests {
    static let directory: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("parley-audio-tests-\(getpid())")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    /// Encodes a WAV with ffmpeg into another format; returns the new file.
    static func transcode(_ wav: URL, to name: String, codec: [String]) throws -> URL {
        let output = directory.appendingPathComponent(name)
        let process = Process()
        guard let ffmpeg = AudioDecoder.executable(named: "ffmpeg") else {
            throw AudioDecodingError.decoderUnavailable("ffmpeg is needed for this test (scripts/setup.sh)")
        }
        process.executableURL = ffmpeg
        process.arguments = ["-y", "-loglevel", "error", "-i", wav.path] + codec + [output.path]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return output
    }

    @Test("the same speech from WAV, MP3, WebM/Opus, M4A and FLAC gives the same metrics")
    func sameSpeechAnyFormat() async throws {
        let utterance = try await Espeak.speak(
            "Thank you all for coming today. I want to talk about how our team can work better with customers.",
            wordsPerMinute: 170)
        let wav = Self.directory.appendingPathComponent("speech.wav")
        try WAVFile.encode(utterance.audio).write(to: wav)
        let files = [
            wav,
            try Self.transcode(wav, to: "speech.mp3", codec: ["-c:a", "libmp3lame", "-b:a", "64k"]),
            try Self.transcode(wav, to: "speech.webm", codec: ["-c:a", "libopus", "-b:a", "32k"]),
            try Self.transcode(wav, to: "speech.m4a", codec: ["-c:a", "aac", "-b:a", "64k"]),
            try Self.transcode(wav, to: "speech.flac", codec: ["-c:a", "flac"]),
        ]
        let analyses = try files.map { AudioAnalyzer.analyze(try AudioDecoder.decode(contentsOf: $0)) }
        let reference = analyses[0]
        for (file, analysis) in zip(files, analyses).dropFirst() {
            let name = file.lastPathComponent
            #expect(abs(analysis.duration - reference.duration) < 0.1, "\(name) duration \(analysis.duration)")
            #expect(abs(analysis.wpm! - reference.wpm!) / reference.wpm! < 0.08, "\(name) wpm \(analysis.wpm!) vs \(reference.wpm!)")
            #expect(abs(analysis.pitch.mean! - reference.pitch.mean!) / reference.pitch.mean! < 0.02, "\(name) pitch")
            #expect(abs(analysis.volume.mean! - reference.volume.mean!) < 1, "\(name) volume")
            #expect(abs(analysis.speechTime - reference.speechTime) < 0.5, "\(name) speech time")
            #expect(abs(analysis.totalPauses - reference.totalPauses) <= 1, "\(name) pauses")
        }
    }

    @Test("decoding bytes works like decoding the file")
    func bytes() throws {
        let audio = PCMAudio(samples: Signals.tone(220, seconds: 0.5), sampleRate: 16_000)
        let wav = Self.directory.appendingPathComponent("tone.wav")
        try WAVFile.encode(audio).write(to: wav)
        let mp3 = try Self.transcode(wav, to: "tone.mp3", codec: ["-c:a", "libmp3lame"])
        let decoded = try AudioDecoder.decode(Data(contentsOf: mp3))
        #expect(decoded.sampleRate == 16_000)
        #expect(abs(decoded.duration - 0.5) < 0.06)
        #expect(try AudioDecoder.decode(Data(contentsOf: wav)) == (try WAVFile.decode(Data(contentsOf: wav))))
    }

    @Test("unsupported and corrupt input raise the right typed error")
    func badFiles() throws {
        func kind(of bytes: Data) -> AudioDecodingError.Kind? {
            do {
                _ = try AudioDecoder.decode(bytes)
                return nil
            } catch let error as AudioDecodingError {
                return error.kind
            } catch {
                return nil
            }
        }
        #expect(kind(of: Data()) == .corrupt)
        #expect(kind(of: Data("hello, this is a text file and not audio at all".utf8)) == .unsupported)
        #expect(kind(of: Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + [UInt8](repeating: 7, count: 200))) == .unsupported)
        // An MP3 header followed by garbage, and an Ogg page header followed by garbage.
        var random = Signals.Random(seed: 1)
        let garbage = (0..<4_000).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        #expect(kind(of: Data(Array("ID3".utf8) + [4, 0, 0, 0, 0, 0, 0] + garbage)) == .corrupt)
        #expect(kind(of: Data(Array("OggS".utf8) + garbage)) == .corrupt)
        #expect(kind(of: Data(Array("RIFF".utf8) + [1, 0])) == .corrupt)
    }
}
