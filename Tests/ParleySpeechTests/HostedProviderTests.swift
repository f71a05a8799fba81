import Foundation
import ParleyAudio
import ParleyDomain
import Testing
@testable import ParleySpeech

@Suite("hosted providers against local servers speaking their protocols", .serialized)
struct HostedProviderTests {
    let fake: FakeProviders
    let audio = PCMAudio(samples: (0..<32_000).map { Float(sin(Double($0) * 0.05)) * 0.2 }, sampleRate: 16_000)

    init() async throws {
        fake = try await FakeProviders()
    }

    @Test("OpenAI-compatible transcription: multipart verbose_json with word timestamps")
    func openAITranscription() async throws {
        let client = OpenAITranscriptionClient(
            baseURL: fake.baseURL.appendingPathComponent("v1"), apiKey: FakeProviders.openAIKey, model: "whisper-1"
        )
        let transcript = try await OpenAICompatibleRecognizer(client: client).transcribe(audio)
        #expect(transcript.language == "en")
        #expect(transcript.segments.map(\.text) == ["Hello world.", "Second part."])
        #expect(transcript.segments.map { $0.words.map(\.text) } == [["Hello", "world"], ["Second", "part"]])
        #expect(transcript.segments[1].end == 2.0)
        #expect(abs((transcript.segments[0].confidence ?? 0) - exp(-0.1)) < 1e-9)
        let request = try #require(try await fake.requests().last)
        let fields = try #require(request["fields"] as? [String: [String]])
        #expect(fields["model"] == ["whisper-1"])
        #expect(fields["response_format"] == ["verbose_json"])
        #expect(fields["timestamp_granularities[]"] == ["word", "segment"])

        var wrongKey = client
        wrongKey.apiKey = "sk-wrong"
        await #expect(throws: SpeechError.providerError(provider: "OpenAI-compatible transcription", status: 401, message: "Incorrect API key provided")) {
            try await wrongKey.transcribe(audio)
        }
    }

    @Test("OpenAI-compatible speech: pcm at 24 kHz, voices mapped, speed passed on")
    func openAISpeech() async throws {
        let synthesizer = OpenAISpeechSynthesizer(baseURL: fake.baseURL.appendingPathComponent("v1"), apiKey: FakeProviders.openAIKey)
        let text = "Hello, this is a test message for voice synthesis"
        let normal = try await synthesizer.synthesize(SpeechRequest(text: text, voiceID: "professional_female"))
        let fast = try await synthesizer.synthesize(SpeechRequest(text: text, voiceID: "professional_female", speed: 2))
        #expect(normal.audio.sampleRate == 24_000)
        #expect(abs(normal.audio.duration - 0.06 * Double(text.count)) < 0.01)
        #expect(abs(fast.audio.duration - normal.audio.duration / 2) < 0.01)
        let request = try #require(try await fake.requests().last?["json"] as? [String: Any])
        #expect(request["voice"] as? String == "nova")
        #expect(request["response_format"] as? String == "pcm")
        #expect(request["speed"] as? Double == 2)
        await #expect(throws: SpeechError.unknownVoice("rachel", valid: VoiceCatalog.openAI.ids)) {
            try await synthesizer.synthesize(SpeechRequest(text: text, voiceID: "rachel"))
        }
        // A remapped voice the provider rejects: its message comes through.
        let remapped = OpenAISpeechSynthesizer(
            baseURL: fake.baseURL.appendingPathComponent("v1"), apiKey: FakeProviders.openAIKey,
            catalog: VoiceCatalog.openAI.overridden(by: "bella=nobody")
        )
        await #expect(throws: SpeechError.providerError(provider: "OpenAI-compatible speech", status: 400, message: "Invalid voice nobody")) {
            try await remapped.synthesize(SpeechRequest(text: text, voiceID: "bella"))
        }
    }

    @Test("Deepgram pre-recorded: Token auth, WAV body, utterances with punctuated words")
    func deepgram() async throws {
        let recognizer = DeepgramRecognizer(baseURL: fake.baseURL, apiKey: FakeProviders.deepgramKey)
        let transcript = try await recognizer.transcribe(audio)
        #expect(transcript.segments.count == 1)
        #expect(transcript.segments[0].text == "Hello there.")
        #expect(transcript.segments[0].speakerLabel == "Speaker 0")
        #expect(transcript.segments[0].words == [
            Word(text: "Hello", start: 0.2, end: 0.5, confidence: 0.98), Word(text: "there.", start: 0.6, end: 0.9, confidence: 0.91),
        ])
        let request = try #require(try await fake.requests().last)
        #expect(request["content_type"] as? String == "audio/wav")
        #expect((request["query"] as? [String: String])?["model"] == "nova-2")
        let wrong = DeepgramRecognizer(baseURL: fake.baseURL, apiKey: "nope")
        await #expect(throws: SpeechError.providerError(provider: "Deepgram", status: 401, message: "Invalid credentials.")) {
            try await wrong.transcribe(audio)
        }
    }

    @Test("Deepgram live: masked linear16 frames up, interim and speech_final Results down")
    func deepgramLive() async throws {
        // Two bursts of sound of 1 s, each followed by 0.6 s of silence.
        let tone = (0..<16_000).map { Float(sin(Double($0) * 0.1)) * 0.3 }
        let silence = [Float](repeating: 0, count: 9_600)
        let samples = tone + silence + tone + silence
        let stream = AsyncStream<PCMAudio> { continuation in
            for start in stride(from: 0, to: samples.count, by: 1_600) {
                continuation.yield(PCMAudio(samples: Array(samples[start..<min(start + 1_600, samples.count)]), sampleRate: 16_000))
            }
            continuation.finish()
        }
        let recognizer = DeepgramRecognizer(baseURL: fake.webSocketBase, apiKey: FakeProviders.deepgramKey)
        var events: [RecognitionEvent] = []
        for try await event in recognizer.recognize(stream) { events.append(event) }
        // Without partials the same stream gives the same finals and nothing else.
        let again = AsyncStream<PCMAudio> { continuation in
            for start in stride(from: 0, to: samples.count, by: 1_600) {
                continuation.yield(PCMAudio(samples: Array(samples[start..<min(start + 1_600, samples.count)]), sampleRate: 16_000))
            }
            continuation.finish()
        }
        var finalsOnly: [RecognitionEvent] = []
        for try await event in recognizer.recognize(again, partials: false) { finalsOnly.append(event) }
        #expect(finalsOnly.count == 2 && finalsOnly.allSatisfy(\.isFinal))
        let finals = events.filter(\.isFinal).map(\.segment)
        #expect(finals.count == 2)
        #expect(finals.map(\.id) == [0, 1])
        #expect(abs((finals[0].start ?? -1) - 0) < 0.05 && abs((finals[0].end ?? -1) - 1.0) < 0.05)
        #expect(abs((finals[1].start ?? -1) - 1.6) < 0.05 && abs((finals[1].end ?? -1) - 2.6) < 0.05)
        #expect(finals.allSatisfy { $0.words.count == 4 && $0.text.hasPrefix("word0") })
        let firstFinal = try #require(events.firstIndex { $0.isFinal })
        #expect(events[..<firstFinal].contains { !$0.isFinal && $0.segment.id == 0 })
        let request = try #require(try await fake.requests().last)
        #expect((request["query"] as? [String: String])?["interim_results"] == "true")

        let refused = DeepgramRecognizer(baseURL: fake.webSocketBase, apiKey: "wrong")
        await #expect(throws: SpeechError.self) {
            for try await _ in refused.recognize(AsyncStream { $0.yield(PCMAudio(samples: tone, sampleRate: 16_000)); $0.finish() }) {}
        }
    }

    @Test("ElevenLabs: xi-api-key, voice id in the path, pcm_16000, stability and speed in voice_settings")
    func elevenLabs() async throws {
        let synthesizer = ElevenLabsSynthesizer(baseURL: fake.baseURL, apiKey: FakeProviders.elevenLabsKey)
        let text = "I understand your concern about the budget."
        let speech = try await synthesizer.synthesize(SpeechRequest(text: text, voiceID: "bella", speed: 1.0, stability: 0.75))
        #expect(speech.audio.sampleRate == 16_000)
        #expect(abs(speech.audio.duration - 0.06 * Double(text.count)) < 0.01)
        let request = try #require(try await fake.requests().last)
        #expect(request["voice"] as? String == "EXAVITQu4vr4xnSDxMaL")
        let settings = try #require((request["json"] as? [String: Any])?["voice_settings"] as? [String: Any])
        #expect(settings["stability"] as? Double == 0.75)
        #expect(settings["speed"] as? Double == 1.0)
        let wrong = ElevenLabsSynthesizer(baseURL: fake.baseURL, apiKey: "bad")
        await #expect(throws: SpeechError.providerError(provider: "ElevenLabs", status: 401, message: "Invalid API key")) {
            try await wrong.synthesize(SpeechRequest(text: text, voiceID: "bella"))
        }
        await #expect(throws: SpeechError.self) {
            try await synthesizer.synthesize(SpeechRequest(text: text, voiceID: "bella", stability: 3))
        }
    }

    @Test("Cartesia: Bearer key, Cartesia-Version, voice by id, raw 16 kHz PCM, speed in generation_config")
    func cartesia() async throws {
        let synthesizer = CartesiaSynthesizer(baseURL: fake.baseURL, apiKey: FakeProviders.cartesiaKey)
        let text = "Thanks for taking my call today."
        let speech = try await synthesizer.synthesize(SpeechRequest(text: text, voiceID: "professional_male", speed: 1.25))
        #expect(speech.audio.sampleRate == 16_000)
        #expect(abs(speech.audio.duration - 0.06 * Double(text.count) / 1.25) < 0.01)
        let request = try #require(try await fake.requests().last)
        #expect(request["voice"] as? String == "a167e0f3-df7e-4d52-a9c3-f949145efdab")
        #expect(request["version"] as? String == "2025-04-16")
        let json = try #require(request["json"] as? [String: Any])
        #expect(json["model_id"] as? String == "sonic-2" && json["transcript"] as? String == text)
        #expect((json["generation_config"] as? [String: Any])?["speed"] as? Double == 1.25)
        let wrong = CartesiaSynthesizer(baseURL: fake.baseURL, apiKey: "bad")
        await #expect(throws: SpeechError.self) { try await wrong.synthesize(SpeechRequest(text: text, voiceID: "bella")) }
        let engines = try SpeechEngines.make(SpeechConfiguration.fromEnvironment([
            "PARLEY_TTS_PROVIDER": "cartesia", "CARTESIA_API_KEY": FakeProviders.cartesiaKey, "CARTESIA_BASE_URL": fake.baseURL.absoluteString,
        ]))
        #expect(engines.synthesizer is CartesiaSynthesizer)
        #expect(throws: SpeechError.self) { try SpeechEngines.make(SpeechConfiguration.fromEnvironment(["PARLEY_TTS_PROVIDER": "cartesia"])) }
    }

    @Test("configuration from the environment picks the engines once")
    func configuration() async throws {
        let defaults = try SpeechConfiguration.fromEnvironment([:])
        #expect(defaults.recognition == .embedded && defaults.synthesis == .espeak)
        let engines = try SpeechEngines.make(defaults)
        #expect(engines.synthesizer is EspeakSynthesizer)
        #expect(engines.recognizer is WhisperRecognizer)
        // Whisper and the sentence encoder, each in its own supervised service.
        #expect(engines.services.count == 2)
        #expect(engines.encoder is EmbeddedSentenceEncoder)
        #expect(try SpeechEngines.make(SpeechConfiguration.fromEnvironment(["PARLEY_SENTENCE_ENCODER": "none"])).encoder == nil)
        #expect(throws: SpeechError.self) { try SpeechConfiguration.fromEnvironment(["PARLEY_SENTENCE_ENCODER": "bert"]) }
        // Live turns share the one service, greedily, with a fitted window, on two replicas.
        let live = try #require(engines.liveRecognizer as? WhisperRecognizer)
        #expect(live.live && live.service === (engines.recognizer as? WhisperRecognizer)?.service)
        #expect(live.configuration.liveBeamSize == 1 && live.configuration.fitsLiveWindow && live.configuration.workers == 2)
        let tuned = try #require(try SpeechConfiguration.fromEnvironment([
            "PARLEY_LIVE_WHISPER_BEAM": "3", "PARLEY_LIVE_WHISPER_WINDOW": "full", "PARLEY_WHISPER_WORKERS": "1",
        ]).whisper)
        #expect(tuned.liveBeamSize == 3 && !tuned.fitsLiveWindow && tuned.workers == 1)
        #expect(tuned.command.arguments.suffix(2) == ["--workers", "1"])

        let hosted = try SpeechConfiguration.fromEnvironment([
            "PARLEY_STT_PROVIDER": "deepgram", "DEEPGRAM_API_KEY": FakeProviders.deepgramKey,
            "DEEPGRAM_BASE_URL": fake.baseURL.absoluteString + "/", "PARLEY_TTS_PROVIDER": "elevenlabs",
            "ELEVENLABS_API_KEY": FakeProviders.elevenLabsKey, "ELEVENLABS_BASE_URL": fake.baseURL.absoluteString,
            "PARLEY_VOICES": "bella=custom-voice",
        ])
        let hostedEngines = try SpeechEngines.make(hosted)
        #expect(hostedEngines.liveRecognizer is DeepgramRecognizer)
        #expect(try await hostedEngines.recognizer.transcribe(audio).text == "Hello there.")
        _ = try await hostedEngines.synthesizer.synthesize(SpeechRequest(text: "Hi there.", voiceID: "bella"))
        #expect(try await fake.requests().last?["voice"] as? String == "custom-voice")

        #expect(throws: SpeechError.self) { try SpeechConfiguration.fromEnvironment(["PARLEY_STT_PROVIDER": "watson"]) }
        #expect(throws: SpeechError.self) { try SpeechEngines.make(SpeechConfiguration.fromEnvironment(["PARLEY_TTS_PROVIDER": "elevenlabs"])) }
        #expect(throws: SpeechError.self) { try SpeechConfiguration.fromEnvironment(["OPENAI_BASE_URL": "not a url"]) }
    }

    @Test("no recogniser: 'unavailable' at once; text synthesis still works")
    func none() async throws {
        let engines = try SpeechEngines.make(try SpeechConfiguration.fromEnvironment(["PARLEY_STT_PROVIDER": "none"]))
        await #expect(throws: SpeechError.serviceUnavailable(service: "speech recognition", reason: "speech recognition is turned off (PARLEY_STT_PROVIDER=none)")) {
            try await engines.recognizer.transcribe(audio)
        }
        await #expect(throws: SpeechError.self) {
            for try await _ in engines.recognizer.recognize(AsyncStream { $0.yield(audio); $0.finish() }) {}
        }
        #expect(try await engines.synthesizer.synthesize(SpeechRequest(text: "Still here.", voiceID: "bella")).audio.duration > 0.3)
    }
}
