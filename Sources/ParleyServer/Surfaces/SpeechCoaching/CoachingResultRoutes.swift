import Foundation
import ParleyAudio
import ParleyDomain
import ParleyIntelligence
import Vapor

extension SpeechCoaching {
    /// `/coaching/sessions/{id}/transcript|metrics|scores|fluency`: the analysis of a completed session.
    enum CoachingResultRoutes {
        static func register(on sessions: any RoutesBuilder) {
            sessions.get("sessions", ":sessionId", "transcript", use: transcript)
            sessions.get("sessions", ":sessionId", "metrics", use: metrics)
            sessions.get("sessions", ":sessionId", "scores", use: scores)
            sessions.get("sessions", ":sessionId", "fluency", use: fluency)
        }

        /// The results of the session in the path; 409 while it has none yet.
        static func results(_ request: Request) async throws -> ConversationAnalysis {
            let conversation = try await CoachingSessionRoutes.session(request, writing: false)
            if conversation.status == .failed {
                let reason = conversation.details.processing?.error ?? "processing failed"
                throw APIError(.unprocessableEntity, code: "PROCESSING_ERROR", "Session \(conversation.publicID) failed: \(reason)")
            }
            guard conversation.status == .completed, let results = conversation.analysis,
                  results.scores != nil
            else {
                throw APIError(.conflict, code: "VALIDATION_ERROR",
                               "Session \(conversation.publicID) has no results yet (status \(conversation.status.rawValue))", field: "sessionId")
            }
            return results
        }

        static func transcript(_ request: Request) async throws -> Response {
            let results = try await results(request)
            return try request.coaching(["transcript": CoachingTranscriptDTO(results.transcript ?? Transcript(segments: []))])
        }

        struct MetricsDTO: Encodable, Sendable {
            struct Summary: Encodable, Sendable {
                var duration: Double
                var wpm: Double?
                var totalPauses: Int
                var pauseTime: Double
                var fillerWords: Int
                var speechTime: Double
            }

            struct Point: Encodable, Sendable {
                var timestamp: Double
                var wpm: Double
                var pitch: Double?
                var volume: Double?
                var pauses: [CoachingPauseDTO]
            }

            struct Track: Encodable, Sendable {
                var mean: Double?
                var std: Double?
                var min: Double?
                var max: Double?
                var trend: String
            }

            var granularity: String
            var summary: Summary
            var timeline: [Point]
            var pitch: Track
            var volume: Track
            var pauses: [CoachingPauseDTO]
        }

        static func metrics(_ request: Request) async throws -> Response {
            let raw = request.query[String.self, at: "granularity"] ?? TimelineGranularity.second.rawValue
            guard let granularity = TimelineGranularity(rawValue: raw) else {
                throw APIError.validation("granularity", "must be one of \(TimelineGranularity.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let results = try await results(request)
            guard let audio = results.delivery else { throw APIError(.conflict, code: "VALIDATION_ERROR", "No audio metrics", field: "sessionId") }
            let dto = MetricsDTO(
                granularity: granularity.rawValue,
                summary: .init(duration: round1(audio.duration), wpm: audio.wpm.map(round1), totalPauses: audio.totalPauses,
                               pauseTime: round1(audio.pauseTime), fillerWords: results.fluency?.fillerCount ?? 0,
                               speechTime: round1(audio.speechTime)),
                timeline: audio.timeline(granularity).map {
                    .init(timestamp: $0.timestamp, wpm: round1($0.wpm), pitch: $0.pitch.map(round1), volume: $0.volume.map(round1),
                          pauses: $0.pauses.map { CoachingPauseDTO($0, typed: true) })
                },
                pitch: .init(mean: audio.pitch.mean.map(round1), std: audio.pitch.std.map(round1), min: audio.pitch.min.map(round1),
                             max: audio.pitch.max.map(round1), trend: audio.pitch.trend.rawValue),
                volume: .init(mean: audio.volume.mean.map(round1), std: audio.volume.std.map(round1), min: audio.volume.min.map(round1),
                              max: audio.volume.max.map(round1), trend: audio.volume.trend.rawValue),
                pauses: audio.pauses.map { CoachingPauseDTO($0, typed: true) })
            return try request.coaching(["metrics": dto])
        }

        struct ScoresDTO: Encodable, Sendable {
            struct Category: Encodable, Sendable {
                var score: Double
                var weight: Double
                /// `null` for a factor that needs video (posture, eye contact, gestures) on an audio-only session.
                var factors: [String: Double?]
                var findings: [String]
            }

            var overall: Double
            var categories: [String: Category]
            var benchmarks: [String: Double]
            var improvements: [ScoreImprovement]
            var notes: [String]
        }

        static let videoFactors = ["posture", "eyeContact", "gestures"]

        static func scores(_ request: Request) async throws -> Response {
            let results = try await results(request)
            guard let scores = results.scores else { throw APIError(.conflict, code: "VALIDATION_ERROR", "No scores", field: "sessionId") }
            var categories: [String: ScoresDTO.Category] = [:]
            for (name, category) in scores.categories {
                var factors: [String: Double?] = category.factors.mapValues { Optional($0) }
                if name == "confidence" {
                    for factor in videoFactors where factors[factor] == nil { factors[factor] = .some(nil) }
                }
                categories[name] = .init(score: category.score, weight: category.weight, factors: factors, findings: category.findings.map(\.description))
            }
            let audioOnly = scores.categories["confidence"].map { category in videoFactors.allSatisfy { category.factors[$0] == nil } } ?? true
            return try request.coaching(["scores": ScoresDTO(
                overall: scores.overall, categories: categories, benchmarks: scores.benchmarks, improvements: scores.improvements,
                notes: audioOnly ? ["posture, eyeContact and gestures need video; this session is audio-only, so they are null and confidence is scored from voice and words"] : [])])
        }

        static func fluency(_ request: Request) async throws -> Response {
            let results = try await results(request)
            guard let fluency = results.fluency else { throw APIError(.conflict, code: "VALIDATION_ERROR", "No fluency analysis", field: "sessionId") }
            return try request.coaching(["fluency": CoachingFluencyDTO(fluency, scores: results.scores)])
        }
    }
}
