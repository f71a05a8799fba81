import ArgumentParser
import Foundation
import ParleyAudio
import ParleyDomain
import ParleySpeech

/// `parley bench speech`: word error rate and real-time factor per engine and voice, synthesis
/// speed, and the streaming delay from the end of an utterance to its final words.
struct BenchSpeech: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "speech",
        abstract: "Speech engines: WER and real-time factor per engine and voice; streaming end-of-utterance delay."
    )

    @Option(help: "Whisper beam sizes to compare (comma-separated).")
    var beams = "5,1"

    @Option(help: "Beam size used for the streaming measurement.")
    var streamingBeam = 1

    @Flag(help: "Skip the real-time streaming measurement (it plays the corpus in real time).")
    var noStreaming = false

    @Option(help: "Seconds of new speech between streaming partial results (0 turns partials off); comma-separated to compare.")
    var partialIntervals = "1,0"

    @Option(help: "Milliseconds of silence before the speculative recognition; comma-separated to compare.")
    var speculationMs = "100"

    @Flag(help: "Skip the live-turn comparison (each sentence alone, 30 s window against a fitted one).")
    var noLiveTurns = false

    func run() async throws {
        let located: WhisperServiceConfiguration
        do {
            located = try WhisperServiceConfiguration.locate()
        } catch {
            throw ValidationError(error.description)
        }
        print("corpus: \(SpeechCorpus.sentences.count) sales-call sentences per condition, espeak-ng, 0.8 s gaps, 16 kHz")
        try await synthesis()
        var recordings: [(SpeechCorpus.Condition, SpeechCorpus.Recording)] = []
        for condition in SpeechCorpus.conditions {
            recordings.append((condition, try await SpeechCorpus.record(SpeechCorpus.sentences, condition: condition)))
        }
        if let piper = try await piperSynthesis() { recordings.append(piper) }
        for beam in beams.split(separator: ",").compactMap({ Int($0.trimmingCharacters(in: .whitespaces)) }) {
            var configuration = located
            configuration.beamSize = beam
            let service = LocalSpeechService(command: configuration.command)
            let started = ContinuousClock.now
            try await service.start()
            print("\nrecognition: whisper \(configuration.model), beam \(beam), \(configuration.threads) threads (service start \(String(format: "%.1f", Self.seconds(ContinuousClock.now - started))) s)")
            print("  condition                                   WER     RTF   audio s")
            var errors = 0, words = 0
            for (condition, recording) in recordings {
                let recognizer = WhisperRecognizer(service: service, configuration: configuration)
                let begin = ContinuousClock.now
                let transcript = try await recognizer.transcribe(recording.audio)
                let elapsed = Self.seconds(ContinuousClock.now - begin)
                let reference = WordErrorRate.words(recording.text)
                let wrong = WordErrorRate.errors(reference: reference, hypothesis: WordErrorRate.words(transcript.text.replacingOccurrences(of: "\n", with: " ")))
                errors += wrong
                words += reference.count
                print("  " + Self.pad(condition.description, 40) + String(
                    format: " %6.3f  %6.3f  %6.1f",
                    Double(wrong) / Double(reference.count), elapsed / recording.audio.duration, recording.audio.duration
                ))
            }
            print("  " + Self.pad("all", 40) + String(format: " %6.3f", Double(errors) / Double(words)))
            if beam == streamingBeam, !noStreaming {
                let speculations = speculationMs.split(separator: ",").compactMap { Int64($0.trimmingCharacters(in: .whitespaces)) }
                let intervals = partialIntervals.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
                for speculation in speculations {
                  for interval in intervals {
                    var policy = StreamingPolicy()
                    policy.speculationDelay = .milliseconds(speculation)
                    policy.partialInterval = interval > 0 ? .milliseconds(Int64(interval * 1000)) : nil
                    try await streaming(
                        UtteranceStreamer(recognizer: WhisperRecognizer(service: service, configuration: configuration), policy: policy),
                        recordings: recordings.filter { !$0.0.telephone && $0.0.speed == 1 && $0.0.voiceID.hasPrefix("professional") }
                    )
                  }
                }
            }
            await service.stop()
        }
        if !noLiveTurns { try await liveTurns(located, recordings: recordings) }
    }

    /// Live turns as a role-play sends them: each sentence alone (with the silence around it),
    /// through the live lane (greedy), with Whisper's 30 s encoder window and with a fitted one.
    private func liveTurns(_ located: WhisperServiceConfiguration, recordings: [(SpeechCorpus.Condition, SpeechCorpus.Recording)]) async throws {
        let service = LocalSpeechService(command: located.command)
        try await service.start()
        defer { Task { await service.stop() } }
        for fits in [false, true] {
            var configuration = located
            configuration.fitsLiveWindow = fits
            let recognizer = WhisperRecognizer(service: service, configuration: configuration).forLiveTurns
            print("\nlive turns: each sentence alone, beam \(configuration.liveBeamSize), encoder window \(fits ? "fitted to the line" : "30 s")")
            print("  condition                                   WER   ms per line")
            var errors = 0, words = 0, lines = 0, seconds = 0.0
            for (condition, recording) in recordings {
                var conditionErrors = 0, conditionWords = 0, conditionSeconds = 0.0
                let rate = Double(recording.audio.sampleRate)
                for (sentence, span) in zip(SpeechCorpus.sentences, recording.spans) {
                    let from = max(0, Int((span.start - 0.2) * rate)), to = min(recording.audio.samples.count, Int((span.end + 0.3) * rate))
                    let line = PCMAudio(samples: Array(recording.audio.samples[from..<to]), sampleRate: recording.audio.sampleRate)
                    let begin = ContinuousClock.now
                    let transcript = try await recognizer.transcribe(line)
                    conditionSeconds += Self.seconds(ContinuousClock.now - begin)
                    let reference = WordErrorRate.words(sentence)
                    conditionErrors += WordErrorRate.errors(reference: reference, hypothesis: WordErrorRate.words(transcript.text))
                    conditionWords += reference.count
                }
                let count = min(SpeechCorpus.sentences.count, recording.spans.count)
                print("  " + Self.pad(condition.description, 40) + String(
                    format: " %6.3f  %6.0f", Double(conditionErrors) / Double(max(1, conditionWords)), conditionSeconds / Double(max(1, count)) * 1000))
                errors += conditionErrors
                words += conditionWords
                lines += count
                seconds += conditionSeconds
            }
            print("  " + Self.pad("all", 40) + String(format: " %6.3f  %6.0f", Double(errors) / Double(max(1, words)), seconds / Double(max(1, lines)) * 1000))
        }
    }

    /// espeak-ng synthesis speed per voice: seconds of speech made per second of work.
    private func synthesis() async throws {
        let synthesizer = EspeakSynthesizer()
        let text = SpeechCorpus.sentences.joined(separator: " ")
        print("\nsynthesis: espeak-ng in process (whole corpus text, \(text.count) characters)")
        print("  voice                 RTF    audio s   first sentence ms")
        for voice in synthesizer.voiceIDs {
            let begin = ContinuousClock.now
            let speech = try await synthesizer.synthesize(SpeechRequest(text: text, voiceID: voice))
            let elapsed = Self.seconds(ContinuousClock.now - begin)
            let streamBegin = ContinuousClock.now
            var firstPiece = 0.0
            for try await _ in synthesizer.stream(SpeechRequest(text: text, voiceID: voice)) {
                firstPiece = Self.seconds(ContinuousClock.now - streamBegin)
                break
            }
            print("  " + Self.pad(voice, 20) + String(format: " %6.3f  %7.1f   %6.1f", elapsed / speech.audio.duration, speech.audio.duration, firstPiece * 1000))
        }
        let mp3Speech = try await synthesizer.synthesize(SpeechRequest(text: text, voiceID: "professional_female"))
        let begin = ContinuousClock.now
        _ = try SpeechAudioFormat.mp3.encode(mp3Speech.audio)
        print(String(format: "  mp3 encoding (LAME, 64 kb/s) RTF %.4f", Self.seconds(ContinuousClock.now - begin) / mp3Speech.audio.duration))
    }

    /// piper's synthesis speed, and its corpus for recognition (skipped when piper is not installed).
    private func piperSynthesis() async throws -> (SpeechCorpus.Condition, SpeechCorpus.Recording)? {
        guard let command = try? PiperSynthesizer.command() else { return nil }
        let piper = PiperSynthesizer(service: LocalSpeechService(command: command))
        defer { Task { await piper.service.stop() } }
        let started = ContinuousClock.now
        try await piper.service.start()
        let text = SpeechCorpus.sentences.joined(separator: " ")
        let begin = ContinuousClock.now
        let speech = try await piper.synthesize(SpeechRequest(text: text, voiceID: "professional_male"))
        let elapsed = Self.seconds(ContinuousClock.now - begin)
        print("  " + Self.pad("piper (joe, service)", 20) + String(
            format: " %6.3f  %7.1f   (service start %.1f s)", elapsed / speech.audio.duration, speech.audio.duration,
            Self.seconds(begin - started)
        ))
        let condition = SpeechCorpus.Condition(voiceID: "professional_male", speed: 1.0)
        var recording = try await SpeechCorpus.record(SpeechCorpus.sentences, condition: condition, synthesizer: piper)
        recording.text = SpeechCorpus.sentences.joined(separator: " ")
        return (SpeechCorpus.Condition(voiceID: "piper joe", speed: 1.0), recording)
    }

    /// Plays each recording in real time in 20 ms chunks and times, per sentence, the delay from
    /// the end of its speech to the final result covering it.
    private func streaming(_ streamer: UtteranceStreamer, recordings: [(SpeechCorpus.Condition, SpeechCorpus.Recording)]) async throws {
        let policy = streamer.policy
        print("\nstreaming: real-time playback in 20 ms chunks, endpoint \(policy.endpointSilence), speculation after \(policy.speculationDelay), partials every \(policy.partialInterval.map { "\($0)" } ?? "(off)")")
        var delays: [Double] = []
        for (condition, recording) in recordings {
            let chunk = recording.audio.sampleRate / 50
            let start = ContinuousClock.now
            let (stream, continuation) = AsyncStream<PCMAudio>.makeStream()
            let feeder = Task {
                for (index, offset) in stride(from: 0, to: recording.audio.samples.count, by: chunk).enumerated() {
                    try await Task.sleep(until: start + .milliseconds(20 * (index + 1)), clock: .continuous)
                    continuation.yield(PCMAudio(samples: Array(recording.audio.samples[offset..<min(offset + chunk, recording.audio.samples.count)]), sampleRate: recording.audio.sampleRate))
                }
                continuation.finish()
            }
            var finals: [(segment: TranscriptSegment, at: Double)] = []
            var partials = 0
            for try await event in streamer.recognize(stream) {
                if event.isFinal {
                    finals.append((event.segment, Self.seconds(ContinuousClock.now - start)))
                } else {
                    partials += 1
                }
            }
            _ = try await feeder.value
            var local: [Double] = []
            for span in recording.spans {
                // The final whose utterance contains the end of this sentence's speech.
                guard let final = finals.first(where: { ($0.segment.start ?? 0) <= span.end && ($0.segment.end ?? 0) >= span.end - 0.05 }) else { continue }
                // Audio up to span.end is available once the chunk holding it has been sent.
                let available = (span.end / 0.02).rounded(.up) * 0.02
                local.append(final.at - available)
            }
            delays += local
            let text = finals.map(\.segment.text).joined(separator: " ")
            print("  " + Self.pad(condition.description, 28) + String(
                format: " finals %2d, partials %3d, WER %.3f, delay p50 %4.0f ms, p95 %4.0f ms", finals.count, partials,
                WordErrorRate.rate(reference: recording.text, hypothesis: text),
                Self.percentile(local, 0.5) * 1000, Self.percentile(local, 0.95) * 1000
            ))
        }
        print(String(format: "  all: %d utterance ends, end of speech → final words p50 %.0f ms, p95 %.0f ms", delays.count, Self.percentile(delays, 0.5) * 1000, Self.percentile(delays, 0.95) * 1000))
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func percentile(_ values: [Double], _ p: Double) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
    }
}
