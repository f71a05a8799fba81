import Foundation
import ParleyAudio
import Testing
@testable import ParleySpeech

@Suite("synthesised audio formats")
struct SpeechAudioFormatTests {
    @Test("WAV, raw PCM and MP3 carry the same speech", arguments: SpeechAudioFormat.allCases)
    func formats(format: SpeechAudioFormat) async throws {
        let speech = try await EspeakSynthesizer().synthesize(
            SpeechRequest(text: "Hello, this is a test message for voice synthesis.", voiceID: "professional_female")
        )
        let data = try format.encode(speech.audio)
        let decoded: PCMAudio
        switch format {
        case .wav:
            decoded = try WAVFile.decode(data)
        case .pcm:
            #expect(data.count == speech.audio.samples.count * 2)
            decoded = PCMAudio(samples: PCM16.decode(data), sampleRate: speech.audio.sampleRate)
        case .mp3:
            #expect(data.prefix(2) == Data([0xFF, 0xFB]) || data.prefix(2) == Data([0xFF, 0xF3]) || data.prefix(3) == Data("ID3".utf8))
            // 64 kb/s: about 8 kB per second of audio.
            #expect(abs(Double(data.count) / speech.audio.duration - 8000) < 1000)
            decoded = MP3.decode(data)
        }
        #expect(decoded.sampleRate == speech.audio.sampleRate)
        // MP3 adds encoder delay and padding (under two frames).
        #expect(abs(decoded.duration - speech.audio.duration) < (format == .mp3 ? 0.12 : 0.0001))
        let energy = { (samples: [Float]) in samples.reduce(0) { $0 + Double($1 * $1) } }
        #expect(abs(energy(decoded.samples) / energy(speech.audio.samples) - 1) < 0.1)
        #expect(format.mimeType.hasPrefix("audio/"))
    }
}
