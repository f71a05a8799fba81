import Foundation
import NIOWebSocket
import NIOConcurrencyHelpers
import ParleyDomain
import Vapor

/// A client admitted to one namespace: its events in, and a way to emit to it.
protocol SocketIONamespaceSession: Sendable {
    /// Called once after the CONNECT reply; `emit` sends an event to this client.
    func start(emit: @escaping @Sendable (String, JSONValue) async -> Void) async
    /// A client event; the returned value answers the client's acknowledgement, if it asked for one.
    func handle(event: String, arguments: [JSONValue]) async -> JSONValue
    /// The client left the namespace or the connection closed.
    func close() async
}

/// Admits clients to the namespaces it serves (`/sessions/{id}`, `/drills/{id}`).
protocol SocketIONamespaceHandler: Sendable {
    func serves(_ namespace: String) -> Bool
    /// Admits the caller or throws an `APIError`, answered as CONNECT_ERROR.
    func connect(namespace: String, principal: Principal, request: Request) async throws -> any SocketIONamespaceSession
}

/// The Socket.IO server at `/socket.io/`: Engine.IO v4 over HTTP long-polling (upgraded to a
/// WebSocket, as default clients do) or over a WebSocket from the start, Socket.IO v5 packets,
/// authentication per namespace by `auth.token` (or the handshake's `token` query / Bearer
/// header), at most `limit` namespace connections per user and `perAddress` Engine.IO
/// connections per client address at once.
final class SocketIOServer: Sendable {
    let handlers: [any SocketIONamespaceHandler]
    let limit: Int
    let perAddress: Int
    let pingInterval: Duration
    let pingTimeout: Duration
    /// The surface's error code for an error (sent in CONNECT_ERROR's `data.code`).
    let errorCode: @Sendable (APIError) -> String
    let places = ConnectionPlaces()

    init(handlers: [any SocketIONamespaceHandler], limit: Int, perAddress: Int, pingInterval: Duration = .seconds(25),
         pingTimeout: Duration = .seconds(20), errorCode: @escaping @Sendable (APIError) -> String) {
        self.errorCode = errorCode
        self.handlers = handlers
        self.limit = limit
        self.perAddress = perAddress
        self.pingInterval = pingInterval
        self.pingTimeout = pingTimeout
    }

    /// Largest frame accepted from a client (Engine.IO's `maxPayload`), and also the most
    /// binary data one connection may hold while a packet's attachments arrive.
    static let maxPayload = 1_000_000
    /// Most binary attachments one packet may announce; Parley's events carry one.
    static let maxAttachments = 4

    /// Polling connections by sid, until they end.
    private let pollingConnections = NIOLockedValueBox<[String: SocketIOConnection]>([:])

    func register(on routes: any RoutesBuilder) {
        let engine = routes.grouped(Handshake(server: self))
        engine.get("socket.io") { [self] request in try await self.get(request) }
        engine.on(.POST, "socket.io", body: .collect(maxSize: ByteCount(integerLiteral: Self.maxPayload))) { [self] request in
            try await self.post(request)
        }
    }

    /// A new connection (polling or WebSocket), a poll, or a polling connection's upgrade.
    private func get(_ request: Request) async throws -> Response {
        let transport = request.query[String.self, at: "transport"]
        guard let sid = request.query[String.self, at: "sid"] else {
            return transport == "websocket" ? openWebSocket(request) : try await openPolling(request)
        }
        guard let connection = pollingConnections.withLockedValue({ $0[sid] }) else {
            return Handshake.refusal(1, "Session ID unknown")
        }
        if transport == "websocket" { return upgrade(connection, request: request) }
        guard let packets = await connection.channel.poll() else {
            await connection.close(code: .policyViolation)
            return Handshake.refusal(3, "Bad request: one poll at a time")
        }
        return Self.plain(packets.joined(separator: String(EngineIOChannel.separator)))
    }

    /// A polling client's packets, separated by the record separator; binary ones as `b<base64>`.
    private func post(_ request: Request) async throws -> Response {
        guard let sid = request.query[String.self, at: "sid"],
              let connection = pollingConnections.withLockedValue({ $0[sid] })
        else { return Handshake.refusal(1, "Session ID unknown") }
        await connection.channel.posted()
        let payload = request.body.string ?? ""
        for packet in payload.split(separator: EngineIOChannel.separator, omittingEmptySubsequences: true) {
            if packet.hasPrefix("b") {
                guard let data = Data(base64Encoded: String(packet.dropFirst())) else {
                    await connection.close(code: .protocolError)
                    return Handshake.refusal(3, "Bad request: a binary packet is not base64")
                }
                connection.feed.yield(.binary(data))
            } else {
                connection.feed.yield(.text(String(packet)))
            }
        }
        return Self.plain("ok")
    }

    private func openWebSocket(_ request: Request) -> Response {
        request.webSocket(maxFrameSize: .init(integerLiteral: Self.maxPayload)) { [self] request, socket in
            // Set up on the socket's event loop before any frame is read, so none is missed.
            let (inbox, feed) = AsyncStream<Frame>.makeStream()
            socket.onText { _, text in feed.yield(.text(text)) }
            socket.onBinary { _, buffer in feed.yield(.binary(Data(buffer: buffer))) }
            socket.onClose.whenComplete { _ in feed.finish() }
            let claims = request.takeClaims()
            let connection = SocketIOConnection(server: self, channel: EngineIOChannel(socket: socket), feed: feed, request: request)
            request.application.parley.liveCalls.track(socket) {
                await connection.send(connection.openPacket(upgrades: []))
                await connection.run(inbox)
                claims.forEach { $0.release() }
            }
        }
    }

    private func openPolling(_ request: Request) async throws -> Response {
        let (inbox, feed) = AsyncStream<Frame>.makeStream()
        let claims = request.takeClaims()
        let connection = SocketIOConnection(server: self, channel: EngineIOChannel(), feed: feed, request: request)
        let sid = connection.sid
        pollingConnections.withLockedValue { $0[sid] = connection }
        request.application.parley.liveCalls.track(closing: { await connection.close(code: .goingAway) }) { [self] in
            await connection.run(inbox)
            pollingConnections.withLockedValue { _ = $0.removeValue(forKey: sid) }
            claims.forEach { $0.release() }
        }
        return Self.plain(connection.openPacket(upgrades: ["websocket"]))
    }

    /// The upgrade of a polling connection (Engine.IO v4): `2probe` is answered `3probe`, and
    /// after the client's `5` its packets travel over the WebSocket.
    private func upgrade(_ connection: SocketIOConnection, request: Request) -> Response {
        guard request.isWebSocketUpgrade else { return Handshake.refusal(3, "Bad request: not a WebSocket upgrade") }
        return request.webSocket(maxFrameSize: .init(integerLiteral: Self.maxPayload)) { _, socket in
            let upgraded = NIOLockedValueBox(false)
            let feed = connection.feed
            socket.onText { socket, text in
                if upgraded.withLockedValue({ $0 }) {
                    feed.yield(.text(text))
                } else if text == "2probe" {
                    socket.send("3probe", promise: nil)
                } else if text == "5" {
                    upgraded.withLockedValue { $0 = true }
                    Task { await connection.channel.upgrade(to: socket) }
                }
            }
            socket.onBinary { _, buffer in
                if upgraded.withLockedValue({ $0 }) { feed.yield(.binary(Data(buffer: buffer))) }
            }
            // Closed before the upgrade finished, the connection goes on polling.
            socket.onClose.whenComplete { _ in
                if upgraded.withLockedValue({ $0 }) { feed.finish() }
            }
        }
    }

    private static func plain(_ text: String) -> Response {
        let response = Response(status: .ok, body: .init(string: text))
        response.headers.contentType = .plainText
        return response
    }

    /// Refuses handshakes this server cannot serve (Engine.IO's error body), and takes a new
    /// connection's place among its address's.
    struct Handshake: AsyncMiddleware {
        let server: SocketIOServer

        func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
            let version = request.query[String.self, at: "EIO"]
            let transport = request.query[String.self, at: "transport"]
            guard version == "4" else { return Self.refusal(5, "Unsupported protocol version") }
            guard transport == "polling" || (transport == "websocket" && request.isWebSocketUpgrade) else {
                return Self.refusal(0, "Transport unknown")
            }
            guard request.query[String.self, at: "sid"] == nil else { return try await next.respond(to: request) }
            guard request.method == .GET else { return Self.refusal(1, "Session ID unknown") }
            guard let claim = server.places.claim("address:\(request.clientAddress)", limit: server.perAddress) else {
                return Self.refusal(0, "Too many connections from this address (at most \(server.perAddress))", status: .tooManyRequests)
            }
            request.hold(claim)
            guard transport == "websocket" else {
                do {
                    return try await next.respond(to: request)
                } catch {
                    request.takeClaims().forEach { $0.release() }
                    throw error
                }
            }
            return try await UpgradeOnly().respond(to: request, chainingTo: next)
        }

        static func refusal(_ code: Int, _ message: String, status: HTTPResponseStatus = .badRequest) -> Response {
            let response = Response(status: status)
            response.headers.contentType = .json
            if status == .tooManyRequests { response.headers.replaceOrAdd(name: "Retry-After", value: "5") }
            response.body = .init(string: #"{"code":\#(code),"message":"\#(message)"}"#)
            return response
        }
    }

    enum Frame: Sendable {
        case text(String)
        case binary(Data)
    }

    /// Reserves one of the user's namespace connections; nil when they are all in use.
    func reserve(userID: Int) -> ConnectionClaim? {
        places.claim("user:\(userID)", limit: limit)
    }
}

/// One Engine.IO connection with its namespace sessions; frames are handled in order.
actor SocketIOConnection {
    let server: SocketIOServer
    let channel: EngineIOChannel
    /// Where the transport delivers the client's packets; finished when the connection closes.
    nonisolated let feed: AsyncStream<SocketIOServer.Frame>.Continuation
    let request: Request
    nonisolated let sid = IdentityService.randomToken(bytes: 15)
    private var sessions: [String: (session: any SocketIONamespaceSession, claim: ConnectionClaim)] = [:]
    private var pendingBinary: (packet: SocketIOPacket, buffers: [Data], bytes: Int)?
    private var lastPong = ContinuousClock.now

    init(server: SocketIOServer, channel: EngineIOChannel, feed: AsyncStream<SocketIOServer.Frame>.Continuation, request: Request) {
        self.server = server
        self.channel = channel
        self.feed = feed
        self.request = request
    }

    /// Engine.IO's OPEN packet for this connection.
    nonisolated func openPacket(upgrades: [String]) -> String {
        let open: [String: JSONValue] = [
            "sid": .string(sid), "upgrades": .array(upgrades.map(JSONValue.string)),
            "pingInterval": .number(Double(server.pingInterval.components.seconds * 1000)),
            "pingTimeout": .number(Double(server.pingTimeout.components.seconds * 1000)),
            "maxPayload": .number(Double(SocketIOServer.maxPayload)),
        ]
        return "0" + Self.json(.object(open))
    }

    /// Ends the connection on whichever transport it uses.
    func close(code: WebSocketErrorCode) async {
        await channel.close(code: code)
        feed.finish()
    }

    func run(_ inbox: AsyncStream<SocketIOServer.Frame>) async {
        let heartbeat = Task { [weak self] in await self?.beat() }
        for await frame in inbox {
            switch frame {
            case .text(let text): await receive(text)
            case .binary(let data): await receive(binary: data)
            }
        }
        heartbeat.cancel()
        for (namespace, entry) in sessions {
            await entry.session.close()
            entry.claim.release()
            sessions[namespace] = nil
        }
    }

    /// Engine.IO v4: the server pings; a client that does not answer in time is closed.
    private func beat() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: server.pingInterval)
            if Task.isCancelled { return }
            let sent = ContinuousClock.now
            await send("2")
            try? await Task.sleep(for: server.pingTimeout)
            if lastPong < sent {
                await close(code: .goingAway)
                return
            }
        }
    }

    private func receive(_ text: String) async {
        guard let type = text.first.flatMap(EngineIOPacketType.init(rawValue:)) else { return }
        switch type {
        case .pong: lastPong = ContinuousClock.now
        case .ping: await send("3" + text.dropFirst())
        case .close: await close(code: .normalClosure)
        case .message:
            do {
                let packet = try SocketIOPacket.decode(text.dropFirst())
                if packet.attachments > 0 {
                    // Binary data is held only for a namespace this client has joined (so only
                    // after its authentication), and only as much as one packet may carry.
                    guard pendingBinary == nil, packet.attachments <= SocketIOServer.maxAttachments,
                          sessions[packet.namespace] != nil
                    else {
                        await close(code: .policyViolation)
                        return
                    }
                    pendingBinary = (packet, [], 0)
                } else {
                    await dispatch(packet)
                }
            } catch {
                // A broken packet ends the connection, as the protocol requires.
                await close(code: .protocolError)
            }
        default:
            break
        }
    }

    private func receive(binary data: Data) async {
        guard var pending = pendingBinary else {
            // An attachment nobody announced.
            await close(code: .policyViolation)
            return
        }
        pending.bytes += data.count
        guard pending.bytes <= SocketIOServer.maxPayload else {
            pendingBinary = nil
            await close(code: .messageTooLarge)
            return
        }
        pending.buffers.append(data)
        if pending.buffers.count == pending.packet.attachments {
            pendingBinary = nil
            await dispatch(pending.packet.filling(pending.buffers))
        } else {
            pendingBinary = pending
        }
    }

    private func dispatch(_ packet: SocketIOPacket) async {
        switch packet.kind {
        case .connect: await connect(packet)
        case .disconnect:
            if let entry = sessions.removeValue(forKey: packet.namespace) {
                await entry.session.close()
                entry.claim.release()
            }
        case .event:
            guard let entry = sessions[packet.namespace] else {
                await send(SocketIOPacket(kind: .connectError, namespace: packet.namespace, payload: failure(
                    APIError(.unauthorized, code: "AUTHENTICATION_ERROR", "Connect to \(packet.namespace) first"))).frame)
                return
            }
            guard case .array(let items) = packet.payload, let name = items.first?.stringValue else { return }
            let answer = await entry.session.handle(event: name, arguments: Array(items.dropFirst()))
            if let ackID = packet.ackID {
                await send(SocketIOPacket(kind: .ack, namespace: packet.namespace, ackID: ackID, payload: .array([answer])).frame)
            }
        default:
            break
        }
    }

    private func connect(_ packet: SocketIOPacket) async {
        let namespace = packet.namespace
        do {
            guard sessions[namespace] == nil else { return }
            guard let handler = server.handlers.first(where: { $0.serves(namespace) }) else {
                throw APIError(.notFound, code: "NOT_FOUND", "Invalid namespace \(namespace)")
            }
            let principal = try await authenticate(packet.payload)
            guard let claim = server.reserve(userID: principal.user.id) else {
                throw APIError(.tooManyRequests, code: "RATE_LIMIT_EXCEEDED",
                               "At most \(server.limit) real-time connections at once")
            }
            let session: any SocketIONamespaceSession
            do {
                session = try await handler.connect(namespace: namespace, principal: principal, request: request)
            } catch {
                claim.release()
                throw error
            }
            sessions[namespace] = (session, claim)
            await send(SocketIOPacket(kind: .connect, namespace: namespace, payload: .object(["sid": .string(sid + namespace)])).frame)
            let channel = self.channel
            await session.start { name, data in
                await channel.send(SocketIOPacket.event(name, data, namespace: namespace).frame)
            }
        } catch {
            await send(SocketIOPacket(kind: .connectError, namespace: namespace, payload: failure(APIError(from: error))).frame)
        }
    }

    /// The token from `auth.token`, else the handshake's `token` query or Bearer header.
    private func authenticate(_ auth: JSONValue?) async throws -> Principal {
        let token = auth?["token"]?.stringValue ?? request.query[String.self, at: "token"] ?? request.headers.bearerAuthorization?.token
        guard let token, !token.isEmpty else {
            throw APIError(.unauthorized, code: "AUTHENTICATION_ERROR", "Send the access token as auth.token")
        }
        return try await request.identity.authenticate(accessToken: token)
    }

    /// CONNECT_ERROR's payload: `{message, data: {code}}`, with the surface's error codes.
    private func failure(_ error: APIError) -> JSONValue {
        .object(["message": .string(error.message), "data": .object(["code": .string(server.errorCode(error))])])
    }

    func send(_ text: String) async {
        await channel.send(text)
    }

    static func json(_ value: JSONValue) -> String {
        (try? JSONEncoder().encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
