import ArgumentParser
import Foundation
import ParleyAudio
import ParleyDomain
import ParleyIntelligence
import ParleySpeech

/// `parley drill`: the Speech Coaching practice drills from the command line.
struct DrillCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drill",
        abstract: "List the practice drills and score a response to one exercise.",
        subcommands: [DrillListCommand.self, DrillTryCommand.self],
        defaultSubcommand: DrillListCommand.self
    )
}

/// `parley drill list`: the catalogue, filtered and ordered as the drills endpoint would.
struct DrillListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the built-in drills with their exercises.",
        discussion: """
            --weak names the categories to treat as weak (e.g. --weak pace=45 --weak clarity=60) to see \
            the personalised order the API gives a user with those SpeechCoach category scores.
            """)

    @Option(help: "beginner, intermediate or advanced.")
    var difficulty: String?

    @Option(help: "pronunciation, pace, fillers or confidence.")
    var category: String?

    @Option(help: "At most this many drills.")
    var limit: Int?

    @Option(help: "A SpeechCoach category score as name=score (clarity, pace, engagement, confidence); repeatable.")
    var weak: [String] = []

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() async throws {
        let filter: DrillFilter
        do {
            filter = try DrillFilter.parse(difficulty: difficulty, category: category, limit: limit)
        } catch {
            throw ValidationError(error.description)
        }
        var scores: [String: CategoryScore] = [:]
        for pair in weak {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let value = Double(parts[1]), SpeechCoach.weights[parts[0]] != nil else {
                throw ValidationError("--weak takes name=score with name one of clarity, pace, engagement, confidence; got '\(pair)'")
            }
            scores[parts[0]] = CategoryScore(score: value, weight: SpeechCoach.weights[parts[0]] ?? 0, factors: [:])
        }
        let recommendations = DrillPlanner().recommend(scores: scores, filter: filter)
        if json {
            print(try SpeechCommandSupport.json(recommendations))
            return
        }
        for item in recommendations {
            let drill = item.drill
            print("\(drill.id)  \(drill.title) [\(drill.category.rawValue), \(drill.difficulty.rawValue), \(drill.duration) s]  — \(item.reason)")
            for (index, exercise) in drill.exercises.enumerated() {
                print("    \(index). \(Self.summary(exercise))")
            }
        }
    }

    static func summary(_ exercise: DrillExercise) -> String {
        switch exercise {
        case .minimalPair(let pair): "minimal_pair: say \"\(pair.targetWord)\" (not \"\(pair.distractorWord)\")"
        case .readAloud(let passage):
            String(format: "read_aloud at %.0f–%.0f wpm: %@", passage.minimumWPM, passage.maximumWPM, passage.text)
        case .fillerFree(let task): "filler_free, at least \(task.minimumWords) words: \(task.prompt)"
        case .confidentStatement(let task): "confident_statement: \(task.prompt)"
        }
    }
}

/// `parley drill try`: score one response, typed, spoken by espeak-ng, or from a recording.
struct DrillTryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "try",
        abstract: "Score a response to one exercise of a drill.",
        discussion: """
            --text scores a typed response. --say speaks the text with espeak-ng, recognises it with the \
            configured recogniser (embedded Whisper by default; see docs/speech.md) and scores what was heard. \
            --audio FILE does the same for a recording. Example: parley drill try drill_minimal_pairs_1 0 --say sheep
            """)

    @Argument(help: "The drill id, e.g. drill_minimal_pairs_1 (see `parley drill list`).")
    var drillID: String

    @Argument(help: "The exercise index, from 0.")
    var exerciseIndex: Int

    @Option(help: "A typed response.")
    var text: String?

    @Option(help: "Text for espeak-ng to say; the recording is recognised and scored.")
    var say: String?

    @Option(help: "A recording of the response (WAV, or any format ffmpeg reads).")
    var audio: String?

    @Option(help: "Voice id for --say (professional_female, professional_male, bella, english_male, english_female).")
    var voice = "professional_female"

    @Option(help: "Speaking rate for --say: 1 is espeak-ng's normal 175 wpm, 0.5 half as fast.")
    var speed = 1.0

    func run() async throws {
        let drill: Drill
        do {
            drill = try BuiltInDrills.drill(id: drillID)
            _ = try drill.exercise(at: exerciseIndex)
        } catch {
            throw ValidationError(error.description)
        }
        guard [text, say, audio].compactMap({ $0 }).count == 1 else {
            throw ValidationError("give exactly one of --text, --say or --audio")
        }
        let response: DrillResponse
        if let text {
            response = DrillResponse(typed: text)
        } else {
            let recording: PCMAudio
            if let say {
                do {
                    recording = try await EspeakSynthesizer().synthesize(SpeechRequest(text: say, voiceID: voice, speed: speed)).audio
                } catch let error as SpeechError {
                    throw SpeechCommandSupport.fail("drill", error)
                }
            } else {
                let url = URL(fileURLWithPath: audio ?? "")
                guard FileManager.default.fileExists(atPath: url.path) else { throw ValidationError("no such file: \(url.path)") }
                do {
                    recording = try AudioDecoder.decode(contentsOf: url).forAnalysis()
                } catch let error as AudioDecodingError {
                    throw ValidationError(error.description)
                }
            }
            let engines = try SpeechCommandSupport.engines()
            do {
                let prompt = try drill.exercise(at: exerciseIndex).recognitionPrompt
                let transcript = try await engines.recognizer.transcribe(recording, expecting: prompt)
                await engines.stop()
                response = DrillResponse(recognised: transcript, audioDuration: recording.duration)
            } catch let error as SpeechError {
                await engines.stop()
                throw SpeechCommandSupport.fail("drill", error)
            }
        }
        let phonemizer = Phonemizer()
        let scorer = DrillScorer(phonemes: { try await phonemizer.phonemes($0) })
        do {
            print(try SpeechCommandSupport.json(try await scorer.score(drill, exercise: exerciseIndex, response: response)))
        } catch let error as DrillError {
            throw ValidationError(error.description)
        }
    }
}
