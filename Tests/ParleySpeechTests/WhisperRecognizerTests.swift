import Foundation
import ParleyAudio
import ParleyDomain
import Testing
@testable import ParleySpeech

/// Embedded Whisper tiny.en against espeak-ng speech of known sentences. Thresholds were set
/// from measured rates on this corpus (see docs/speech.md) with headroom for run-to-run noise.
@Suite("embedded Whisper recognition", .serialized)
struct WhisperRecognizerTests {
    /// Highest word error rate accepted per condition. espeak-ng's output depends slightly on
    /// the calls before it (checked in C: the same text and voice twice gives different samples),
    /// so the rate varies with test order, and tiny.en sometimes turns the first "Thanks" into
    /// "And". Measured (tiny.en, beam 5, temperature 0; test runs alone and in the whole suite,
    /// bench runs, 6 repetitions through the espeak-ng CLI): female (en-us+f2) ×1.0 0.007–0.081,
    /// male ×1.0 0.000–0.022, female ×1.3 0.044–0.119, male ×1.3 0.030–0.067, telephone
    /// 0.067–0.133. Each threshold is the worst seen plus about 0.04.
    static func threshold(_ condition: SpeechCorpus.Condition) -> Double {
        if condition.telephone { return 0.18 }
        switch (condition.voiceID, condition.speed) {
        case ("professional_male", 1.0): return 0.06
        case ("professional_male", _): return 0.11
        case (_, 1.0): return 0.12
        default: return 0.16
        }
    }

    @Test("word error rate per voice, speed and channel stays under the measured threshold",
          arguments: SpeechCorpus.conditions)
    func accuracy(condition: SpeechCorpus.Condition) async throws {
        let recording = try await Shared.recordings.recording(SpeechCorpus.sentences, condition)
        let transcript = try await Shared.whisper.transcribe(recording.audio)
        let rate = WordErrorRate.rate(reference: recording.text, hypothesis: transcript.text.replacingOccurrences(of: "\n", with: " "))
        print("WER \(condition): \(String(format: "%.3f", rate)) :: \(transcript.text.replacingOccurrences(of: "\n", with: " "))")
        #expect(rate <= Self.threshold(condition), "\(condition): \(transcript.text)")
        #expect(transcript.language == "en")
    }

    @Test("word timings are ordered, inside the audio, and inside their sentences")
    func timings() async throws {
        let condition = SpeechCorpus.conditions[0]
        let recording = try await Shared.recordings.recording(SpeechCorpus.sentences, condition)
        let transcript = try await Shared.whisper.transcribe(recording.audio)
        let words = transcript.segments.flatMap(\.words)
        #expect(words.count >= WordErrorRate.words(recording.text).count - 4)
        #expect(zip(words, words.dropFirst()).allSatisfy { $0.start <= $1.start && $0.end <= $1.start + 0.05 })
        #expect(words.allSatisfy { $0.start >= 0 && $0.end <= recording.audio.duration + 0.01 && $0.start <= $0.end })
        #expect(words.allSatisfy { ($0.confidence ?? -1) >= 0 && ($0.confidence ?? 2) <= 1 })
        // Each word's middle lies in a sentence's speech (tiny.en's word times are coarse: ±0.4 s).
        let slack = 0.4
        let outside = words.filter { word in
            let middle = (word.start + word.end) / 2
            return !recording.spans.contains { middle >= $0.start - slack && middle <= $0.end + slack }
        }
        #expect(outside.isEmpty, "words outside speech: \(outside)")
        for segment in transcript.segments {
            #expect(segment.speaker == .unknown)
            #expect((segment.start ?? -1) >= 0 && (segment.end ?? -1) >= (segment.start ?? 0))
            #expect((segment.confidence ?? -1) > 0)
        }
    }

    @Test("synthesis round-trips through recognition for every documented voice")
    func roundTrip() async throws {
        let text = "Let me send you the contract this afternoon."
        for voice in ["bella", "english_male"] {
            let speech = try await Shared.espeak.synthesize(SpeechRequest(text: text, voiceID: voice))
            let transcript = try await Shared.whisper.transcribe(speech.audio)  // 22.05 kHz: the service resamples
            #expect(WordErrorRate.rate(reference: text, hypothesis: transcript.text) <= 0.125, "\(voice): \(transcript.text)")
        }
    }

    @Test("silence gives no words; empty audio gives an empty transcript without a request")
    func silence() async throws {
        let empty = try await Shared.whisper.transcribe(PCMAudio(samples: [], sampleRate: 16_000))
        #expect(empty.segments.isEmpty)
        let quiet = try await Shared.whisper.transcribe(PCMAudio(samples: Array(repeating: 0, count: 32_000), sampleRate: 16_000))
        #expect(quiet.segments.flatMap(\.words).count <= 1)
    }

    @Test("live turns decode greedily in their own lane: heard right, and not stuck behind an upload")
    func liveLane() async throws {
        let text = "What does your current process look like when a new lead comes in?"
        let line = try await Shared.espeak.synthesize(SpeechRequest(text: text, voiceID: "professional_male")).audio
        let upload = try await Shared.recordings.recording(SpeechCorpus.sentences, SpeechCorpus.conditions[0])
        let long = PCMAudio(samples: Array([[Float]](repeating: upload.audio.samples, count: 2).joined()), sampleRate: upload.audio.sampleRate)
        let finished = FinishOrder()
        let servedBefore = try await Self.servedLiveRequests()
        async let uploadDone: Void = {
            _ = try await Shared.whisper.transcribe(long)
            await finished.append("upload")
        }()
        // Only orders the requests; nothing here measures time.
        try await Task.sleep(for: .milliseconds(300))
        let heard = try await Shared.whisper.forLiveTurns.transcribe(line)
        await finished.append("live")
        try await uploadDone
        #expect(WordErrorRate.rate(reference: text, hypothesis: heard.text) <= 0.15, "\(heard.text)")
        // The encoder window is fitted to the line (the default for live turns); word times still fall inside it.
        let words = heard.segments.flatMap(\.words)
        #expect(words.count >= 10)
        #expect(words.allSatisfy { $0.start >= 0 && $0.start <= $0.end && $0.end <= line.duration + 0.05 }, "\(words)")
        // The upload holds one slot for its whole length; the live turn takes the other.
        #expect(await finished.order == ["live", "upload"])
        // The service counts what it decoded per lane (`parley bench live` reads this).
        #expect(try await Self.servedLiveRequests() >= servedBefore + 1)
    }

    /// The service's count of live requests decoded so far, from its `/health`.
    static func servedLiveRequests() async throws -> Int {
        let url = try await Shared.whisperService.endpoint().appendingPathComponent("health")
        let response = try await ProviderHTTP(provider: "embedded Whisper service", timeout: .seconds(10)).sendExpectingSuccess(.GET, url, headers: [])
        let health = try JSONSerialization.jsonObject(with: response.body) as? [String: Any]
        return try #require((health?["requests"] as? [String: Any])?["live"] as? Int)
    }

    @Test("the service refuses a beam size or priority it does not know, naming the field")
    func extensionFieldsAreValidated() async throws {
        let url = try await Shared.whisperService.endpoint()
        let tone = PCMAudio(samples: (0..<8_000).map { sin(Float($0) * 0.1) * 0.2 }, sampleRate: 16_000)
        for (field, value) in [("beam_size", "0"), ("beam_size", "wide"), ("priority", "urgent"), ("window", "tiny")] {
            var client = OpenAITranscriptionClient(baseURL: url, model: "tiny.en", provider: "embedded Whisper service")
            client.extensionFields = [(field, value)]
            do {
                _ = try await client.transcribe(tone)
                Issue.record("\(field)=\(value) was accepted")
            } catch SpeechError.providerError(_, let status, let message) {
                #expect(status == 400)
                #expect(message.contains(field), "\(message)")
            }
        }
    }

    @Test("a killed service is restarted and the next request succeeds")
    func restart() async throws {
        let service = Shared.whisperService
        _ = try await service.endpoint()
        let before = await service.launches
        #expect(await service.isHealthy())
        try await service.killForTesting()
        let text = "We can start with a small pilot for one region."
        let speech = try await Shared.espeak.synthesize(SpeechRequest(text: text, voiceID: "professional_male"))
        let transcript = try await Shared.whisper.transcribe(speech.audio)
        #expect(WordErrorRate.rate(reference: text, hypothesis: transcript.text) <= 0.2, "\(transcript.text)")
        #expect(await service.launches == before + 1)
        #expect(await service.isHealthy())
    }
}

/// The order in which concurrent requests finished.
actor FinishOrder {
    private(set) var order: [String] = []

    func append(_ name: String) { order.append(name) }
}

@Suite("recogniser unavailable")
struct UnavailableRecognizerTests {
    @Test("a missing interpreter is a typed 'unavailable' error, quickly")
    func missingPython() async throws {
        let recognizer = WhisperRecognizer(configuration: WhisperServiceConfiguration(
            python: "/nonexistent/python3", script: "/nonexistent/whisper_server.py"
        ))
        do {
            _ = try await recognizer.transcribe(PCMAudio(samples: [0.1, 0.2], sampleRate: 16_000))
            Issue.record("expected an error")
        } catch let error as SpeechError {
            guard case .serviceUnavailable = error else { Issue.record("wrong error \(error)"); return }
            guard case .serviceUnavailable = error.domainError else { Issue.record("wrong domain error"); return }
        }
    }

    @Test("a script that dies at start-up is reported with its message, and not restarted in a loop")
    func brokenScript() async throws {
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("broken-\(UUID()).py")
        try Data("import sys\nsys.stderr.write('model file is corrupt\\n')\nsys.exit(3)\n".utf8).write(to: script)
        defer { try? FileManager.default.removeItem(at: script) }
        let service = LocalSpeechService(command: WhisperServiceConfiguration(python: "/usr/bin/python3", script: script.path).command)
        var messages: [String] = []
        for _ in 0..<5 {
            do {
                _ = try await service.endpoint()
            } catch let error as SpeechError {
                messages.append(error.description)
            }
        }
        #expect(messages.count == 5)
        #expect(messages[0].contains("model file is corrupt"))
        #expect(messages.last?.contains("keeps exiting") == true)
        #expect(await service.launches == 3, "\(messages)")
    }

    @Test("an endpoint that never answers times out as 'unavailable'")
    func unreachable() async throws {
        // A listening socket that never accepts: connect succeeds at the kernel, no answer follows.
        let silent = try SilentListener()
        let client = OpenAITranscriptionClient(
            baseURL: URL(string: "http://127.0.0.1:\(silent.port)/v1")!, timeout: .milliseconds(500)
        )
        await #expect(throws: SpeechError.self) {
            _ = try await client.transcribe(PCMAudio(samples: [0.1], sampleRate: 16_000))
        }
        let closed = OpenAITranscriptionClient(baseURL: URL(string: "http://127.0.0.1:9/v1")!, timeout: .seconds(2))
        await #expect(throws: SpeechError.self) {
            _ = try await closed.transcribe(PCMAudio(samples: [0.1], sampleRate: 16_000))
        }
    }
}

/// A TCP socket that listens on a free loopback port and never accepts.
final class SilentListener: @unchecked Sendable {
    let descriptor: Int32
    let port: Int

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0, listen(fd, 1) == 0 else {
            close(fd)
            throw SpeechError.invalidRequest("could not listen")
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        descriptor = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(descriptor) }
}
