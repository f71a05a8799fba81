import Foundation
import ParleyDomain

/// What a turn is doing in a sales or service conversation.
public enum Intent: String, Sendable, Codable, Hashable, CaseIterable {
    case greeting
    case rapport
    case discoveryQuestion = "discovery_question"
    case valueProposition = "value_proposition"
    case objection
    case objectionHandling = "objection_handling"
    case closingAttempt = "closing_attempt"
    case scheduling
    case smallTalk = "small_talk"
}

/// Where a conversation is, from the intents seen so far.
public enum ConversationState: String, Sendable, Codable, Hashable, CaseIterable {
    case greeting
    case discovery
    case presentation
    case objectionHandling = "objection_handling"
    case closing
}

/// The kinds of objection the surfaces report.
public enum ObjectionType: String, Sendable, Codable, Hashable, CaseIterable {
    case price
    case timing
    case competitor
    case authority
    case need
    case trust
}

/// The kinds of buying interest the surfaces report.
public enum InterestSignal: String, Sendable, Codable, Hashable, CaseIterable {
    case verbalInterest = "verbal_interest"
    case demoInterest = "demo_interest"
    case pricingInterest = "pricing_interest"
    case timelineInterest = "timeline_interest"
}

/// A labelled finding in one segment (an intent, objection or interest signal) and its evidence.
public struct Signal<Label: Sendable & Codable & Hashable>: Sendable, Codable, Hashable {
    public var type: Label
    public var speaker: SpeakerRole
    /// The rule that fired, in pattern syntax, so a reader can see why.
    public var rule: String
    public var evidence: Evidence
}

/// Phrase rules for intents, objections and interest signals. Objections and interest are
/// read from the counterpart (or an unknown speaker); a rep saying "I know budgets are tight"
/// is not an objection.
enum SignalRules {
    static let objections = PatternSet<ObjectionType>([
        (.price, [
            "too expensive", "too pricey", "too costly", "too much money", "costs too much", "cost too much", "is too much",
            "way too much", "that is a lot", "a lot of money", "can not afford", "could not afford", "afford that", "afford it",
            "out of ~ budget", "out of ~ price range", "over ~ budget", "not in ~ budget", "no room in ~ budget",
            "budget is tight", "budget is limited", "budgets are tight", "tight budget", "budget is really tight", "no budget",
            "do not have ~ budget", "do not have the money", "money is tight", "cash is tight", "price is too high", "price is high",
            "prices are high", "price is steep", "pretty steep", "bit steep", "too steep", "cheaper", "lower price", "better price", "better deal",
            "is|was|sounds|seems|looks|that|pretty|really|bit|very expensive", "pricey", "more than we ~ spend", "spend that much",
            "that kind of money", "justify the cost|price|expense|spend|investment", "cost is a concern", "price is a concern",
            "concerned about the cost|price", "worried about the cost|price", "sticker shock", "not cheap", "break the bank",
            "rates went up", "price went up", "costs more than", "outside our budget", "blow our budget", "over what we budgeted",
            "charging us|me ~ double|more|extra|too", "overcharged", "overcharging", "overcharge", "cheapest", "lowest price", "lowest bid",
            "can_not|could_not|hard_to|difficult_to|tough_to ~ justify", "money is tight", "cash is tight", "more than i|we ~ expected|thought|pay|paid",
            "seems|sounds|looks|is|that_is ~ high|steep", "too high", "a bit much", "bit pricey", "beyond our budget", "above our budget",
            "do not have the funds", "no money", "strapped", "expensive", "costs an arm", "over budget", "can not swing", "numbers ~ not work",
            "pricier", "deal breaker", "deal-breaker", "hoping to stay|keep ~ under|below", "stay under", "can get the same ~ for|online|cheaper",
            "same part|thing|unit|job ~ for|online|cheaper|elsewhere", "awfully high", "that much for",
            "half that|of_that|the_price", "thinking more like", "cut something|back ~ to pay|to afford", "adds up", "sticking point",
            "every dollar|penny counts", "tight on money|cash|funds",
            "jaw drop", "every penny|dollar", "come down on|in ~ price", "froze|frozen|freeze ~ spending|budget|budgets", "spending freeze",
            "see us paying", "big|huge|scary number", "spent our|the ~ budget", "budget is spent|gone",
            "more than our ~ rent|mortgage|payroll", "hurts the wallet", "past accounting|finance", "cut|cutting|reduce|reducing costs",
        ]),
        (.timing, [
            "not a good time", "bad time", "not the right time", "not the best time", "not right now", "not now", "too busy",
            "not a priority ~ right|now|at|this",
            "swamped", "slammed", "call me back ~ later|month|quarter|year|weeks|months|time", "call back later", "reach out ~ later",
            "maybe next ~ quarter|year|month|spring|summer|fall|winter", "not the right moment", "not a good moment", "heads down", "until after",
            "talk again ~ after|later|next", "after the ~ season|holidays|summer|winter|audit|launch|move|rush|renovation",
            "not in a position", "reach back out", "push this|it ~ back|out?", "can we push", "not ready to", "too early",
            "timing is ~ off", "too much going on", "put a pin in", "after we ~ close|finish|wrap|get|are", "until the ~ move|project|renovation|audit|season",
            "get back to you ~ in|next|after", "in a couple of weeks|months",
            "ask me again", "wraps up", "not before", "right now is not", "now is not", "hit me up", "in q1|q2|q3|q4", "buried in",
            "until the new ~ manager|owner|director|year|quarter|budget", "not making any decisions until", "revisit ~ next|later|in", "after the holidays",
            "down the road", "not ready", "on the back burner", "wait until", "hold off", "circle back",
            "touch base ~ in|next|later", "in a few months", "later this year", "not this year", "not this quarter",
            "some other time", "another time", "bad timing", "timing is not great", "timing is bad", "in the middle of",
            "do not have time", "no time", "too soon", "pass for now", "give it a few months", "next fiscal year",
            "after our busy season", "end of the season", "later in the year", "not until", "maybe later",
        ]),
        (.competitor, [
            "happy with our current", "happy with what we have", "happy with who we have", "happy with our ~ provider|vendor|supplier|company|guy|system|setup|contractor|service",
            "satisfied with our current", "satisfied with our ~ provider|vendor|supplier|company|guy|system|contractor",
            "already have a|an|someone ~ provider|vendor|company|system|contract|guy|contractor|service|plan|team",
            "already have someone", "already use|using", "already work|working with", "already go with", "already signed with",
            "under contract", "locked into|in ~ contract", "contract with", "our current ~ provider|vendor|supplier|company|contractor|guy|system|solution|service|people|team ~ does|handles|covers|takes_care|is_fine|is_good|works|do",
            "other vendors|companies|providers|contractors|suppliers|quotes|bids", "shopping around", "looking at other", "quotes from",
            "comparing you", "few companies", "couple of companies", "several companies", "other options", "been using * for ~ years",
            "using * for years", "service agreement with", "does all our",
            "already ~ services|handles|does|covers|takes_care|maintains", "under a|an ~ agreement|contract", "agreement with", "renewed with",
            "maintenance|facilities ~ staff|team|crew|department|guys ~ handles|does|takes|covers", "our own ~ staff|team|guys|crew|people|technician",
            "got a guy", "have a guy", "been doing our", "through our ~ property|management|landlord|building", "gave us a quote",
            "same ~ company|vendor|provider|contractor|guy|people ~ since|for", "folks we have",
            "brings in his|her|their own", "been with * ~ forever|years", "takes care of us", "switched to ~ new|another|different",
            "brother-in-law|cousin|uncle|friend|neighbor ~ is|does|handles", "three|several|multiple|other bids",
            "on staff for", "in-house technician", "national contract", "parent company", "has done our", "picked one", "got ~ quotes",
            "use someone else", "using someone else", "have someone else", "another company|vendor|provider|contractor",
            "somebody else does", "someone else does", "in house", "in-house", "do it ourselves", "handle it ourselves",
            "handle it internally", "we have a guy", "our guy", "cheaper quote", "quote from another", "competitor", "been with them",
            "loyal to", "do not want to switch", "not looking to switch", "switching would be", "hassle to switch",
            "we have been with", "working with another", "going with another", "went with another", "decided to go with",
        ]),
        (.authority, [
            "talk_to|check_with|run_it_by|run_this_by|speak_with|talk_with|ask|discuss_with|consult|clear_it_with|loop_in|discuss_it_with|talk_it_over_with ~ my|our|the? boss|manager|partner|wife|husband|spouse|team|board|owner|director|cfo|ceo|vp|supervisor|committee|procurement|finance|legal|landlord|office|corporate|management|accountant|head|owners|property",
            "not my decision", "not my call", "not up to me", "not the decision maker", "not a decision maker", "not the one who decides",
            "need approval", "get approval", "needs approval", "need sign off", "sign off on", "above my pay grade",
            "owner decides", "owner makes", "boss decides", "decision is made by", "decision is not mine", "corporate decides", "corporate handles",
            "have to get it approved", "has to be approved", "approved by", "get it approved", "decisions go through", "goes through corporate",
            "i just manage", "i am just the", "landlord|owner|boss|board|corporate okay|ok|permission|blessing|sign-off", "forward it|this to",
            "makes those|the calls|decisions", "regional|head|main|corporate office ~ makes|decides|handles|approves", "get sign-off", "sign-off from",
            "buy-in", "buy in from", "preferred vendor", "question for my|our ~ wife|husband|boss|partner|manager|owner|team", "not my budget",
            "hoa", "leadership team", "the district", "writes|signs the checks", "purchasing ~ would|has|needs|will", "owners meeting",
            "bring it up at|with", "goes through our|the", "head office", "by my|our accountant|lawyer|bookkeeper", "do not make ~ decisions|decision|call", "need_to|have_to|would_need_to|would_have_to talk_to|speak_to|speak_with|ask",
            "to|by my|our boss|cfo|ceo|board|manager|owner|partner|director|vp|supervisor|wife|husband|landlord", "board has to", "board needs to", "boss has to", "boss needs to", "wife and i", "husband and i",
        ]),
        (.need, [
            "do not need", "no need", "not interested", "not looking", "we are good", "we are all set", "i am all set", "all set",
            "we are fine", "does not apply", "not relevant", "no use for", "do not see the need|value|point", "not necessary",
            "not a fit", "not for us", "we will pass", "i will pass", "pass on", "do not have that problem", "not a problem for us",
            "if it is not broke|broken", "nothing is broken", "too small for", "we do not use", "no thanks", "no thank you",
            "fine as is", "good as is", "works fine for us", "does what we need", "do not really need", "not something we need",
            "we are covered", "do not see why", "not worth it", "do not want it", "not needed", "we are good for now", "we are fine for now",
            "do not have any issues|problems", "no issues with", "overkill", "take us off", "off your list", "do not see how", "would not help", "nah",
            "do not have a|any use", "not have a|any use", "have not had ~ problem|problems|issue|issues|trouble", "never needed", "ever needed",
            "not something we", "stick with what", "but no", "we will stick with", "fine without", "not a priority for", "barely use",
            "okay|fine|good as we are", "that kind of problem", "not convinced", "not make a difference",
            "all we care about", "nothing wrong with", "all we need", "use half", "does everything we need", "not in the market",
            "in the market for", "that is alright", "no thanks|thank_you|that_is_alright",
        ]),
        (.trust, [
            "never heard of", "how do i know", "how can i trust", "how can we trust", "too good to be true", "skeptical", "sceptical",
            "bad experience", "burned before", "been burned", "got burned", "do not trust", "can not trust", "not sure i trust",
            "scam", "fishy", "prove it", "proof", "references", "reviews", "track record", "how long have you been in business",
            "what guarantee", "last ~ company|guy|contractor|vendor|provider|rep ~ promised", "promised the same", "heard that before",
            "heard that one before", "they all say that", "everyone says that", "reputation", "sounds like a pitch", "sales pitch",
            "fine print", "catch", "hidden fees", "hidden costs", "who else uses", "case studies", "case study", "who else ~ uses|use|works",
            "bad things", "bad reviews", "believe it when", "never came back", "left a mess", "are real", "is real",
            "how long have you ~ been", "been around", "licensed", "insured", "in writing", "every|all ~ salesperson|salespeople|rep|reps|company|contractor|guy ~ tells|says|say",
            "tells me that", "bad press", "some proof", "do not know anything about", "know nothing about", "your current customers|clients",
            "talk to * ~ customers|clients", "price jumps", "one of those deals", "promised ~ savings|results", "never saw", "salesy", "before trusting",
            "mixed things|reviews", "heard ~ things", "anyone local", "never showed up", "nobody ever showed", "nobody showed", "what you are promising",
            "does not deliver", "optimistic", "upsell me", "how long has your company", "been doing this", "never used a company",
            "bad install|job|experience", "a lot of promises", "promises",
        ]),
    ])

    /// Objection phrases that, when negated, name a non-objection ("price is not an issue").
    static let objectionExclusions = PatternSet<ObjectionType>([
        (.price, ["price|cost|budget|money|pricing|costs ~ is|are not ~ issue|problem|concern|factor|obstacle"]),
        (.timing, ["timing|time ~ is not ~ issue|problem|concern"]),
        (.need, ["timing|time|schedule|price|pricing|that|which ~ works|work fine"]),
    ])

    static let interest = PatternSet<InterestSignal>([
        (.verbalInterest, [
            "sounds interesting", "sounds good", "sounds great", "sounds promising", "that is interesting", "very interesting",
            "interested", "i like that", "i like the sound", "i like what i am hearing", "i like the idea", "tell me more", "that could work",
            "that would help", "would be helpful", "that would be great", "that would be huge", "love that", "love the idea", "love to",
            "makes sense", "exactly what we need", "could be useful", "worth looking", "i am intrigued", "i am open to", "keen",
            "that is appealing", "count me in", "let us do it", "sign me up", "that would solve", "could really help", "i am listening",
            "go on", "want to learn more", "like to learn more", "like to hear more", "let us move forward", "we would like to move forward",
            "that is what we need", "we need something like", "that is a good idea", "good idea", "i would consider",
            "we could use", "we might consider", "open to it", "let us go ahead", "go ahead with", "let us get it done", "go ahead",
            "we would love", "i would love", "thinking of|about switching", "looking to switch", "open to switching", "considering switching",
            "would be nice", "could work", "might work", "would work", "not saying no", "understand the options", "signed off", "that is neat|cool|nice",
            "make my life ~ easier", "got my attention", "how does the ~ work", "not against", "great idea", "save us", "that would save", "not attached to", "contract just ended", "just curious",
            "been looking for", "make it happen", "love it", "timing is ~ great|perfect", "i am sold", "sounds|sound pretty good",
            "starting to sound", "up for", "budget approved", "no question", "said go ahead", "that is exactly what we need|what i need|what we are_looking_for|right",
        ]),
        (.demoInterest, [
            "demo", "demonstration", "see it in action", "see how it works", "show me how", "walk me through the ~ product|software|platform|system|app",
            "trial", "pilot", "test drive", "try it out", "show * how", "show the team", "come show", "live example", "sample report",
            "see an example", "example first", "a sample", "try it", "see a sample", "show me", "see it", "take a look at it", "see the product",
            "see the software", "see the app", "see one installed", "see one working", "see a unit", "walkthrough", "show us",
        ]),
        (.pricingInterest, [
            "how much", "what does it cost", "what would it cost", "what does that cost", "what would that cost", "what is the cost|price|pricing",
            "pricing", "quote", "estimate", "ballpark", "price range", "your rates", "what are the rates", "payment plan", "payment plans",
            "financing", "cost to", "what would that run", "set us back", "investment look like", "the numbers", "the price", "price for",
            "the cost", "how is it priced", "per month", "per unit", "monthly fee", "what do you charge", "cost of the", "quotes", "best price",
            "what is included", "included in", "what are we talking", "the damage", "run us", "what would * run", "rough number", "discount", "price difference", "out the door", "promotions", "promotion", "cost be", "monthly cost", "is that included", "that included",
        ]),
        (.timelineInterest, [
            "how soon", "how quickly", "how long does|would|will|did|is", "book|schedule ~ install|installation|work|job|appointment|visit",
            "get ~ scheduled|booked ~ soon|quickly|asap", "scheduled soon", "soon", "start ~ next|this|tomorrow|monday|tuesday|wednesday|thursday|friday",
            "how many days|weeks|hours", "would the job take", "job take", "next opening", "want it ~ in|done|installed|finished ~ before|by",
            "before the tenants", "move in", "operational by", "up and running by", "by the first", "how quick", "before monday|tuesday|wednesday|thursday|friday|the_weekend",
            "get someone ~ here|out", "when can|could|would you|we ~ start|install|come|begin|get|have|do|schedule",
            "get started", "start date", "lead time", "timeline", "availability", "as soon as possible", "asap",
            "by next week|month", "before the|summer|winter|spring|fall|next ~ summer|winter|season|end|holidays|heat",
            "install date", "schedule the ~ install|installation|work", "how fast", "turnaround", "up and running", "when could",
            "this week", "earliest", "next available", "be done by", "have it done|installed|ready by", "in time for",
        ]),
    ])

    static let intents = PatternSet<Intent>([
        (.greeting, [
            "hi", "hello", "hey", "good morning|afternoon|evening", "this is * from", "this is * * from", "my name is", "nice to meet",
            "pleasure to meet", "thanks for taking my call", "thank you for taking my call", "thanks for having me", "thank you for having me",
            "how are you", "how is it going", "how are things", "how are you doing", "hey there", "thanks for coming", "thank you for coming",
            "welcome",
        ]),
        (.rapport, [
            "how are you", "how is your day|week|morning|afternoon", "how was your weekend|week|trip|holiday|vacation", "hope you are doing well",
            "hope you are well", "hope all is well", "great to hear", "glad to hear", "i appreciate your time", "appreciate you taking",
            "thanks for your time", "thank you for your time", "good to see you", "good to talk", "good to hear from", "i remember you",
            "congratulations", "congrats", "love your", "big fan", "same here", "me too", "nice place", "how have you been",
            "long time", "how is the family", "i totally get", "that is awesome", "you have a great", "beautiful home",
            "nice to see", "appreciate you", "i can relate", "i was in your shoes",
        ]),
        (.smallTalk, [
            "weather", "raining", "rain", "snow", "sunny", "hot out", "cold out", "heat wave", "the weekend", "this weekend", "the game",
            "vacation", "holiday plans", "for the holidays", "kids", "traffic", "football", "baseball", "basketball", "golf", "hockey", "soccer", "season",
            "your dog", "the dog", "storm", "beautiful day", "lovely day", "nice day", "coffee", "lunch", "how about those",
        ]),
        (.valueProposition, [
            "we help", "we can help", "we have helped", "helps you", "help you ~ save|reduce|cut|grow|increase|improve|get|avoid",
            "our platform|solution|service|system|plan|product|software|program|technology|team|tool ~ can|will|helps|lets|gives|includes|covers|reduces|saves|cuts",
            "save|saves|saving ~ money|time|percent|hours|you|on|up", "reduce|reduces|cut|cuts|lower|lowers|lowering|reducing ~ your|costs|the|energy|downtime|bills",
            "increase|increases|improve|improves|boost|boosts|double|doubles", "customers see|typically see|usually see|report",
            "roi", "return on investment", "pays for itself", "which means", "so that you", "designed to", "percent", "twice as",
            "warranty covers", "covered under", "more efficient", "efficiency", "priority service", "no extra cost", "included at no",
            "we offer|provide|install|replace|include|guarantee|handle|cover|service|monitor", "what we do is", "how we handle",
            "i recommend", "i would recommend", "best fit", "plan covers|includes", "covers", "waived", "dedicated", "takes ~ minutes",
            "same day", "customers|clients ~ see|report|save", "pay|pays for itself", "certified", "we back", "you will get|save|have",
        ]),
        (.objectionHandling, [
            "i understand", "i hear you", "that is a fair", "fair point", "fair concern", "totally understand", "completely understand",
            "many of our customers|clients", "a lot of our customers|clients", "other customers", "felt the same", "what if",
            "compared to", "in the long run", "the cost of not", "let me address", "good question", "great question", "i get that",
            "i appreciate that", "what would it take", "if i could show you", "work with your budget", "payment plan", "financing options",
            "no commitment", "no obligation", "free trial", "happy to loop in", "happy to include", "would it help if", "start small",
            "pilot", "money back", "understand the concern", "i can see why", "makes total sense", "that is understandable",
            "if budget is", "if timing is", "happy to send references", "references", "case study", "i apologize", "apologies",
            "sorry for|about the", "completely|totally fair", "i hear that a lot", "totally get it", "get it",
        ]),
        (.closingAttempt, [
            "move forward", "go ahead with", "get started", "get you started", "sign the|up|off|today", "the|this|an agreement|contract|paperwork|proposal",
            "send ~ agreement|contract|paperwork|proposal", "would you be open to", "go ahead and", "get you on the schedule|calendar",
            "book|schedule the install|installation|job|work",
            "are you ready to", "ready to move", "shall we", "can we book|schedule|lock|set|get", "next step", "next steps",
            "would you like to proceed|go ahead|move forward|get started|schedule|book", "how about we", "can i send ~ proposal|contract|agreement|quote|paperwork",
            "does that sound good", "put you down for", "get this scheduled", "lock in", "lock it in", "purchase order", "sign up",
            "ready to commit", "should we go ahead", "want to go ahead", "shall i", "can i get you", "let us get you", "i will send over",
            "get the ball rolling", "want me to book", "want me to schedule", "want me to set", "would it make sense to schedule",
        ]),
        (.scheduling, [
            "schedule", "scheduled", "calendar", "book", "booking", "appointment", "meeting", "tomorrow", "next week",
            "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "o'clock", "# am|pm|o'clock", "what time",
            "you available", "availability", "call me back", "works for you", "does * work", "free on", "follow up call", "follow-up call", "send an invite",
            "set up a time|call|meeting", "reschedule", "this afternoon", "this morning", "later today", "time slot", "come by",
            "come out", "swing by", "stop by", "morning or afternoon", "a.m.", "p.m.", "noon", "invite",
        ]),
    ])

    static let requestWords: Set<String> = [
        "send", "get", "give", "need", "want", "like", "email", "share", "provide", "know", "interested", "curious", "wondering",
        "love", "would", "could", "can", "keen", "book", "schedule", "ballpark",
    ]

    static func objections(in text: SegmentText) -> [Signal<ObjectionType>] {
        guard text.speaker != .rep else { return [] }
        let terms = text.terms
        let excluded = Set(objectionExclusions.hits(in: terms).map(\.label))
        var seen = Set<ObjectionType>()
        var result: [Signal<ObjectionType>] = []
        for hit in objections.hits(in: terms) where !seen.contains(hit.label) {
            if excluded.contains(hit.label) { continue }
            let keeps = hit.label == .price || hit.label == .timing || hit.label == .need
            if startsNegated(hit, terms) && Negation.isNegated(terms, before: hit.start, window: 3, possessionKeeps: keeps) { continue }
            // "we don't need to check with anyone" is not a need objection.
            if hit.label == .need, hit.pattern.hasSuffix("need"), hit.end < terms.count,
                ["to", "approval", "permission", "anyone", "anybody", "a", "sign"].contains(terms[hit.end].text)
            {
                continue
            }
            // A customer asking "do you have references?" voices a trust concern; the rep offering them does not.
            seen.insert(hit.label)
            result.append(Signal(type: hit.label, speaker: text.speaker, rule: hit.pattern, evidence: text.evidence(terms: hit.start, hit.end)))
        }
        // Second tier: a topic cue and an evaluation cue in the same sentence ("eight grand … a lot").
        for sentence in text.sentences {
            for rule in cueRules where !seen.contains(rule.type) && !excluded.contains(rule.type) {
                guard let topic = sentence.first(where: { rule.topics.contains(terms[$0].text) && !(rule.type == .competitor && $0 > 0 && ["your", "you"].contains(terms[$0 - 1].text)) }),
                    let cue = sentence.first(where: { rule.cues.contains(terms[$0].text) })
                else { continue }
                if Negation.isNegated(terms, before: topic, window: 3) || Negation.isNegated(terms, before: cue, window: 3) { continue }
                seen.insert(rule.type)
                let range = min(topic, cue)..<(max(topic, cue) + 1)
                result.append(Signal(type: rule.type, speaker: text.speaker, rule: "cue:\(terms[topic].text)+\(terms[cue].text)", evidence: text.evidence(terms: range.lowerBound, range.upperBound)))
            }
        }
        return result
    }

    /// Topic words and evaluation words that together voice an objection.
    static let cueRules: [(type: ObjectionType, topics: Set<String>, cues: Set<String>)] = [
        (.price, ["price", "prices", "pricing", "cost", "costs", "money", "budget", "expensive", "afford", "spend", "grand", "dollars", "bucks",
                  "pricier", "labor", "spending", "thousand", "number",
                  "charge", "charges", "invoice", "quote", "quoted", "numbers", "pay", "paying", "rate", "rates", "fee", "fees", "estimate"],
         ["too", "high", "higher", "steep", "half", "cheaper", "lot", "knock", "rather", "best", "lower", "less", "under", "awfully", "figured", "big", "huge", "froze"]),
        (.timing, ["moment", "month", "months", "week", "weeks", "quarter", "january", "february", "march", "april", "may", "june", "july",
                   "august", "september", "october", "november", "december", "spring", "summer", "fall", "winter", "launch", "season", "busy", "settle"],
         ["maybe", "once", "give", "wait", "later", "revisit", "heads"]),
        (.authority, ["boss", "manager", "office", "regional", "director", "partner", "partners", "owner", "owners", "board", "facilities", "corporate", "procurement",
                      "landlord", "cfo", "ceo", "vp", "wife", "husband", "spouse", "supervisor", "management", "headquarters", "committee"],
         ["approval", "approve", "sign", "decide", "decides", "decision", "discuss", "talk", "check", "pitch", "run", "handles", "ask", "up",
          "makes", "okay", "forward", "calls", "permission", "deals", "meeting", "bring"]),
        (.competitor, ["company", "vendor", "provider", "contractor", "guy", "nephew", "brother", "cousin", "manufacturer", "competitor", "supplier"],
         ["already", "using", "been", "does", "handles", "coming"]),
    ]

    /// Whether a negator before a hit flips it: patterns that already carry their own negation are not flipped.
    private static func startsNegated<L>(_ hit: PatternSet<L>.Hit, _ terms: [Term]) -> Bool {
        !(hit.start..<hit.end).contains { Negation.negators.contains(terms[$0].text) }
    }

    static func interestSignals(in text: SegmentText) -> [Signal<InterestSignal>] {
        guard text.speaker != .rep else { return [] }
        let terms = text.terms
        var seen = Set<InterestSignal>()
        var result: [Signal<InterestSignal>] = []
        let sentences = text.sentences
        for hit in interest.hits(in: terms) where !seen.contains(hit.label) {
            if Negation.isNegated(terms, before: hit.start, window: 3) && startsNegated(hit, terms) { continue }
            if hit.label == .pricingInterest || hit.label == .timelineInterest || hit.label == .demoInterest {
                // Interest is a question or a request ("send me a quote"), not a complaint ("the price is high").
                let sentence = sentences.first { $0.contains(hit.start) } ?? 0..<terms.count
                let asked = Questions.classify(terms, sentence) != nil
                let requested = sentence.contains { requestWords.contains(terms[$0].text) }
                let objectionsHere = Set(objections.hits(in: Array(terms[sentence])).map(\.label))
                if !(asked || requested) { continue }
                if hit.label == .pricingInterest && !objectionsHere.isDisjoint(with: [.price, .need, .trust]) { continue }
                if hit.label == .timelineInterest && objectionsHere.contains(.timing) { continue }
            }
            if hit.label == .verbalInterest, hit.pattern == "interested", Negation.isNegated(terms, before: hit.start, window: 4) { continue }
            seen.insert(hit.label)
            result.append(Signal(type: hit.label, speaker: text.speaker, rule: hit.pattern, evidence: text.evidence(terms: hit.start, hit.end)))
        }
        return result
    }

    static func intents(
        in text: SegmentText, questions: [Question], objections: [Signal<ObjectionType>]
    ) -> [Signal<Intent>] {
        let terms = text.terms
        var found: [Intent: Signal<Intent>] = [:]
        for hit in intents.hits(in: terms) where found[hit.label] == nil {
            switch hit.label {
            case .greeting where hit.start > 10: continue
            case .closingAttempt where text.speaker == .counterpart: continue
            case .valueProposition where text.speaker == .counterpart: continue
            case .objectionHandling where text.speaker == .counterpart: continue
            default: break
            }
            if hit.label != .greeting, Negation.isNegated(terms, before: hit.start, window: 2), hit.label != .scheduling { continue }
            found[hit.label] = Signal(type: hit.label, speaker: text.speaker, rule: hit.pattern, evidence: text.evidence(terms: hit.start, hit.end))
        }
        if let objection = objections.first {
            found[.objection] = Signal(type: .objection, speaker: text.speaker, rule: "objection:\(objection.type.rawValue)", evidence: objection.evidence)
        }
        // A rep question is discovery unless the line is plainly doing something else (closing, rapport, small talk).
        let otherPurpose: [Intent] = [.closingAttempt, .scheduling, .rapport, .smallTalk, .objectionHandling, .greeting]
        if text.speaker != .counterpart, let question = questions.first, !otherPurpose.contains(where: { found[$0] != nil }) || questions.count > 1 {
            found[.discoveryQuestion] = Signal(type: .discoveryQuestion, speaker: text.speaker, rule: "question:\(question.kind.rawValue)", evidence: question.evidence)
        }
        return Intent.allCases.compactMap { found[$0] }
    }

    /// The state after a segment's intents, given the state before.
    static func state(after intents: [Intent], from previous: ConversationState?) -> ConversationState? {
        if intents.contains(.closingAttempt) || intents.contains(.scheduling) && previous != nil && previous != .greeting { return .closing }
        if intents.contains(.objection) || intents.contains(.objectionHandling) { return .objectionHandling }
        if intents.contains(.valueProposition) { return .presentation }
        if intents.contains(.discoveryQuestion) { return .discovery }
        if intents.contains(.greeting) || intents.contains(.rapport) || intents.contains(.smallTalk) { return previous ?? .greeting }
        return previous
    }
}
