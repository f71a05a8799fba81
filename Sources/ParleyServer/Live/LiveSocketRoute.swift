import Vapor

extension RoutesBuilder {
    /// A live WebSocket route as every live surface serves it. Admission runs as middleware before
    /// the upgrade (a refusal is an ordinary HTTP answer) and leaves what it admitted in the
    /// request; here text frames are queued in arrival order (a binary frame as a `__binary`
    /// marker, so the surface can refuse it), the conversation is served off the event loop and
    /// tracked for shutdown, and the connection's claims are released when it ends.
    func liveSocket<Admitted: Sendable>(
        _ path: PathComponent..., admitted: @escaping @Sendable (Request) -> Admitted?,
        serve: @escaping @Sendable (WebSocket, AsyncStream<String>, Admitted, Application, Logger) async -> Void
    ) {
        webSocket(path, maxFrameSize: .init(integerLiteral: 1 << 20), shouldUpgrade: { request in
            request.eventLoop.makeSucceededFuture([:])
        }, onUpgrade: { request, socket in
            // Runs on the socket's event loop before any frame is read, so no message is missed.
            let (inbox, feed) = AsyncStream<String>.makeStream()
            socket.onText { _, text in feed.yield(text) }
            socket.onBinary { _, _ in feed.yield(#"{"type":"__binary"}"#) }
            socket.onClose.whenComplete { _ in feed.finish() }
            let claims = request.takeClaims()
            guard let value = admitted(request) else {
                claims.forEach { $0.release() }
                _ = socket.close(code: .policyViolation)
                return
            }
            let app = request.application
            let logger = request.logger
            app.parley.liveCalls.track(socket) {
                await serve(socket, inbox, value, app, logger)
                claims.forEach { $0.release() }
            }
        })
    }
}
