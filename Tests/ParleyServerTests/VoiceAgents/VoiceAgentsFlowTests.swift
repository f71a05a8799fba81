import Foundation
import ParleyTestSupport
import Testing

/// The Voice Agents flow run by independent clients (`requests`, `websocket-client`).
@Suite("Voice Agents: the flow with requests and websocket-client")
struct VoiceAgentsFlowTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    @Test func theDocumentsFlowWorksWithIndependentClients() async throws {
        try await TestServer.with { server in
            let process = Process()
            process.executableURL = Self.root.appendingPathComponent(".venv/bin/python")
            process.arguments = [Self.root.appendingPathComponent("scripts/tests/voice_agents_flow.py").path,
                                 "--base-url", server.baseURL]
            let output = Pipe()
            let errors = Pipe()
            process.standardOutput = output
            process.standardError = errors
            try process.run()
            // Read while it runs, then wait without blocking the cooperative pool.
            let data = try await Task.detached { try output.fileHandleForReading.readToEnd() ?? Data() }.value
            while process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
            let stderr = String(decoding: (try? errors.fileHandleForReading.readToEnd()) ?? Data(), as: UTF8.self)
            let report = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
            #expect(process.terminationStatus == 0, "\(String(decoding: data, as: UTF8.self)) \(stderr)")
            #expect(report["ok"] as? Bool == true, "\(report)")
            #expect((report["steps"] as? [String])?.last == "web call")
        }
    }
}
