import Foundation
import ParleyDomain

extension SpeechCoaching {
    /// Conversation events in Speech Coaching's Socket.IO words: `processing:status`,
    /// `asr:token` (one per recognised word) and `metrics:update`.
    enum CoachingEvents {
        /// The event's messages as (name, data); none for events this surface does not show.
        static func render(_ event: ConversationEvent) -> [(String, JSONValue)] {
            switch event {
            case .processing(let state, let score):
                var data: [String: JSONValue] = [
                    "stage": .string(state.stage), "progress": .number(Double(state.progress)), "status": .string(state.status),
                ]
                if let estimate = state.estimatedTime { data["estimatedTime"] = .number(Double(estimate)) }
                if let error = state.error { data["error"] = .string(error) }
                if let score { data["score"] = .number(score) }
                return [("processing:status", .object(data))]
            case .heard(let segment, let isFinal):
                return segment.words.map { word in
                    ("asr:token", .object([
                        "token": .string(word.text), "confidence": .number(word.confidence ?? 0),
                        "start": .number(word.start), "end": .number(word.end), "isFinal": .bool(isFinal),
                    ]))
                }
            case .delivery(let point):
                // Rounded as clients chart them: rates and levels to a tenth, times to the millisecond.
                return [("metrics:update", .object([
                    "timestamp": .number(round3(point.timestamp)), "wpm": .number(round1(point.wpm)),
                    "pitch": point.pitch.map { .number(round1($0)) } ?? .null, "volume": point.volume.map { .number(round1($0)) } ?? .null,
                    "pauses": .array(point.pauses.map {
                        .object(["start": .number(round3($0.start)), "end": .number(round3($0.end)), "duration": .number(round3($0.duration))])
                    }),
                ]))]
            case .started, .said, .interrupted, .nudge, .paused, .resumed, .ended, .failure:
                return []
            }
        }
    }
}
