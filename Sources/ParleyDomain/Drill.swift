import Foundation

/// The skill a practice drill trains.
public enum DrillCategory: String, Sendable, Codable, CaseIterable {
    case pronunciation
    case pace
    case fillers
    case confidence
}

/// A short practice routine of exercises in one category (the Speech Coaching "drill").
public struct Drill: Sendable, Codable, Hashable, Identifiable {
    /// Stable string id such as `drill_minimal_pairs_1`.
    public var id: String
    public var title: String
    public var description: String
    public var category: DrillCategory
    /// Drills use `beginner`, `intermediate` and `advanced`.
    public var difficulty: Difficulty
    /// Expected length in seconds.
    public var duration: Int
    public var exercises: [DrillExercise]

    public init(
        id: String, title: String, description: String, category: DrillCategory, difficulty: Difficulty,
        duration: Int, exercises: [DrillExercise]
    ) {
        self.id = id
        self.title = title
        self.description = description
        self.category = category
        self.difficulty = difficulty
        self.duration = duration
        self.exercises = exercises
    }

    /// The exercise at `index`, or a typed error naming the valid range.
    public func exercise(at index: Int) throws(DrillError) -> DrillExercise {
        guard exercises.indices.contains(index) else {
            throw .exerciseOutOfRange(drillID: id, index: index, count: exercises.count)
        }
        return exercises[index]
    }
}

/// One exercise of a drill; encodes flat with a `type` field as the API shows it.
public enum DrillExercise: Sendable, Hashable {
    /// Say `target`, which differs from `distractor` by one sound ("ship" vs "sheep").
    case minimalPair(MinimalPair)
    /// Read `text` aloud at a pace inside `targetWPM`.
    case readAloud(ReadAloud)
    /// Answer `prompt` for at least `minimumWords` words without fillers.
    case fillerFree(FillerFree)
    /// Answer `prompt` with a plain, committed statement (no hedges).
    case confidentStatement(ConfidentStatement)

    /// The pair as shown to the user (`word1`, `word2`) and which of them to say.
    public struct MinimalPair: Sendable, Codable, Hashable {
        public var word1: String
        public var word2: String
        /// 1 or 2: the word the user is asked to say.
        public var target: Int

        public init(word1: String, word2: String, target: Int = 1) {
            self.word1 = word1
            self.word2 = word2
            self.target = target == 2 ? 2 : 1
        }

        public var targetWord: String { target == 2 ? word2 : word1 }
        public var distractorWord: String { target == 2 ? word1 : word2 }
    }

    /// A passage to read and the pace to read it at.
    public struct ReadAloud: Sendable, Codable, Hashable {
        public var text: String
        public var minimumWPM: Double
        public var maximumWPM: Double

        public init(text: String, targetWPM: ClosedRange<Double>) {
            self.text = text
            self.minimumWPM = targetWPM.lowerBound
            self.maximumWPM = targetWPM.upperBound
        }

        public var targetWPM: ClosedRange<Double> { minimumWPM...max(minimumWPM, maximumWPM) }
    }

    /// An open question to answer without fillers.
    public struct FillerFree: Sendable, Codable, Hashable {
        public var prompt: String
        public var minimumWords: Int

        public init(prompt: String, minimumWords: Int) {
            self.prompt = prompt
            self.minimumWords = minimumWords
        }
    }

    /// A situation that calls for a committed statement, with an example of one.
    public struct ConfidentStatement: Sendable, Codable, Hashable {
        public var prompt: String
        public var example: String

        public init(prompt: String, example: String) {
            self.prompt = prompt
            self.example = example
        }
    }

    /// Words to tell a recogniser to expect, when that helps judge the answer: both words of a
    /// minimal pair, in alphabetical order so neither is favoured. Passages are not given (the
    /// recogniser would copy them and hide misreadings), nor are open answers.
    public var recognitionPrompt: String? {
        guard case .minimalPair(let pair) = self else { return nil }
        let words = [pair.word1, pair.word2].sorted { $0.lowercased() < $1.lowercased() }
        return words.joined(separator: ", ") + "."
    }

    /// The API's `type` value.
    public var type: String {
        switch self {
        case .minimalPair: "minimal_pair"
        case .readAloud: "read_aloud"
        case .fillerFree: "filler_free"
        case .confidentStatement: "confident_statement"
        }
    }
}

extension DrillExercise: Codable {
    private enum Kind: String, Codable {
        case minimalPair = "minimal_pair"
        case readAloud = "read_aloud"
        case fillerFree = "filler_free"
        case confidentStatement = "confident_statement"
    }

    private enum TypeKey: String, CodingKey { case type }

    public init(from decoder: any Decoder) throws {
        let kind = try decoder.container(keyedBy: TypeKey.self).decode(Kind.self, forKey: .type)
        switch kind {
        case .minimalPair: self = .minimalPair(try MinimalPair(from: decoder))
        case .readAloud: self = .readAloud(try ReadAloud(from: decoder))
        case .fillerFree: self = .fillerFree(try FillerFree(from: decoder))
        case .confidentStatement: self = .confidentStatement(try ConfidentStatement(from: decoder))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: TypeKey.self)
        try container.encode(type, forKey: .type)
        switch self {
        case .minimalPair(let value): try value.encode(to: encoder)
        case .readAloud(let value): try value.encode(to: encoder)
        case .fillerFree(let value): try value.encode(to: encoder)
        case .confidentStatement(let value): try value.encode(to: encoder)
        }
    }
}

/// The result of scoring one response to one exercise, as the submit endpoint returns it.
public struct DrillScore: Sendable, Codable, Hashable {
    /// 0–100.
    public var score: Int
    /// What went right or wrong, specifically (which sound, which words, how fast).
    public var feedback: String
    /// What a model answer is: the target word, the passage, the response without fillers, an example statement.
    public var correctAnswer: String
    /// 0–1: how much of the response matched what was asked.
    public var accuracy: Double
    /// What was recognised (or typed), as scored.
    public var heard: String?
    /// Read-aloud exercises with audio: the measured pace and how it compares with the target.
    public var wordsPerMinute: Double?
    public var pace: PaceVerdict?

    public init(
        score: Int, feedback: String, correctAnswer: String, accuracy: Double, heard: String? = nil,
        wordsPerMinute: Double? = nil, pace: PaceVerdict? = nil
    ) {
        self.score = score
        self.feedback = feedback
        self.correctAnswer = correctAnswer
        self.accuracy = accuracy
        self.heard = heard
        self.wordsPerMinute = wordsPerMinute
        self.pace = pace
    }
}

/// A measured reading pace against an exercise's target range.
public enum PaceVerdict: String, Sendable, Codable, Hashable {
    case tooSlow = "too_slow"
    case onTarget = "on_target"
    case tooFast = "too_fast"
}

/// Why a drill request cannot be served; each case has a message a user understands.
public enum DrillError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownDrill(String)
    case exerciseOutOfRange(drillID: String, index: Int, count: Int)
    /// Nothing was said or typed (or nothing was recognised in the audio).
    case emptyResponse
    case invalidFilter(field: String, message: String)

    public var description: String {
        switch self {
        case .unknownDrill(let id): "no drill with id '\(id)'"
        case .exerciseOutOfRange(let id, let index, let count):
            "drill '\(id)' has exercises 0 to \(count - 1); \(index) is out of range"
        case .emptyResponse: "the response is empty: nothing was typed or no words were recognised in the audio"
        case .invalidFilter(let field, let message): "\(field): \(message)"
        }
    }

    /// The same failure in the domain's vocabulary, for surfaces to translate.
    public var domainError: DomainError {
        switch self {
        case .unknownDrill: .notFound(entity: "drill")
        case .exerciseOutOfRange: .validation(field: "exerciseIndex", message: description)
        case .emptyResponse: .validation(field: "response", message: description)
        case .invalidFilter(let field, let message): .validation(field: field, message: message)
        }
    }
}
