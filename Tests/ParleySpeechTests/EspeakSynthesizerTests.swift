import Foundation
import ParleyAudio
import Testing
@testable import ParleySpeech

@Suite("espeak-ng synthesis")
struct EspeakSynthesizerTests {
    let synthesizer = EspeakSynthesizer()

    @Test("speaks every word of the text, with boundaries in order and inside the audio")
    func wordBoundaries() async throws {
        let text = "Thanks for taking my call today. Could we talk about pricing?"
        let speech = try await synthesizer.synthesize(SpeechRequest(text: text, voiceID: "professional_female"))
        #expect(speech.audio.sampleRate == 22_050)
        #expect(speech.audio.duration > 2 && speech.audio.duration < 8)
        #expect(speech.words.map(\.text) == ["Thanks", "for", "taking", "my", "call", "today", "Could", "we", "talk", "about", "pricing"])
        #expect(zip(speech.words, speech.words.dropFirst()).allSatisfy { $0.start < $1.start })
        #expect(speech.words.allSatisfy { $0.start >= 0 && $0.start < speech.audio.duration })
        let scalars = Array(text.unicodeScalars)
        for word in speech.words {
            let slice = String(String.UnicodeScalarView(scalars[word.textOffset..<(word.textOffset + word.text.unicodeScalars.count)]))
            #expect(slice == word.text)
        }
        let peak = speech.audio.samples.map(abs).max() ?? 0
        #expect(peak > 0.05 && peak <= 1)
    }

    @Test("a higher speed gives shorter audio; voices differ")
    func speedAndVoices() async throws {
        let text = "We can start with a small pilot for one region."
        let normal = try await synthesizer.synthesize(SpeechRequest(text: text, voiceID: "professional_male"))
        let fast = try await synthesizer.synthesize(SpeechRequest(text: text, voiceID: "professional_male", speed: 1.6))
        let female = try await synthesizer.synthesize(SpeechRequest(text: text, voiceID: "professional_female"))
        #expect(fast.audio.duration < normal.audio.duration * 0.8)
        #expect(female.audio.samples != normal.audio.samples)
    }

    @Test("every documented voice id speaks; an unknown one lists the valid ids")
    func voices() async throws {
        for id in ["professional_female", "professional_male", "bella", "english_male"] {
            let speech = try await synthesizer.synthesize(SpeechRequest(text: "Hello there.", voiceID: id))
            #expect(speech.audio.duration > 0.3, "voice \(id)")
        }
        await #expect(throws: SpeechError.unknownVoice("rachel", valid: VoiceCatalog.espeak.ids)) {
            try await synthesizer.synthesize(SpeechRequest(text: "Hello.", voiceID: "rachel"))
        }
        let error = SpeechError.unknownVoice("rachel", valid: VoiceCatalog.espeak.ids)
        #expect(error.description.contains("professional_female"))
        #expect(error.domainError == .validation(field: "voice_id", message: error.description))
    }

    @Test("empty text and silly speeds are typed errors")
    func badInput() async throws {
        await #expect(throws: SpeechError.self) {
            try await synthesizer.synthesize(SpeechRequest(text: "   ", voiceID: "bella"))
        }
        await #expect(throws: SpeechError.self) {
            try await synthesizer.synthesize(SpeechRequest(text: "Hi.", voiceID: "bella", speed: 0))
        }
        await #expect(throws: SpeechError.self) {
            try await synthesizer.synthesize(SpeechRequest(text: "Hi.", voiceID: "bella", speed: .nan))
        }
    }

    @Test("streams sentence by sentence, offsets pointing into the whole text")
    func sentenceStreaming() async throws {
        let text = "Hello John. Is this a good time? Great! Let me explain."
        var pieces: [SynthesizedSpeech] = []
        for try await piece in synthesizer.stream(SpeechRequest(text: text, voiceID: "bella")) {
            pieces.append(piece)
        }
        #expect(pieces.count == 4)
        let words = pieces.flatMap(\.words)
        #expect(words.map(\.text) == ["Hello", "John", "Is", "this", "a", "good", "time", "Great", "Let", "me", "explain"])
        let scalars = Array(text.unicodeScalars)
        for word in words {
            #expect(String(String.UnicodeScalarView(scalars[word.textOffset..<(word.textOffset + word.text.unicodeScalars.count)])) == word.text)
        }
    }

    @Test("concurrent requests are serialised safely")
    func concurrency() async throws {
        let texts = (0..<6).map { "Request number \($0) is being spoken now." }
        let durations = try await withThrowingTaskGroup(of: Double.self) { group in
            for text in texts {
                group.addTask { try await synthesizer.synthesize(SpeechRequest(text: text, voiceID: "english_male")).audio.duration }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(durations.count == 6 && durations.allSatisfy { $0 > 1 })
    }
}

@Suite("sentences, word error rate")
struct SpeechTextTests {
    @Test func sentences() {
        let parts = Sentences.split("Mr. Smith? Yes.  It costs 3.5 dollars!\nOk")
        #expect(parts.map(\.text) == ["Mr.", "Smith?", "Yes.", "It costs 3.5 dollars!", "Ok"])
        #expect(parts.map(\.offset) == [0, 4, 11, 17, 39])
        #expect(Sentences.split("   ").isEmpty)
    }

    @Test func wordErrorRate() {
        #expect(WordErrorRate.rate(reference: "Thanks for the call.", hypothesis: "thanks for the call") == 0)
        #expect(WordErrorRate.rate(reference: "a b c d", hypothesis: "a x c") == 0.5)
        #expect(WordErrorRate.rate(reference: "a b", hypothesis: "a b c d") == 1)
    }
}
