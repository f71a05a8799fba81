import Foundation
import ParleyDomain

/// A nudge the live analysis suggests: what to show the technician and what makes it the same
/// nudge as another (`key`), so a conversation never shows it twice.
public struct NudgeSuggestion: Sendable, Equatable {
    /// `upsell_prompt`, `unanswered_question`, `pricing_unclear` or `safety_mention`.
    public var type: String
    public var key: String
    public var title: String
    public var message: String
    public var suggestedResponse: String
    public var confidence: Double
    /// Seconds into the conversation of the words that triggered it.
    public var at: Double
}

/// Live nudges for a field visit, read from each final utterance as it is recognised: an
/// upsell the customer's words open (from the catalogue), a customer question the technician
/// left unanswered, a price asked about and not given, and a safety hazard mentioned.
/// Keeps what it needs between utterances (the open question and price request).
public struct FieldNudgeRules: Sendable {
    let analyzer: TextAnalyzer
    /// The customer's last question, until the technician answers it.
    private var openQuestion: (text: String, at: Double)?
    /// The customer asked about price; the technician's next words should carry one.
    private var priceAsked: (text: String, at: Double)?

    public init(catalogue: UpsellCatalogue = .standard) {
        analyzer = TextAnalyzer(catalogue: catalogue)
    }

    static let pricePatterns = PatternSet<Int>([(0, [
        "how much", "what does ~ cost", "what would ~ cost", "what will ~ cost", "the cost", "cost of", "price", "pricing", "quote", "estimate",
        "ballpark", "what are we looking at", "how expensive",
    ])])
    static let deferrals = PatternSet<Int>([(0, [
        "get back to you", "not sure", "i do not know", "i don't know", "have to check", "need to check", "depends", "hard to say",
        "can not say", "cannot say", "look into it", "ask the office", "someone will call", "the office will",
    ])])
    static let hazards = PatternSet<String>([
        ("gas", ["smell gas", "smells like gas", "gas leak", "leaking gas", "rotten eggs"]),
        ("carbon_monoxide", ["carbon monoxide", "co alarm", "co detector", "headaches when the heat"]),
        ("electrical", ["sparks", "sparking", "exposed wire|wires|wiring", "got a shock", "getting shocked", "burning smell", "smells like burning", "scorch marks", "breaker keeps tripping"]),
        ("fire", ["smoke", "smoking", "caught fire", "fire hazard", "flames"]),
        ("water", ["water near the panel", "flooding", "leaking onto the panel", "standing water"]),
    ])

    /// The nudges one final utterance opens (none for most); `encoding`, the utterance's sentence
    /// vector when the encoder runs, lets the encoder model find the upsells.
    public mutating func consider(_ segment: TranscriptSegment, encoding: [Float]? = nil) -> [NudgeSuggestion] {
        let at = segment.start ?? 0
        let analysis = analyzer.analyze(segment: segment, encoding: encoding)
        let text = SegmentText(segment)
        var nudges: [NudgeSuggestion] = []
        if segment.speaker == .counterpart {
            for upsell in analysis.upsells {
                nudges.append(NudgeSuggestion(
                    type: "upsell_prompt", key: "upsell:\(upsell.type)", title: "Upsell opportunity: \(upsell.title)",
                    message: "Customer said \"\(upsell.triggerPhrase)\" – consider the \(upsell.title.lowercased()).",
                    suggestedResponse: Self.pitch(upsell.type, title: upsell.title), confidence: upsell.confidence, at: upsell.timestampInCall ?? at))
            }
            // An earlier question the technician let pass is unanswered once the customer speaks again.
            if let open = openQuestion {
                nudges.append(unanswered(open))
                openQuestion = nil
            }
            if !analysis.questions.isEmpty { openQuestion = (segment.text, at) }
            if Self.pricePatterns.hits(in: text.terms).first != nil, !analysis.questions.isEmpty || segment.text.contains("?") {
                priceAsked = (segment.text, at)
            }
        } else if segment.speaker == .rep {
            let deferred = Self.deferrals.hits(in: text.terms).first != nil
            if let open = openQuestion {
                if deferred { nudges.append(unanswered(open)) }
                openQuestion = nil
            }
            if let asked = priceAsked {
                let quoted = !analysis.questions.isEmpty ? false : segment.text.contains(where: \.isNumber) || segment.text.contains("$")
                if !quoted {
                    nudges.append(NudgeSuggestion(
                        type: "pricing_unclear", key: "pricing:\(Int(asked.at))", title: "Pricing left unclear",
                        message: "Customer asked \"\(asked.text)\" and has no figure yet.",
                        suggestedResponse: "Give a range now and a written quote with a date: \"It's usually between X and Y; I'll have an exact quote to you by tomorrow afternoon.\"",
                        confidence: deferred ? 0.85 : 0.7, at: asked.at))
                }
                priceAsked = nil
            }
        }
        for hit in Self.hazards.hits(in: text.terms) {
            let phrase = text.phrase(terms: hit.start, hit.end)
            nudges.append(NudgeSuggestion(
                type: "safety_mention", key: "safety:\(hit.label)", title: "Safety concern mentioned",
                message: "\"\(phrase)\" was mentioned: check it before anything else.",
                suggestedResponse: Self.safetyLine(hit.label), confidence: 0.9, at: at))
        }
        var seen = Set<String>()
        return nudges.filter { seen.insert($0.key).inserted }
    }

    private func unanswered(_ open: (text: String, at: Double)) -> NudgeSuggestion {
        NudgeSuggestion(
            type: "unanswered_question", key: "question:\(Int(open.at))", title: "Customer question unanswered",
            message: "The customer asked \"\(open.text)\" and did not get an answer.",
            suggestedResponse: "Go back to it: \"You asked earlier about that – here's what I found…\" If you don't know yet, say when you will.",
            confidence: 0.75, at: open.at)
    }

    static func pitch(_ type: String, title: String) -> String {
        switch type {
        case "maintenance_plan":
            "We offer a preventive maintenance plan that could save you money on these recurring repairs. Would you like to hear about it?"
        case "equipment_replacement":
            "Given its age and the repairs, replacing it may cost less over the next few years. Can I put together a replacement quote for you?"
        case "capacity_upgrade":
            "It sounds like demand has outgrown what's installed. I can size an upgrade for you – shall I take some measurements?"
        case "efficiency_upgrade":
            "A more efficient system could bring those bills down noticeably. Would you like an estimate of the savings?"
        case "air_quality":
            "We can improve that with filtration or dehumidification. Would you like me to check the air quality while I'm here?"
        case "warranty_extension":
            "We can extend the coverage so you're protected if anything fails. Shall I send you the options?"
        case "compliance_inspection":
            "We run inspection and certification packages so you're ready for the inspector. Want me to book one before it's due?"
        default:
            "We could help with that too – would you like me to tell you about our \(title.lowercased())?"
        }
    }

    static func safetyLine(_ hazard: String) -> String {
        switch hazard {
        case "gas": "Let's step outside and not use any switches; I'll shut off the gas supply and check for the leak right away."
        case "carbon_monoxide": "Let's get some fresh air in and check the CO levels now; I'll inspect the flue and the burner before we go on."
        case "electrical": "Please don't touch it; I'll isolate the circuit and make it safe before anything else."
        case "fire": "Let's make sure everyone is clear of it; I'll isolate the power and check for the source now."
        default: "Let's make that safe first: keep clear of it while I isolate the supply."
        }
    }
}
