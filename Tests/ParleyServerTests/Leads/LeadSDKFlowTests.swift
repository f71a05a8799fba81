import Foundation
import ParleyTestSupport
import Testing

/// The document's Python SDK example flow, run by an independent client (`requests`).
@Suite("Leads & Voice Calls: Python SDK-style flow")
struct LeadSDKFlowTests {
    @Test func thePythonSDKExampleFlowWorksWithRequests() async throws {
        try await TestServer.with { server in
            let rep = try await server.register()
            let (status, report, errors) = try await ClientScript.run("leads_sdk_flow.py", ["--base-url", server.baseURL + "/api/v1", "--email", rep.email, "--password", rep.password])
            #expect(status == 0, "\(report) \(errors)")
            #expect(report["ok"] as? Bool == true, "\(report)")
            #expect((report["steps"] as? [String])?.last == "errors")
        }
    }
}
