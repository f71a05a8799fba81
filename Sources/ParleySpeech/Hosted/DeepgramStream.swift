import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket
import ParleyAudio
import ParleyDomain

extension DeepgramRecognizer {
    /// Deepgram's live API: a WebSocket to `/v1/listen` carrying 16 kHz linear16 audio up and
    /// `Results` messages down (interim ones become partials; `speech_final` closes an utterance).
    /// Interim results are always requested (Deepgram's utterance end needs them) and dropped
    /// here when `partials` is false.
    public func recognize(_ chunks: AsyncStream<PCMAudio>, partials: Bool) -> AsyncThrowingStream<RecognitionEvent, any Error> {
        let recognizer = self
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    try await DeepgramStream(recognizer: recognizer, partials: partials).run(chunks, continuation)
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}

/// One live Deepgram session.
struct DeepgramStream {
    var recognizer: DeepgramRecognizer
    var partials = true
    /// How long to wait for Deepgram's last results after the audio has ended.
    var drainTimeout: Duration = .seconds(10)

    private enum Upgrade {
        case websocket(NIOAsyncChannel<WebSocketFrame, WebSocketFrame>)
        case refused
    }

    var url: URL {
        var components = URLComponents(url: recognizer.baseURL.appendingPathComponent("v1/listen"), resolvingAgainstBaseURL: false)!
        components.scheme = components.scheme == "https" ? "wss" : components.scheme == "http" ? "ws" : components.scheme
        components.queryItems = [
            URLQueryItem(name: "model", value: recognizer.model), URLQueryItem(name: "encoding", value: "linear16"),
            URLQueryItem(name: "sample_rate", value: String(PCMAudio.analysisSampleRate)),
            URLQueryItem(name: "channels", value: "1"), URLQueryItem(name: "interim_results", value: "true"),
            URLQueryItem(name: "punctuate", value: "true"), URLQueryItem(name: "smart_format", value: "true"),
            URLQueryItem(name: "endpointing", value: "300"),
        ]
        return components.url!
    }

    func run(_ chunks: AsyncStream<PCMAudio>, _ events: AsyncThrowingStream<RecognitionEvent, any Error>.Continuation) async throws {
        let channel = try await connect()
        try await channel.executeThenClose { inbound, outbound in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await chunk in chunks {
                        guard chunk.sampleRate == PCMAudio.analysisSampleRate else {
                            throw SpeechError.invalidRequest("streaming recognition takes 16000 Hz audio, got \(chunk.sampleRate) Hz")
                        }
                        try await outbound.write(Self.frame(.binary, PCM16.encode(chunk.samples)))
                    }
                    try await outbound.write(Self.frame(.text, Data(#"{"type":"CloseStream"}"#.utf8)))
                }
                group.addTask {
                    var utterance = TranscriptAssembly()
                    for try await frame in inbound {
                        switch frame.opcode {
                        case .text:
                            let data = Data(frame.unmaskedData.readableBytesView)
                            guard let message = try? JSONDecoder().decode(DeepgramLiveMessage.self, from: data) else { continue }
                            if message.type == "Error" {
                                throw SpeechError.providerError(provider: "Deepgram", status: 200, message: message.description ?? "stream error")
                            }
                            for event in utterance.absorb(message) where partials || event.isFinal { events.yield(event) }
                        case .connectionClose:
                            if let event = utterance.close() { events.yield(event) }
                            return
                        default:
                            continue
                        }
                    }
                    if let event = utterance.close() { events.yield(event) }
                }
                // The sender finishes first; the reader then has `drainTimeout` to see the close.
                try await group.next()
                group.addTask {
                    try await Task.sleep(for: drainTimeout)
                    throw SpeechError.serviceUnavailable(service: "Deepgram", reason: "no end of stream within \(drainTimeout)")
                }
                try await group.next()
                group.cancelAll()
            }
        }
    }

    private static func frame(_ opcode: WebSocketOpcode, _ data: Data) -> WebSocketFrame {
        // Client frames must be masked (RFC 6455 §5.3).
        WebSocketFrame(fin: true, opcode: opcode, maskKey: .random(), data: ByteBuffer(bytes: data))
    }

    private func connect() async throws -> NIOAsyncChannel<WebSocketFrame, WebSocketFrame> {
        let url = self.url
        guard let host = url.host else { throw SpeechError.invalidRequest("Deepgram URL has no host: \(url)") }
        let secure = url.scheme == "wss"
        let port = url.port ?? (secure ? 443 : 80)
        let path = url.path + (url.query.map { "?" + $0 } ?? "")
        let key = recognizer.apiKey
        let tls: NIOSSLContext? = secure ? try NIOSSLContext(configuration: .makeClientConfiguration()) : nil
        let upgrade: EventLoopFuture<Upgrade>
        do {
            upgrade = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(10))
                .connect(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let tls {
                            try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tls, serverHostname: host))
                        }
                        let upgrader = NIOTypedWebSocketClientUpgrader<Upgrade>(maxFrameSize: 1 << 20) { channel, _ in
                            channel.eventLoop.makeCompletedFuture {
                                Upgrade.websocket(try NIOAsyncChannel<WebSocketFrame, WebSocketFrame>(wrappingChannelSynchronously: channel))
                            }
                        }
                        var headers = HTTPHeaders()
                        headers.add(name: "Host", value: url.port.map { "\(host):\($0)" } ?? host)
                        headers.add(name: "Authorization", value: "Token \(key)")
                        headers.add(name: "Content-Length", value: "0")
                        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path, headers: headers)
                        let configuration = NIOTypedHTTPClientUpgradeConfiguration<Upgrade>(
                            upgradeRequestHead: head, upgraders: [upgrader],
                            notUpgradingCompletionHandler: { channel in channel.eventLoop.makeCompletedFuture { Upgrade.refused } }
                        )
                        return try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(
                            configuration: .init(upgradeConfiguration: configuration)
                        )
                    }
                }
        } catch {
            throw SpeechError.serviceUnavailable(service: "Deepgram", reason: "could not connect to \(host):\(port) (\(error))")
        }
        let result: Upgrade
        do {
            result = try await upgrade.get()
        } catch {
            throw SpeechError.providerError(provider: "Deepgram", status: 0, message: "WebSocket upgrade failed (\(error))")
        }
        guard case .websocket(let channel) = result else {
            throw SpeechError.providerError(provider: "Deepgram", status: 0, message: "the server refused the WebSocket (check DEEPGRAM_API_KEY)")
        }
        return channel
    }
}

/// The live messages Parley reads: `Results` (interim or final), `Metadata`, `Error`.
struct DeepgramLiveMessage: Decodable {
    struct Channel: Decodable {
        var alternatives: [DeepgramResponse.Alternative]
    }

    var type: String
    var is_final: Bool?
    var speech_final: Bool?
    var start: Double?
    var duration: Double?
    var channel: Channel?
    var description: String?
}

/// Builds utterances from Deepgram's pieces: finalised pieces accumulate until `speech_final`.
struct TranscriptAssembly {
    private var id = 0
    private var settled: [DeepgramResponse.Alternative] = []
    private var start: Double?
    private var end: Double?

    mutating func absorb(_ message: DeepgramLiveMessage) -> [RecognitionEvent] {
        guard message.type == "Results", let best = message.channel?.alternatives.first else { return [] }
        let pieceEnd = (message.start ?? 0) + (message.duration ?? 0)
        if message.is_final == true {
            if !best.transcript.isEmpty {
                if settled.isEmpty { start = message.start }
                settled.append(best)
                end = pieceEnd
            }
            if message.speech_final == true, let event = close() { return [event] }
            return []
        }
        guard !best.transcript.isEmpty else { return [] }
        return [.partial(segment(settled + [best], start: start ?? message.start ?? 0, end: pieceEnd))]
    }

    /// The open utterance as a final, if it has words.
    mutating func close() -> RecognitionEvent? {
        guard !settled.isEmpty else { return nil }
        let event = RecognitionEvent.final(segment(settled, start: start ?? 0, end: end ?? 0))
        settled = []
        start = nil
        end = nil
        id += 1
        return event
    }

    private func segment(_ pieces: [DeepgramResponse.Alternative], start: Double, end: Double) -> TranscriptSegment {
        let confidences = pieces.compactMap(\.confidence)
        return TranscriptSegment(
            id: id, speaker: .unknown, text: pieces.map(\.transcript).joined(separator: " "), start: start, end: end,
            words: pieces.flatMap { $0.words ?? [] }.map(\.parleyWord),
            confidence: confidences.isEmpty ? nil : confidences.reduce(0, +) / Double(confidences.count)
        )
    }
}
