import Foundation
import Testing
@testable import ParleySpeech

/// The embedded sentence encoder (all-MiniLM-L6-v2 written out in numpy) against the model's
/// published behaviour, through its supervised service and the OpenAI embeddings protocol.
@Suite("embedded sentence encoder", .serialized)
struct SentenceEncoderTests {
    static let encoder: EmbeddedSentenceEncoder = {
        let command = (try? EmbeddedSentenceEncoder.locate())
            ?? LocalServiceCommand(service: "sentence encoder", python: "/nonexistent/python3", script: "/nonexistent", arguments: [], startTimeout: .seconds(5))
        return EmbeddedSentenceEncoder(service: LocalSpeechService(command: command))
    }()

    static func cosine(_ a: [Float], _ b: [Float]) -> Double {
        zip(a, b).reduce(0) { $0 + Double($1.0) * Double($1.1) }
    }

    /// The similarity scores sentence-transformers' quick start prints for this very model; a
    /// mistake anywhere in the forward pass (attention, GELU, pooling) moves them.
    @Test func reproducesThePublishedSimilarities() async throws {
        let first = ["The cat sits outside", "A man is playing guitar", "The new movie is awesome"]
        let second = ["The dog plays in the garden", "A woman watches TV", "The new movie is so great"]
        let vectors = try await Self.encoder.encode(first + second)
        #expect(vectors.count == 6)
        #expect(vectors.allSatisfy { $0.count == 384 })
        for vector in vectors { #expect(abs(Self.cosine(vector, vector) - 1) < 1e-4) }
        let published = [0.2838, -0.0327, 0.8939]
        for (i, expected) in published.enumerated() {
            let measured = Self.cosine(vectors[i], vectors[i + 3])
            #expect(abs(measured - expected) < 0.002, "\(first[i]) / \(second[i]): \(measured), published \(expected)")
        }
    }

    /// Order is kept across the client's batches, and a long turn is cut, not refused.
    @Test func keepsOrderAcrossBatchesAndReadsLongTurns() async throws {
        let texts = (0..<(EmbeddedSentenceEncoder.batch + 3)).map { "Line number \($0) about the boiler." }
        let long = String(repeating: "we talked about the quote and the install date ", count: 60)
        let vectors = try await Self.encoder.encode(texts + [long])
        #expect(vectors.count == texts.count + 1)
        let again = try await Self.encoder.encode([texts[EmbeddedSentenceEncoder.batch + 1]])
        #expect(abs(Self.cosine(vectors[EmbeddedSentenceEncoder.batch + 1], again[0]) - 1) < 1e-4)
        #expect(try await Self.encoder.encode([]).isEmpty)
    }

    /// The service answers bad requests the way the OpenAI protocol does, naming the field.
    @Test func refusesBadRequestsNamingTheField() async throws {
        let root = try await Self.encoder.service.endpoint()
        for (body, field) in [(#"{"input": []}"#, "input"), (#"{"input": [1, 2]}"#, "input"), (#"{"input": "x", "model": "other"}"#, "model"),
                              (#"{"input": "x", "encoding_format": "hex"}"#, "encoding_format")] {
            let response = try await ProviderHTTP(provider: "test", timeout: .seconds(10))
                .send(.POST, root.appendingPathComponent("embeddings"), headers: [("Content-Type", "application/json")], body: Data(body.utf8))
            #expect([400, 404].contains(response.status), "\(body)")
            let object = try JSONSerialization.jsonObject(with: response.body) as? [String: Any]
            let error = object?["error"] as? [String: Any]
            #expect(error?["param"] as? String == field, "\(body)")
        }
        let client = OpenAIEmbeddingsClient(baseURL: root, model: "all-MiniLM-L6-v2")
        #expect(try await client.embed(["one", "two"]).count == 2)
    }
}
