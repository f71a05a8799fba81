import Foundation
import ParleyAudio
import ParleyDomain
import ParleyIntelligence
import Vapor

extension SpeechCoaching {
    /// A session as Speech Coaching shows it; the analysis parts are present once completed.
    struct CoachingSessionDTO: Encodable, Sendable {
        var id: String
        var title: String
        var description: String?
        var type: String
        var status: String
        var duration: Double?
        var expectedDuration: Double?
        var createdAt: String
        var completedAt: String?
        var score: Double?
        var uploadUrl: String
        var websocketUrl: String
        var mediaUrl: String?
        var processing: ProcessingDTO?
        var transcript: CoachingTranscriptDTO?
        var metrics: CoachingSummaryMetricsDTO?
        var scores: CoachingScoreSummaryDTO?
        var fluency: CoachingFluencyDTO?

        /// Where the pipeline is, and why it failed when it did.
        struct ProcessingDTO: Encodable, Sendable {
            var stage: String
            var progress: Int
            var status: String
            var error: String?
        }

        init(_ conversation: Conversation, request: Request) {
            let base = request.application.parley.publicURL
            id = conversation.publicID
            title = conversation.title ?? ""
            description = conversation.details.description
            type = conversation.category ?? "presentation"
            status = conversation.status == .active || conversation.status == .paused ? "processing" : conversation.status.rawValue
            duration = conversation.duration.map { ($0 * 10).rounded() / 10 }
            expectedDuration = conversation.details.expectedDuration
            createdAt = Timestamp.iso8601(conversation.createdAt)
            completedAt = conversation.completedAt.map(Timestamp.iso8601)
            score = conversation.score
            uploadUrl = request.application.parley.url(of: "speech-coaching", "/sessions/\(conversation.publicID)/upload")
            websocketUrl = CoachingSocketURL.namespace("/sessions/\(conversation.publicID)", base: base)
            if conversation.analysis?.uploadID != nil {
                mediaUrl = request.application.parley.url(of: "speech-coaching", "/sessions/\(conversation.publicID)/media")
            }
            if let state = conversation.details.processing {
                processing = ProcessingDTO(stage: state.stage, progress: state.progress, status: state.status, error: state.error)
            }
        }
    }

    /// Socket.IO URLs: the namespace on the server's origin (the client library adds `/socket.io/`).
    enum CoachingSocketURL {
        static func namespace(_ namespace: String, base: String) -> String {
            ParleyContext.webSocketURL(base) + namespace
        }
    }

    /// The transcript with word timings and segments.
    struct CoachingTranscriptDTO: Encodable, Sendable {
        struct WordDTO: Encodable, Sendable {
            var word: String
            var start: Double
            var end: Double
            var confidence: Double?
        }

        struct SegmentDTO: Encodable, Sendable {
            var start: Double
            var end: Double
            var text: String
            var confidence: Double?
        }

        var text: String
        var confidence: Double?
        var language: String
        var wordTimings: [WordDTO]
        var segments: [SegmentDTO]

        init(_ transcript: Transcript) {
            text = transcript.segments.map(\.text).joined(separator: " ")
            let words = transcript.segments.flatMap(\.words)
            wordTimings = words.map { WordDTO(word: $0.text, start: round3($0.start), end: round3($0.end), confidence: $0.confidence.map(round3)) }
            let confidences = words.compactMap(\.confidence)
            confidence = confidences.isEmpty ? nil : round3(confidences.reduce(0, +) / Double(confidences.count))
            language = transcript.language ?? "en"
            segments = transcript.segments.map {
                SegmentDTO(start: round3($0.start ?? 0), end: round3($0.end ?? 0), text: $0.text, confidence: $0.confidence.map(round3))
            }
        }
    }

    /// The summary metrics of a session's detail view.
    struct CoachingSummaryMetricsDTO: Encodable, Sendable {
        struct Spread: Encodable, Sendable {
            var mean: Double?
            var std: Double?
            var range: [Double]?
        }

        var wpm: Double?
        var pitch: Spread
        var volume: Spread
        var pauses: [CoachingPauseDTO]

        init(_ analysis: AudioAnalysis) {
            wpm = analysis.wpm.map(round1)
            pitch = Spread(mean: analysis.pitch.mean.map(round1), std: analysis.pitch.std.map(round1), range: analysis.pitch.range?.map(round1))
            volume = Spread(mean: analysis.volume.mean.map(round1), std: analysis.volume.std.map(round1), range: analysis.volume.range?.map(round1))
            pauses = analysis.pauses.map { CoachingPauseDTO($0) }
        }
    }

    /// One pause.
    struct CoachingPauseDTO: Encodable, Sendable {
        var start: Double
        var end: Double
        var duration: Double
        var type: String?

        init(_ pause: Pause, typed: Bool = false) {
            start = round3(pause.start)
            end = round3(pause.end)
            duration = round3(pause.duration)
            type = typed ? pause.type.rawValue : nil
        }
    }

    /// Overall and category scores of a session's detail view.
    struct CoachingScoreSummaryDTO: Encodable, Sendable {
        var overall: Double
        var clarity: Double?
        var pace: Double?
        var engagement: Double?
        var confidence: Double?

        init(_ scores: ScoreCard) {
            overall = scores.overall
            clarity = scores.categories["clarity"]?.score
            pace = scores.categories["pace"]?.score
            engagement = scores.categories["engagement"]?.score
            confidence = scores.categories["confidence"]?.score
        }
    }

    /// Fillers, grammar, repetitions and the overall fluency score.
    struct CoachingFluencyDTO: Encodable, Sendable {
        struct Filler: Encodable, Sendable {
            var word: String
            var count: Int
            var timestamps: [Double]
            var frequency: Double
        }

        struct Grammar: Encodable, Sendable {
            var error: String
            var suggestion: String
            var position: Int
            var severity: String
        }

        struct RepetitionDTO: Encodable, Sendable {
            var phrase: String
            var count: Int
            var timestamps: [Double]
        }

        var fillerWords: [Filler]
        var grammarErrors: [Grammar]
        var repetitions: [RepetitionDTO]
        var overallFluency: Double
        var fillerRate: Double
        var wordCount: Int

        init(_ report: FluencyReport, scores: ScoreCard?) {
            fillerWords = report.fillerWords.map {
                Filler(word: $0.word, count: $0.count, timestamps: $0.timestamps.map(round3), frequency: round3($0.frequency))
            }
            grammarErrors = report.grammarErrors.map { Grammar(error: $0.error, suggestion: $0.suggestion, position: $0.position, severity: $0.severity) }
            repetitions = report.repetitions.map { RepetitionDTO(phrase: $0.phrase, count: $0.count, timestamps: $0.timestamps.map(round3)) }
            overallFluency = scores?.fluency ?? report.overallFluency
            fillerRate = round3(report.fillerRatePer100Words)
            wordCount = report.wordCount
        }
    }
}

func round1(_ value: Double) -> Double { (value * 10).rounded() / 10 }

func round3(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }
