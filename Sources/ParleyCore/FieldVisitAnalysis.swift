import Foundation
import ParleyAudio
import ParleyDomain
import ParleyIntelligence

/// Who spoke in a field conversation, from diarisation: the reference speaker (the enrolled
/// technician, or whoever opened the conversation, which the technician starts) is the
/// technician; the other voice is the customer.
public enum FieldSpeakers {
    /// The role of a diarised speaker index.
    public static func role(_ speaker: Int) -> SpeakerRole { speaker == 0 ? .rep : .counterpart }

    /// The document's `speaker_type` of a role.
    public static func speakerType(_ role: SpeakerRole) -> String {
        switch role {
        case .rep: "technician"
        case .counterpart: "customer"
        case .unknown: "unknown"
        }
    }

    /// Labels a recognised transcript from diarisation turns. Each word takes the speaker who
    /// holds most of its time; a segment whose words change speaker is split there, so a
    /// recogniser that ran two voices together still gives each their words.
    public static func label(_ transcript: Transcript, turns: [SpeakerTurn]) -> Transcript {
        guard !turns.isEmpty else { return transcript }
        var labelled: [TranscriptSegment] = []
        for segment in transcript.segments {
            let fallback = turns.speaker(from: segment.start ?? 0, to: segment.end ?? (segment.start ?? 0) + 0.5) ?? 0
            guard !segment.words.isEmpty else {
                var whole = segment
                whole.speaker = role(fallback)
                labelled.append(whole)
                continue
            }
            var runs: [(speaker: Int, words: [Word])] = []
            for word in segment.words {
                let speaker = turns.speaker(from: word.start, to: max(word.end, word.start + 0.05)) ?? runs.last?.speaker ?? fallback
                if runs.last?.speaker == speaker { runs[runs.count - 1].words.append(word) } else { runs.append((speaker, [word])) }
            }
            // A lone word of the other voice is a labelling slip, not a turn: it joins the run before it.
            var merged: [(speaker: Int, words: [Word])] = []
            for run in runs {
                if run.words.count == 1, !merged.isEmpty { merged[merged.count - 1].words += run.words; continue }
                if merged.last?.speaker == run.speaker { merged[merged.count - 1].words += run.words } else { merged.append(run) }
            }
            for run in merged {
                var piece = segment
                piece.speaker = role(run.speaker)
                piece.words = run.words
                piece.text = run.words.map(\.text).joined(separator: " ").replacingOccurrences(of: "  ", with: " ")
                    .trimmingCharacters(in: .whitespaces)
                piece.start = run.words.first?.start
                piece.end = run.words.last?.end
                if merged.count == 1 { piece.text = segment.text }
                labelled.append(piece)
            }
        }
        for index in labelled.indices { labelled[index].id = index }
        return Transcript(segments: labelled)
    }
}

/// What a field conversation's analysis is kept as: insights on the conversation, upsells and
/// coaching moments in their own rows.
public enum FieldFindings {
    /// Insights from the text analysis; `summary` is the extractive one or the model's.
    public static func insights(from text: TextAnalysis, summary: Summary) -> ConversationInsights {
        let satisfaction = text.scores.customerSatisfaction
        let overall: String = switch text.sentimentBySpeaker[SpeakerRole.counterpart.rawValue]?.label ?? text.sentiment.label {
        case .positive: "positive"
        case .negative: "negative"
        default: "neutral"
        }
        return ConversationInsights(
            summary: summary.text, summaryMethod: summary.method, keyTopics: text.topics.prefix(6).map(\.name), overallSentiment: overall,
            customerSatisfactionScore: Int(satisfaction.value.rounded()),
            satisfactionEvidence: satisfaction.findings.map { finding in
                let quote = finding.evidence.first.map { " (\"\($0.phrase)\")" } ?? ""
                return "\(finding.impact >= 0 ? "+" : "")\(Int(finding.impact.rounded())): \(finding.description)\(quote)"
            },
            positiveKeywords: text.keywords.positive, improvementKeywords: text.keywords.improvement,
            actionItems: text.actionItems.map { item in
                ConversationInsights.ActionItem(
                    text: item.text, owner: item.owner, due: item.due,
                    saidBy: text.segments.first { $0.segmentID == item.evidence.segmentID }?.speaker ?? .unknown, at: item.evidence.start)
            })
    }

    public static func upsells(from text: TextAnalysis, of conversation: Conversation, at now: Date = Date()) -> [FieldUpsell] {
        text.upsells.map { found in
            FieldUpsell(
                organizationID: conversation.organizationID, conversationID: conversation.id, userID: conversation.userID, type: found.type,
                title: found.title, description: found.description, triggerPhrase: found.triggerPhrase, timestampInCall: found.timestampInCall,
                confidence: found.confidence, estimatedValue: found.estimatedValue, priority: found.priority, createdAt: now, updatedAt: now)
        }
    }

    /// Coaching moments as kept; `worded` are the analysis's moments, reworded by a model when one is configured.
    public static func moments(_ worded: [CoachingMoment], of conversation: Conversation) -> [FieldCoachingMoment] {
        worded.map { moment in
            FieldCoachingMoment(
                conversationID: conversation.id, category: moment.category, title: moment.title, timestampInCall: moment.timestampInCall,
                whatHappened: moment.whatHappened, whatShouldHappen: moment.whatShouldHappen,
                exampleBetterResponse: moment.exampleBetterResponse, severity: moment.severity)
        }
    }

    /// The organization's catalogue, or the standard one.
    public static func catalogue(_ settings: FieldSettings) -> UpsellCatalogue {
        guard let stored = settings.upsellCatalogue, let data = try? JSONEncoder().encode(stored),
              let catalogue = try? UpsellCatalogue.load(from: data) else { return .standard }
        return catalogue
    }
}
