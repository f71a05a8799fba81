import Foundation
import ParleyDomain

/// What a lead's reply means for the call, beyond the shared analysis: the cues that end or redirect
/// an outbound call (opt-out, voicemail, wrong person, callback, a plain "no").
struct LeadReading: Sendable, Hashable {
    var analysis: LeadTurnAnalysis
    var optOut: Bool
    var voicemail: Bool
    var wrongPerson: Bool
    /// The lead is hanging up ("I have to go", "goodbye").
    var leaving: Bool
    var callbackRequested: Bool
    /// The time the lead named for a callback or a meeting ("next Tuesday afternoon").
    var timePhrase: String?
    /// A plain no ("not interested", "we'll pass").
    var rejection: Bool
    /// A yes to a proposed next step; only meaningful when the caller just asked for one.
    var agreement: Bool
    /// Neither yes nor no ("maybe", "not yet", "I'm not convinced").
    var hesitation: Bool
    var asked: Bool
    /// "Who's calling?", "And you are?"
    var identityAsked: Bool
    var wordCount: Int
    /// The reply as said, for quoting a pain point back.
    var text: String

    /// Problem words that make an answer a pain point rather than small talk ("That's really the gist of it").
    static let problemWords: Set<String> = [
        "problem", "problems", "issue", "issues", "headache", "slow", "cost", "costs", "costly", "hard", "manual", "too", "takes", "waste",
        "missed", "miss", "pressure", "rising", "struggle", "struggling", "pain", "painful", "frustrating", "late", "errors", "mess", "juggle",
        "backlog", "days", "weeks", "nobody", "behind", "lose", "losing", "lost",
    ]

    /// The pain point this reply describes, if any: the profile's wording when they share content words
    /// (the lead answered the question about it), else the lead's own clause when it names a problem.
    /// `ownWords`: the reply answers a question about problems, so a clause with a problem word counts too.
    func painMention(profilePains: [String], ownWords: Bool) -> String? {
        guard analysis.objections.isEmpty, !asked || wordCount > 8, wordCount >= 3 else { return nil }
        let said = PracticeText.stems(text)
        let best = profilePains.map { ($0, PracticeText.stems($0).intersection(said).count) }.max { $0.1 < $1.1 }
        if let best, best.1 > 0 { return best.0 }
        let terms = Set(Tokenizer.terms(Tokenizer.tokens(text)).map(\.text))
        guard ownWords, !terms.isDisjoint(with: Self.problemWords) else { return nil }
        // The first sentence of three words or more, after any "The big one for us:" lead-in.
        let sentences = text.split(whereSeparator: { ".!?".contains($0) }).map { $0.trimmingCharacters(in: .whitespaces) }
        guard var clause = sentences.first(where: { $0.split(separator: " ").count >= 3 }) else { return nil }
        if let colon = clause.lastIndex(of: ":") { clause = String(clause[clause.index(after: colon)...]) }
        else if clause.lowercased().hasPrefix("if "), let comma = clause.firstIndex(of: ",") { clause = String(clause[clause.index(after: comma)...]) }
        let words = clause.split(separator: " ")
        let trimmed = words.prefix(14).joined(separator: " ")
        return trimmed.isEmpty ? nil : PracticeText.inline(trimmed)
    }
}

/// Reads a lead's reply with the shared `TextAnalyzer`, plus the phrase cues only an outbound call needs.
/// The analyser's objection rules are tuned for transcripts; a few phrasings common on cold calls
/// ("I'm really busy", "just send me an email") are added here, only when the analyser finds none.
struct LeadReplyReader: Sendable {
    /// Built once: the analyser compiles its upsell catalogue on creation.
    static let analyzer = TextAnalyzer()

    enum Cue: Sendable, Hashable {
        case optOut, voicemail, wrongPerson, leaving, callback, rejection, agreement, hesitation, identity
    }

    static let cues = PatternSet<Cue>([
        (.optOut, [
            "remove me|us", "remove my|our ~ number|name|details", "take me|us off", "off your ~ list|lists", "stop calling", "stop ~ calling|contacting|ringing ~ me|us",
            "do not call ~ again|anymore|here", "do not ever call", "never call ~ again|here", "do not call this number", "do not contact me|us",
            "unsubscribe", "do not call list", "lose my|this number", "delete my|our ~ number|details|data", "no more calls", "do not want any more calls",
        ]),
        (.voicemail, [
            "leave a|your ~ message", "after the ~ tone|beep", "voicemail", "voice mail", "mailbox", "record your message",
            "not available to take", "can not take your call", "unable to take your call", "can not come to the phone",
        ]),
        (.wrongPerson, [
            "wrong number", "wrong person", "no one here by that name", "nobody here by that name", "no one by that name", "nobody by that name",
            "does not work here", "no longer works|work here|there|with|at", "not work here anymore", "left the company", "you have the wrong",
            "you got the wrong", "not the person you", "nobody here called", "no one here called",
        ]),
        (.leaving, [
            "goodbye", "good bye", "bye", "have to go", "got to go", "need to go", "have to run", "got to run", "need to run", "we are done",
            "this call is over", "hanging up", "leave it here|there", "heard enough", "out of time",
        ]),
        (.callback, [
            "call me ~ back|later|again|tomorrow|next|after|another", "call me on|in", "call back", "call ~ later", "try me ~ later|again|tomorrow|next|after|another",
            "catch me ~ later|tomorrow|next|another|after", "reach me ~ later|tomorrow|next", "ring me ~ back|later|tomorrow|next",
            "give me a call ~ later|tomorrow|next|back|after", "can_you|could_you call|ring ~ back|later|tomorrow|next|after", "another day",
            "talk ~ tomorrow|later", "talk next week",
        ]),
        (.rejection, [
            "not interested", "no thanks", "no thank you", "we will pass", "i will pass", "pass on this|it|that", "not for us", "not a fit",
            "not a good fit", "do not think ~ fit|for_us|worth_it",
            "we are all set", "i am all set", "not in the market", "not buying", "not looking for", "do not want it|this|that|anything",
        ]),
        (.agreement, [
            "let us do it", "let us set", "set it|that|something|one up", "book it", "send ~ invite|invitation", "i am in", "put ~ calendar",
            "put something", "sounds reasonable|good|great|fine|perfect", "that works", "works for me", "agreed", "that is acceptable", "i will be there",
            "hold that slot", "see you then", "talk then", "earned a follow-up", "earned a follow up", "please arrange", "arrange it", "i can do that",
            "keep that free", "yes", "yeah", "yep", "sure", "absolutely", "definitely", "why not", "go ahead", "deal", "okay", "ok", "alright", "fine",
            "confirm in writing", "send the details", "that time",
        ]),
        (.identity, ["who is this", "who is calling", "and you are", "who are you", "who am i speaking|talking", "who is speaking"]),
        (.hesitation, [
            "not yet", "not there yet", "maybe", "need to see more", "would need to see", "not convinced", "not sure", "let me think", "think about it",
            "why should", "what would actually change", "i do not know", "hard to say", "i suppose", "not so sure", "still not",
        ]),
    ])

    /// Agreement cues that stand on their own; the bare "yes", "sure", "okay" only count when nothing objects.
    static let strongAgreement = PatternSet<Int>([(0, [
        "let us do it", "let us set", "set it|that|something|one up", "book it", "send ~ invite|invitation", "i am in", "put ~ calendar",
        "that works", "works for me", "agreed", "that is acceptable", "i will be there", "hold that slot", "see you then", "talk then",
        "earned a follow-up", "earned a follow up", "please arrange", "arrange it", "i can do that", "keep that free", "sounds good|great|perfect",
    ])])

    /// Cold-call objections the analyser's rules do not name, each mapped to the closest type.
    static let objections = PatternSet<ObjectionType>([
        (.timing, [
            "really|very|pretty|so|too|crazy busy", "busy right now", "busy at the moment", "let me think", "think about it", "not ready",
            "send me|us ~ email|information|info|details|something|brochure", "email me", "by email", "do not have time", "not a good time", "in a rush",
        ]),
        (.competitor, ["other vendor|provider|company|product", "second opinion", "signed with someone", "looking at alternatives"]),
        (.authority, ["take sales calls", "not my decision", "check with", "run it by", "my manager", "committee"]),
        (.price, ["discount", "payment terms", "net #", "afford", "expensive", "cheaper", "the number is"]),
        (.trust, ["trust", "at our scale", "see it ~ first", "support has been", "happen again", "smaller vendor", "our data", "looks painful"]),
        (.need, ["patch it", "just fix", "do not need", "why would we", "what is the point"]),
    ])

    /// Cues that are objections in a reply to a pitch or an ask but usually a problem description in an answer
    /// to a discovery question ("our current system is slow", "reporting is terrible").
    static let discoveryAmbiguous = PatternSet<ObjectionType>([
        (.competitor, ["current solution|provider|vendor|setup|system|tool", "already have", "own tools", "other team|teams"]),
        (.trust, ["terrible"]),
        (.price, ["too much"]),
    ])

    /// Words that can start a time phrase; "this" and "in" only when a time word follows.
    static let timeAnchors: Set<String> = [
        "next", "tomorrow", "today", "tonight", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "weekend",
        "later", "noon", "morning", "afternoon", "evening", "early", "end",
    ]
    static let timeWords: Set<String> = timeAnchors.union([
        "week", "weeks", "month", "months", "quarter", "year", "day", "days", "hour", "hours", "couple", "few", "of", "the", "a", "an", "am", "pm",
        "o'clock", "first", "thing", "lunch", "night", "on", "at", "in", "around", "after", "this", "two", "three", "four", "five", "six",
        "seven", "eight", "nine", "ten", "eleven", "twelve", "half", "past",
    ])
    static let timeNouns: Set<String> = [
        "week", "weeks", "month", "months", "quarter", "year", "morning", "afternoon", "evening", "weekend", "monday", "tuesday", "wednesday",
        "thursday", "friday", "saturday", "sunday", "day", "days",
    ]

    /// Reads one lead reply. `leadFirstName` lets "I'm not Mark" count as the wrong person.
    /// `discoveryAnswer`: the caller just asked about problems, so ambiguous problem words are an answer, not an objection.
    /// `knownPains`: problems the lead has described or the profile names; an analyser objection whose evidence
    /// lies inside one ("pressure to cut vendor spend") is the lead restating a problem, not objecting.
    func read(
        _ text: String, leadFirstName: String?, closeAsked: Bool, isFirstLeadTurn: Bool, discoveryAnswer: Bool, knownPains: [String] = []
    ) -> LeadReading {
        let segment = Self.analyzer.analyze(segment: TranscriptSegment(id: 0, speaker: .counterpart, text: text))
        let terms = Tokenizer.terms(Tokenizer.tokens(text))
        let hits = Set(Self.cues.hits(in: terms).map(\.label))
        let said = PracticeText.stems(text)
        let painStems = knownPains.map(PracticeText.stems).filter { $0.intersection(said).count >= 2 }.reduce(into: Set<String>()) { $0.formUnion($1) }
        var objections: [ObjectionType] = []
        for signal in segment.objections where !objections.contains(signal.type) {
            let evidence = PracticeText.stems(signal.evidence.phrase)
            if !evidence.isEmpty && evidence.isSubset(of: painStems) { continue }
            objections.append(signal.type)
        }
        if objections.isEmpty && segment.objections.isEmpty {
            var hits = Self.objections.hits(in: terms)
            if !discoveryAnswer { hits += Self.discoveryAmbiguous.hits(in: terms) }
            for hit in hits.sorted(by: { $0.start < $1.start }) where !objections.contains(hit.label) { objections.append(hit.label) }
        }
        var interest: [InterestSignal] = []
        for signal in segment.interestSignals where !interest.contains(signal.type) { interest.append(signal.type) }

        let words = terms.filter { !$0.isPunctuation }.map(\.text)
        var wrongPerson = hits.contains(.wrongPerson)
        if let first = leadFirstName?.lowercased(), !first.isEmpty {
            // "I'm not Mark", "this isn't Mark", "there's no Mark here".
            for i in words.indices.dropFirst() where words[i] == first && (words[i - 1] == "not" || words[i - 1] == "no") {
                wrongPerson = true
            }
        }
        let optOut = hits.contains(.optOut)
        // A receptionist's "you've reached Harbor Logistics" is live; only a machine asks for a message.
        let voicemail = hits.contains(.voicemail) && isFirstLeadTurn
        let callback = hits.contains(.callback)
        let rejection = hits.contains(.rejection) && !callback
        let hesitation = hits.contains(.hesitation)
        // Leaving cues on the pickup are greetings, not goodbyes.
        let leaving = hits.contains(.leaving) && !isFirstLeadTurn
        // A question is a sentence of three words or more ending in "?" ("Honestly?" is a lead-in, "tell me more"
        // is interest), or one asking who is calling.
        var sentence = 0
        var longQuestion = false
        for token in Tokenizer.tokens(text) {
            if token.kind != .punctuation { sentence += 1; continue }
            if token.text == "?" && sentence >= 3 { longQuestion = true }
            if ".?!".contains(token.text) { sentence = 0 }
        }
        let asked = longQuestion || hits.contains(.identity)
        // A yes only counts right after the caller asked for the next step, with no doubt, question or "but" in it.
        // A bare "sure" or "okay" next to an objection is no yes ("Sure, it's too expensive"); a clear "that works"
        // is, even when the analyser reads a concern into "please confirm in writing".
        let strongYes = Self.strongAgreement.hits(in: terms).isEmpty == false
        let agreement = closeAsked && hits.contains(.agreement) && !hesitation && !rejection && !callback && !asked
            && !words.contains("but") && (objections.isEmpty || strongYes) && segment.sentiment.score > -0.3

        let intent: LeadIntent =
            if optOut { .optOut }
            else if voicemail { .voicemail }
            else if wrongPerson { .wrongPerson }
            else if callback { .callbackRequest }
            else if rejection { .notInterested }
            else if leaving { .goodbye }
            else if agreement { .agreement }
            else if !objections.isEmpty { .objection }
            else if hesitation { .hesitation }
            else if !interest.isEmpty && segment.sentiment.score >= 0 { .interested }
            else if asked { .question }
            else { .generalInquiry }
        let analysis = LeadTurnAnalysis(
            sentiment: min(1, max(-1, segment.sentiment.score)), intent: intent, objections: agreement ? [] : objections, interestSignals: interest)
        return LeadReading(
            analysis: analysis, optOut: optOut, voicemail: voicemail, wrongPerson: wrongPerson, leaving: leaving, callbackRequested: callback,
            timePhrase: Self.timePhrase(in: text), rejection: rejection, agreement: agreement, hesitation: hesitation, asked: asked,
            identityAsked: hits.contains(.identity), wordCount: segment.wordCount, text: text)
    }

    /// The first time expression in the text, as written ("next Tuesday afternoon", "tomorrow at 3 pm", "in two weeks").
    static func timePhrase(in text: String) -> String? {
        let tokens = Tokenizer.tokens(text)
        func lower(_ i: Int) -> String { tokens[i].text.lowercased() }
        func isTimeNoun(_ i: Int) -> Bool { i < tokens.count && (timeNouns.contains(lower(i)) || tokens[i].kind == .number) }
        for start in tokens.indices where tokens[start].kind != .punctuation {
            let word = lower(start)
            let anchored = timeAnchors.contains(word)
                || (word == "this" || word == "in" || word == "after" || word == "at" || word == "around") && (isTimeNoun(start + 1)
                    || start + 1 < tokens.count && ["a", "an", "couple", "few", "lunch", "two", "three", "four", "five", "six"].contains(lower(start + 1)))
            guard anchored else { continue }
            var end = start
            while end + 1 < tokens.count, tokens[end + 1].kind != .punctuation || tokens[end + 1].text == ":",
                timeWords.contains(lower(end + 1)) || tokens[end + 1].kind == .number || tokens[end + 1].text == ":"
                    || ["am", "pm", "a.m", "p.m"].contains(lower(end + 1).replacingOccurrences(of: ".", with: ""))
            {
                end += 1
            }
            while end > start, ["of", "the", "a", "an", "at", "on", "in", "around", "after", "this", ":"].contains(lower(end)) { end -= 1 }
            // "later" or "in a" on their own are no time; "later today" and "in two weeks" are.
            let named = (start...end).contains { i in
                tokens[i].kind == .number || timeNouns.contains(lower(i)) || ["tomorrow", "today", "tonight", "noon", "lunch"].contains(lower(i))
            }
            if !named { continue }
            var phrase = ""
            for i in start...end {
                let token = tokens[i]
                let glued = token.text == ":" || i > start && tokens[i - 1].text == ":"
                phrase += (phrase.isEmpty || glued ? "" : " ") + token.text
            }
            return phrase
        }
        return nil
    }
}
