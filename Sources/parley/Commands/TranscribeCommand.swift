import ArgumentParser
import Foundation
import ParleyAudio
import ParleyDomain
import ParleySpeech

/// `parley transcribe FILE`: the configured recogniser's transcript, with word timings in JSON.
struct TranscribeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transcribe",
        abstract: "Transcribe a recording with the configured speech recogniser (embedded Whisper by default).",
        discussion: """
            Reads WAV natively and other formats through ffmpeg. The recogniser comes from the same \
            environment variables the server reads (PARLEY_STT_PROVIDER, OPENAI_BASE_URL, DEEPGRAM_API_KEY, ...; \
            see docs/speech.md). Exit status 3: unsupported format, 4: damaged file, 5: ffmpeg missing, \
            6: no recogniser available, 7: the provider refused the request.
            """
    )

    @Argument(help: "The audio or video file to transcribe.")
    var file: String

    @Flag(help: "Print segments and words with timings and confidences as JSON.")
    var json = false

    func run() async throws {
        let url = URL(fileURLWithPath: file)
        guard FileManager.default.fileExists(atPath: url.path) else { throw ValidationError("no such file: \(file)") }
        let audio: PCMAudio
        do {
            audio = try AudioDecoder.decode(contentsOf: url).forAnalysis()
        } catch let error as AudioDecodingError {
            FileHandle.standardError.write(Data("parley transcribe: \(error.description)\n".utf8))
            throw ExitCode(error.kind == .unsupported ? 3 : error.kind == .corrupt ? 4 : 5)
        }
        let engines = try SpeechCommandSupport.engines()
        let transcript: Transcript
        do {
            transcript = try await engines.recognizer.transcribe(audio)
            await engines.stop()
        } catch let error as SpeechError {
            await engines.stop()
            throw SpeechCommandSupport.fail("transcribe", error)
        }
        if json {
            print(try SpeechCommandSupport.json(TranscriptDocument(transcript, duration: audio.duration)))
        } else {
            for segment in transcript.segments {
                let start = String(format: "%7.2f", segment.start ?? 0), end = String(format: "%7.2f", segment.end ?? 0)
                print("[\(start) –\(end)] \(segment.text)")
            }
        }
    }
}

/// The transcript as the Speech Coaching API shows it: text, confidence, language, word timings, segments.
struct TranscriptDocument: Encodable {
    struct TimedWord: Encodable {
        var word: String
        var start: Double
        var end: Double
        var confidence: Double?
    }

    struct Segment: Encodable {
        var id: Int
        var start: Double?
        var end: Double?
        var text: String
        var confidence: Double?
        var words: [TimedWord]
    }

    var text: String
    var confidence: Double?
    var language: String?
    var duration: Double
    var wordTimings: [TimedWord]
    var segments: [Segment]

    init(_ transcript: Transcript, duration: Double) {
        func timed(_ word: Word) -> TimedWord {
            TimedWord(word: word.text, start: word.start, end: word.end, confidence: word.confidence)
        }
        text = transcript.segments.map(\.text).joined(separator: " ")
        let confidences = transcript.segments.compactMap(\.confidence)
        confidence = confidences.isEmpty ? nil : confidences.reduce(0, +) / Double(confidences.count)
        language = transcript.language
        self.duration = duration
        wordTimings = transcript.segments.flatMap(\.words).map(timed)
        segments = transcript.segments.map {
            Segment(id: $0.id, start: $0.start, end: $0.end, text: $0.text, confidence: $0.confidence, words: $0.words.map(timed))
        }
    }
}

/// What the speech commands share: engines from the environment, errors, JSON.
enum SpeechCommandSupport {
    static func engines() throws -> SpeechEngines {
        do {
            return try SpeechEngines.make(SpeechConfiguration.fromEnvironment())
        } catch {
            throw ValidationError(error.description)
        }
    }

    static func fail(_ command: String, _ error: SpeechError) -> ExitCode {
        FileHandle.standardError.write(Data("parley \(command): \(error.description)\n".utf8))
        switch error {
        case .serviceUnavailable: return ExitCode(6)
        case .providerError: return ExitCode(7)
        case .unknownVoice, .invalidRequest: return ExitCode.validationFailure
        }
    }

    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
