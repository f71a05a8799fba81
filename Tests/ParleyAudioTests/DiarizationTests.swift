import Foundation
import ParleyDomain
import Testing
@testable import ParleyAudio

/// A field visit spoken by two espeak-ng voices taking turns, so who spoke when is known exactly.
///
/// The bounds come from the same conversation made with the espeak-ng command line (the same
/// library) and the same algorithm: batch error 0.0 (5% allowed), live labels all right (2 of 18
/// lines allowed wrong). Held-out voice pairs of other scripts measured 0–0.6% when the two voices
/// differ; two near-identical voices (espeak's en-us and en-gb, or one voice twice) are one speaker.
@Suite("Speaker diarisation")
struct DiarizationTests {
    static let lines = [
        "Hello, I'm from the appliance service. You booked a visit for the washing machine?",
        "Yes, thanks for coming. It stops halfway through the cycle and shows an error code.",
        "Which code does it show?",
        "E twenty one, I think. It blinks for a while and then the drum stops.",
        "That usually means the water is not draining. Have you cleaned the filter at the front?",
        "No, I didn't know there was one.",
        "It's behind this small panel. Let me put a towel down first.",
        "Okay.",
        "There we go, it was full of fluff and a couple of coins. That would block the pump.",
        "Oh dear, that's embarrassing.",
        "It happens all the time. I'll run a rinse cycle to check the pump is working properly.",
        "How long will that take?",
        "About ten minutes. Meanwhile I'll check the hose behind the machine for kinks.",
        "I moved the machine last month when we painted the kitchen.",
        "That explains it, the hose was squashed against the wall. I've straightened it.",
        "Great. Is there anything I should do to stop this happening again?",
        "Clean the filter every couple of months, and keep the machine a few inches from the wall.",
        "I will. Thank you so much.",
    ]
    /// A separate sample of one voice, as a technician would record once to enrol.
    static let enrolment =
        "This is my voice for the enrolment sample. I am usually at home on weekday mornings, and I prefer a call before a visit."
    /// Silence after each line, cycled.
    static let gaps = [0.45, 0.8, 0.35, 0.6, 1.0]
    static let technician = "professional_male"  // en-us+m3
    static let customer = "professional_female"  // en-us+f2

    struct Line {
        var start: Double
        var end: Double
        var speaker: Int
    }

    struct Conversation {
        var audio: PCMAudio
        /// Every line where it sounds; speaker 0 spoke first.
        var lines: [Line]
    }

    /// One line of espeak-ng speech without its leading and trailing silence, and its sample rate.
    static func speech(_ text: String, voice: String) async throws -> (samples: [Float], rate: Int) {
        let audio = try await Espeak.speak(text, wordsPerMinute: 175, voiceID: voice).audio
        let samples = audio.samples
        guard let first = samples.firstIndex(where: { abs($0) > 0.003 }),
            let last = samples.lastIndex(where: { abs($0) > 0.003 })
        else { return ([], audio.sampleRate) }
        return (Array(samples[first...last]), audio.sampleRate)
    }

    /// The script, line `i` spoken by `voices[i % 2]`, after half a second of silence.
    static func conversation(voices: [String]) async throws -> Conversation {
        var samples: [Float] = []
        var lines: [Line] = []
        var rate = 0
        for (index, text) in Self.lines.enumerated() {
            let line = try await speech(text, voice: voices[index % 2])
            rate = line.rate
            if index == 0 { samples = [Float](repeating: 0, count: Int(0.5 * Double(rate))) }
            lines.append(Line(
                start: Double(samples.count) / Double(rate), end: Double(samples.count + line.samples.count) / Double(rate),
                speaker: index % 2))
            samples += line.samples
            samples += [Float](repeating: 0, count: Int(gaps[index % gaps.count] * Double(rate)))
        }
        return Conversation(audio: PCMAudio(samples: samples, sampleRate: rate), lines: lines)
    }

    /// Diarisation error on 10 ms frames: the share of the speech that both the truth and the
    /// turns cover (missed speech left out) given to the wrong speaker; `mapped` also tries the
    /// speakers the other way round and keeps the better.
    static func errorRate(_ turns: [SpeakerTurn], truth: [Line], mapped: Bool = false) -> Double {
        let frames = Int(max(truth.map(\.end).max() ?? 0, turns.map(\.end).max() ?? 0) * 100) + 2
        var expected = [Int](repeating: -1, count: frames)
        var found = [Int](repeating: -1, count: frames)
        func frame(_ seconds: Double) -> Int { min(frames, max(0, Int((seconds * 100).rounded()))) }
        for line in truth { for index in frame(line.start)..<frame(line.end) { expected[index] = line.speaker } }
        for turn in turns { for index in frame(turn.start)..<frame(turn.end) { found[index] = turn.speaker } }
        var both = 0
        var wrong = 0
        var swapped = 0
        for (speaker, label) in zip(expected, found) where speaker >= 0 && label >= 0 {
            both += 1
            if speaker != label { wrong += 1 }
            if speaker != 1 - label { swapped += 1 }
        }
        guard both > 0 else { return 1 }
        return Double(mapped ? min(wrong, swapped) : wrong) / Double(both)
    }

    /// Turns are sorted, non-overlapping, inside the recording, and name speaker 0 or 1.
    static func checkShape(_ turns: [SpeakerTurn], of audio: PCMAudio) {
        for turn in turns {
            #expect(turn.start >= 0 && turn.end > turn.start && turn.end <= audio.duration + 0.01)
            #expect(turn.speaker == 0 || turn.speaker == 1)
        }
        for (previous, next) in zip(turns, turns.dropFirst()) { #expect(previous.end <= next.start) }
    }

    @Test("two voices: under 5% of the speech to the wrong speaker, and speaker 0 is whoever spoke first")
    func twoVoices() async throws {
        let conversation = try await Self.conversation(voices: [Self.technician, Self.customer])
        let turns = SpeakerDiarizer.diarize(conversation.audio, reference: nil)
        Self.checkShape(turns, of: conversation.audio)
        #expect(Set(turns.map(\.speaker)) == [0, 1])
        #expect(turns.first?.speaker == 0)
        let error = Self.errorRate(turns, truth: conversation.lines)
        #expect(error < 0.05, "error without mapping \(error)")
        #expect(Self.errorRate(turns, truth: conversation.lines, mapped: true) < 0.05)
        // Turns cover the speech: most of every line lies in some turn.
        let covered = conversation.lines.filter { line in
            turns.reduce(0) { $0 + max(0, min(line.end, $1.end) - max(line.start, $1.start)) } > 0.8 * (line.end - line.start)
        }
        #expect(covered.count >= conversation.lines.count - 1, "\(covered.count) of \(conversation.lines.count) lines covered")
        // A voiceprint of another recipe is ignored, not misread.
        let foreign = Voiceprint(version: Voiceprint.currentVersion + 1, features: [1, 2, 3], voicedSeconds: 9)
        #expect(SpeakerDiarizer.diarize(conversation.audio, reference: foreign) == turns)
    }

    @Test("with the second voice enrolled from a separate sample, speaker 0 is that voice")
    func enrolledReference() async throws {
        let conversation = try await Self.conversation(voices: [Self.technician, Self.customer])
        let sample = try await Self.speech(Self.enrolment, voice: Self.customer)
        let voiceprint = try #require(SpeakerDiarizer.voiceprint(of: PCMAudio(samples: sample.samples, sampleRate: sample.rate)))
        #expect(voiceprint.features.count == VoicedSpeech.dimensions)
        #expect(voiceprint.voicedSeconds >= 2)
        // It is stored as JSON for an enrolled technician: it must come back the same.
        let stored = try JSONDecoder().decode(Voiceprint.self, from: JSONEncoder().encode(voiceprint))
        #expect(stored == voiceprint)

        let turns = SpeakerDiarizer.diarize(conversation.audio, reference: stored)
        Self.checkShape(turns, of: conversation.audio)
        let flipped = conversation.lines.map { Line(start: $0.start, end: $0.end, speaker: 1 - $0.speaker) }
        let error = Self.errorRate(turns, truth: flipped)
        #expect(error < 0.05, "error with the customer enrolled as speaker 0: \(error)")
        #expect(turns.first?.speaker == 1, "the technician speaks first and is now the other speaker")
    }

    @Test("one voice throughout is one speaker")
    func oneVoice() async throws {
        let conversation = try await Self.conversation(voices: [Self.technician, Self.technician])
        let turns = SpeakerDiarizer.diarize(conversation.audio, reference: nil)
        Self.checkShape(turns, of: conversation.audio)
        #expect(!turns.isEmpty)
        #expect(turns.allSatisfy { $0.speaker == 0 }, "speakers found: \(Set(turns.map(\.speaker)))")
        let speech = conversation.lines.reduce(0) { $0 + $1.end - $1.start }
        #expect(turns.reduce(0) { $0 + $1.end - $1.start } > 0.8 * speech)
    }

    @Test("silence, empty audio and too little speech give no turns, no voiceprint and no crash")
    func nothingToDiarise() async throws {
        let empty = PCMAudio(samples: [], sampleRate: 16_000)
        let silence = PCMAudio(samples: Signals.silence(3), sampleRate: 16_000)
        let noRate = PCMAudio(samples: Signals.tone(150, seconds: 1), sampleRate: 0)
        for audio in [empty, silence, noRate] {
            #expect(SpeakerDiarizer.diarize(audio, reference: nil) == [])
            #expect(SpeakerDiarizer.voiceprint(of: audio) == nil)
        }
        let word = try await Self.speech("Yes.", voice: Self.customer)
        #expect(SpeakerDiarizer.voiceprint(of: PCMAudio(samples: word.samples, sampleRate: word.rate)) == nil)
        // A few seconds of speech is one speaker: too little to tell two voices apart.
        let short = PCMAudio(samples: word.samples + [Float](repeating: 0, count: word.rate) + word.samples, sampleRate: word.rate)
        #expect(SpeakerDiarizer.diarize(short, reference: nil).allSatisfy { $0.speaker == 0 })

        var labeller = LiveSpeakerLabeller(reference: nil)
        #expect(labeller.label(empty) == 0)
        #expect(labeller.label(silence) == 0)
        #expect(([SpeakerTurn]()).speaker(from: 0, to: 1) == nil)
    }

    @Test("live: each line labelled as it comes, at most 2 of 18 wrong, with and without an enrolled voice")
    func live() async throws {
        let conversation = try await Self.conversation(voices: [Self.technician, Self.customer])
        let audio = conversation.audio
        let rate = Double(audio.sampleRate)
        // Each line as a recogniser would hand it over: with 0.2 s of the silence around it, at 16 kHz.
        let utterances = conversation.lines.map { line in
            let lower = max(0, Int(line.start * rate) - Int(0.2 * rate))
            let upper = min(audio.samples.count, Int(line.end * rate) + Int(0.2 * rate))
            return PCMAudio(samples: Array(audio.samples[lower..<upper]), sampleRate: audio.sampleRate).forAnalysis()
        }

        var labeller = LiveSpeakerLabeller(reference: nil)
        let labels = utterances.map { labeller.label($0) }
        #expect(labels.first == 0)
        let wrong = zip(labels, conversation.lines).filter { $0 != $1.speaker }.count
        #expect(wrong <= 2, "labels \(labels)")

        let sample = try await Self.speech(Self.enrolment, voice: Self.customer)
        let voiceprint = try #require(SpeakerDiarizer.voiceprint(of: PCMAudio(samples: sample.samples, sampleRate: sample.rate)))
        var enrolled = LiveSpeakerLabeller(reference: voiceprint)
        let enrolledLabels = utterances.map { enrolled.label($0) }
        let enrolledWrong = zip(enrolledLabels, conversation.lines).filter { $0 != 1 - $1.speaker }.count
        #expect(enrolledWrong <= 2, "labels with the customer enrolled \(enrolledLabels)")
    }

    @Test("the speaker of a stretch is whoever holds most of it")
    func speakerOfStretch() {
        let turns = [
            SpeakerTurn(start: 0, end: 2, speaker: 0), SpeakerTurn(start: 2.5, end: 3, speaker: 1),
            SpeakerTurn(start: 3, end: 6, speaker: 0),
        ]
        #expect(turns.speaker(from: 0.5, to: 1.5) == 0)
        #expect(turns.speaker(from: 1.8, to: 3.1) == 1)
        #expect(turns.speaker(from: 1.0, to: 3.2) == 0)
        #expect(turns.speaker(from: 2.1, to: 2.4) == nil)
        #expect(turns.speaker(from: 7, to: 8) == nil)
        #expect(turns.speaker(from: 2.7, to: 2.7) == 1)
    }

    @Test("the real FFT's power spectrum matches a direct DFT")
    func fft() {
        var random = Signals.Random(seed: 5)
        let input = (0..<64).map { _ in random.gaussian() }
        let fft = RealFFT(size: 64)
        var power = [Double](repeating: 0, count: 33)
        var re = [Double](repeating: 0, count: 32)
        var im = [Double](repeating: 0, count: 32)
        fft.powerSpectrum(input, into: &power, re: &re, im: &im)
        for k in 0...32 {
            var real = 0.0
            var imaginary = 0.0
            for (n, x) in input.enumerated() {
                real += x * cos(2 * Double.pi * Double(k * n) / 64)
                imaginary -= x * sin(2 * Double.pi * Double(k * n) / 64)
            }
            let expected = real * real + imaginary * imaginary
            #expect(abs(power[k] - expected) <= 1e-9 * max(1, expected), "bin \(k): \(power[k]) vs \(expected)")
        }
    }
}
