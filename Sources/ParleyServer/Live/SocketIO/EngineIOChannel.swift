import Foundation
import NIOWebSocket
import Vapor

/// Where one Engine.IO connection's packets travel: HTTP long-polling (how default Socket.IO
/// clients start) until the client upgrades, then a WebSocket; or a WebSocket from the start.
/// Packets to the client wait in an outbox for the next poll; packets from the client, from a
/// POST or a frame, are fed to the connection in order.
actor EngineIOChannel {
    private var socket: WebSocket?
    private var outbox: [String] = []
    private var waitingPoll: CheckedContinuation<[String], Never>?
    private(set) var isClosed = false
    /// When the client last polled or posted: a polling client that stops is gone.
    private(set) var lastSeen = ContinuousClock.now

    /// A channel that starts on a WebSocket.
    init(socket: WebSocket) {
        self.socket = socket
    }

    /// A channel that starts with long-polling.
    init() {}

    var isPolling: Bool { socket == nil }

    func send(_ text: String) async {
        guard !isClosed else { return }
        if let socket {
            guard !socket.isClosed else { return }
            try? await socket.send(text)
        } else if let waitingPoll {
            self.waitingPoll = nil
            waitingPoll.resume(returning: [text])
        } else {
            outbox.append(text)
        }
    }

    /// A polling GET: what is queued, or the next packet to come. Nil when a poll is already
    /// waiting (Engine.IO allows one at a time) or the channel no longer polls.
    func poll() async -> [String]? {
        lastSeen = .now
        guard socket == nil, waitingPoll == nil else { return nil }
        if isClosed { return ["1"] }
        if !outbox.isEmpty {
            defer { outbox.removeAll() }
            return outbox
        }
        return await withCheckedContinuation { waitingPoll = $0 }
    }

    /// Notes a POST from the client.
    func posted() { lastSeen = .now }

    /// The client finished the upgrade: what was queued goes over the socket, and a poll still
    /// waiting is answered with a noop so the client can let it go.
    func upgrade(to socket: WebSocket) async {
        guard self.socket == nil, !isClosed else { return }
        self.socket = socket
        waitingPoll?.resume(returning: ["6"])
        waitingPoll = nil
        let queued = outbox
        outbox.removeAll()
        for text in queued { try? await socket.send(text) }
    }

    func close(code: WebSocketErrorCode = .normalClosure) async {
        guard !isClosed else { return }
        isClosed = true
        if let socket {
            try? await socket.close(code: code)
        } else {
            waitingPoll?.resume(returning: ["1"])
            waitingPoll = nil
        }
    }

    /// Engine.IO's polling payload: packets separated by the record separator (0x1E).
    static let separator: Character = "\u{1E}"
}
