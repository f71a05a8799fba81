import ParleyDomain

/// A drill picked for a user, with how much they need it and why.
public struct DrillRecommendation: Sendable, Codable, Hashable {
    public var drill: Drill
    /// 0–100: the score of the skill this drill trains (lower means more need); nil with no history.
    public var skillScore: Double?
    public var reason: String
}

/// The filters of the drill list (`difficulty`, `category`, `limit`).
public struct DrillFilter: Sendable, Hashable {
    public var difficulty: Difficulty?
    public var category: DrillCategory?
    public var limit: Int?

    public init(difficulty: Difficulty? = nil, category: DrillCategory? = nil, limit: Int? = nil) {
        self.difficulty = difficulty
        self.category = category
        self.limit = limit
    }

    /// Parses the query's strings, with typed errors for unknown values.
    public static func parse(difficulty: String?, category: String?, limit: Int?) throws(DrillError) -> DrillFilter {
        if let difficulty, Difficulty(rawValue: difficulty) == nil || difficulty == Difficulty.expert.rawValue {
            throw .invalidFilter(field: "difficulty", message: "unknown difficulty '\(difficulty)'; use beginner, intermediate or advanced")
        }
        if let category, DrillCategory(rawValue: category) == nil {
            throw .invalidFilter(field: "category", message: "unknown category '\(category)'; use \(DrillCategory.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let limit, limit < 1 {
            throw .invalidFilter(field: "limit", message: "limit must be at least 1, got \(limit)")
        }
        return DrillFilter(difficulty: difficulty.flatMap(Difficulty.init(rawValue:)), category: category.flatMap(DrillCategory.init(rawValue:)), limit: limit)
    }
}

/// Orders drills weakest skill first from the user's recent Speech Coaching category scores.
public struct DrillPlanner: Sendable {
    public var catalogue: [Drill]

    public init(catalogue: [Drill] = BuiltInDrills.all) {
        self.catalogue = catalogue
    }

    /// Which SpeechCoach category and factors each drill category trains.
    static let skills: [DrillCategory: (category: String, factors: [String])] = [
        .pronunciation: ("clarity", ["pronunciation", "articulation"]),
        .pace: ("pace", ["speed", "rhythm", "pauses"]),
        .fillers: ("confidence", ["fillers"]),
        .confidence: ("confidence", ["assertiveness", "steadiness"]),
    ]

    /// The mean of each category and factor over recent sessions (most recent first or not: order does not matter).
    public static func average(_ sessions: [[String: CategoryScore]]) -> [String: CategoryScore] {
        var result: [String: CategoryScore] = [:]
        let names = Set(sessions.flatMap(\.keys))
        for name in names {
            let present = sessions.compactMap { $0[name] }
            guard let first = present.first else { continue }
            var factors: [String: Double] = [:]
            for factor in Set(present.flatMap(\.factors.keys)) {
                let values = present.compactMap { $0.factors[factor] }
                factors[factor] = rounded(values.reduce(0, +) / Double(values.count), places: 1)
            }
            let score = rounded(present.map(\.score).reduce(0, +) / Double(present.count), places: 1)
            result[name] = CategoryScore(score: score, weight: first.weight, factors: factors)
        }
        return result
    }

    /// Drills for a user with `scores` (SpeechCoach categories, e.g. `average` of recent sessions;
    /// empty when there is no history), filtered, weakest skill first.
    public func recommend(scores: [String: CategoryScore], filter: DrillFilter = DrillFilter()) -> [DrillRecommendation] {
        let needs = Dictionary(uniqueKeysWithValues: DrillCategory.allCases.compactMap { category in
            need(for: category, scores).map { (category, $0) }
        })
        let chosen = catalogue.filter { drill in
            (filter.difficulty.map { $0 == drill.difficulty } ?? true) && (filter.category.map { $0 == drill.category } ?? true)
        }
        let ordered = chosen.enumerated().sorted { lhs, rhs in
            // Skills without a score go last, in catalogue order.
            let a = needs[lhs.element.category]?.score, b = needs[rhs.element.category]?.score
            if a != b { return (a ?? .infinity) < (b ?? .infinity) }
            // Same skill: the difficulty that fits the score first, then catalogue order.
            if let a, let b {
                let fitA = fit(lhs.element.difficulty, a), fitB = fit(rhs.element.difficulty, b)
                if fitA != fitB { return fitA < fitB }
            }
            return lhs.offset < rhs.offset
        }.map(\.element)
        let limited = filter.limit.map { Array(ordered.prefix($0)) } ?? ordered
        return limited.map { drill in
            let need = needs[drill.category]
            return DrillRecommendation(drill: drill, skillScore: need?.score, reason: need?.reason ?? "No scored sessions yet: start with any drill")
        }
    }

    /// The score of the skill a drill category trains: the weakest of its factors when known,
    /// else its SpeechCoach category score.
    func need(for category: DrillCategory, _ scores: [String: CategoryScore]) -> (score: Double, reason: String)? {
        guard let skill = Self.skills[category], let categoryScore = scores[skill.category] else { return nil }
        let factors = skill.factors.compactMap { name in categoryScore.factors[name].map { (name, $0) } }
        if let weakest = factors.min(by: { $0.1 < $1.1 }) {
            return (weakest.1, String(format: "Your %@ score is %.0f (%@ factor %.0f)", skill.category, categoryScore.score, weakest.0, weakest.1))
        }
        return (categoryScore.score, String(format: "Your %@ score is %.0f", skill.category, categoryScore.score))
    }

    /// 0 when a drill's difficulty suits a skill score (below 60 beginner, below 80 intermediate, else advanced).
    func fit(_ difficulty: Difficulty, _ score: Double) -> Int {
        let suited: Difficulty = score < 60 ? .beginner : score < 80 ? .intermediate : .advanced
        return abs((Difficulty.allCases.firstIndex(of: difficulty) ?? 0) - (Difficulty.allCases.firstIndex(of: suited) ?? 0))
    }
}

extension CategoryScore {
    /// A category score as stored or passed in (e.g. recent sessions' scores read back by a surface).
    /// Findings are not needed to plan drills, so none are kept.
    public init(score: Double, weight: Double, factors: [String: Double]) {
        self.init(score: score, weight: weight, factors: factors, findings: [])
    }
}
