/// A learned sentence encoder: turns utterances into fixed-length vectors that the text
/// analysis's learned heads read (the embedded one is all-MiniLM-L6-v2 in a local service).
public protocol SentenceEncoder: Sendable {
    /// The model's name; learned heads are only applied to vectors from the model they were trained on.
    var model: String { get }
    /// One vector per text, in order.
    func encode(_ texts: [String]) async throws -> [[Float]]
}
