import Foundation
import ParleyDomain

/// Audio measurements of a talk, as plain numbers: whoever measured them (ParleyAudio, a hosted
/// service, a test) fills what it knows and leaves the rest nil.
public struct SpeechMetrics: Sendable, Codable, Hashable {
    /// A silence between words.
    public struct Pause: Sendable, Codable, Hashable {
        public var start: Double
        public var end: Double
        public var duration: Double { end - start }

        public init(start: Double, end: Double) {
            self.start = start
            self.end = end
        }
    }

    public var durationSeconds: Double
    public var wordsPerMinute: Double?
    public var pitchMeanHz: Double?
    public var pitchStdHz: Double?
    /// Mean and spread of loudness in dBFS (−20 is a healthy speaking level for a close microphone).
    public var loudnessMeanDb: Double?
    public var loudnessStdDb: Double?
    public var pauses: [Pause]
    /// Words-per-minute measured over successive windows, for rhythm.
    public var wpmTimeline: [Double]
    /// Mean recogniser confidence over the words (0…1): a proxy for how clearly words were pronounced.
    public var recognitionConfidence: Double?
    /// Scores (0–100) from a video analyser, when one ran; audio cannot see posture, eye contact or gestures.
    public var posture: Double?
    public var eyeContact: Double?
    public var gestures: Double?

    public init(
        durationSeconds: Double, wordsPerMinute: Double? = nil, pitchMeanHz: Double? = nil, pitchStdHz: Double? = nil,
        loudnessMeanDb: Double? = nil, loudnessStdDb: Double? = nil, pauses: [Pause] = [], wpmTimeline: [Double] = [],
        recognitionConfidence: Double? = nil, posture: Double? = nil, eyeContact: Double? = nil, gestures: Double? = nil
    ) {
        self.durationSeconds = durationSeconds
        self.wordsPerMinute = wordsPerMinute
        self.pitchMeanHz = pitchMeanHz
        self.pitchStdHz = pitchStdHz
        self.loudnessMeanDb = loudnessMeanDb
        self.loudnessStdDb = loudnessStdDb
        self.pauses = pauses
        self.wpmTimeline = wpmTimeline
        self.recognitionConfidence = recognitionConfidence
        self.posture = posture
        self.eyeContact = eyeContact
        self.gestures = gestures
    }
}

/// Scores a talk from audio metrics plus its transcript. Each factor maps a measurement onto
/// 0–100 with a plain, documented curve; missing measurements score a neutral 70 and say so.
public enum SpeechCoach {
    static let neutral = 70.0
    public static let weights = ["clarity": 0.25, "pace": 0.20, "engagement": 0.25, "confidence": 0.30]

    /// 100 inside `ideal`, falling linearly to 0 at `zeroBelow` / `zeroAbove`.
    static func band(_ value: Double, ideal: ClosedRange<Double>, zeroBelow: Double, zeroAbove: Double) -> Double {
        if ideal.contains(value) { return 100 }
        if value < ideal.lowerBound { return max(0, 100 * (value - zeroBelow) / (ideal.lowerBound - zeroBelow)) }
        return max(0, 100 * (zeroAbove - value) / (zeroAbove - ideal.upperBound))
    }

    public static func score(metrics: SpeechMetrics, transcript: Transcript, analyzer: TextAnalyzer = TextAnalyzer()) -> ScoreCard {
        let analysis = analyzer.analyze(transcript)
        return score(metrics: metrics, analysis: analysis)
    }

    public static func score(metrics: SpeechMetrics, analysis: TextAnalysis) -> ScoreCard {
        let fluency = analysis.repFluency ?? analysis.fluency
        let words = max(1, fluency.wordCount)
        let minutes = max(metrics.durationSeconds / 60, 1.0 / 60)
        let wpm = metrics.wordsPerMinute ?? Double(fluency.wordCount) / minutes

        // Clarity: pronunciation (recogniser confidence), articulation (stumbles), volume.
        var clarityFindings: [ScoreFinding] = []
        let pronunciation = metrics.recognitionConfidence.map { min(100, max(0, ($0 - 0.5) / 0.45 * 100)) } ?? neutral
        clarityFindings.append(note(metrics.recognitionConfidence.map { String(format: "Recogniser confidence %.2f", $0) } ?? "No recogniser confidence: pronunciation not measured", pronunciation))
        let stumbles = Double(fluency.repetitions.reduce(0) { $0 + $1.count } + fluency.grammarErrors.count) * 100 / Double(words)
        let articulation = max(0, 100 - stumbles * 15)
        clarityFindings.append(note(String(format: "%.1f repetitions or slips per 100 words", stumbles), articulation, evidence: fluency.repetitions.flatMap(\.evidence).prefix(3).map { $0 }))
        let volume = metrics.loudnessMeanDb.map { band($0, ideal: -26 ... -12, zeroBelow: -50, zeroAbove: 0) } ?? neutral
        clarityFindings.append(note(metrics.loudnessMeanDb.map { String(format: "Mean loudness %.1f dBFS", $0) } ?? "Loudness not measured", volume))
        let clarity = category("clarity", ["pronunciation": pronunciation, "articulation": articulation, "volume": volume], clarityFindings)

        // Pace: speed (words per minute), rhythm (steadiness of pace), pauses (share of time and long pauses).
        var paceFindings: [ScoreFinding] = []
        let speed = band(wpm, ideal: 130...165, zeroBelow: 60, zeroAbove: 240)
        paceFindings.append(note(String(format: "%.0f words per minute (ideal 130–165)", wpm), speed))
        var rhythm = neutral
        if metrics.wpmTimeline.count >= 3 {
            let mean = metrics.wpmTimeline.reduce(0, +) / Double(metrics.wpmTimeline.count)
            let spread = (metrics.wpmTimeline.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(metrics.wpmTimeline.count)).squareRoot()
            let variation = mean > 0 ? spread / mean : 0
            rhythm = band(variation, ideal: 0...0.2, zeroBelow: -1, zeroAbove: 0.8)
            paceFindings.append(note(String(format: "Pace varies by %.0f%% between windows", variation * 100), rhythm))
        } else {
            paceFindings.append(note("Pace timeline not measured: rhythm not scored", rhythm))
        }
        let pauseTime = metrics.pauses.reduce(0) { $0 + $1.duration }
        let pauseShare = metrics.durationSeconds > 0 ? pauseTime / metrics.durationSeconds : 0
        let longPauses = metrics.pauses.filter { $0.duration > 2.5 }.count
        let pauses = metrics.durationSeconds > 0 ? max(0, band(pauseShare, ideal: 0.08...0.25, zeroBelow: -0.1, zeroAbove: 0.6) - Double(longPauses) * 5) : neutral
        paceFindings.append(note(String(format: "Pauses take %.0f%% of the time, %d longer than 2.5 s", pauseShare * 100, longPauses), pauses))
        let pace = category("pace", ["speed": speed, "rhythm": rhythm, "pauses": pauses], paceFindings)

        // Engagement: enthusiasm (pitch movement, positive language), variety (pitch and loudness spread,
        // vocabulary), connection (questions, "you", inclusive language).
        var engagementFindings: [ScoreFinding] = []
        let pitchVariation = metrics.pitchStdHz.flatMap { std in metrics.pitchMeanHz.map { $0 > 0 ? std / $0 : 0 } }
        let sentimentLift = max(-20, min(20, analysis.sentiment.score * 40))
        let enthusiasm = min(100, max(0, (pitchVariation.map { band($0, ideal: 0.15...0.35, zeroBelow: 0, zeroAbove: 0.7) } ?? neutral) * 0.8 + 20 + sentimentLift))
        engagementFindings.append(note(pitchVariation.map { String(format: "Pitch varies %.0f%% around its mean; sentiment %.2f", $0 * 100, analysis.sentiment.score) } ?? String(format: "Pitch not measured; sentiment %.2f", analysis.sentiment.score), enthusiasm))
        let texts = analysis.segments.filter { $0.speaker != .counterpart }
        let vocabulary = Set(texts.flatMap { Tokenizer.tokens($0.text).filter { $0.kind == .word }.map { $0.text.lowercased() } })
        let typeToken = Double(vocabulary.count) / Double(max(1, texts.reduce(0) { $0 + $1.wordCount }))
        let lexical = band(typeToken, ideal: 0.35...1, zeroBelow: 0.1, zeroAbove: 2)
        let loudnessVariety = metrics.loudnessStdDb.map { band($0, ideal: 3...8, zeroBelow: 0, zeroAbove: 16) }
        let variety = loudnessVariety.map { ($0 + lexical) / 2 } ?? lexical
        engagementFindings.append(note(String(format: "Vocabulary variety %.2f%@", typeToken, metrics.loudnessStdDb.map { String(format: ", loudness spread %.1f dB", $0) } ?? ""), variety))
        let questions = analysis.questions.repQuestions + (analysis.segments.allSatisfy { $0.speaker == .unknown } ? analysis.questions.total : 0)
        let you = texts.reduce(0) { $0 + Tokenizer.tokens($1.text).filter { ["you", "your", "we", "our", "us"].contains($0.text.lowercased()) }.count }
        let connection = min(100, 40 + Double(questions) * 8 + Double(you) * 100 / Double(words) * 3)
        engagementFindings.append(note("\(questions) question\(questions == 1 ? "" : "s") to the audience, \(you) audience-directed words", connection))
        let engagement = category("engagement", ["enthusiasm": enthusiasm, "variety": variety, "connection": connection], engagementFindings)

        // Confidence: audio and text proxies (fillers, hedges, steady voice), plus posture, eye contact
        // and gestures when a video analyser supplied them.
        var confidenceFindings: [ScoreFinding] = []
        let fillerScore = max(0, 100 - fluency.fillerRatePer100Words * 10)
        confidenceFindings.append(note(String(format: "%.1f fillers per 100 words", fluency.fillerRatePer100Words), fillerScore, evidence: fluency.fillers.prefix(3).map { Evidence(segmentID: $0.segmentID, start: $0.start, end: $0.end, phrase: $0.word) }))
        let hesitant = analysis.tones["hesitant"] ?? 0
        let assertive = analysis.tones["confident"] ?? 0
        let segmentCount = max(1, texts.count)
        let assertiveness = min(100, max(0, 70 + Double(assertive - hesitant) * 100 / Double(segmentCount) * 0.6))
        confidenceFindings.append(note("\(assertive) confident and \(hesitant) hesitant segments", assertiveness))
        let steadiness = metrics.loudnessStdDb.map { band($0, ideal: 2...8, zeroBelow: -2, zeroAbove: 16) } ?? neutral
        var factors = ["fillers": fillerScore, "assertiveness": assertiveness, "steadiness": steadiness]
        for (name, value) in [("posture", metrics.posture), ("eyeContact", metrics.eyeContact), ("gestures", metrics.gestures)] {
            if let value { factors[name] = value }
        }
        if metrics.posture == nil && metrics.eyeContact == nil && metrics.gestures == nil {
            confidenceFindings.append(ScoreFinding(description: "Posture, eye contact and gestures need video; scored from voice and words only", impact: 0, evidence: []))
        }
        let confidence = category("confidence", factors, confidenceFindings)

        let categories = ["clarity": clarity, "pace": pace, "engagement": engagement, "confidence": confidence]
        let overall = categories.reduce(0) { $0 + $1.value.score * $1.value.weight }
        let improvements = categories.sorted { $0.value.score < $1.value.score }.prefix(2).compactMap { name, value -> ScoreImprovement? in
            guard value.score < 85, let weakest = value.factors.min(by: { $0.value < $1.value }) else { return nil }
            return ScoreImprovement(category: name, suggestion: suggestion(factor: weakest.key, wpm: wpm), impact: value.score < 60 ? "high" : value.score < 75 ? "medium" : "low")
        }
        return ScoreCard(
            overall: rounded(overall, places: 1), categories: categories,
            benchmarks: ["beginner": 60, "intermediate": 75, "advanced": 90, "expert": 95], improvements: improvements,
            fluency: fluency.overallFluency)
    }

    private static func note(_ text: String, _ factor: Double, evidence: [Evidence] = []) -> ScoreFinding {
        ScoreFinding(description: text, impact: rounded(factor - neutral, places: 1), evidence: evidence)
    }

    private static func category(_ name: String, _ factors: [String: Double], _ findings: [ScoreFinding]) -> CategoryScore {
        let score = factors.values.reduce(0, +) / Double(max(1, factors.count))
        return CategoryScore(score: rounded(score, places: 1), weight: weights[name] ?? 0, factors: factors.mapValues { rounded($0, places: 1) }, findings: findings)
    }

    static func suggestion(factor: String, wpm: Double) -> String {
        switch factor {
        case "speed": wpm > 165 ? "Slow down during key points" : "Pick up the pace a little; aim for 130–165 words a minute"
        case "rhythm": "Keep a steadier pace; rehearse the sections where you rush"
        case "pauses": "Use short pauses after key points and avoid long silences"
        case "pronunciation", "articulation": "Articulate word endings and avoid restarting sentences"
        case "volume": "Project your voice; keep a steady, comfortable loudness"
        case "enthusiasm": "Vary your pitch and let your interest show"
        case "variety": "Vary your vocabulary, loudness and sentence length"
        case "connection": "Speak to the audience: ask questions and use \"you\""
        case "fillers": "Replace fillers with a short pause"
        case "assertiveness": "State recommendations plainly; drop hedges like \"I guess\" and \"maybe\""
        default: "Practise this area with a short drill"
        }
    }
}
