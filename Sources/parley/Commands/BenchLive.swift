#if canImport(ParleyServer)
import ArgumentParser
import Foundation
import NIOConcurrencyHelpers
import ParleyAudio
import ParleyServer
import ParleySpeech
import Vapor

/// `parley bench live`: Sales Trainer role-plays over `/ws/voice/{id}` with speech streamed in real
/// time; the delay from the end of the rep's speech to the AI's first audio, at growing numbers
/// of concurrent sessions.
struct BenchLive: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "live",
        abstract: "Sales Trainer voice: end of speech → first AI audio (p50/p95) at growing concurrency."
    )

    @ArgumentParser.Option(help: "Concurrent sessions to measure, comma-separated.")
    var concurrency = "1,2,5,10,20,50"

    @ArgumentParser.Option(help: "Spoken turns per session.")
    var turns = 3

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
        print("making the rep's lines with espeak-ng …")
        var utterances: [[Int16]] = []
        for line in Self.lines {
            let speech = try await EspeakSynthesizer().synthesize(SpeechRequest(text: line, voiceID: "professional_male"))
            let samples = Resampler.resample(speech.audio.samples, from: speech.audio.sampleRate, to: 16_000)
            utterances.append(samples.map { Int16(max(-1, min(1, $0)) * 32_767) })
        }
        try await InProcessServer.run(workers: 0) { app in
            // One warm-up session loads the recogniser's model before anything is timed.
            _ = try await measure(app, sessions: 1, utterances: utterances, turns: 1)
            var baseline: Double?
            print("\nsessions  turns  answered  p50 ms  p95 ms  max ms  replies before the rep finished")
            for level in levels {
                let latencies = try await measure(app, sessions: level, utterances: utterances, turns: turns)
                let answered = latencies.compactMap { $0 }.sorted()
                func percentile(_ p: Double) -> Double { answered.isEmpty ? .nan : answered[min(answered.count - 1, Int(Double(answered.count - 1) * p))] * 1000 }
                let early = Self.prematureReplies.withLockedValue { value in defer { value = 0 }; return value }
                print(String(format: "%8d  %5d  %8d  %6.0f  %6.0f  %6.0f  %d", level, latencies.count, answered.count, percentile(0.5), percentile(0.95), percentile(1), early))
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
    func measure(_ app: Application, sessions: Int, utterances: [[Int16]], turns: Int) async throws -> [Double?] {
        try await withThrowingTaskGroup(of: [Double?].self) { group in
            for index in 0..<sessions {
                group.addTask { try await roleplay(app, index: index, utterances: utterances, turns: turns) }
            }
            var all: [Double?] = []
            for try await latencies in group { all += latencies }
            return all
        }
    }

    func roleplay(_ app: Application, index: Int, utterances: [[Int16]], turns: Int) async throws -> [Double?] {
        let identity = ParleyApplication.identity(app)
        let tokens = try await identity.register(
            email: "bench-\(UUID().uuidString.prefix(10).lowercased())@example.com", password: "bench-password-1",
            firstName: "Bench", lastName: "Rep", company: nil)
        let base = app.parley.publicURL
        let created = try await app.client.post(URI(string: "\(base)/api/v1/sessions"), headers: ["Authorization": "Bearer \(tokens.accessToken)"]) {
            try $0.content.encode(["scenario_id": 1], as: .json)
        }
        guard let url = try? created.content.get(String.self, at: "websocket_url") else {
            throw ValidationError("could not create a practice session: \(created.status)")
        }
        // Replies are timed as they arrive, on the socket's event loop.
        let replies = NIOLockedValueBox<[(at: ContinuousClock.Instant, seconds: Double)]>([])
        let socketBox = NIOLockedValueBox<WebSocket?>(nil)
        // Replies carry their audio inline (hundreds of KB of base64): far above the default 16 KB frame.
        try await WebSocket.connect(to: "\(url)?token=\(tokens.accessToken)", configuration: .init(maxFrameSize: 1 << 24), on: app.eventLoopGroup) { socket in
            socketBox.withLockedValue { $0 = socket }
            socket.onText { _, text in
                if let seconds = Self.replyAudioSeconds(text) { replies.withLockedValue { $0.append((.now, seconds)) } }
            }
        }.get()
        guard let socket = socketBox.withLockedValue({ $0 }) else { throw ValidationError("no WebSocket") }
        defer { _ = socket.close() }
        try await socket.send(#"{"type":"config","data":{"sample_rate":16000,"channels":1,"format":"pcm"}}"#)
        // The prospect opens the call; wait for its first reply.
        var seen = 0
        guard let opening = try await nextReply(replies, after: seen, socket: socket, streamingSilence: false, limit: .seconds(30)) else {
            throw ValidationError("the prospect never opened the call")
        }
        seen += 1
        try await play(socket, seconds: min(12, opening.seconds))
        var latencies: [Double?] = []
        for turn in 0..<turns {
            let samples = utterances[(turn + index) % utterances.count]
            let start = ContinuousClock.now
            for (offset, chunkStart) in stride(from: 0, to: samples.count, by: Self.chunk).enumerated() {
                try await socket.send(Self.message(Array(samples[chunkStart..<min(samples.count, chunkStart + Self.chunk)])))
                // Real time: chunk n goes out at n × 100 ms.
                try await Task.sleep(until: start + .milliseconds(100 * (offset + 1)), clock: .continuous)
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
        try? await socket.send(#"{"type":"control","data":{"action":"end"}}"#)
        return latencies
    }

    /// Sends real-time silence for `seconds`.
    func play(_ socket: WebSocket, seconds: Double) async throws {
        let start = ContinuousClock.now
        var ticks = 0
        while InProcessServer.seconds(since: start) < seconds {
            ticks += 1
            try await socket.send(Self.message([Int16](repeating: 0, count: Self.chunk)))
            try await Task.sleep(until: start + .milliseconds(100 * ticks), clock: .continuous)
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
            if streamingSilence, ticks % 10 == 1 { try await socket.send(Self.message([Int16](repeating: 0, count: Self.chunk))) }
            // Polls every 10 ms; the reply's time is taken when it arrives, not here.
            try await Task.sleep(until: start + .milliseconds(10 * ticks), clock: .continuous)
        }
        return nil
    }

    /// The length of an `ai_response`'s audio, or nil for any other message.
    static func replyAudioSeconds(_ text: String) -> Double? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
              object["type"] as? String == "ai_response",
              let audio = (object["data"] as? [String: Any])?["audio"] as? String, let bytes = Data(base64Encoded: audio)
        else { return nil }
        let rate = bytes.count > 28 ? bytes.withUnsafeBytes { Double($0.loadUnaligned(fromByteOffset: 24, as: UInt32.self)) } : 16_000
        return Double(max(0, bytes.count - 44)) / 2 / max(1, rate)
    }

    static func message(_ samples: [Int16]) -> String {
        let data = samples.withUnsafeBufferPointer { Data(buffer: $0) }
        return #"{"type":"audio","data":""# + data.base64EncodedString() + #""}"#
    }
}
#endif
