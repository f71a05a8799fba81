import Foundation

/// Whether a callee asks to be put through to a person ("can I speak to a real person?",
/// "transfer me to someone", "get me a human"), which a voice agent with a transfer number answers
/// by handing the call over. Asking whether the agent is a robot is not such a request.
public enum HandOffRequest {
    enum Cue: Sendable, Hashable { case person }

    static let patterns = PatternSet<Cue>([
        (.person, [
            "speak|talk ~ to|with ~ a|an|someone|somebody|anyone|anybody|person|human|representative|agent|operator|manager",
            "real|actual|live ~ person|human|agent|representative", "transfer me", "transfer the call", "put me through",
            "connect me ~ to|with", "get me ~ a|someone|somebody|your ~ person|human|manager|representative|supervisor",
            "human being", "speak_to|talk_to ~ your ~ manager|supervisor|boss",
        ]),
    ])

    /// True when the line asks for a person.
    public static func asksForPerson(_ text: String) -> Bool {
        let terms = Tokenizer.terms(Tokenizer.tokens(text))
        return !patterns.hits(in: terms).isEmpty
    }
}
