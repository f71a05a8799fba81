import Foundation
import ParleySpeech
import ParleyTestSupport
import Testing

/// The embedded encoder service as a user's code meets it: the official OpenAI Python client in
/// its default configuration (base64 vectors it decodes itself), against the supervised service.
@Suite("Sentence encoder through the OpenAI Python client")
struct SentenceEncoderClientTests {
    @Test func theOfficialClientReadsThePublishedSimilarities() async throws {
        let encoder = EmbeddedSentenceEncoder(service: LocalSpeechService(command: try EmbeddedSentenceEncoder.locate()))
        let root = try await encoder.service.endpoint()
        defer { Task { await encoder.service.stop() } }
        let (status, report, errors) = try await ClientScript.run("encoder_openai_client.py", ["--base-url", root.absoluteString])
        #expect(status == 0, "\(report) \(errors)")
        let measured = report["similarities"] as? [Double] ?? []
        #expect(measured.count == 3 && zip(measured, [0.2838, -0.0327, 0.8939]).allSatisfy { abs($0 - $1) < 0.002 }, "\(report)")
        #expect(report["dimensions"] as? [Int] == Array(repeating: 384, count: 6), "\(report)")
        #expect((report["unknown_model"] as? [String: Any])?["param"] as? String == "model", "\(report)")
    }
}
