import Foundation
import ParleyDomain

/// One input of the learned signal model: a named term feature with its value and the terms it came from.
struct ModelFeature: Sendable, Hashable {
    var name: String
    var value: Double
    /// Term range in the segment, for evidence; empty for whole-utterance features.
    var start: Int
    var end: Int
}

/// Learned weights that decide objection types and the sentiment label of an utterance, on
/// top of the phrase rules. Linear models over normalised terms (unigrams, bigrams, negated
/// terms) plus the rule outputs as inputs, so every decision can name the terms that moved it.
/// Trained by `parley train-signals`; shipped as `Resources/signal-model.json`.
public struct SignalModel: Sendable, Codable, Hashable {
    /// One linear head: a bias and a weight per label for every feature it knows.
    public struct Head: Sendable, Codable, Hashable {
        public var labels: [String]
        public var bias: [Double]
        public var weights: [String: [Double]]

        /// Raw scores (logits) per label.
        func logits(_ features: [ModelFeature]) -> [Double] {
            var result = bias
            for feature in features {
                guard let row = weights[feature.name] else { continue }
                for k in result.indices { result[k] += row[k] * feature.value }
            }
            return result
        }

        /// The features that pushed label `k` up the most, strongest first.
        func strongest(_ features: [ModelFeature], label k: Int, limit: Int) -> [(feature: ModelFeature, contribution: Double)] {
            var seen = Set<String>()
            let ranked = features.compactMap { feature -> (ModelFeature, Double)? in
                guard let row = weights[feature.name], seen.insert(feature.name).inserted else { return nil }
                let contribution = row[k] * feature.value
                return contribution > 0 ? (feature, contribution) : nil
            }
            .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0.name < $1.0.name }
            // One name per stretch of words: "frankly" and its stem "frank…" are the same evidence.
            var spans = Set<Int>()
            return ranked.filter { $0.0.end == $0.0.start || spans.insert($0.0.start * 1000 + $0.0.end).inserted }
                .prefix(limit).map { ($0.0, $0.1) }
        }
    }

    public var version: Int
    /// One-vs-rest logistic heads, one per objection type (read only from non-rep speakers).
    public var objections: Head
    /// A three-way softmax over positive / neutral / negative.
    public var sentiment: Head
    /// A softmax over none + the interest signals (non-rep speakers); nil: the rules alone.
    public var interest: Head?
    /// A softmax over none + the upsell types (the customer's turns, and the rep's about the customer's side); nil: the catalogue triggers alone.
    public var upsells: Head?
    /// Probability at which the model adds an objection type the rules did not find.
    public var objectionThreshold: Double
    /// The model's sentiment label replaces the lexicon's only at this probability or above.
    public var sentimentConfidence: Double
    /// Probability at which the model adds an interest signal / an upsell type the rules did not find.
    public var interestThreshold: Double?
    public var upsellThreshold: Double?
    /// The sentence encoder whose vectors are inputs (`e:` features), and their size; nil: terms only.
    public var encoder: String?
    public var dimensions: Int?
    /// What sentence-vector components are multiplied by as inputs (nil: `SignalFeatures.encodingScale`).
    public var vectorScale: Double?
    /// How the weights were made (files, sizes, settings), for the curious reader.
    public var provenance: [String: String]

    enum CodingKeys: String, CodingKey {
        case version, objections, sentiment, interest, upsells, encoder, dimensions, provenance
        case vectorScale = "vector_scale"
        case objectionThreshold = "objection_threshold"
        case sentimentConfidence = "sentiment_confidence"
        case interestThreshold = "interest_threshold"
        case upsellThreshold = "upsell_threshold"
    }

    /// The model over terms and sentence vectors, used for turns that come with a vector; nil when not shipped.
    public static let shippedWithEncoder: SignalModel? = {
        for url in resourceCandidates(named: "encoder-signal-model.json", override: "PARLEY_ENCODER_SIGNAL_MODEL") {
            if let data = FileManager.default.contents(atPath: url.path), let model = try? JSONDecoder().decode(SignalModel.self, from: data),
               model.encoder != nil, (model.dimensions ?? 0) > 0
            {
                return model
            }
        }
        return nil
    }()

    /// The weights shipped with the library, or nil when the resource cannot be found (rules only).
    public static let shipped: SignalModel? = {
        for url in resourceCandidates(named: "signal-model.json", override: "PARLEY_SIGNAL_MODEL") {
            if let data = FileManager.default.contents(atPath: url.path), let model = try? JSONDecoder().decode(SignalModel.self, from: data) {
                return model
            }
        }
        return nil
    }()

    /// Where SwiftPM puts a resource of this library next to the executable (or test binary); an
    /// explicit path in the `override` variable wins. Looked up by hand rather than through
    /// `Bundle.module`, which stops the process when the bundle is missing.
    static func resourceCandidates(named name: String, override: String) -> [URL] {
        var result: [URL] = []
        if let path = ProcessInfo.processInfo.environment[override], !path.isEmpty { result.append(URL(fileURLWithPath: path)) }
        var folders = [Bundle.main.bundleURL]
        if let resources = Bundle.main.resourceURL { folders.append(resources) }
        if let executable = Bundle.main.executableURL { folders.append(executable.deletingLastPathComponent()) }
        for folder in folders {
            result.append(folder.appendingPathComponent("parley_ParleyIntelligence.resources/" + name))
            result.append(folder.appendingPathComponent("parley_ParleyIntelligence.bundle/Contents/Resources/" + name))
            result.append(folder.appendingPathComponent("parley_ParleyIntelligence.bundle/" + name))
        }
        return result
    }

    /// Objection types the model finds with their probability, strongest first.
    func objectionProbabilities(_ features: [ModelFeature]) -> [(type: ObjectionType, probability: Double)] {
        let logits = objections.logits(features)
        let probabilities: [Double]
        if objections.labels.first == "none" {
            let top = logits.max() ?? 0
            let exps = logits.map { exp($0 - top) }
            let sum = exps.reduce(0, +)
            probabilities = exps.map { $0 / sum }
        } else {
            probabilities = logits.map { 1 / (1 + exp(-$0)) }
        }
        return zip(objections.labels, probabilities).compactMap { label, probability in
            ObjectionType(rawValue: label).map { ($0, probability) }
        }
        .sorted { $0.probability > $1.probability }
    }

    /// Labels other than `none` of a none-first softmax head with their probability, strongest first.
    static func found(_ head: Head, _ features: [ModelFeature], threshold: Double) -> [(label: String, probability: Double)] {
        let logits = head.logits(features)
        let top = logits.max() ?? 0
        let exps = logits.map { exp($0 - top) }
        let sum = exps.reduce(0, +)
        return zip(head.labels, exps).compactMap { label, value in
            label != "none" && value / sum >= threshold ? (label, value / sum) : nil
        }
        .sorted { $0.probability > $1.probability }
    }

    /// Where the model's words for label `k` of `head` are: the strongest term features, as a rule
    /// text and an evidence span; the turn's longest sentence when no term weighed for it.
    static func explanation(_ head: Head, label k: Int, features: [ModelFeature], text: SegmentText, probability: Double) -> (rule: String, span: Range<Int>) {
        let top = head.strongest(features, label: k, limit: 3).filter { $0.feature.end > $0.feature.start }
        let confidence = String(format: "%.2f", probability)
        if let lead = top.first {
            return ("model \(confidence): " + top.map { display($0.feature.name) }.joined(separator: ", "), lead.feature.start..<lead.feature.end)
        }
        return ("model \(confidence)", text.sentences.max { $0.count < $1.count } ?? 0..<text.terms.count)
    }

    /// Adds the interest signals the model is confident about to the rule findings (non-rep turns).
    func interest(_ features: [ModelFeature], text: SegmentText, rules: [Signal<InterestSignal>]) -> [Signal<InterestSignal>] {
        guard let head = interest, let threshold = interestThreshold, text.speaker != .rep else { return rules }
        var result = rules
        let found = Set(rules.map(\.type.rawValue))
        for (label, probability) in Self.found(head, features, threshold: threshold) where !found.contains(label) {
            guard let type = InterestSignal(rawValue: label), let k = head.labels.firstIndex(of: label) else { continue }
            let why = Self.explanation(head, label: k, features: features, text: text, probability: probability)
            result.append(Signal(type: type, speaker: text.speaker, rule: why.rule, evidence: text.evidence(terms: why.span.lowerBound, why.span.upperBound)))
        }
        return result
    }

    /// Adds the upsell types the model is confident about to the catalogue's findings, priced from
    /// the catalogue (types it does not sell are left out).
    func upsells(_ features: [ModelFeature], text: SegmentText, rules: [UpsellOpportunity], detector: UpsellDetector) -> [UpsellOpportunity] {
        // An upsell is a customer's need the rep can serve: a rep's turn counts only when it speaks
        // of the customer's side ("your furnace is twenty years old"), never of the rep's own plans.
        guard let head = upsells, let threshold = upsellThreshold,
              text.speaker != .rep || text.terms.contains(where: { ["you", "your", "yours", "yourself"].contains($0.text) })
        else { return rules }
        var result = rules
        let found = Set(rules.map(\.type))
        for (label, probability) in Self.found(head, features, threshold: threshold) where !found.contains(label) {
            guard let k = head.labels.firstIndex(of: label) else { continue }
            let why = Self.explanation(head, label: k, features: features, text: text, probability: probability)
            if let opportunity = detector.opportunity(type: label, in: text, near: why.span, confidence: probability) {
                result.append(opportunity)
            }
        }
        return result.sorted { ($0.evidence.start ?? 0, $0.type) < ($1.evidence.start ?? 0, $1.type) }
    }

    /// Probabilities per sentiment label.
    func sentimentProbabilities(_ features: [ModelFeature]) -> [SentimentLabel: Double] {
        let logits = sentiment.logits(features)
        let top = logits.max() ?? 0
        let exps = logits.map { exp($0 - top) }
        let sum = exps.reduce(0, +)
        var result: [SentimentLabel: Double] = [:]
        for (label, value) in zip(sentiment.labels, exps) {
            if let key = SentimentLabel(rawValue: label) { result[key] = value / sum }
        }
        return result
    }

    /// Adds the objection types the model is confident about to the rule findings; the `rule`
    /// names its probability and the terms that weighed most ("model 0.81: too expensive, budget").
    func objections(
        _ features: [ModelFeature], text: SegmentText, rules: [Signal<ObjectionType>]
    ) -> [Signal<ObjectionType>] {
        guard text.speaker != .rep else { return rules }
        var result = rules
        let found = Set(rules.map(\.type))
        for (type, probability) in objectionProbabilities(features) where probability >= objectionThreshold && !found.contains(type) {
            guard let k = objections.labels.firstIndex(of: type.rawValue) else { continue }
            let why = Self.explanation(objections, label: k, features: features, text: text, probability: probability)
            result.append(Signal(type: type, speaker: text.speaker, rule: why.rule, evidence: text.evidence(terms: why.span.lowerBound, why.span.upperBound)))
        }
        return result
    }

    /// The model's label decides; the lexicon score is kept when it agrees and otherwise moved
    /// just inside the band of the model's label, with a driver naming the terms that decided.
    func sentiment(_ features: [ModelFeature], text: SegmentText, lexicon: Sentiment) -> Sentiment {
        let probabilities = sentimentProbabilities(features)
        guard let best = probabilities.max(by: { $0.value != $1.value ? $0.value < $1.value : $0.key.rawValue > $1.key.rawValue }),
            best.value >= sentimentConfidence, best.key != lexicon.label
        else { return lexicon }
        let label = best.key
        let score = Self.bandedScore(label, probabilities: probabilities)
        var drivers = lexicon.drivers
        if let k = sentiment.labels.firstIndex(of: label.rawValue) {
            let top = sentiment.strongest(features, label: k, limit: 3)
            if !top.isEmpty {
                let phrase = "model (\(label.rawValue)): " + top.map { Self.display($0.feature.name) }.joined(separator: ", ")
                drivers.insert(SentimentDriver(phrase: phrase, weight: rounded(score - lexicon.score)), at: 0)
            }
        }
        return Sentiment(score: rounded(score, places: 3), label: label, drivers: drivers)
    }

    /// A score inside `label`'s band (so label and score agree) that keeps the positive-minus-negative spread when it can.
    static func bandedScore(_ label: SentimentLabel, probabilities: [SentimentLabel: Double]) -> Double {
        let t = SentimentScorer.threshold
        let spread = (probabilities[.positive] ?? 0) - (probabilities[.negative] ?? 0)
        switch label {
        case .positive: return max(spread, t)
        case .negative: return min(spread, -t)
        case .neutral: return min(max(spread, -t + 0.001), t - 0.001)
        }
    }

    /// A feature name as a reader would say it: "b:too_expensive" → "too expensive", "n:need" → "not … need".
    static func display(_ name: String) -> String {
        var body = String(name.dropFirst(2))
        if body.hasSuffix("~") { body = String(body.dropLast()) + "…" }
        switch name.prefix(2) {
        case "w:": return body
        case "b:": return body.replacingOccurrences(of: "_", with: " ")
        case "n:": return "not … " + body
        case "r:": return "rule " + body
        case "l:": return "lexicon " + body
        case "c:": return "[" + body + "]"
        case "p:": return "[" + body.replacingOccurrences(of: "+", with: "] + [") + "]"
        case "e:": return "sentence vector"
        default: return name
        }
    }
}

/// Turns a segment into model features. The same code serves training and analysis, so the
/// two can never drift apart.
enum SignalFeatures {
    /// Words too common to carry a signal alone (they still appear inside bigrams).
    static let stopWords: Set<String> = ["the", "a", "an", "and", "of", "to", "is", "it", "that", "this", "for", "in", "on", "at", "be", "are", "was", "i", "we", "you"]

    /// A crude suffix stripper so "charging", "charges" and "charged" share a weight.
    static func stem(_ word: String) -> String {
        guard word.count > 4 else { return word }
        for suffix in ["ings", "ing", "ers", "ed", "es", "er", "ly", "s"] where word.hasSuffix(suffix) && word.count - suffix.count >= 3 {
            return String(word.dropLast(suffix.count))
        }
        return word
    }

    /// Hand-made concept classes for business objections (a word may belong to several).
    static let conceptClasses: [String: [String]] = {
        let lists: [(String, String)] = [
            ("money", "price prices priced pricing cost costs costly money budget budgets expensive afford affordable cheap cheaper cheapest dollars dollar bucks grand thousand hundred fee fees rate rates quote quoted pay paying paid spend spending spent cash margin margins invoice charge charges charging charged financially funds funding premium pricey steep capital subscription renewal estimate number numbers bill bills monthly expense expenses cents cent penny wallet pricier overpriced reimbursement"),
            ("excess", "too much high higher lot more steep outrageous brutal rough double triple over above beyond roof expensive pricey scare scary rich insane crazy ouch wow hefty big huge non starter kills swallow stretch"),
            ("later", "later next month months week weeks quarter year spring summer fall autumn winter season holidays holiday after until once wait hold revisit reconnect circle back again soon fiscal january february march april may june july august september october november december q1 q2 q3 q4 park table someday sometime eventually while"),
            ("busy", "busy swamped slammed stretched bandwidth fires buried hectic middle short staffed overloaded crazy chaos launch audit inventory close remodel renovation move moved merger migrating construction peak"),
            ("incumbent", "already current currently existing provider vendor vendors supplier contractor company companies firm outfit outfits contract agreement signed renewed loyal using use used guy guys own in-house internal team crew staff dealer manufacturer competitor competitors other others another quotes bids comparing compare rfp switch switching committed tied locked handles covers covered nephew brother cousin uncle friend neighbor"),
            ("decider", "boss manager owner owners partner partners board director cfo ceo vp coo president committee council corporate headquarters hq finance purchasing procurement legal wife husband spouse landlord supervisor leadership accountant district hoa parent dad mom father mother chain management office regional superintendent principal chef lead"),
            ("approve", "approve approval approved sign signs signing sign-off signoff authority authorized authorization decide decides decision decisions call say okay ok green light vote votes review reviews pitch run loop check ask forward pass weigh input permission blessing final consult"),
            ("sufficient", "need needed needs necessary use point fine good okay covered set pass interested fit overkill simple small enough plenty works working apply useful worth"),
            ("doubt", "trust believe sure know proof prove references reviews guarantee catch promise promised promises claims claim skeptical sceptical wary burned ripped scam heard track record insured licensed bonded genuine writing case studies overpromise optimistic true nervous careful always salespeople salesperson pitch hidden bait mixed complaints news real legit reputation"),
            ("refusal", "no nah nope pass thanks thank appreciate sorry unfortunately afraid can't cannot won't"),
        ]
        var result: [String: [String]] = [:]
        for (name, words) in lists {
            for word in words.split(separator: " ") { result[String(word), default: []].append(name) }
        }
        return result
    }()

    /// Sentence-vector components are multiplied by this by default, so a unit-length vector's
    /// inputs are on the scale of the 0/1 term features (a component averages about 0.04).
    static let encodingScale = 10.0

    static func extract(
        _ text: SegmentText, rules: [Signal<ObjectionType>], lexicon: Sentiment, asked: Bool, encoding: [Float]? = nil, scale: Double = encodingScale
    ) -> [ModelFeature] {
        let terms = text.terms
        var result: [ModelFeature] = []
        result.reserveCapacity(terms.count * 2 + 8)
        var negatedUntilBoundary = 0
        var previous: Int?
        for i in terms.indices {
            let term = terms[i]
            if term.isPunctuation {
                negatedUntilBoundary = 0
                previous = nil
                continue
            }
            let word = term.text
            if word == "but" { negatedUntilBoundary = 0 }
            let negated = negatedUntilBoundary > 0
            if Negation.negators.contains(word) {
                negatedUntilBoundary = 3
            } else if negated {
                negatedUntilBoundary -= 1
            }
            if negated && !Negation.negators.contains(word) {
                result.append(ModelFeature(name: "n:" + word, value: 1, start: i, end: i + 1))
            } else if !stopWords.contains(word) {
                result.append(ModelFeature(name: "w:" + word, value: 1, start: i, end: i + 1))
            }
            if let p = previous {
                result.append(ModelFeature(name: "b:" + terms[p].text + "_" + word, value: 1, start: p, end: i + 1))
            }
            previous = i
        }
        // Concept classes generalise over paraphrases the data has not shown ("ten grand", "that fee");
        // pairs of classes in one utterance stand for the topic + evaluation cue idea of the rules.
        var classes = Set<String>()
        var negatedScope = 0
        for i in terms.indices {
            let word = terms[i].text
            if terms[i].isPunctuation || word == "but" { negatedScope = 0; continue }
            let negated = negatedScope > 0
            if Negation.negators.contains(word) { negatedScope = 3; continue }
            if negated { negatedScope -= 1 }
            for name in conceptClasses[word] ?? [] {
                let tagged = negated ? "not-" + name : name
                if classes.insert(tagged).inserted { result.append(ModelFeature(name: "c:" + tagged, value: 1, start: i, end: i + 1)) }
            }
            if let polarity = SentimentScorer.words[word], polarity != 0 {
                let name = (polarity > 0) != negated ? "lexicon-positive" : "lexicon-negative"
                result.append(ModelFeature(name: "c:" + name, value: min(abs(polarity), 2.5) / 2.5, start: i, end: i + 1))
            }
            let stem = stem(word)
            if stem != word && !stopWords.contains(word) {
                result.append(ModelFeature(name: (negated ? "n:" : "w:") + stem + "~", value: 1, start: i, end: i + 1))
            }
        }
        let sortedClasses = classes.sorted()
        for (a, first) in sortedClasses.enumerated() {
            for second in sortedClasses[(a + 1)...] {
                result.append(ModelFeature(name: "p:" + first + "+" + second, value: 1, start: 0, end: 0))
            }
        }
        for rule in rules {
            result.append(ModelFeature(name: "r:" + rule.type.rawValue, value: 1, start: 0, end: 0))
        }
        result.append(ModelFeature(name: "l:score", value: lexicon.score * 3, start: 0, end: 0))
        result.append(ModelFeature(name: "l:" + lexicon.label.rawValue, value: 1, start: 0, end: 0))
        if asked { result.append(ModelFeature(name: "q:asked", value: 1, start: 0, end: 0)) }
        result.append(ModelFeature(name: "s:" + text.speaker.rawValue, value: 1, start: 0, end: 0))
        for (i, value) in (encoding ?? []).enumerated() {
            result.append(ModelFeature(name: "e:\(i)", value: Double(value) * scale, start: 0, end: 0))
        }
        return result
    }
}
