import ArgumentParser
import Foundation
import ParleyAudio
import ParleyDomain
import ParleyIntelligence
import ParleySpeech

/// `parley bench drills`: how well spoken drill answers are judged, with espeak-ng speech of
/// known words (every minimal pair's target and distractor) and passages at known rates.
struct BenchDrills: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drills",
        abstract: "Minimal-pair recognition accuracy (with and without the pair as prompt) and read-aloud pace verdicts.")

    @Option(help: "Voice ids to speak with (comma-separated).")
    var voices = "professional_female,professional_male"

    @Option(help: "espeak-ng speeds for the read-aloud passages (comma-separated; 1 is 175 wpm nominal).")
    var speeds = "0.55,0.8,1.3"

    func run() async throws {
        let engines = try SpeechCommandSupport.engines()
        defer { Task { await engines.stop() } }
        let phonemizer = Phonemizer()
        let scorer = DrillScorer(phonemes: { try await phonemizer.phonemes($0) })
        let espeak = EspeakSynthesizer()
        let voiceIDs = voices.split(separator: ",").map(String.init)

        print("minimal pairs: each word of each pair spoken, recognised, scored as the pair's target and as its distractor")
        print("voice                 prompt  heard-right  target-score(mean)  distractor-score(mean)  audio-s  recognise-s")
        var confusions: [String] = []
        for voice in voiceIDs {
            for prompted in [false, true] {
                var right = 0, total = 0
                var targetScores: [Int] = [], distractorScores: [Int] = []
                var audioSeconds = 0.0, recogniseSeconds = 0.0
                for drill in BuiltInDrills.all {
                    for case .minimalPair(let pair) in drill.exercises {
                        for word in [pair.targetWord, pair.distractorWord] {
                            let speech = try await espeak.synthesize(SpeechRequest(text: word, voiceID: voice))
                            let clock = ContinuousClock.now
                            let exercise = DrillExercise.minimalPair(pair)
                            let transcript = try await engines.recognizer.transcribe(speech.audio, expecting: prompted ? exercise.recognitionPrompt : nil)
                            recogniseSeconds += (ContinuousClock.now - clock).seconds
                            audioSeconds += speech.audio.duration
                            let response = DrillResponse(recognised: transcript, audioDuration: speech.audio.duration)
                            let heard = WordAlignment.words(response.text)
                            total += 1
                            if heard.contains(word.lowercased()) { right += 1 } else if prompted {
                                confusions.append("\(voice): said \"\(word)\" → heard \"\(response.text.trimmingCharacters(in: .whitespaces))\"")
                            }
                            guard !heard.isEmpty else { continue }
                            let score = try await scorer.score(exercise, response: response).score
                            if word == pair.targetWord { targetScores.append(score) } else { distractorScores.append(score) }
                        }
                    }
                }
                func mean(_ values: [Int]) -> String { values.isEmpty ? "-" : String(format: "%.1f", Double(values.reduce(0, +)) / Double(values.count)) }
                print(String(format: "%-21@ %-7@ %3d/%-3d %5.1f%%  %18@  %22@  %7.1f  %11.1f",
                             voice as NSString, (prompted ? "yes" : "no") as NSString, right, total, Double(right) * 100 / Double(max(total, 1)),
                             mean(targetScores) as NSString, mean(distractorScores) as NSString, audioSeconds, recogniseSeconds))
            }
        }
        if !confusions.isEmpty { print("prompted misrecognitions:\n  " + confusions.joined(separator: "\n  ")) }

        print("\nread aloud: passages spoken at espeak-ng speeds; measured wpm and verdict against the target")
        for drill in BuiltInDrills.all where drill.category == .pace {
            for (index, exercise) in drill.exercises.enumerated() {
                guard case .readAloud(let passage) = exercise else { continue }
                for voice in voiceIDs.prefix(1) {
                    for speed in speeds.split(separator: ",").compactMap({ Double($0) }) {
                        let speech = try await espeak.synthesize(SpeechRequest(text: passage.text, voiceID: voice, speed: speed))
                        let transcript = try await engines.recognizer.transcribe(speech.audio)
                        let result = try await scorer.score(exercise, response: DrillResponse(recognised: transcript, audioDuration: speech.audio.duration))
                        print(String(format: "%@#%d %@ speed %.2f (nominal %3.0f wpm): measured %5.1f wpm, target %.0f–%.0f → %@, accuracy %.2f, score %d",
                                     drill.id, index, voice, speed, 175 * speed, result.wordsPerMinute ?? 0, passage.minimumWPM, passage.maximumWPM,
                                     result.pace?.rawValue ?? "-", result.accuracy, result.score))
                    }
                }
            }
        }
    }
}

extension Duration {
    fileprivate var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
