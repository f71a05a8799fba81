import Foundation
import ParleyDomain

/// The naive keyword matcher the benchmark prints beside the analyser: a label is found when one
/// of a few obvious words occurs anywhere in the turn, with no negation, no speaker and no context.
/// It is the floor any real reader must beat, not a product feature.
public enum KeywordBaseline {
    static let objections: [(String, [String])] = [
        ("price", ["expensive", "price", "cost", "budget", "afford", "cheaper"]),
        ("timing", ["later", "not now", "busy", "next month", "next year", "call back"]),
        ("competitor", ["already have", "current provider", "another company", "contract with", "we use"]),
        ("authority", ["boss", "my wife", "my husband", "manager", "approve", "decision"]),
        ("need", ["don't need", "no need", "works fine", "not interested"]),
        ("trust", ["scam", "trust", "not sure", "reviews", "proof"]),
    ]
    static let interest: [(String, [String])] = [
        ("verbal_interest", ["sounds good", "interesting", "great", "tell me more", "send me"]),
        ("demo_interest", ["demo", "show me", "see it", "trial"]),
        ("pricing_interest", ["how much", "what does it cost", "pricing", "quote", "financing"]),
        ("timeline_interest", ["how long", "how soon", "when can", "start date"]),
    ]
    static let upsells: [(String, [String])] = [
        ("equipment_replacement", ["old", "keeps breaking", "replace"]), ("maintenance_plan", ["maintenance", "tune-up"]),
        ("capacity_upgrade", ["too small", "expand", "growing"]), ("new_site", ["new location", "new building", "opening"]),
        ("efficiency_upgrade", ["bill", "energy"]), ("air_quality", ["dust", "allerg", "humid", "smell"]),
        ("smart_controls", ["thermostat", "app", "remote"]), ("warranty_extension", ["warranty"]),
        ("compliance_inspection", ["inspection", "code", "compliance"]),
    ]
    static let positive = ["great", "good", "thanks", "love", "perfect", "happy", "excellent", "appreciate"]
    static let negative = ["bad", "problem", "expensive", "annoyed", "not happy", "terrible", "worried", "frustrat"]
    static let fillers = ["um", "uh", "er", "ah", "like", "you know", "i mean", "basically", "literally", "sort of", "kind of"]
    static let questionWords = ["what", "how", "why", "when", "where", "who", "which", "do", "does", "did", "is", "are", "can", "could", "would", "will"]

    /// What the keywords find in one turn.
    public static func predict(_ text: String) -> LinePrediction {
        let lower = " " + text.lowercased().replacingOccurrences(of: "’", with: "'") + " "
        let words = lower.split { !$0.isLetter && $0 != "'" }.map(String.init)
        func found(_ table: [(String, [String])]) -> [String] {
            table.filter { _, keys in keys.contains { lower.contains($0) } }.map(\.0)
        }
        let fillerWords = fillers.flatMap { filler -> [String] in
            let parts = filler.split(separator: " ").map(String.init)
            let count = words.indices.filter { i in i + parts.count <= words.count && Array(words[i..<i + parts.count]) == parts }.count
            return Array(repeating: filler, count: count)
        }
        let score = positive.filter { lower.contains($0) }.count - negative.filter { lower.contains($0) }.count
        let asks = text.contains("?") || words.first.map { questionWords.contains($0) } == true
        let open = words.first.map { ["what", "how", "why", "when", "where", "who"].contains($0) } == true
        return LinePrediction(
            fillers: fillerWords, question: asks ? (open ? .open : .closed) : nil,
            sentiment: score > 0 ? .positive : score < 0 ? .negative : .neutral,
            objections: found(objections), interestSignals: found(interest), upsells: found(upsells))
    }
}
