import Foundation
import ParleyDomain

/// What the business sells beyond the job at hand: one entry per opportunity type, with the
/// customer phrases that suggest it and what it is worth. Load your own from JSON.
public struct UpsellCatalogue: Sendable, Codable, Hashable {
    /// One kind of opportunity the business can act on.
    public struct Entry: Sendable, Codable, Hashable {
        public var type: String
        public var title: String
        public var description: String
        public var estimatedValue: Double
        /// Customer phrases in pattern syntax: `a|b` alternatives, `word?` optional, `*` any word,
        /// `~` up to three words, `multi_word|alternatives`.
        public var triggers: [String]
        /// What a sale of this kind is worth, least and most; a found opportunity is valued in
        /// the range by its confidence. Nil: `estimatedValue` alone.
        public var valueLow: Double?
        public var valueHigh: Double?

        public init(type: String, title: String, description: String, estimatedValue: Double, triggers: [String],
                    valueLow: Double? = nil, valueHigh: Double? = nil) {
            self.type = type
            self.title = title
            self.description = description
            self.estimatedValue = estimatedValue
            self.triggers = triggers
            self.valueLow = valueLow
            self.valueHigh = valueHigh
        }

        /// The value of an opportunity found with `confidence` (0…1).
        public func value(confidence: Double) -> Double {
            guard let low = valueLow, let high = valueHigh, high >= low else { return estimatedValue }
            return ((low + (high - low) * min(1, max(0, confidence))) / 10).rounded() * 10
        }
    }

    public var currency: String
    public var entries: [Entry]

    public init(currency: String = "USD", entries: [Entry]) {
        self.currency = currency
        self.entries = entries
    }

    /// Reads a catalogue from JSON (`{"currency": "USD", "entries": [{type, title, description, estimated_value, triggers}]}`).
    public static func load(from data: Data) throws -> UpsellCatalogue {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        do {
            return try decoder.decode(UpsellCatalogue.self, from: data)
        } catch {
            throw DomainError.validation(field: "catalogue", message: "not a valid upsell catalogue: \(error)")
        }
    }

    /// A field-service catalogue (HVAC, fire protection, plumbing, electrical) with typical values.
    public static let standard = UpsellCatalogue(entries: [
        Entry(
            type: "equipment_replacement", title: "Equipment Replacement",
            description: "Ageing or failing equipment that is a strong candidate for replacement.", estimatedValue: 12000,
            triggers: [
                "on its last legs", "last legs", "original unit|equipment|system|boiler|furnace|pump", "outdated", "end of life",
                "keeps breaking", "keeps breaking down", "keeps failing", "always breaking", "breaks down all the time", "thinking about replacing",
                "should we replace", "replace the whole", "replace it", "obsolete", "hard to find parts", "parts are hard to find",
                "no longer makes parts", "do not make parts", "older than", "ancient", "getting old", "pretty old", "really old", "very old",
                "from the eighties|nineties|seventies", "how much for a new", "price on a new", "cost of a new",
                "a new ~ unit|system|compressor|boiler|furnace|pump|water_heater|ac|heat_pump|panel|chiller|condenser|roof|generator",
                "always broken", "always broke", "kept|keeps breaking|failing|dying|tripping|leaking|quitting",
                "died|broke|failed|quit ~ again", "limping along", "duct tape", "held together", "is|one_is dying",
                "on borrowed time", "original one|to|from", "when they built", "conked out ~ again",
                "rusted|rusting|corroded ~ through|out", "rusted", "patched ~ more|again|twice|times", "more times than i can count",
            ]),
        Entry(
            type: "maintenance_plan", title: "Preventive Maintenance Plan",
            description: "Recurring repairs or no regular service: a maintenance plan prevents breakdowns.", estimatedValue: 1800,
            triggers: [
                "no maintenance", "never been serviced", "not been serviced", "not had it serviced", "never had it serviced",
                "do not have a|any service|maintenance plan|contract|agreement", "no service plan", "no maintenance plan",
                "only call when it breaks", "only call someone when", "nobody checks", "no one checks", "repairs add up", "keep having to call",
                "preventive", "preventative", "tune-up", "tune up", "maintenance plan", "service plan", "how often should", "regular service",
                "last service was", "last time it was serviced", "cannot remember the last service", "twice this year", "twice this month",
                "annual plan", "yearly plan", "service contract", "maintenance contract", "maintenance agreement", "last changed|serviced|checked|cleaned",
                "gold|silver|platinum|premium plan", "nobody|no_one has ~ looked|checked|touched", "wait till|until it breaks", "run it until|till",
                "nobody|no_one maintains", "call when it is ~ down|broken|out", "yearly|annual maintenance", "more times than i can count",
                "do not remember the last", "last time anyone|someone ~ serviced|looked|checked",
            ]),
        Entry(
            type: "capacity_upgrade", title: "Capacity Upgrade",
            description: "Demand has outgrown the installed capacity.", estimatedValue: 8500,
            triggers: [
                "can not keep up", "not keeping up", "struggles to keep up", "not enough capacity|pressure|cooling|heat|hot_water|airflow|power",
                "running at full capacity", "at capacity", "expanding", "adding staff|people|employees|a_floor|an_extension|rooms|a_wing|an_addition",
                "more capacity", "upstairs is always hot", "does not cool the whole", "does not heat the whole", "growing fast", "doubling",
                "hiring", "hired more|another|new|extra", "more people", "bigger unit", "taking over", "another floor", "second|third|fourth floor",
                "barely ~ cool|cold|heat|warm|keeps", "blows cold air anymore", "unbearably hot|cold", "gets so hot|cold", "hot spots", "cold spots", "double the", "knocking down a wall", "adding on",
                "adding a|an ~ mezzanine|floor|wing|extension|addition|story", "more desks|seats|tables|beds|rooms|workstations",
                "can not hold ~ temperature|temp", "never stops running", "runs non-stop|nonstop", "bringing_on|adding ~ a|another ~ shift|crew",
                "night|second|third shift", "not get any airflow", "no airflow", "poor airflow", "expanding into", "sweating", "doubling our", "never gets|warms warm|cool|cold|up", "bigger system", "runs out of hot water", "runs constantly", "never shuts off", "new addition",
            ]),
        Entry(
            type: "new_site", title: "New Site Installation",
            description: "The customer is opening or moving to another site that will need equipment and service.", estimatedValue: 25000,
            triggers: [
                "new location|site|office|warehouse|branch|store|building|facility|plant|restaurant|clinic", "opening a|another",
                "second location", "third location", "moving to a new", "expanding to", "another building", "another site", "another location",
                "new construction", "building a new", "lease on", "second|another|new shop|location|store|branch|office|clinic", "expanding into", "unit next door", "space next door", "bought the|a|another building|property|site", "building next door", "new wing",
            ]),
        Entry(
            type: "efficiency_upgrade", title: "Energy Efficiency Upgrade",
            description: "High energy costs: a more efficient system or controls pay back.", estimatedValue: 6000,
            triggers: [
                "energy|electric|utility|power|electricity|gas|heating|cooling bills|bill|costs", "bills are high", "through the roof",
                "energy efficient", "more efficient", "save on energy", "efficiency", "energy star", "rebate", "rebates", "solar",
            ]),
        Entry(
            type: "air_quality", title: "Indoor Air Quality",
            description: "Dust, humidity, odours or allergies: filtration, purification or dehumidification.", estimatedValue: 2500,
            triggers: ["condensation", "stale air", "stale", "mildew", "dust", "dusty", "allergies", "allergy", "humidity", "humid", "musty", "mold", "mould", "air quality", "stuffy", "odor", "smells", "asthma"],
            ),
        Entry(
            type: "smart_controls", title: "Smart Controls and Monitoring",
            description: "Remote control, monitoring and alerts for the equipment.", estimatedValue: 900,
            triggers: ["smart|wifi|programmable|connected thermostat", "from my phone", "monitoring", "know when ~ breaks|fails|goes|stops", "from my|our laptop|computer|phone|desk", "control it remotely", "monitor it remotely", "get a text|alert|notification", "text me when", "text when", "from our phones", "remote monitoring", "monitor it remotely", "alerts", "smart thermostat", "control it from", "know when it fails", "app to control"],
            ),
        Entry(
            type: "warranty_extension", title: "Extended Warranty",
            description: "Warranty ending or expired: extend coverage.", estimatedValue: 1200,
            triggers: ["warranty expires|expired|ends|ended|ran_out|runs_out|is_up|is_ending", "out of warranty", "no longer under warranty", "warranty is up", "extended warranty", "warranty ran out", "warranty ~ still|good|valid|active|cover", "is the warranty", "coverage ~ ends|ended|expires|runs_out|is_up"],
            ),
        Entry(
            type: "compliance_inspection", title: "Compliance and Inspection Package",
            description: "Upcoming inspections or code requirements: inspection, testing and certification services.", estimatedValue: 3500,
            triggers: ["inspection ~ coming|due|scheduled|next", "failed ~ inspection", "fire code", "fire marshal", "compliance", "audit", "certification", "insurance requires", "code requirements", "failed inspection", "failed our inspection", "inspector", "insurance ~ inspection|audit"],
            ),
    ])
}

/// An upsell opportunity found in what the customer said.
public struct UpsellOpportunity: Sendable, Codable, Hashable {
    public var type: String
    public var title: String
    public var description: String
    public var triggerPhrase: String
    public var timestampInCall: Double?
    /// 0…1, from the strength of the trigger (numbers beat vague phrases) and repetition.
    public var confidence: Double
    /// `high`, `medium` or `low`.
    public var priority: String
    public var estimatedValue: Double
    public var status: String
    public var evidence: Evidence
}

/// Finds upsell opportunities: catalogue triggers plus numeric rules for equipment age and repair counts.
struct UpsellDetector: Sendable {
    let catalogue: UpsellCatalogue
    private let triggers: PatternSet<Int>

    static let equipment: [String] = [
        "fire pump", "heat pump", "water heater", "air conditioner", "air handler", "boiler", "furnace", "compressor", "chiller",
        "pump", "generator", "roof", "elevator", "panel", "sprinkler", "condenser", "fan", "rooftop unit", "cooling tower",
        "ac", "hvac", "unit", "system", "thermostat", "alarm", "extinguisher", "breaker", "tank", "motor", "pipes", "valve",
    ]

    init(catalogue: UpsellCatalogue) {
        self.catalogue = catalogue
        self.triggers = PatternSet(catalogue.entries.enumerated().map { ($0.offset, $0.element.triggers) })
    }

    func opportunities(in text: SegmentText) -> [UpsellOpportunity] {
        guard text.speaker != .rep else { return [] }
        let terms = text.terms
        var best: [String: UpsellOpportunity] = [:]
        func consider(_ entryIndex: Int, _ start: Int, _ end: Int, confidence: Double) {
            let opportunity = self.opportunity(catalogue.entries[entryIndex], in: text, terms: start..<end, confidence: confidence)
            if (best[opportunity.type]?.confidence ?? 0) < confidence { best[opportunity.type] = opportunity }
        }
        for hit in triggers.hits(in: terms) {
            let negatedInside = (hit.start..<hit.end).contains { Negation.negators.contains(terms[$0].text) }
            if !negatedInside && Negation.isNegated(terms, before: hit.start, window: 3) { continue }
            // "We have a maintenance plan" / "our service plan covers it" is the absence of an opportunity.
            if ["maintenance plan", "service plan", "service contract", "maintenance contract", "maintenance agreement"].contains(hit.pattern),
                terms[max(0, hit.start - 3)..<hit.start].contains(where: { $0.text == "our" || $0.text == "have" }),
                !Negation.isNegated(terms, before: hit.start, window: 4)
            {
                continue
            }
            consider(hit.label, hit.start, hit.end, confidence: 0.72)
        }
        numericRules(text, consider: consider)
        return best.values.sorted { ($0.evidence.start ?? 0, $0.type) < ($1.evidence.start ?? 0, $1.type) }
    }

    /// One opportunity of a catalogue entry, its evidence the terms that triggered it and its
    /// trigger phrase the sentence around them.
    func opportunity(_ entry: UpsellCatalogue.Entry, in text: SegmentText, terms span: Range<Int>, confidence: Double) -> UpsellOpportunity {
        var evidence = text.evidence(terms: span.lowerBound, span.upperBound)
        let sentence = text.sentences.first { $0.contains(span.lowerBound) } ?? 0..<text.terms.count
        let title = titled(entry, sentence: sentence, terms: text.terms)
        let trigger = text.phrase(terms: sentence.lowerBound, sentence.upperBound).trimmingCharacters(in: .whitespaces)
        evidence.phrase = text.phrase(terms: span.lowerBound, span.upperBound)
        return UpsellOpportunity(
            type: entry.type, title: title, description: "\(entry.description) Customer said: \"\(trigger)\"",
            triggerPhrase: trigger, timestampInCall: evidence.start, confidence: rounded(confidence),
            priority: UpsellDetector.priority(confidence: confidence, value: entry.value(confidence: confidence)),
            estimatedValue: entry.value(confidence: confidence), status: "identified", evidence: evidence)
    }

    /// An opportunity of `type` that no trigger named (the learned model found it), its evidence
    /// the words that weighed most. Nil when the catalogue does not sell that type.
    func opportunity(type: String, in text: SegmentText, near span: Range<Int>, confidence: Double) -> UpsellOpportunity? {
        guard let entry = catalogue.entries.first(where: { $0.type == type }) else { return nil }
        return opportunity(entry, in: text, terms: span, confidence: confidence)
    }

    /// "15 years old", "installed twenty years ago", "fixed it three times this year".
    private func numericRules(_ text: SegmentText, consider: (Int, Int, Int, Double) -> Void) {
        let terms = text.terms
        let replacement = catalogue.entries.firstIndex { $0.type == "equipment_replacement" }
        let maintenance = catalogue.entries.firstIndex { $0.type == "maintenance_plan" }
        var i = 0
        while i < terms.count {
            guard !terms[i].isPunctuation, let number = NumberWords.value(in: terms, at: i) ?? repeatWord(terms[i].text) else { i += 1; continue }
            let after = i + number.length
            let next = after < terms.count ? terms[after].text : ""
            let next2 = after + 1 < terms.count ? terms[after + 1].text : ""
            let next3 = after + 2 < terms.count ? terms[after + 2].text : ""
            let aboutPeople = terms[max(0, i - 5)..<i].contains { ["doing", "working", "using", "known", "guy", "company", "with", "done", "heating", "cooling", "plumbing"].contains($0.text) }
            if (next == "years" || next == "year" || next == "yrs") && number.value >= 8 && number.value < 100, !aboutPeople,
                ["old", "ago", "now"].contains(next2) || terms[max(0, i - 3)..<i].contains(where: { ["for", "had", "been", "over", "about", "almost", "nearly"].contains($0.text) }),
                let replacement
            {
                let confidence = number.value >= 15 ? 0.9 : number.value >= 10 ? 0.85 : 0.7
                consider(replacement, i, min(terms.count, after + 2), confidence)
            }
            // "since 2009", "installed in 1998": a year at least eight years back.
            if number.length == 1, number.value >= 1950, number.value <= 2018, i > 0, ["since", "in", "from", "back"].contains(terms[i - 1].text), let replacement {
                consider(replacement, i - 1, i + 1, 0.8)
            }
            if ["times", "time"].contains(next) || terms[i].text == "twice" || terms[i].text == "third" || terms[i].text == "fourth",
                number.value >= 2
            {
                let window = terms[max(0, i - 8)..<min(terms.count, after + 6)].map(\.text)
                let aboutRepairs = window.contains { ["frustrated", "again", "annoyed", "ridiculous", "tired", "fix", "fixed", "repair", "repaired", "repairs", "out", "broke", "broken", "replaced", "called", "serviced", "service", "failed", "came", "come", "down"].contains($0) }
                let period = [next, next2, next3].contains { ["this", "last", "in", "since", "already"].contains($0) } || window.contains("year") || window.contains("month") || window.contains("summer") || window.contains("winter")
                let repairVerb = window.contains { ["replaced", "fixed", "repaired", "rebuilt"].contains($0) }
                if aboutRepairs && (period || repairVerb) {
                    if number.value >= 3, let replacement { consider(replacement, max(0, i - 4), min(terms.count, after + 3), 0.88) }
                    if let maintenance { consider(maintenance, max(0, i - 4), min(terms.count, after + 3), number.value >= 3 ? 0.8 : 0.75) }
                }
            }
            i += max(1, number.length)
        }
    }

    private func repeatWord(_ word: String) -> (value: Double, length: Int)? {
        switch word {
        case "twice": (2, 1)
        case "third": (3, 1)
        case "fourth": (4, 1)
        default: nil
        }
    }

    private func titled(_ entry: UpsellCatalogue.Entry, sentence: Range<Int>, terms: [Term]) -> String {
        guard entry.type == "equipment_replacement" else { return entry.title }
        let words = sentence.map { terms[$0].text }
        let text = " " + words.joined(separator: " ") + " "
        for item in UpsellDetector.equipment where text.contains(" \(item) ") {
            let name = item.count <= 4 && item != "pump" && item != "fan" && item != "roof" && item != "tank" && item != "unit" ? item.uppercased() : item.capitalized
            return "\(name) Replacement"
        }
        return entry.title
    }

    static func priority(confidence: Double, value: Double) -> String {
        if confidence >= 0.85 || confidence >= 0.7 && value >= 20000 { return "high" }
        if confidence >= 0.7 { return "medium" }
        return "low"
    }

    /// Merges per-segment opportunities: one per type, the strongest, with confidence raised by repeats.
    static func merge(_ found: [UpsellOpportunity]) -> [UpsellOpportunity] {
        var byType: [String: (UpsellOpportunity, Int)] = [:]
        var order: [String] = []
        for opportunity in found {
            if let (current, count) = byType[opportunity.type] {
                byType[opportunity.type] = (opportunity.confidence > current.confidence ? opportunity : current, count + 1)
            } else {
                byType[opportunity.type] = (opportunity, 1)
                order.append(opportunity.type)
            }
        }
        return order.map { type in
            var (opportunity, count) = byType[type]!
            opportunity.confidence = rounded(min(0.97, opportunity.confidence + 0.05 * Double(count - 1)))
            opportunity.priority = priority(confidence: opportunity.confidence, value: opportunity.estimatedValue)
            return opportunity
        }
    }
}
