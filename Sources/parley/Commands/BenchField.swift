#if canImport(ParleyServer)
import ArgumentParser
import Foundation
import NIOConcurrencyHelpers
import ParleyAudio
import ParleyCore
import ParleyDomain
import ParleyServer
import Vapor

/// `parley bench field`: Field Intelligence on this machine, through the running server. Visits
/// are spoken by two espeak-ng voices (technician and customer, so the truth of who spoke when
/// is known) and uploaded as 5-second WAV chunks over HTTP:
/// - live: growing numbers of conversations recorded at once in real time, and for each the
///   delay from a chunk's arrival to the final segment of the words it carried (p50/p95); the
///   most a machine holds is the largest number whose p95 stays under the limit;
/// - the diarisation error rate of whole visits (speech given to the wrong speaker);
/// - a long visit (15 minutes by default) from stop to analysed.
struct BenchField: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "field",
        abstract: "Field Intelligence: chunk-to-segment delay p50/p95, live conversations held, diarisation error, stop-to-analysed of a long visit."
    )

    @ArgumentParser.Option(parsing: .upToNextOption, help: "Numbers of live conversations to record at once.")
    var sizes: [Int] = [1, 2, 4, 6]

    @ArgumentParser.Option(help: "Seconds each live conversation records.")
    var liveSeconds = 60.0

    @ArgumentParser.Option(help: "Delay p95 a size must stay under (seconds).")
    var limit = 5.0

    @ArgumentParser.Option(help: "Minutes of the long visit timed from stop to analysed (0 skips it).")
    var visitMinutes = 15.0

    static let technicianVoice = "en-gb+m2"
    static let customerVoice = "en-us+f4"
    static let lines: [(technician: Bool, text: String)] = [
        (true, "Good morning, I'm here from the service company to look at your air handler and the rooftop unit."),
        (false, "Thanks for coming. It has been making a rattling noise for about two weeks now, mostly in the afternoon."),
        (true, "Alright. When did it last have a full service, do you remember who did it?"),
        (false, "Honestly I can't remember the last service, nobody checks it unless it breaks down."),
        (true, "I see. I'll check the belts, the bearings and the filters first, then the refrigerant pressure."),
        (false, "Our energy bills have gone through the roof this summer, is that related to this?"),
        (true, "It could be. A clogged filter and a worn belt make the motor work much harder than it should."),
        (false, "How much would it cost to replace the whole unit? It's the original one from when they built the place."),
        (true, "I'd have to check with the office, I'm not sure of the current prices for that model."),
        (false, "Okay. We are also adding a second floor next year, so we will need more cooling up there."),
        (true, "That is good to know. I will write it up and send you a quote by Friday with a few options."),
        (false, "That would be great. You've been very clear and thorough today, I appreciate it."),
    ]

    func run() async throws {
        try await InProcessServer.run(workers: 2) { app in try await measure(app) }
    }

    /// A visit spoken by the two voices, long enough for `seconds`, with who spoke when.
    struct Visit {
        var audio: PCMAudio
        var truth: [(start: Double, end: Double, technician: Bool)]
    }

    static func speak(_ text: String, voice: String) throws -> PCMAudio {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("bench-field-\(UUID().uuidString.prefix(8)).wav")
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/espeak-ng")
        process.arguments = ["-v", voice, "-s", "160", "-w", file.path, text]
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return try WAVFile.decode(Data(contentsOf: file)).resampled(to: PCMAudio.analysisSampleRate)
    }

    static func visit(seconds: Double) throws -> Visit {
        let spoken = try lines.map { try speak($0.text, voice: $0.technician ? technicianVoice : customerVoice) }
        let rate = Double(PCMAudio.analysisSampleRate)
        let pause = [Float](repeating: 0, count: Int(rate * 0.7))
        var samples: [Float] = []
        var truth: [(start: Double, end: Double, technician: Bool)] = []
        var index = 0
        while Double(samples.count) / rate < seconds {
            let line = spoken[index % spoken.count]
            let start = Double(samples.count) / rate
            samples += line.samples
            truth.append((start, Double(samples.count) / rate, lines[index % lines.count].technician))
            samples += pause
            index += 1
        }
        return Visit(audio: PCMAudio(samples: samples, sampleRate: PCMAudio.analysisSampleRate), truth: truth)
    }

    /// Speech time given to the wrong speaker over speech time found, speaker 0 taken as the technician.
    static func errorRate(_ turns: [SpeakerTurn], truth: [(start: Double, end: Double, technician: Bool)]) -> Double {
        var wrong = 0.0
        var found = 0.0
        for line in truth {
            for turn in turns {
                let overlap = min(line.end, turn.end) - max(line.start, turn.start)
                guard overlap > 0 else { continue }
                found += overlap
                if (turn.speaker == 0) != line.technician { wrong += overlap }
            }
        }
        return found > 0 ? wrong / found : 1
    }

    static func chunks(of audio: PCMAudio, seconds: Double = 5) -> [Data] {
        let size = Int(seconds) * PCMAudio.analysisSampleRate
        return stride(from: 0, to: audio.samples.count, by: size).map {
            WAVFile.encode(PCMAudio(samples: Array(audio.samples[$0..<min(audio.samples.count, $0 + size)]), sampleRate: PCMAudio.analysisSampleRate))
        }
    }

    func measure(_ app: Application) async throws {
        let (organization, _, token) = try await InProcessServer.account(app, bench: "Field", role: .user)
        let client = FieldClient(app: app, base: app.parley.publicURL + "/v1", token: token, organizationID: organization.id)
        print("Field Intelligence, \(ProcessInfo.processInfo.activeProcessorCount) cores; recogniser \(app.parley.speech.liveRecognizer.name) live, \(app.parley.speech.recognizer.name) batch")
        print("Voices: technician \(Self.technicianVoice), customer \(Self.customerVoice); 5-second WAV chunks over HTTP\n")

        // Diarisation error on whole visits of growing length.
        print(String(format: "%-14@ %12@ %14@", "visit" as NSString, "error rate" as NSString, "seconds/min" as NSString))
        for minutes in [1.0, 3.0, 10.0] {
            let visit = try Self.visit(seconds: minutes * 60)
            let started = ContinuousClock.now
            let turns = SpeakerDiarizer.diarize(visit.audio, reference: nil)
            let elapsed = InProcessServer.seconds(since: started)
            print(String(format: "%-14@ %12.3f %14.3f", "\(Int(minutes)) min" as NSString, Self.errorRate(turns, truth: visit.truth), elapsed / minutes))
        }

        // Live conversations at once, each recording in real time.
        let live = try Self.visit(seconds: liveSeconds)
        let pieces = Self.chunks(of: live.audio)
        print("\nLive: \(Int(liveSeconds)) s each, chunks paced in real time")
        print(String(format: "%6@ %10@ %10@ %10@ %10@ %10@", "live" as NSString, "p50 (s)" as NSString, "p95 (s)" as NSString,
                     "max (s)" as NSString, "segments" as NSString, "RSS (MiB)" as NSString))
        var held = 0
        for size in sizes {
            let delays = NIOLockedValueBox<[Double]>([])
            let peak = NIOLockedValueBox(Memory.resident())
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<size {
                    group.addTask {
                        let found = try await client.record(pieces, paced: true, app: app)
                        delays.withLockedValue { $0 += found }
                        peak.withLockedValue { $0 = max($0, Memory.resident()) }
                    }
                }
                try await group.waitForAll()
            }
            let sorted = delays.withLockedValue { $0 }.sorted()
            let p95 = BenchLeads.percentile(sorted, 0.95)
            print(String(format: "%6d %10.2f %10.2f %10.2f %10d %10.0f", size, BenchLeads.percentile(sorted, 0.5), p95, sorted.last ?? 0, sorted.count,
                         peak.withLockedValue { $0 }))
            if p95 < limit, !sorted.isEmpty { held = size }
        }
        print("Held with chunk-to-final-segment p95 under \(limit) s: \(held) live conversations")

        guard visitMinutes > 0 else { return }
        let long = try Self.visit(seconds: visitMinutes * 60)
        let started = ContinuousClock.now
        let (conversation, _) = try await client.recordAndWait(Self.chunks(of: long.audio), app: app)
        let heard = InProcessServer.seconds(since: started)
        let stopped = ContinuousClock.now
        try await client.stop(conversation)
        let status = try await client.waitUntilAnalysed(conversation)
        let analysed = InProcessServer.seconds(since: stopped)
        print(String(format: "\nA %.0f-minute visit: uploaded at once and heard live in %.0f s (live real-time factor %.2f); stop to %@ in %.1f s (real-time factor %.3f)",
                     visitMinutes, heard, heard / (visitMinutes * 60), status as NSString, analysed, analysed / (visitMinutes * 60)))
    }
}

/// The bench's technician, speaking HTTP to the server and listening on its realtime topics.
struct FieldClient: Sendable {
    let app: Application
    let base: String
    let token: String
    let organizationID: UUID

    var headers: HTTPHeaders { ["Authorization": "Bearer \(token)"] }

    func start() async throws -> String {
        let started = try await app.client.post(URI(string: "\(base)/conversations/start"), headers: headers) { try $0.content.encode(["customer_name": "Bench"]) }
        guard let id = try? started.content.get(String.self, at: "conversation_id") else { throw ValidationError("start failed: \(started.status)") }
        return id
    }

    func upload(_ conversation: String, sequence: Int, _ chunk: Data) async throws {
        let boundary = "bench-\(UUID().uuidString)"
        var body = ByteBuffer()
        body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"sequence\"\r\n\r\n\(sequence)\r\n")
        body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"chunk\"; filename=\"c.wav\"\r\nContent-Type: audio/wav\r\n\r\n")
        body.writeBytes(chunk)
        body.writeString("\r\n--\(boundary)--\r\n")
        let sent = body
        let answer = try await app.client.post(URI(string: "\(base)/conversations/\(conversation)/upload-audio"), headers: [
            "Authorization": "Bearer \(token)", "Content-Type": "multipart/form-data; boundary=\(boundary)",
        ]) { $0.body = sent }
        guard answer.status == .created || answer.status == .ok else { throw ValidationError("chunk failed: \(answer.status)") }
    }

    func stop(_ conversation: String) async throws {
        let stopped = try await app.client.post(URI(string: "\(base)/conversations/\(conversation)/stop"), headers: headers)
        guard stopped.status == .ok else { throw ValidationError("stop failed: \(stopped.status)") }
    }

    func waitUntilAnalysed(_ conversation: String) async throws -> String {
        while true {
            let read = try await app.client.get(URI(string: "\(base)/conversations/\(conversation)"), headers: headers)
            let status = (try? read.content.get(String.self, at: "status")) ?? ""
            if status != "processing" { return status }
            try await Task.sleep(for: .milliseconds(250))
        }
    }

    /// Records chunks (paced in real time or all at once) and returns, for each final segment, the
    /// seconds from the arrival of the chunk that carried its last words to the segment.
    func record(_ chunks: [Data], paced: Bool, app: Application) async throws -> [Double] {
        let (conversation, delays) = try await recordAndWait(chunks, paced: paced, app: app)
        try await stop(conversation)
        return delays
    }

    func recordAndWait(_ chunks: [Data], paced: Bool = false, app: Application) async throws -> (String, [Double]) {
        let conversation = try await start()
        guard let id = FieldVisitID(client: conversation, organizationID: organizationID) else { throw ValidationError("bad id \(conversation)") }
        let events = app.parley.realtime.subscribe(id.stored)
        let arrivals = NIOLockedValueBox<[Int: ContinuousClock.Instant]>([:])
        let finals = NIOLockedValueBox<[(end: Double, at: ContinuousClock.Instant)]>([])
        let total = Double(chunks.count) * 5
        let listening = Task {
            for await event in events {
                if case .heard(let segment, true) = event { finals.withLockedValue { $0.append((segment.end ?? 0, ContinuousClock.now)) } }
            }
        }
        let origin = ContinuousClock.now
        for (sequence, chunk) in chunks.enumerated() {
            try await upload(conversation, sequence: sequence, chunk)
            arrivals.withLockedValue { $0[sequence] = ContinuousClock.now }
            if paced { try await Task.sleep(until: origin.advanced(by: .seconds(5 * (sequence + 1))), clock: .continuous) }
        }
        // Heard to the end: the last words' final segment is in, or nothing new for 20 s.
        var quiet = 0
        var count = 0
        while quiet < 80 {
            let (latest, now) = finals.withLockedValue { ($0.last?.end ?? 0, $0.count) }
            if latest >= total - 8 { break }
            quiet = now == count ? quiet + 1 : 0
            count = now
            try await Task.sleep(for: .milliseconds(250))
        }
        listening.cancel()
        let heard = finals.withLockedValue { $0 }
        let arrived = arrivals.withLockedValue { $0 }
        let delays = heard.compactMap { final -> Double? in
            let carrier = min(chunks.count - 1, max(0, Int(final.end / 5)))
            guard let arrival = arrived[carrier] else { return nil }
            let elapsed = final.at - arrival
            return max(0, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        }
        return (conversation, delays)
    }
}
#endif
