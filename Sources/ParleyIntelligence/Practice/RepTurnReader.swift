import Foundation
import ParleyDomain

/// Reads a rep's turn into a `RepMove` with the shared `TextAnalyzer`, plus the few cues only
/// role-play needs (rudeness, pressure, asking who the prospect is).
struct RepTurnReader: Sendable {
    /// Built once: the analyser compiles its upsell catalogue on creation.
    static let analyzer = TextAnalyzer()

    /// Insults and dismissive lines that end a call. Matched as whole phrases on the term stream.
    static let rudeness = PatternSet<Int>([(0, [
        "shut up", "stupid", "idiot", "idiotic", "dumb", "moron", "ridiculous excuse", "whatever", "waste of my time",
        "wasting my time", "you are wrong", "do not get it", "listen to me", "clueless", "pathetic", "nonsense",
        "stop whining", "grow up", "what is wrong with you",
    ])])
    /// High-pressure phrases that cost trust.
    static let pressure = PatternSet<Int>([(0, [
        "sign today", "sign now", "right now", "today only", "limited time", "you need to buy", "you have to", "you need to",
        "you must", "do not miss", "last chance", "act now", "before the price goes up", "no reason not to", "just say yes",
        "sign the contract", "commit today", "buy today",
    ])])
    /// Explicit asks for a next step, which count even inside an open question ("what time works for a follow-up?").
    static let nextStep = PatternSet<Int>([(0, [
        "next step", "next steps", "follow up call|meeting", "what time works", "when can we meet|talk|start", "set up a call|meeting|time|demo",
        "book a|the call|meeting|demo|time|pilot|trial", "schedule a|the call|meeting|demo|pilot|trial", "would you be open to", "move forward",
    ])])
    static let identity = PatternSet<Int>([(0, [
        "who am i speaking", "who am i talking", "who is this", "what is your role", "what do you do", "your title", "tell me about yourself",
        "who are you",
    ])])

    /// Words above which one turn counts as a monologue in a live call.
    let monologueWords: Int

    func read(_ text: String, revealedPains: [String]) -> (move: RepMove, analysis: SegmentAnalysis) {
        let analysis = Self.analyzer.analyze(segment: TranscriptSegment(id: 0, speaker: .rep, text: text))
        let terms = Tokenizer.terms(Tokenizer.tokens(text))
        let intents = Set(analysis.intents.map(\.type))
        let open = analysis.questions.filter { $0.kind == .open }.count
        let closed = analysis.questions.count - open
        let rude = !Self.rudeness.hits(in: terms).isEmpty
        let pushy = !Self.pressure.hits(in: terms).isEmpty
        let empathetic = analysis.tones.contains { $0.tone == .empathetic }
        let pitched = intents.contains(.valueProposition)
        let words = PracticeText.stems(text)
        let tied = pitched && revealedPains.contains { !PracticeText.stems($0).isDisjoint(with: words) }
        let phrase = analysis.intents.first { $0.type != .discoveryQuestion }?.evidence.phrase ?? analysis.questions.first?.evidence.phrase ?? ""
        let move = RepMove(
            wordCount: analysis.wordCount, openQuestions: open, closedQuestions: closed,
            // The analyser drops discovery when a question also touches another purpose ("what would make a pilot
            // a success?"); an open question still probes unless it is rapport or small talk.
            discovery: intents.contains(.discoveryQuestion)
                || open > 0 && !intents.contains(.rapport) && !intents.contains(.smallTalk) && !intents.contains(.greeting),
            greeted: intents.contains(.greeting), rapport: intents.contains(.rapport) || intents.contains(.smallTalk),
            acknowledged: intents.contains(.objectionHandling) || empathetic, pitched: pitched, tiedToPain: tied,
            // A discovery question that mentions booking ("how do customers book today?") is not a close.
            askedForNextStep: !Self.nextStep.hits(in: terms).isEmpty || intents.contains(.closingAttempt) && open == 0
                || intents.contains(.scheduling) && closed > 0 && open == 0,
            concreteTime: intents.contains(.scheduling), askedWhoTheyAre: !Self.identity.hits(in: terms).isEmpty,
            rude: rude || analysis.sentiment.score <= -0.6 && analysis.tones.contains { $0.tone == .frustrated },
            pushy: pushy, monologue: analysis.wordCount > monologueWords, keyPhrase: phrase.isEmpty ? PracticeText.excerpt(text) : phrase)
        return (move, analysis)
    }
}

/// Small text helpers for role-play: content-word stems for relevance and short excerpts for evidence.
enum PracticeText {
    /// Lower-cased content words of at least four letters, cut to five letters so "reporting" meets "reports".
    static func stems(_ text: String) -> Set<String> {
        Set(Tokenizer.terms(Tokenizer.tokens(text)).compactMap { term in
            guard !term.isPunctuation, term.text.count >= 4, !KeyPhrases.stopwords.contains(term.text) else { return nil }
            return String(term.text.prefix(5))
        })
    }

    /// The first dozen words of a turn.
    static func excerpt(_ text: String, words: Int = 12) -> String {
        let parts = text.split(whereSeparator: \.isWhitespace)
        return parts.prefix(words).joined(separator: " ") + (parts.count > words ? " …" : "")
    }

    /// A sentence fragment for use mid-sentence: first letter lower-cased unless it is "I" or an acronym, no final stop.
    static func inline(_ text: String) -> String {
        var s = text.trimmingCharacters(in: .whitespacesAndNewlines)
        while let last = s.last, ".!".contains(last) { s.removeLast() }
        guard let first = s.first, s.count > 1 else { return s }
        let second = s[s.index(after: s.startIndex)]
        if first == "I" && (second == " " || second == "'") || second.isUppercase { return s }
        return first.lowercased() + s.dropFirst()
    }

    /// A sentence: first letter upper-cased, ends with a stop.
    static func sentence(_ text: String) -> String {
        var s = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let first = s.first else { return s }
        s = first.uppercased() + s.dropFirst()
        if let last = s.last, !".!?".contains(last) { s += "." }
        return s
    }
}
