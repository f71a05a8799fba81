import ArgumentParser
import Foundation
import ParleyAudio
import ParleySpeech

/// `parley synthesize TEXT --voice ID -o FILE`: speech from the configured synthesiser.
struct SynthesizeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synthesize",
        abstract: "Speak text with the configured synthesiser (embedded espeak-ng by default) into a file.",
        discussion: """
            Voices are the API's voice ids (professional_female, professional_male, bella, english_male, \
            english_female); PARLEY_TTS_PROVIDER (espeak, piper, openai, elevenlabs) and PARLEY_VOICES \
            choose and remap them (docs/speech.md).
            """
    )

    @Argument(help: "The text to speak.")
    var text: String

    @Option(help: "Voice id, e.g. professional_female or bella.")
    var voice = "professional_female"

    @Option(help: "Speaking rate: 1 is normal, 0.5 half as fast, 2 twice as fast.")
    var speed = 1.0

    @Option(help: "Voice steadiness 0...1 (ElevenLabs only; others ignore it).")
    var stability: Double?

    @Option(help: "Output format: wav, mp3 or pcm (raw 16-bit little-endian).")
    var format = "wav"

    @Option(name: .shortAndLong, help: "The file to write.")
    var output: String

    func run() async throws {
        guard let format = SpeechAudioFormat(rawValue: format.lowercased()) else {
            throw ValidationError("format must be one of: \(SpeechAudioFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let engines = try SpeechCommandSupport.engines()
        let request = SpeechRequest(text: text, voiceID: voice, speed: speed, stability: stability)
        let speech: SynthesizedSpeech
        let data: Data
        do {
            speech = try await engines.synthesizer.synthesize(request)
            data = try format.encode(speech.audio)
            await engines.stop()
        } catch let error as SpeechError {
            await engines.stop()
            throw SpeechCommandSupport.fail("synthesize", error)
        }
        do {
            try data.write(to: URL(fileURLWithPath: output))
        } catch {
            throw ValidationError("cannot write \(output): \(error.localizedDescription)")
        }
        print(String(
            format: "%@: %.2f s of %@ at %d Hz, %d words, %d bytes (%@)", output, speech.audio.duration, voice,
            speech.audio.sampleRate, speech.words.count, data.count, format.rawValue
        ))
    }
}
