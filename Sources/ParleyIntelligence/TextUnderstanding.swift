import Foundation
import ParleyDomain

/// The text analysis with its learned layer: encodes every turn with the sentence encoder, when
/// one runs and the shipped encoder model was trained on its vectors, so that model decides. Without
/// an encoder, or when it fails, the rules and the term model answer alone, and the analysis's
/// `understanding` says so (with the reason).
public struct TextUnderstanding: Sendable {
    public var analyzer: TextAnalyzer
    public var encoder: (any SentenceEncoder)?

    public init(analyzer: TextAnalyzer = TextAnalyzer(), encoder: (any SentenceEncoder)?) {
        self.analyzer = analyzer
        self.encoder = encoder
    }

    /// Analyses a whole conversation.
    public func analyze(_ transcript: Transcript) async -> TextAnalysis {
        let (vectors, path) = await encodings(transcript.segments.map(\.text))
        return analyzer.analyze(transcript, encodings: vectors, understanding: path)
    }

    /// Vectors for the texts and the path they lead to, or nil and the reason the encoder was not used.
    public func encodings(_ texts: [String]) async -> (vectors: [[Float]]?, path: String) {
        guard let encoder, let model = analyzer.encoderModel, let name = model.encoder, let dimensions = model.dimensions else {
            return (nil, analyzer.withoutEncoder)
        }
        guard name == encoder.model else {
            return (nil, "\(analyzer.withoutEncoder) (the model reads \(name), the encoder is \(encoder.model))")
        }
        guard !texts.isEmpty else { return ([], "encoder") }
        do {
            let vectors = try await encoder.encode(texts)
            guard vectors.count == texts.count, vectors.allSatisfy({ $0.count == dimensions }) else {
                return (nil, "\(analyzer.withoutEncoder) (the encoder answered vectors of the wrong shape)")
            }
            return (vectors, "encoder")
        } catch {
            return (nil, "\(analyzer.withoutEncoder) (encoder unavailable: \(error))")
        }
    }
}
