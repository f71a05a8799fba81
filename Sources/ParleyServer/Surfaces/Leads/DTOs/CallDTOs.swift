import Foundation
import ParleyCore
import ParleyDomain
import ParleyIntelligence
import Vapor

extension LeadsAndCalls {
    /// The Leads & Voice Calls document's call shapes: the call object (a documented addition), the
    /// respond answer's `analysis`, and End Call's `summary` and `analytics`.
    enum CallJSON {
        /// The call as GET, list and create show it.
        static func call(_ call: Conversation, caller: AICaller?) -> JSONValue {
            let facts = call.details.call
            return .object([
                "id": .string(call.publicID), "call_id": .string(call.publicID),
                "lead_id": .string(facts?.leadPublicID ?? ""),
                "phone_number": LeadJSON.text(facts?.phoneNumber), "call_type": .string(facts?.callType ?? "outbound"),
                "purpose": LeadJSON.text(facts?.purpose), "status": .string(status(call.status)),
                "conversation_state": caller.map { .string($0.state.rawValue) } ?? .null,
                "outcome": caller?.outcome.map { .string($0.rawValue) } ?? .null,
                "voice_settings": .object([
                    "voice_id": LeadJSON.text(facts?.voiceID), "speed": facts?.speed.map(JSONValue.number) ?? .null,
                    "language": LeadJSON.text(facts?.language),
                ]),
                "created_at": .string(Timestamp.iso8601(call.createdAt)),
                "started_at": call.startedAt.map { .string(Timestamp.iso8601($0)) } ?? .null,
                "ended_at": call.completedAt.map { .string(Timestamp.iso8601($0)) } ?? .null,
                "duration_seconds": call.duration.map { .number(($0 * 10).rounded() / 10) } ?? .null,
                "end_reason": LeadJSON.text(facts?.endReason),
                "summary": call.status.isFinal && call.status != .abandoned ? summary(call, caller: caller) : .null,
            ])
        }

        /// The documented statuses: a call is created, in progress (also while paused or between
        /// connections), completed or failed.
        static func status(_ status: ConversationStatus) -> String {
            switch status {
            case .created: "created"
            case .active, .paused, .processing, .abandoned: "in_progress"
            case .completed: "completed"
            case .failed: "failed"
            }
        }

        /// `analysis` in the respond answer and `ai_response`.
        static func analysis(_ reading: TurnReading?) -> JSONValue {
            guard let reading else { return .null }
            return .object([
                "sentiment": .number(reading.sentiment), "intent": .string(reading.intent),
                "objections": .array(reading.objections.map(JSONValue.string)),
                "interest_signals": .array(reading.interestSignals.map(JSONValue.string)),
            ])
        }

        /// End Call's `summary`.
        static func summary(_ call: Conversation, caller: AICaller?) -> JSONValue {
            let summary = (caller ?? AICaller()).summary
            var objections: [String] = []
            for objection in summary.objections where !objections.contains(objection.type.rawValue) { objections.append(objection.type.rawValue) }
            return .object([
                "duration_minutes": .number((((call.duration ?? 0) / 60) * 100).rounded() / 100),
                "total_exchanges": .number(Double(summary.totalExchanges)),
                "conversation_state": .string(summary.conversationState.rawValue),
                "objections_raised": .array(objections.map(JSONValue.string)),
                "interest_signals": .array(summary.interestSignals.map { .string($0.rawValue) }),
                "overall_sentiment": .number(summary.overallSentiment),
                "recommendation": .string(summary.recommendation),
                "outcome": .string(summary.outcome.rawValue),
                "key_points": .array(summary.keyPoints.map(JSONValue.string)),
                "next_step": summary.nextStep.map { step in
                    .object(["kind": .string(step.kind), "when": LeadJSON.text(step.when), "minutes": step.minutes.map { .number(Double($0)) } ?? .null])
                } ?? .null,
                "do_not_call": .bool(summary.doNotCall),
            ])
        }

        /// End Call's `analytics`.
        static func analytics(_ call: Conversation, caller: AICaller?, turns: Int) -> JSONValue {
            let summary = (caller ?? AICaller()).summary
            return .object([
                "conversion_probability": .number(summary.conversionProbability), "engagement_score": .number(summary.engagementScore),
                "total_turns": .number(Double(turns)), "avg_sentiment": .number(summary.overallSentiment),
            ])
        }

        static func turn(_ turn: StoredTurn) -> JSONValue {
            .object([
                "sequence": .number(Double(turn.sequence)), "speaker": .string(turn.segment.speakerLabel ?? (turn.segment.speaker == .rep ? "customer" : "ai")),
                "text": .string(turn.segment.text), "timestamp": .string(Timestamp.iso8601(turn.spokenAt)),
            ])
        }
    }
}
