import Foundation
import ParleyDomain

/// The situations a prospect reply can be worded for.
enum LineKind: String, Sendable, Codable, Hashable, CaseIterable {
    case smallTalk, introduce, revealOpen, revealClosed, closedAnswer, nothingLeft, pitchTied, pitchLoose
    case raiseObjection, repeatObjection, escalateObjection, partialAcknowledge, soften, monologue, earlyClose
    case hesitate, agree, agreeWithTime, endPatience, endRude, endTime, deflect, openingFallback
}

/// Reply templates, several per situation so wording varies. Placeholders: {first}, {name}, {title},
/// {company}, {pain} (inline), {Pain} (sentence), {objection} (inline), {Objection} (sentence).
enum ProspectLines {
    static let templates: [LineKind: [String]] = [
        .openingFallback: ["Hello, {first} speaking.", "{company}, this is {first}.", "Hi, it's {first}. What can I do for you?"],
        .smallTalk: [
            "Fine, thanks. So what's this about?", "Doing alright. What did you want to talk about?",
            "Busy as always. What can I do for you?", "Good, thanks for asking. Go ahead.",
            "Can't complain. What's on your mind?",
        ],
        .introduce: [
            "I'm {name}, {title} at {company}.", "{name}. I run things as {title} here at {company}.",
            "This is {name}, {title} for {company}. And you are?",
        ],
        .revealOpen: [
            "Honestly? {Pain} That's been a headache for a while.", "The big one for us: {pain}.",
            "If I'm being straight with you, {pain}.", "Since you ask: {pain}. It eats up more time than it should.",
            "I'd say this one. {Pain} Nobody here is happy about it.", "Right now? {Pain} And it isn't getting better.",
        ],
        .revealClosed: ["Yes. {Pain}", "Pretty much, yes. {Pain}", "Yeah. And if you want the full picture: {pain}."],
        .closedAnswer: ["More or less.", "Not really.", "I suppose so.", "Hard to say.", "It depends, honestly.", "Nothing special there."],
        .nothingLeft: [
            "I think I've covered the main things.", "That's really the gist of it.", "Nothing much beyond what I've told you.",
            "Those are the big ones, honestly.",
        ],
        .pitchTied: [
            "Okay, if it really helps with that ({pain}), that's interesting.", "That would take some pressure off. That one hurts: {pain}.",
            "Hm. If that fixes it, I'm listening. It has cost us: {pain}.", "Alright, that's relevant to what I told you.",
        ],
        .pitchLoose: [
            "Okay. I'm not sure how that applies to us.", "Everyone says that. What does it mean for us?",
            "That sounds like a brochure. Why would that matter here?", "Sure, but that's not really our problem.",
        ],
        .raiseObjection: [
            "{Objection}", "Look, {objection}.", "Before we go further: {objection}.", "I'll be honest, {objection}.",
            "Here's my concern. {Objection}",
        ],
        .repeatObjection: [
            "You're not hearing me. {Objection}", "I said it already: {objection}.", "Again, {objection}. That hasn't changed.",
            "That doesn't answer my point. {Objection}",
        ],
        .escalateObjection: [
            "I've told you twice now: {objection}. If you can't deal with that, we're wasting time.",
            "This is the last time I'll say it. {Objection}", "You keep skipping past it. {Objection} Address it or we're done.",
        ],
        .partialAcknowledge: [
            "I appreciate that, but it doesn't solve it. {Objection}", "Fine, you understand. But {objection}.",
            "Thanks, but I still need an actual answer. {Objection}",
        ],
        .soften: [
            "Okay, that's fair. I can see how that could work.", "Alright, that helps. I'm less worried about that now.",
            "Hm, I hadn't looked at it that way. Fair enough.", "Okay. That answers it, more or less.",
            "That makes sense. Let's keep going.",
        ],
        .monologue: [
            "Sorry, that was a lot. What exactly are you asking me?", "You lost me there. Can we slow down?",
            "That's a lot of talking. What's the point for us?", "I stopped following halfway through, to be honest.",
        ],
        .earlyClose: [
            "Whoa, slow down. You don't even know what we need yet.", "That's a big ask for a first conversation.",
            "I'm not committing to anything before you understand our situation.",
        ],
        .hesitate: [
            "I'm not there yet. Why should this be a priority for us?", "Maybe. I'd need to see more first.",
            "I'm still not convinced it's worth the effort.", "Not yet. What would actually change for us?",
        ],
        .agree: [
            "Alright, let's do it. Send me an invite and we'll take it from there.", "Okay, I'm in for a next step. Put something on my calendar.",
            "Fine, you've earned a follow-up. Send over the details.", "Sounds reasonable. Let's set that up.",
        ],
        .agreeWithTime: [
            "That works. Send me the invite.", "Okay, that time works for me. Let's do it.",
            "Yes, I can do that. Put it in the calendar.", "Alright, book it and send me the details.",
        ],
        .endPatience: [
            "I don't think this is a fit. I have to go.", "Let's leave it here. Thanks for calling.",
            "I've heard enough, thanks. We'll pass.", "This isn't going anywhere. Goodbye.",
        ],
        .endRude: ["There's no need for that. We're done here.", "I'm not going to be spoken to like that. Goodbye.", "Wow. Okay, this call is over."],
        .endTime: ["I've got to run, I'm out of time. Maybe another day.", "We're out of time. Send me something and I'll look if I get a chance."],
        .deflect: [
            "Okay. What did you want to ask me?", "Go on.", "And what does that mean for us?", "Mm-hm. Where are you going with this?",
            "Alright. What's the question?",
        ],
    ]

    /// Voices that replace the generic lines of some situations, chosen by the persona's communication style.
    enum Voice: String, Sendable {
        case warm, terse, formal

        init?(style: String) {
            switch style.lowercased() {
            case "friendly", "chatty", "polite", "warm", "expressive": self = .warm
            case "terse", "blunt", "direct", "brief": self = .terse
            case "formal", "detailed", "analytical": self = .formal
            default: return nil
            }
        }
    }

    static let voiced: [Voice: [LineKind: [String]]] = [
        .warm: [
            .smallTalk: [
                "Oh, not bad at all, thanks for asking! What can I do for you?", "Pretty good, thanks! Busy, but good. What's up?",
                "Aw, thanks. It's been a week, but we're hanging in there. What did you want to chat about?",
            ],
            .agree: ["Lovely, let's do it. Send me the invite!", "Okay, you've won me over. Let's set it up!", "Sure thing, that sounds good. Put something in for us."],
            .agreeWithTime: ["That works for me, great! Send the invite over.", "Perfect, I'll keep that free. Talk then!", "Yes, lovely, that time's fine. See you then."],
        ],
        .terse: [
            .smallTalk: ["Fine. What do you want?", "Busy. Go ahead.", "Fine. Get to the point.", "Okay. What's this about?"],
            .agree: ["Fine. Send the invite.", "Okay. Set it up.", "Alright. Book it."],
            .agreeWithTime: ["That works. Send it.", "Fine, that time. Book it.", "Okay. I'll be there."],
            .deflect: ["And?", "Get to the point.", "What's the question?", "So?"],
        ],
        .formal: [
            .smallTalk: ["Well, thank you. How can I help you today?", "Fine, thank you. What is the purpose of the call?", "Thank you for asking. Please, go ahead."],
            .agree: ["Very well. Please send a calendar invitation with an agenda.", "Agreed. Send the details and we will review them.", "That is acceptable. Please arrange it."],
            .agreeWithTime: ["That time is acceptable. Please send an invitation with an agenda.", "Agreed. I will hold that slot.", "Very well, that works. Please confirm in writing."],
        ],
    ]

    /// The templates for a situation in this persona's voice, else the generic ones.
    static func options(_ kind: LineKind, persona: ProspectPersona) -> [String] {
        if let voice = Voice(style: persona.communicationStyle), let lines = voiced[voice]?[kind] { return lines }
        return templates[kind] ?? ["…"]
    }

    /// Fills a template with the persona and the topic of the reply.
    static func fill(_ template: String, persona: ProspectPersona, pain: String?, objection: String?) -> String {
        var text = template
        let first = persona.name.split(separator: " ").first.map(String.init) ?? persona.name
        let values: [(String, String)] = [
            ("{first}", first), ("{name}", persona.name), ("{title}", persona.title), ("{company}", persona.company),
            ("{pain}", PracticeText.inline(pain ?? "")), ("{Pain}", PracticeText.sentence(pain ?? "")),
            ("{objection}", PracticeText.inline(objection ?? "")), ("{Objection}", PracticeText.sentence(objection ?? "")),
        ]
        for (key, value) in values { text = text.replacingOccurrences(of: key, with: value) }
        return text
    }
}
