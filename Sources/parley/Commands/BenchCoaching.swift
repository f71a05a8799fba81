#if canImport(ParleyServer)
import ArgumentParser
import Foundation
import ParleyAudio
import ParleyServer
import ParleySpeech
import Vapor

/// `parley bench coaching`: upload-to-results time for a long recording, and sessions processed
/// per hour, through a real in-process server (SQLite in a temporary directory, embedded engines).
struct BenchCoaching: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coaching",
        abstract: "Speech Coaching: upload complete → results for a long recording; sessions per hour."
    )

    @ArgumentParser.Option(help: "Minutes of speech in the long recording.")
    var minutes = 5.0

    @ArgumentParser.Option(help: "Recordings uploaded at once for the throughput run.")
    var sessions = 4

    @ArgumentParser.Option(help: "Seconds of speech in each throughput recording.")
    var sessionSeconds = 60.0

    @ArgumentParser.Option(help: "In-process job runners (PARLEY_WORKERS).")
    var workers = 2

    static let paragraph = """
        Good morning everyone, and thank you for joining today's quarterly review. I want to walk you through \
        three things: where we landed against our targets, what we learned from our customers, and what we plan \
        to change next quarter. Overall we grew revenue in every region, and the strongest growth came from \
        renewals. Customers told us that onboarding still takes too long, so we will simplify the first week. \
        Um, before we move on, are there any questions about the numbers so far?
        """

    func run() async throws {
        try await InProcessServer.run(workers: workers) { app in try await measure(app) }
    }

    func measure(_ app: Application) async throws {
        let base = app.parley.publicURL
        let token = try await ParleyApplication.identity(app)
            .register(email: "bench@example.com", password: "bench-password-1", firstName: "Bench", lastName: "Mark", company: nil).accessToken
        print("making speech with espeak-ng …")
        let long = try await speech(seconds: minutes * 60)
        let short = try await speech(seconds: sessionSeconds)
        // Warm the recogniser (its service loads the model on first use) so the timing is steady-state.
        _ = try await process([short], app: app, base: base, token: token)

        print(String(format: "\n1. one recording of %.1f min (%.1f MiB WAV), %d runner(s)", Double(long.duration) / 60, Double(long.wav.count) / 1_048_576, workers))
        let single = try await process([long], app: app, base: base, token: token)
        let seconds = single.perSession[0]
        print(String(format: "   upload complete → results available: %.1f s (real-time factor %.3f)", seconds, seconds / long.duration))
        for (stage, time) in single.stages.sorted(by: { $0.value < $1.value }) {
            print(String(format: "     %-14@ reached after %.1f s", stage as NSString, time))
        }

        print(String(format: "\n2. throughput: %d recordings of %.0f s uploaded together, %d runner(s)", sessions, short.duration, workers))
        let batch = try await process(Array(repeating: short, count: sessions), app: app, base: base, token: token)
        let audioSeconds = Double(sessions) * short.duration
        let processingPerAudioSecond = batch.wall / audioSeconds
        print(String(format: "   all results after %.1f s: %.2f s of processing per second of audio", batch.wall, processingPerAudioSecond))
        print(String(format: "   = %.0f sessions of %.0f s per hour; %.0f five-minute sessions per hour", 3600 / batch.wall * Double(sessions), short.duration, 3600 / (processingPerAudioSecond * 300)))
    }

    struct Recording {
        var wav: Data
        var duration: Double
    }

    func speech(seconds: Double) async throws -> Recording {
        let synthesizer = EspeakSynthesizer()
        var samples: [Float] = []
        var rate = 16_000
        var index = 0
        while Double(samples.count) / Double(rate) < seconds {
            let part = try await synthesizer.synthesize(SpeechRequest(text: Self.paragraph, voiceID: index % 2 == 0 ? "professional_male" : "professional_female"))
            rate = part.audio.sampleRate
            samples += part.audio.samples + [Float](repeating: 0, count: rate / 2)
            index += 1
        }
        samples = Array(samples.prefix(Int(seconds * Double(rate))))
        return Recording(wav: WAVFile.encode(PCMAudio(samples: samples, sampleRate: rate)), duration: Double(samples.count) / Double(rate))
    }

    struct Outcome {
        var wall: Double
        var perSession: [Double]
        var stages: [String: Double]
    }

    /// Creates and uploads the recordings, then polls until every one has results.
    func process(_ recordings: [Recording], app: Application, base: String, token: String) async throws -> Outcome {
        var ids: [String] = []
        var uploaded: [ContinuousClock.Instant] = []
        for (index, recording) in recordings.enumerated() {
            let created = try await app.client.post(URI(string: "\(base)/coaching/sessions"), headers: ["Authorization": "Bearer \(token)"]) {
                try $0.content.encode(["title": "Bench \(index)"], as: .json)
            }
            guard let id = try? created.content.get(String.self, at: "data", "session", "id") else {
                throw ValidationError("could not create a session: \(created.status)")
            }
            let boundary = "bench-\(UUID().uuidString)"
            var body = ByteBuffer()
            body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"talk.wav\"\r\nContent-Type: audio/wav\r\n\r\n")
            body.writeBytes(recording.wav)
            body.writeString("\r\n--\(boundary)--\r\n")
            let response = try await app.client.post(URI(string: "\(base)/coaching/sessions/\(id)/upload"), headers: [
                "Authorization": "Bearer \(token)", "Content-Type": "multipart/form-data; boundary=\(boundary)",
            ]) { $0.body = body }
            guard response.status == .created else { throw ValidationError("upload failed: \(response.status) \(response.body.map { String(buffer: $0) } ?? "")") }
            ids.append(id)
            uploaded.append(.now)
        }
        let start = uploaded.first ?? .now
        var done: [String: Double] = [:]
        var stages: [String: Double] = [:]
        while done.count < ids.count {
            try await Task.sleep(for: .milliseconds(100))
            for (index, id) in ids.enumerated() where done[id] == nil {
                let response = try await app.client.get(URI(string: "\(base)/coaching/sessions/\(id)"), headers: ["Authorization": "Bearer \(token)"])
                let status = try? response.content.get(String.self, at: "data", "session", "status")
                if ids.count == 1, let stage = try? response.content.get(String.self, at: "data", "session", "processing", "stage"), stages[stage] == nil {
                    stages[stage] = seconds(since: uploaded[index])
                }
                if status == "completed" { done[id] = seconds(since: uploaded[index]) }
                if status == "failed" { throw ValidationError("session \(id) failed") }
            }
        }
        return Outcome(wall: seconds(since: start), perSession: ids.map { done[$0] ?? 0 }, stages: stages)
    }

    func seconds(since instant: ContinuousClock.Instant) -> Double {
        InProcessServer.seconds(since: instant)
    }
}
#endif
