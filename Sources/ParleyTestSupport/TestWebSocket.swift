import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import Vapor
import WebSocketKit

/// A real WebSocket client connected to a test server, with a mailbox of received messages.
public final class TestWebSocket: Sendable {
    let socket: WebSocket
    let mailbox: Mailbox

    /// Connects to `path` (e.g. "/ws/voice/session_…?token=…"); a refused upgrade throws.
    public static func connect(_ server: TestServer, path: String, token: String? = nil) async throws -> TestWebSocket {
        let mailbox = Mailbox()
        var headers = HTTPHeaders()
        if let token { headers.add(name: .authorization, value: "Bearer \(token)") }
        let url = server.baseURL.replacingOccurrences(of: "http://", with: "ws://") + path
        let socket: WebSocket = try await withCheckedThrowingContinuation { continuation in
            let connected = NIOLockedValueBox(false)
            WebSocket.connect(to: url, headers: headers, configuration: .init(maxFrameSize: 1 << 24),
                              on: MultiThreadedEventLoopGroup.singleton) { socket in
                socket.onText { _, text in Task { await mailbox.deliver(text) } }
                socket.onClose.whenComplete { _ in Task { await mailbox.close() } }
                connected.withLockedValue { $0 = true }
                continuation.resume(returning: socket)
            }.whenFailure { error in
                if !connected.withLockedValue({ $0 }) { continuation.resume(throwing: error) }
            }
        }
        return TestWebSocket(socket: socket, mailbox: mailbox)
    }

    init(socket: WebSocket, mailbox: Mailbox) {
        self.socket = socket
        self.mailbox = mailbox
    }

    public func send(_ message: [String: Any]) async throws {
        let data = try JSONSerialization.data(withJSONObject: message)
        try await socket.send(String(decoding: data, as: UTF8.self))
    }

    public func sendRaw(_ text: String) async throws {
        try await socket.send(text)
    }

    /// Sends one binary frame.
    public func sendBinary(_ data: Data) async throws {
        try await socket.send([UInt8](data))
    }

    /// The next message as the text that came, or nil (closed, or nothing within `timeout`).
    public func nextText(timeout: Duration = .seconds(60)) async -> String? {
        await mailbox.next(timeout: timeout)
    }

    /// The next message, or nil when the socket closed or nothing came within `timeout`
    /// (a bound so a broken server fails the test instead of hanging it).
    public func next(timeout: Duration = .seconds(60)) async -> [String: Any]? {
        guard let text = await mailbox.next(timeout: timeout) else { return nil }
        return (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
    }

    /// Skips messages until one of `type` arrives; the skipped ones are returned too.
    public func next(type: String, timeout: Duration = .seconds(60)) async -> (message: [String: Any]?, skipped: [[String: Any]]) {
        var skipped: [[String: Any]] = []
        while let message = await next(timeout: timeout) {
            if message["type"] as? String == type { return (message, skipped) }
            skipped.append(message)
        }
        return (nil, skipped)
    }

    public var isClosed: Bool { socket.isClosed }

    public func close() async {
        try? await socket.close()
    }
}

/// Received messages waiting for the test to read them.
actor Mailbox {
    private var buffer: [String] = []
    private var closed = false
    private var waiter: (id: UUID, continuation: CheckedContinuation<String?, Never>)?

    func deliver(_ text: String) {
        if let waiter {
            self.waiter = nil
            waiter.continuation.resume(returning: text)
        } else {
            buffer.append(text)
        }
    }

    func close() {
        closed = true
        waiter?.continuation.resume(returning: nil)
        waiter = nil
    }

    func next(timeout: Duration) async -> String? {
        if !buffer.isEmpty { return buffer.removeFirst() }
        if closed { return nil }
        let id = UUID()
        return await withCheckedContinuation { continuation in
            waiter = (id, continuation)
            Task {
                try? await Task.sleep(for: timeout)
                self.expire(id)
            }
        }
    }

    private func expire(_ id: UUID) {
        guard let waiter, waiter.id == id else { return }
        self.waiter = nil
        waiter.continuation.resume(returning: nil)
    }
}
