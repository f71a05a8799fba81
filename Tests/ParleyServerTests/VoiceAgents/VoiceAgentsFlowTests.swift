import Foundation
import ParleyTestSupport
import Testing

/// The Voice Agents flow run by independent clients (`requests`, `websocket-client`).
@Suite("Voice Agents: the flow with requests and websocket-client")
struct VoiceAgentsFlowTests {
    @Test func theDocumentsFlowWorksWithIndependentClients() async throws {
        try await TestServer.with { server in
            let (status, report, errors) = try await ClientScript.run("voice_agents_flow.py", ["--base-url", server.baseURL])
            #expect(status == 0, "\(report) \(errors)")
            #expect(report["ok"] as? Bool == true, "\(report)")
            #expect((report["steps"] as? [String])?.last == "extraction")
        }
    }
}
