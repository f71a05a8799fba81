#if canImport(ParleyServer)
import ArgumentParser
import Foundation
import NIOConcurrencyHelpers
import ParleyAudio
import ParleyServer
import ParleySpeech
import Vapor

/// `parley bench live`: Sales Trainer role-plays over `/ws/voice/{id}` (or, with `--surface calls`,
/// AI calls over `/api/v1/voice/calls/{id}/realtime`) with speech streamed in real time; the delay
/// from the end of the speaker's speech to the AI's first audio, at growing numbers of concurrent
/// sessions. Both sockets run the same `LiveConversation`; only the counterpart differs.
struct BenchLive: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "live",
        abstract: "Live voice: end of speech → first AI audio (p50/p95) at growing concurrency."
    )

    @ArgumentParser.Option(help: "Which live socket: sales-trainer (role-plays) or calls (the AI caller with a lead).")
    var surface = "sales-trainer"

    var calls: Bool { surface == "calls" }

    @ArgumentParser.Option(help: "Concurrent sessions to measure, comma-separated.")
    var concurrency = "1,2,5,10,20,50"

    @ArgumentParser.Option(help: "Spoken turns per session.")
    var turns = 3

    @ArgumentParser.Option(help: "Seconds over which the sessions' starts are spread (0: all at once, every rep in lockstep).")
    var spread = 8.0

    /// One breath each (no commas or stops inside), so the end of speech is the end of the line.
    static let lines = [
        "Hi this is Sam from Acme and I wanted to ask how your team handles new leads today",
        "What does your current process look like when a new lead comes in",
        "Would a short demo next week be worth your time if we could halve the admin work",
    ]
    static let chunk = 1_600  // 100 ms at 16 kHz
    /// Replies that arrived before the rep had finished a line, over the whole run.
    static let prematureReplies = NIOLockedValueBox(0)

    func run() async throws {
        let levels = concurrency.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }.filter { $0 > 0 }
        guard !levels.isEmpty else { throw ValidationError("--concurrency needs positive numbers") }
        guard ["sales-trainer", "calls"].contains(surface) else { throw ValidationError("--surface is sales-trainer or calls") }
        print("making the rep's lines with espeak-ng …")
        var utterances: [[Int16]] = []
        for line in Self.lines {
            let speech = try await EspeakSynthesizer().synthesize(SpeechRequest(text: line, voiceID: "professional_male"))
            let samples = Resampler.resample(speech.audio.samples, from: speech.audio.sampleRate, to: 16_000)
            // espeak-ng ends its audio with silence; cut it, so the last frame sent is the end of speech.
            let lastVoiced = samples.lastIndex { abs($0) > 0.01 } ?? samples.count - 1
            utterances.append(samples[...lastVoiced].map { Int16(max(-1, min(1, $0)) * 32_767) })
        }
        try await InProcessServer.run(workers: 0) { app in
            // One warm-up session loads the recogniser's model before anything is timed.
            _ = try await measure(app, sessions: 1, utterances: utterances, turns: 1)
            var baseline: Double?
            print("\nstarts spread over \(spread) s; CPU is the whole machine's busy share while the level ran")
            print("recognitions: live requests the embedded recogniser decoded per spoken turn")
            print("\nsessions  turns  answered  p50 ms  p95 ms  max ms  CPU busy  recognitions  replies before the rep finished")
            for level in levels {
                let before = CPUTimes.now()
                let recognizedBefore = await liveRecognitions(app)
                let latencies = try await measure(app, sessions: level, utterances: utterances, turns: turns)
                let busy = CPUTimes.now().map { after in before.map { after.busyShare(since: $0) } ?? .nan } ?? .nan
                let recognized = await liveRecognitions(app).flatMap { after in recognizedBefore.map { Double(after - $0) / Double(latencies.count) } } ?? .nan
                let answered = latencies.compactMap { $0 }.sorted()
                func percentile(_ p: Double) -> Double { answered.isEmpty ? .nan : answered[min(answered.count - 1, Int(Double(answered.count - 1) * p))] * 1000 }
                let early = Self.prematureReplies.withLockedValue { value in defer { value = 0 }; return value }
                print(String(format: "%8d  %5d  %8d  %6.0f  %6.0f  %6.0f  %7.0f%%  %12.2f  %d", level, latencies.count, answered.count,
                             percentile(0.5), percentile(0.95), percentile(1), busy * 100, recognized, early))
                let median = percentile(0.5)
                if baseline == nil { baseline = median }
                if let baseline, median > 2 * baseline || answered.count < latencies.count {
                    print(String(format: "→ at %d concurrent sessions the median delay is %.1f× the single-session median%@", level, median / baseline,
                                 answered.count < latencies.count ? " and \(latencies.count - answered.count) turn(s) got no answer within 15 s" : ""))
                    break
                }
            }
        }
    }

    /// Runs `sessions` role-plays at once; one latency (or nil: no answer in 15 s) per spoken turn.
    /// Accounts and sessions are made first, so password hashing is not part of what is timed.
    func measure(_ app: Application, sessions: Int, utterances: [[Int16]], turns: Int) async throws -> [Double?] {
        var prepared: [(token: String, url: String)] = []
        for _ in 0..<sessions { prepared.append(try await prepare(app)) }
        return try await withThrowingTaskGroup(of: [Double?].self) { group in
            for (index, session) in prepared.enumerated() {
                // Reps do not start in lockstep: session i starts i/n of the spread later.
                let delay = sessions > 1 ? spread * Double(index) / Double(sessions) : 0
                group.addTask {
                    try await Task.sleep(for: .milliseconds(Int64(delay * 1000)))
                    return try await roleplay(app, session: session, index: index, utterances: utterances, turns: turns)
                }
            }
            var all: [Double?] = []
            for try await latencies in group { all += latencies }
            return all
        }
    }

    /// A new rep with a practice session of the first scenario (or a lead and a call to it): the
    /// access token and the socket URL.
    func prepare(_ app: Application) async throws -> (token: String, url: String) {
        let identity = ParleyApplication.identity(app)
        let tokens = try await identity.register(
            email: "bench-\(UUID().uuidString.prefix(10).lowercased())@example.com", password: "bench-password-1",
            firstName: "Bench", lastName: "Rep", company: nil)
        let base = app.parley.publicURL
        if calls {
            let headers: HTTPHeaders = ["Authorization": "Bearer \(tokens.accessToken)"]
            let lead = try await app.client.post(URI(string: "\(base)/api/v1/leads"), headers: headers) {
                try $0.content.encode(["first_name": "Dana", "last_name": "Lee", "email": "dana-\(UUID().uuidString.prefix(8))@example.com",
                                       "company": "Northwind"], as: .json)
            }
            guard let leadID = try? lead.content.get(String.self, at: "id") else { throw ValidationError("could not create a lead: \(lead.status)") }
            let call = try await app.client.post(URI(string: "\(base)/api/v1/voice/calls"), headers: headers) {
                try $0.content.encode(["lead_id": leadID], as: .json)
            }
            guard let callID = try? call.content.get(String.self, at: "call_id") else {
                throw ValidationError("could not create a call: \(call.status)")
            }
            return (tokens.accessToken, base.replacingOccurrences(of: "http", with: "ws", options: .anchored) + "/api/v1/voice/calls/\(callID)/realtime")
        }
        let created = try await app.client.post(URI(string: "\(base)/api/v1/sessions"), headers: ["Authorization": "Bearer \(tokens.accessToken)"]) {
            try $0.content.encode(["scenario_id": 1], as: .json)
        }
        guard let url = try? created.content.get(String.self, at: "websocket_url") else {
            throw ValidationError("could not create a practice session: \(created.status)")
        }
        return (tokens.accessToken, url)
    }

    func roleplay(_ app: Application, session: (token: String, url: String), index: Int, utterances: [[Int16]], turns: Int) async throws -> [Double?] {
        let (token, url) = session
        // Replies are timed as they arrive, on the socket's event loop.
        let replies = NIOLockedValueBox<[(at: ContinuousClock.Instant, seconds: Double)]>([])
        let socketBox = NIOLockedValueBox<WebSocket?>(nil)
        // Replies carry their audio inline (hundreds of KB of base64): far above the default 16 KB frame.
        try await WebSocket.connect(to: "\(url)?token=\(token)", configuration: .init(maxFrameSize: 1 << 24), on: app.eventLoopGroup) { socket in
            socketBox.withLockedValue { $0 = socket }
            socket.onText { _, text in
                if let seconds = Self.replyAudioSeconds(text) { replies.withLockedValue { $0.append((.now, seconds)) } }
            }
        }.get()
        // The connect future can complete just before the upgrade handler has run.
        var waited = 0
        while socketBox.withLockedValue({ $0 }) == nil, waited < 500 {
            try await Task.sleep(for: .milliseconds(10))
            waited += 1
        }
        guard let socket = socketBox.withLockedValue({ $0 }) else { throw ValidationError("no WebSocket after 5 s") }
        defer { _ = socket.close() }
        if !calls { try await socket.send(#"{"type":"config","data":{"sample_rate":16000,"channels":1,"format":"pcm"}}"#) }
        // The AI opens the conversation; wait for its first reply.
        var seen = 0
        guard let opening = try await nextReply(replies, after: seen, socket: socket, streamingSilence: false, limit: .seconds(30)) else {
            throw ValidationError("the AI never opened the conversation")
        }
        seen += 1
        try await play(socket, seconds: min(12, opening.seconds))
        var latencies: [Double?] = []
        for turn in 0..<turns {
            let samples = utterances[(turn + index) % utterances.count]
            let start = ContinuousClock.now
            // As a microphone does: each 100 ms chunk goes out once it has been spoken, so the
            // server has the last of the speech only when the rep has finished.
            for chunkStart in stride(from: 0, to: samples.count, by: Self.chunk) {
                let chunkEnd = min(samples.count, chunkStart + Self.chunk)
                try await Task.sleep(until: start + .microseconds(Int64(chunkEnd) * 1_000_000 / 16_000), clock: .continuous)
                try await socket.send(message(Array(samples[chunkStart..<chunkEnd])))
            }
            let endOfSpeech = ContinuousClock.now
            // A reply that came while the rep was still talking is a premature end of turn:
            // counted apart, and the delay is measured to the first reply after the speech.
            let early = replies.withLockedValue { $0.dropFirst(seen).filter { $0.at < endOfSpeech }.count }
            Self.prematureReplies.withLockedValue { $0 += early }
            seen += early
            let reply = try await nextReply(replies, after: seen, socket: socket, streamingSilence: true, limit: .seconds(15))
            guard let reply else {
                latencies.append(nil)
                continue
            }
            seen = replies.withLockedValue { $0.count }
            let elapsed = reply.at - endOfSpeech
            latencies.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
            // Let the AI's answer play out (silence keeps flowing) before the rep speaks again.
            try await play(socket, seconds: min(12, reply.seconds) + 0.3)
        }
        try? await socket.send(calls ? #"{"type":"end_call"}"# : #"{"type":"control","data":{"action":"end"}}"#)
        return latencies
    }

    /// Sends real-time silence for `seconds`.
    func play(_ socket: WebSocket, seconds: Double) async throws {
        let start = ContinuousClock.now
        var ticks = 0
        while InProcessServer.seconds(since: start) < seconds {
            ticks += 1
            try await Task.sleep(until: start + .milliseconds(100 * ticks), clock: .continuous)
            try await socket.send(message([Int16](repeating: 0, count: Self.chunk)))
        }
    }

    /// Waits for reply number `after + 1` (sending real-time silence meanwhile when asked); nil after `limit`.
    func nextReply(_ replies: NIOLockedValueBox<[(at: ContinuousClock.Instant, seconds: Double)]>, after count: Int, socket: WebSocket,
                   streamingSilence: Bool, limit: Duration) async throws -> (at: ContinuousClock.Instant, seconds: Double)? {
        let start = ContinuousClock.now
        var ticks = 0
        while ContinuousClock.now < start + limit {
            if let reply = replies.withLockedValue({ $0.count > count ? $0[count] : nil }) { return reply }
            ticks += 1
            // Polls every 10 ms; the reply's time is taken when it arrives, not here.
            try await Task.sleep(until: start + .milliseconds(10 * ticks), clock: .continuous)
            // Each 100 ms of silence goes out once it has passed.
            if streamingSilence, ticks % 10 == 0 { try await socket.send(message([Int16](repeating: 0, count: Self.chunk))) }
        }
        return nil
    }

    /// The length of an `ai_response`'s audio (nested in `data` on the Sales Trainer socket, flat
    /// on the call socket), or nil for any other message.
    static func replyAudioSeconds(_ text: String) -> Double? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
              object["type"] as? String == "ai_response",
              let audio = ((object["data"] as? [String: Any])?["audio"] ?? object["audio"]) as? String, let bytes = Data(base64Encoded: audio)
        else { return nil }
        let rate = bytes.count > 28 ? bytes.withUnsafeBytes { Double($0.loadUnaligned(fromByteOffset: 24, as: UInt32.self)) } : 16_000
        return Double(max(0, bytes.count - 44)) / 2 / max(1, rate)
    }

    /// Live requests the embedded recogniser has decoded (its /health counter); nil for other recognisers.
    func liveRecognitions(_ app: Application) async -> Int? {
        guard let whisper = app.parley.speech.liveRecognizer as? WhisperRecognizer,
              let url = try? await whisper.service.endpoint(),
              let response = try? await app.client.get(URI(string: url.appendingPathComponent("health").absoluteString))
        else { return nil }
        return try? response.content.get(Int.self, at: "requests", "live")
    }

    /// The machine's CPU time from /proc/stat (Linux), to report how busy a level kept the cores.
    struct CPUTimes {
        var busy: Double
        var total: Double

        static func now() -> CPUTimes? {
            guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
                  let line = stat.split(separator: "\n").first, line.hasPrefix("cpu ")
            else { return nil }
            let fields = line.split(separator: " ").dropFirst().compactMap { Double($0) }
            guard fields.count >= 5 else { return nil }
            let idle = fields[3] + fields[4]  // idle + iowait
            let total = fields.prefix(8).reduce(0, +)
            return CPUTimes(busy: total - idle, total: total)
        }

        func busyShare(since earlier: CPUTimes) -> Double {
            (busy - earlier.busy) / max(1, total - earlier.total)
        }
    }

    /// A chunk of speech as the socket takes it (`audio` on the Sales Trainer's, `audio_chunk` on the call's).
    func message(_ samples: [Int16]) -> String {
        let data = samples.withUnsafeBufferPointer { Data(buffer: $0) }
        return #"{"type":""# + (calls ? "audio_chunk" : "audio") + #"","data":""# + data.base64EncodedString() + #""}"#
    }
}
#endif
