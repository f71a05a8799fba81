import Foundation
import ParleyDomain

/// A commitment or request that needs doing after the conversation.
public struct ActionItem: Sendable, Codable, Hashable {
    public var text: String
    /// Who should do it: the rep when they promised it or the customer asked for it.
    public var owner: SpeakerRole
    /// When, as said ("tomorrow", "by Friday", "within 24 hours").
    public var due: String?
    public var evidence: Evidence
}

/// An extractive summary: the sentences that carry the conversation's findings, in order.
public struct Summary: Sendable, Codable, Hashable {
    public var text: String
    public var sentences: [Evidence]
    /// `extractive`, or `language_model` when a configured model wrote it.
    public var method: String
    /// Provenance: the model that wrote it, or why the extractive fallback was used.
    public var note: String? = nil
}

/// A moment a coach would stop the tape at: what happened, what should have, and a better line.
public struct CoachingMoment: Sendable, Codable, Hashable {
    public var category: String
    public var title: String
    public var timestampInCall: Double?
    public var whatHappened: String
    public var whatShouldHappen: String
    public var exampleBetterResponse: String
    /// `minor`, `moderate`, `important` or `critical`.
    public var severity: String
    public var evidence: [Evidence]
}

/// Action items from explicit commitments and requests.
enum ActionItems {
    static let commitments = PatternSet<SpeakerRole>([
        (.rep, [
            "i|we will|can|am_going_to|are_going_to|shall ~ send|get|call|email|schedule|have|follow|check|look|put|book|order|bring|reach|confirm|set|forward|text|write|prepare|draft|share|arrange|come|swing|stop|update|ship",
            "let me ~ send|get|check|look|put|book|follow|confirm|email|find|pull|set",
            "i will get back to you", "we will get back to you",
        ]),
        (.counterpart, [
            "can|could|would you ~ send|email|forward|text|share|call|give me|put|get me",
            "please ~ send|email|call|forward|share",
            "send me|us", "email me|us", "call me", "text me",
        ]),
    ])
    static let duePatterns = PatternSet<Int>([(0, [
        "tomorrow ~ morning|afternoon?", "today", "tonight", "this afternoon|morning|evening|week", "by|on|before|next monday|tuesday|wednesday|thursday|friday|saturday|sunday",
        "next week|month", "within * hours|days|minutes", "end of day|week|month", "by eod", "in * days|hours|weeks", "right away", "asap", "first thing",
    ])])

    static func extract(_ texts: [SegmentText]) -> [ActionItem] {
        var items: [ActionItem] = []
        for text in texts {
            for sentence in text.sentences {
                let terms = Array(text.terms[sentence])
                guard let hit = commitments.hits(in: terms).first else { continue }
                if Negation.isNegated(terms, before: hit.start, window: 2) { continue }
                // Commitments belong to whoever speaks; requests from the customer are the rep's to do.
                let speakerSaysRequest = hit.label == .counterpart
                let owner: SpeakerRole = speakerSaysRequest ? (text.speaker == .rep ? .counterpart : .rep) : (text.speaker == .unknown ? .rep : text.speaker)
                if Questions.classify(text.terms, sentence) != nil && !speakerSaysRequest { continue }
                let due = duePatterns.hits(in: terms).first.map { text.phrase(terms: sentence.lowerBound + $0.start, sentence.lowerBound + $0.end) }
                let words = sentence.filter { !text.terms[$0].isPunctuation }
                guard let first = words.first, let last = words.last else { continue }
                let evidence = text.evidence(terms: first, last + 1)
                items.append(ActionItem(text: evidence.phrase, owner: owner, due: due, evidence: evidence))
            }
        }
        return items
    }
}

/// Extractive summaries: sentences scored by the findings and key phrases they carry.
enum Summaries {
    static func extractive(
        segments: [SegmentAnalysis], texts: [SegmentText], phrases: [KeyPhrase], upsells: [UpsellOpportunity], actionItems: [ActionItem],
        limit: Int = 4
    ) -> Summary {
        let keyWords = Set(phrases.prefix(6).flatMap { $0.phrase.split(separator: " ").map(String.init) })
        let actionSegments = Set(actionItems.map(\.evidence.segmentID))
        let upsellSegments = Set(upsells.map(\.evidence.segmentID))
        var candidates: [(score: Double, order: Int, evidence: Evidence)] = []
        for (index, text) in texts.enumerated() {
            let analysis = segments[index]
            let smallTalk = analysis.intents.contains { $0.type == .greeting || $0.type == .smallTalk } && analysis.intents.count == 1
            for sentence in text.sentences {
                let words = sentence.filter { !text.terms[$0].isPunctuation }
                guard words.count >= 5, words.count <= 45, !smallTalk, let first = words.first, let last = words.last else { continue }
                var score = 0.0
                if !analysis.objections.isEmpty { score += 3 }
                if upsellSegments.contains(text.id) { score += 3 }
                if !analysis.interestSignals.isEmpty { score += 2 }
                if actionSegments.contains(text.id) { score += 2.5 }
                if analysis.intents.contains(where: { $0.type == .valueProposition || $0.type == .closingAttempt }) { score += 1 }
                score += Double(words.filter { keyWords.contains(text.terms[$0].text) }.count) * 0.5
                if text.speaker == .counterpart { score += 0.5 }
                score -= Double(analysis.fillers.count) * 0.3
                if score > 0.9 { candidates.append((score, candidates.count, text.evidence(terms: first, last + 1))) }
            }
        }
        let chosen = candidates.sorted { ($0.score, -$0.order) > ($1.score, -$1.order) }.prefix(limit).sorted { $0.order < $1.order }
        let sentences = chosen.map(\.evidence)
        let text = sentences.map { s -> String in
            let trimmed = s.phrase.trimmingCharacters(in: .whitespaces)
            return trimmed.hasSuffix(".") || trimmed.hasSuffix("?") || trimmed.hasSuffix("!") ? trimmed : trimmed + "."
        }.joined(separator: " ")
        return Summary(text: text, sentences: sentences, method: "extractive")
    }
}

/// Coaching rules over an analysed conversation. Each rule names its evidence.
enum Coaching {
    static let monologueSeconds = 90.0
    static let monologueWords = 220
    static let deferrals = PatternSet<Int>([(0, [
        "get back to you", "not sure", "i do not know", "have to check", "need to check", "would have to check", "let me check", "depends",
        "hard to say", "i will find out", "i will see", "can not say", "no idea",
    ])])
    static let acknowledgements = PatternSet<Int>([(0, [
        "understand", "hear you", "fair", "makes sense", "get that", "appreciate", "good point", "great question", "good question",
        "sorry", "i see", "totally", "absolutely", "of course", "what if", "compared", "many of our", "other customers", "let me",
    ])])

    static func moments(
        segments: [SegmentAnalysis], texts: [SegmentText], dynamics: TalkDynamics, upsells: [UpsellOpportunity], actionItems: [ActionItem],
        catalogue: UpsellCatalogue
    ) -> [CoachingMoment] {
        var moments: [CoachingMoment] = []
        let repIndices = segments.indices.filter { segments[$0].speaker == .rep }
        let hasRoles = !repIndices.isEmpty && segments.contains { $0.speaker == .counterpart }
        func nextRep(after index: Int) -> Int? { repIndices.first { $0 > index } }

        if hasRoles {
            for (i, segment) in segments.enumerated() where segment.speaker == .counterpart {
                // Buying questions (price, timeline, demo) must get a concrete answer.
                if let signal = segment.interestSignals.first(where: { $0.type == .pricingInterest || $0.type == .timelineInterest || $0.type == .demoInterest }),
                    segment.question != nil, let reply = nextRep(after: i)
                {
                    let answer = texts[reply]
                    let concrete = answer.terms.contains { Double($0.text) != nil || NumberWords.tens[$0.text] != nil || ["dollars", "$", "today", "tomorrow", "monday", "tuesday", "wednesday", "thursday", "friday", "week"].contains($0.text) }
                        || answer.tokens.contains { $0.text == "$" }
                    let deferred = !deferrals.hits(in: answer.terms).isEmpty
                    if deferred || !concrete {
                        let kind = signal.type == .pricingInterest ? "cost" : signal.type == .timelineInterest ? "timing" : "a demo"
                        moments.append(CoachingMoment(
                            category: signal.type == .pricingInterest ? "upsell_missed" : "missed_follow_up",
                            title: signal.type == .pricingInterest ? "Missed Quote Follow-up" : "Buying Question Left Open",
                            timestampInCall: answer.segment.start ?? segment.start,
                            whatHappened: "Customer asked about \(kind) (\"\(signal.evidence.phrase)\"). The reply \(deferred ? "deferred without a timeline" : "gave no concrete answer"): \"\(answer.segment.text)\"",
                            whatShouldHappen: "Answer buying questions concretely, or commit to when the answer will come and how.",
                            exampleBetterResponse: signal.type == .pricingInterest
                                ? "I'll have a detailed quote to you by tomorrow afternoon. Would email or a phone call work better for you?"
                                : signal.type == .timelineInterest
                                    ? "We can have a crew out as early as next Tuesday. Shall I pencil that in while we talk?"
                                    : "Absolutely. I can show you a live demo this Thursday at 10. Does that work?",
                            severity: "important", evidence: [signal.evidence, answer.wholeEvidence]))
                    }
                }
                // Objections must be acknowledged or explored, not talked past.
                if let objection = segment.objections.first, let reply = nextRep(after: i), reply == i + 1 || reply == i + 2 {
                    let handled = !acknowledgements.hits(in: texts[reply].terms).isEmpty || segments[reply].question != nil
                        || segments[reply].intents.contains { $0.type == .objectionHandling }
                    if !handled {
                        moments.append(CoachingMoment(
                            category: "objection_ignored", title: "\(objection.type.rawValue.capitalized) Objection Not Addressed",
                            timestampInCall: texts[reply].segment.start ?? segment.start,
                            whatHappened: "Customer raised a \(objection.type.rawValue) objection (\"\(objection.evidence.phrase)\") and the reply moved on without acknowledging it.",
                            whatShouldHappen: "Acknowledge the concern, ask a question to understand it, then answer it.",
                            exampleBetterResponse: Coaching.objectionExample(objection.type),
                            severity: "important", evidence: [objection.evidence, texts[reply].wholeEvidence]))
                    }
                }
            }
            // Upsell opportunities the rep never picked up.
            for upsell in upsells {
                guard let index = segments.firstIndex(where: { $0.segmentID == upsell.evidence.segmentID }) else { continue }
                let entryWords = Set((catalogue.entries.first { $0.type == upsell.type }?.title ?? upsell.title).lowercased().split(separator: " ").map(String.init))
                    .union(["replace", "replacement", "plan", "quote", "upgrade", "new", "offer", "option", "options", "estimate", "recommend"])
                let pickedUp = repIndices.filter { $0 > index }.contains { rep in texts[rep].terms.contains { entryWords.contains($0.text) } }
                if !pickedUp {
                    moments.append(CoachingMoment(
                        category: "upsell_missed", title: "Missed \(upsell.title) Opportunity", timestampInCall: upsell.timestampInCall,
                        whatHappened: "Customer said \"\(upsell.triggerPhrase)\" and the opportunity (\(upsell.type)) was never raised.",
                        whatShouldHappen: "Connect what the customer said to the offering and propose a next step.",
                        exampleBetterResponse: "You mentioned \(upsell.evidence.phrase.lowercased()). We have a \(upsell.title.lowercased()) that addresses exactly that. Can I put a quick estimate together for you?",
                        severity: upsell.priority == "high" ? "important" : "moderate", evidence: [upsell.evidence]))
                }
            }
            // Interruptions by the rep.
            for interruption in dynamics.interruptions where interruption.by == .rep {
                moments.append(CoachingMoment(
                    category: "interrupting", title: "Interrupted the Customer", timestampInCall: interruption.evidence.start,
                    whatHappened: "Started speaking \(interruption.overlapSeconds) s before the customer finished.",
                    whatShouldHappen: "Let the customer finish; pause a beat before answering.",
                    exampleBetterResponse: "(wait for the customer to finish) That's helpful. So what I'm hearing is...",
                    severity: dynamics.interruptions.filter { $0.by == .rep }.count >= 3 ? "important" : "moderate", evidence: [interruption.evidence]))
            }
            // No next step at the end of a substantial conversation.
            if segments.count >= 6 {
                let tail = segments.suffix(max(4, segments.count / 4))
                let nextStep = tail.contains { $0.intents.contains { $0.type == .closingAttempt || $0.type == .scheduling } }
                    || actionItems.contains { item in tail.contains { $0.segmentID == item.evidence.segmentID } && item.owner == .rep && item.due != nil }
                if !nextStep, let last = segments.last {
                    moments.append(CoachingMoment(
                        category: "no_next_step", title: "No Next Step Agreed", timestampInCall: last.start,
                        whatHappened: "The conversation ended without a scheduled follow-up, commitment or closing question.",
                        whatShouldHappen: "Close every conversation with a concrete next step: a date, an owner and an action.",
                        exampleBetterResponse: "Let's pencil in a follow-up for Thursday at 2 to go through the proposal. Does that work for you?",
                        severity: "important", evidence: [texts[texts.count - 1].wholeEvidence]))
                }
            }
            // Too few questions from the rep.
            let repQuestions = segments.filter { $0.speaker == .rep }.reduce(0) { $0 + $1.questions.count }
            if repIndices.count >= 5 && repQuestions < 2 {
                moments.append(CoachingMoment(
                    category: "discovery", title: "Too Few Discovery Questions", timestampInCall: segments[repIndices[0]].start,
                    whatHappened: "The rep asked \(repQuestions) question\(repQuestions == 1 ? "" : "s") in \(repIndices.count) turns.",
                    whatShouldHappen: "Ask open questions early to understand the customer's situation before presenting.",
                    exampleBetterResponse: "Before I go further, what's the biggest headache with the current setup?",
                    severity: "moderate", evidence: repIndices.prefix(3).map { texts[$0].wholeEvidence }))
            }
        }
        // Long monologues by the rep (or anyone, when roles are unknown).
        if let run = hasRoles ? dynamics.longestRepMonologue : dynamics.longestMonologue,
            dynamics.estimated ? run.words > monologueWords : run.seconds > monologueSeconds
        {
            let evidence = texts.filter { run.segmentIDs.contains($0.id) }.prefix(3).map(\.wholeEvidence)
            moments.append(CoachingMoment(
                category: "monologue", title: "Monologue Too Long", timestampInCall: run.start,
                whatHappened: "Talked for \(Int(run.seconds)) s (\(run.words) words) without letting the other side in.",
                whatShouldHappen: "Keep explanations under about a minute and check in with a question.",
                exampleBetterResponse: "That's the short version. How does that compare with what you're doing today?",
                severity: run.seconds > 2 * monologueSeconds ? "important" : "moderate", evidence: evidence))
        }
        // Talk-time imbalance.
        if hasRoles, let share = dynamics.repTalkShare, share > 0.7, segments.count >= 6 {
            moments.append(CoachingMoment(
                category: "talk_time", title: "Talking More Than Listening", timestampInCall: nil,
                whatHappened: "The rep spoke \(Int(share * 100))% of the time.",
                whatShouldHappen: "Aim to speak less than 60% of the time; ask and listen.",
                exampleBetterResponse: "What would you want to see from a solution like this?",
                severity: "moderate", evidence: []))
        }
        return moments.sorted { ($0.timestampInCall ?? .infinity) < ($1.timestampInCall ?? .infinity) }
    }

    static func objectionExample(_ type: ObjectionType) -> String {
        switch type {
        case .price: "I understand budget matters. Can I ask what you're comparing it against? Most customers find the plan pays for itself within a year."
        case .timing: "Totally fair. What would need to happen for the timing to be right? I can hold this pricing until then."
        case .competitor: "Good to hear you have someone you like. What would you change about the current service if you could?"
        case .authority: "Makes sense. Who else should be part of the decision, and would it help if I joined that conversation?"
        case .need: "Fair enough. Out of curiosity, how are you handling it today, and what happens when it fails?"
        case .trust: "That's a fair question. I can send you three references from customers in your area and our written guarantee."
        }
    }
}
