import Foundation

/// Which kind of analysis a conversation gets: what is scored and how its speakers are read.
public enum AnalysisProfile: String, Sendable, Codable, CaseIterable {
    /// A talk by one speaker (Speech Coaching): delivery, fluency and speech scores.
    case speech
    /// A role-play against the AI prospect (Sales Trainer): sales skills and the practice outcome.
    case practice
    /// A call between a rep and a lead or customer (Leads & Voice Calls, Voice Agents).
    case salesCall = "sales_call"
    /// A technician's visit with a customer (Field Intelligence).
    case fieldVisit = "field_visit"
}

extension ConversationKind {
    /// The analysis a conversation of this kind gets.
    public var analysisProfile: AnalysisProfile {
        switch self {
        case .coaching: .speech
        case .practice: .practice
        case .call, .agentCall: .salesCall
        case .field: .fieldVisit
        }
    }
}

/// The headline numbers of a conversation, the same for every surface, so analytics,
/// leaderboards, reports and webhooks read them once (absent: not measured for this profile).
public struct ConversationMetrics: Sendable, Codable, Hashable {
    /// Seconds of conversation (of the recording, for recorded ones).
    public var durationSeconds: Double?
    /// Seconds in which someone was speaking.
    public var speechSeconds: Double?
    public var wordsPerMinute: Double?
    public var pauseCount: Int?
    public var pauseSeconds: Double?
    public var fillerCount: Int?
    /// Share of talking time that was the rep's, 0…1.
    public var talkTimeRatio: Double?
    public var questionCount: Int?
    public var objectionsRaised: Int?
    public var objectionsHandled: Int?

    public init(
        durationSeconds: Double? = nil, speechSeconds: Double? = nil, wordsPerMinute: Double? = nil, pauseCount: Int? = nil,
        pauseSeconds: Double? = nil, fillerCount: Int? = nil, talkTimeRatio: Double? = nil, questionCount: Int? = nil,
        objectionsRaised: Int? = nil, objectionsHandled: Int? = nil
    ) {
        self.durationSeconds = durationSeconds
        self.speechSeconds = speechSeconds
        self.wordsPerMinute = wordsPerMinute
        self.pauseCount = pauseCount
        self.pauseSeconds = pauseSeconds
        self.fillerCount = fillerCount
        self.talkTimeRatio = talkTimeRatio
        self.questionCount = questionCount
        self.objectionsRaised = objectionsRaised
        self.objectionsHandled = objectionsHandled
    }
}

/// How much one side of a conversation said.
public struct SpeakerShare: Sendable, Codable, Hashable {
    public var speaker: SpeakerRole
    public var turns: Int
    public var words: Int
    /// Share of all words, 0…1.
    public var share: Double

    public init(speaker: SpeakerRole, turns: Int, words: Int, share: Double) {
        self.speaker = speaker
        self.turns = turns
        self.words = words
        self.share = share
    }

    /// Turns and word shares per speaker, in order of first appearance.
    public static func of(_ segments: [TranscriptSegment]) -> [SpeakerShare] {
        var order: [SpeakerRole] = []
        var counts: [SpeakerRole: (turns: Int, words: Int)] = [:]
        for segment in segments {
            if counts[segment.speaker] == nil { order.append(segment.speaker) }
            let words = segment.text.split(whereSeparator: \.isWhitespace).count
            counts[segment.speaker, default: (0, 0)].turns += 1
            counts[segment.speaker, default: (0, 0)].words += words
        }
        let total = max(1, counts.values.reduce(0) { $0 + $1.words })
        return order.map { speaker in
            let count = counts[speaker] ?? (0, 0)
            return SpeakerShare(speaker: speaker, turns: count.turns, words: count.words, share: Double(count.words) / Double(total))
        }
    }
}

/// What Parley learned from one conversation, in no surface's words: headline metrics, scores
/// with the findings and evidence behind them, signals, coaching, the role-play outcome and the
/// speakers. Each surface maps it to its own shapes. Stored as one versioned document; a
/// recorded conversation's stages fill it in turn, so a resumed job skips what is done.
public struct ConversationAnalysis: Sendable, Codable, Hashable {
    /// The document version written today; older documents are upgraded when read.
    public static let currentVersion = 1

    public var version: Int
    public var profile: AnalysisProfile
    /// The upload the analysis was made from, for conversations analysed from a recording.
    public var uploadID: String?
    public var metrics: ConversationMetrics
    /// Overall and per-category scores with their findings (nil until scored).
    public var scores: ScoreCard?
    /// The recognised transcript of a recording, speakers labelled.
    public var transcript: Transcript?
    /// Prosody of a recording: pace, pitch, volume, pauses and their timeline.
    public var delivery: AudioAnalysis?
    public var fluency: FluencyReport?
    public var sentiment: Sentiment?
    /// Remarks a coach would make, tied to what was said.
    public var coaching: [CoachingRemark]
    /// A practice role-play's outcome (skills, objections, next step).
    public var outcome: PracticeOutcome?
    public var speakers: [SpeakerShare]
    /// What a recorded conversation came to: summary, topics, satisfaction, action items (field visits).
    public var insights: ConversationInsights?
    /// Which path decided its objections, interest, upsells and sentiment (`encoder`, `term-model`
    /// or `rules`, with the reason when the encoder could not run).
    public var understanding: String?

    public init(
        profile: AnalysisProfile, uploadID: String? = nil, metrics: ConversationMetrics = ConversationMetrics(), scores: ScoreCard? = nil,
        transcript: Transcript? = nil, delivery: AudioAnalysis? = nil, fluency: FluencyReport? = nil, sentiment: Sentiment? = nil,
        coaching: [CoachingRemark] = [], outcome: PracticeOutcome? = nil, speakers: [SpeakerShare] = [], insights: ConversationInsights? = nil
    ) {
        self.version = Self.currentVersion
        self.profile = profile
        self.uploadID = uploadID
        self.metrics = metrics
        self.scores = scores
        self.transcript = transcript
        self.delivery = delivery
        self.fluency = fluency
        self.sentiment = sentiment
        self.coaching = coaching
        self.outcome = outcome
        self.speakers = speakers
        self.insights = insights
    }

    /// The analysis of a finished role-play: the outcome, with its numbers as metrics, its
    /// skills as scored categories (each remark on a skill is a finding with its evidence) and
    /// its remarks as coaching; `turns` are the role-play's transcript, for the speakers.
    public static func practice(_ outcome: PracticeOutcome, turns: [TranscriptSegment] = []) -> ConversationAnalysis {
        let weight = 1 / Double(SalesSkill.allCases.count)
        var categories: [String: CategoryScore] = [:]
        for skill in SalesSkill.allCases {
            categories[skill.rawValue] = CategoryScore(
                score: Double(outcome.skills[skill] ?? 0), weight: weight, factors: [:],
                findings: outcome.feedback.filter { $0.category == skill.rawValue }.map { remark in
                    ScoreFinding(description: remark.feedback, impact: 0, evidence: remark.evidence.map {
                        Evidence(segmentID: $0.turn, start: nil, end: nil, phrase: $0.phrase)
                    })
                })
        }
        return ConversationAnalysis(
            profile: .practice,
            metrics: ConversationMetrics(
                talkTimeRatio: outcome.talkTimeRatio, questionCount: outcome.questionCount,
                objectionsRaised: outcome.objectionsRaised, objectionsHandled: outcome.objectionsHandled),
            scores: ScoreCard(overall: Double(outcome.overallScore), categories: categories, benchmarks: [:],
                              improvements: [], fluency: 0),
            coaching: outcome.feedback, outcome: outcome, speakers: SpeakerShare.of(turns))
    }

    /// Reads a stored document: today's, or one written before analysis was typed (a
    /// practice session's `{outcome, performance_metrics, coaching_feedback}` or a recording's
    /// stage results `{uploadID, audio, transcript, fluency, scores, sentiment}`). Nil for
    /// nothing stored.
    public static func stored(_ value: JSONValue, kind: ConversationKind) throws -> ConversationAnalysis? {
        switch value {
        case .null: return nil
        case .object(let fields) where fields.isEmpty: return nil
        case .object(let fields) where fields["version"] != nil:
            return try JSONDecoder().decode(ConversationAnalysis.self, from: JSONEncoder().encode(value))
        case .object(let fields) where fields["outcome"] != nil:
            let outcome = try JSONDecoder().decode(PracticeOutcome.self, from: JSONEncoder().encode(fields["outcome"]))
            return .practice(outcome)
        case .object:
            let legacy = try JSONDecoder().decode(LegacyRecordingResults.self, from: JSONEncoder().encode(value))
            var analysis = ConversationAnalysis(
                profile: kind.analysisProfile, uploadID: legacy.uploadID, scores: legacy.scores, transcript: legacy.transcript,
                delivery: legacy.audio, fluency: legacy.fluency, sentiment: legacy.sentiment)
            analysis.measure()
            return analysis
        default:
            throw DomainError.validation(field: "analysis", message: "a stored analysis must be an object")
        }
    }

    /// Fills the headline metrics and speakers from the recording's stages that are present.
    public mutating func measure() {
        if let delivery {
            metrics.durationSeconds = delivery.duration
            metrics.speechSeconds = delivery.speechTime
            metrics.wordsPerMinute = delivery.wpm
            metrics.pauseCount = delivery.totalPauses
            metrics.pauseSeconds = delivery.pauseTime
        }
        if let fluency { metrics.fillerCount = fluency.fillerCount }
        if let transcript { speakers = SpeakerShare.of(transcript.segments) }
    }

    /// A recording's stage results as stored before analysis was typed.
    private struct LegacyRecordingResults: Decodable {
        var uploadID: String?
        var audio: AudioAnalysis?
        var transcript: Transcript?
        var fluency: FluencyReport?
        var scores: ScoreCard?
        var sentiment: Sentiment?
    }
}

/// What a conversation came to, in the customer's and the business's terms: a summary, its
/// topics, how satisfied the customer was and why, and what is to be done next.
public struct ConversationInsights: Sendable, Codable, Hashable {
    /// Something to do after the conversation, with who said it and when.
    public struct ActionItem: Sendable, Codable, Hashable {
        public var text: String
        /// Who should do it.
        public var owner: SpeakerRole
        /// When, as said ("tomorrow", "within 24 hours").
        public var due: String?
        /// Who said it and when (seconds into the conversation).
        public var saidBy: SpeakerRole
        public var at: Double?

        public init(text: String, owner: SpeakerRole, due: String?, saidBy: SpeakerRole, at: Double?) {
            self.text = text
            self.owner = owner
            self.due = due
            self.saidBy = saidBy
            self.at = at
        }
    }

    public var summary: String
    /// `extractive` or `language_model`.
    public var summaryMethod: String
    public var keyTopics: [String]
    /// `positive`, `neutral` or `negative`.
    public var overallSentiment: String
    /// 0–100.
    public var customerSatisfactionScore: Int
    /// The findings the satisfaction score rests on, each quoting what was said.
    public var satisfactionEvidence: [String]
    public var positiveKeywords: [String]
    public var improvementKeywords: [String]
    public var actionItems: [ActionItem]

    public init(summary: String, summaryMethod: String, keyTopics: [String], overallSentiment: String, customerSatisfactionScore: Int,
                satisfactionEvidence: [String], positiveKeywords: [String], improvementKeywords: [String], actionItems: [ActionItem]) {
        self.summary = summary
        self.summaryMethod = summaryMethod
        self.keyTopics = keyTopics
        self.overallSentiment = overallSentiment
        self.customerSatisfactionScore = customerSatisfactionScore
        self.satisfactionEvidence = satisfactionEvidence
        self.positiveKeywords = positiveKeywords
        self.improvementKeywords = improvementKeywords
        self.actionItems = actionItems
    }
}
