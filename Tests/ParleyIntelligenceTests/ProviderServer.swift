import Foundation
import ParleyDomain
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// A request as the local provider server received it.
struct RecordedRequest: Sendable {
    var method: String
    var path: String
    var headers: [String: String]
    var body: Data

    var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] }
}

/// A canned answer: status, body and an optional delay before answering.
struct CannedResponse: Sendable {
    var status: Int
    var body: String
    var headers: [String: String] = [:]
    var delay: Double = 0
}

/// A tiny HTTP/1.1 server on 127.0.0.1 that plays a hosted provider: it answers each request with
/// the next canned response and records what it received. Started and stopped by each test.
final class ProviderServer: Sendable {
    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private let state: NIOLockedValueBox<(responses: [CannedResponse], requests: [RecordedRequest])>
    private let channel: NIOLockedValueBox<(any Channel)?> = NIOLockedValueBox(nil)

    init(responses: [CannedResponse]) {
        state = NIOLockedValueBox((responses, []))
    }

    var requests: [RecordedRequest] { state.withLockedValue { $0.requests } }

    /// Starts listening and returns the base URL (`http://127.0.0.1:PORT`).
    func start() async throws -> String {
        let server = self
        let bound = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(Handler(server: server))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        channel.withLockedValue { $0 = bound }
        return "http://127.0.0.1:\(bound.localAddress?.port ?? 0)"
    }

    func stop() async {
        let bound = channel.withLockedValue { $0 }
        try? await bound?.close()
        try? await group.shutdownGracefully()
    }

    fileprivate func respond(to request: RecordedRequest) -> CannedResponse {
        state.withLockedValue { state in
            state.requests.append(request)
            return state.responses.isEmpty ? CannedResponse(status: 500, body: "{\"error\":{\"message\":\"no canned response left\"}}") : state.responses.removeFirst()
        }
    }

    private final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        let server: ProviderServer
        var head: HTTPRequestHead?
        var body = Data()

        init(server: ProviderServer) { self.server = server }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                self.head = head
                body = Data()
            case .body(var buffer):
                if let bytes = buffer.readBytes(length: buffer.readableBytes) { body.append(contentsOf: bytes) }
            case .end:
                guard let head else { return }
                var headers: [String: String] = [:]
                for (name, value) in head.headers { headers[name.lowercased()] = value }
                let canned = server.respond(to: RecordedRequest(method: "\(head.method)", path: head.uri, headers: headers, body: body))
                let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
                let keepAlive = head.isKeepAlive
                let send: @Sendable () -> Void = {
                    let (handler, context) = loopBound.value
                    handler.write(canned, context: context, keepAlive: keepAlive)
                }
                if canned.delay > 0 {
                    context.eventLoop.scheduleTask(in: .milliseconds(Int64(canned.delay * 1000))) { send() }
                } else {
                    send()
                }
            }
        }

        func write(_ canned: CannedResponse, context: ChannelHandlerContext, keepAlive: Bool) {
            guard context.channel.isActive else { return }
            var headers = HTTPHeaders()
            headers.add(name: "content-type", value: "application/json")
            headers.add(name: "content-length", value: "\(canned.body.utf8.count)")
            for (name, value) in canned.headers { headers.add(name: name, value: value) }
            if !keepAlive { headers.add(name: "connection", value: "close") }
            let head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: canned.status), headers: headers)
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: canned.body)))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }
}
