import Foundation
import ParleyAudio
import ParleyCore
import ParleyDomain
import Vapor

/// Field conversations heard live in this process: each chunk's audio goes to its
/// conversation's `FieldLiveVisit`, whose segments and nudges are published on the
/// conversation's topic for the transcription and nudge sockets (on any instance).
final class FieldLiveHearing: Sendable {
    let visits = FieldLiveVisits()

    func hear(_ conversation: Conversation, sequence: Int, audio: PCMAudio, context: ParleyContext) async {
        let reference = try? await FieldVoiceprints.voiceprint(of: conversation.userID, context: context)
        let settings = (try? await context.core.fieldVisits.settings(of: conversation.organizationID)) ?? FieldSettings()
        let hub = context.realtime
        let topic = conversation.publicID
        let core = context.core
        let recognizer = context.speech.liveRecognizer
        let encoder = context.speech.encoder
        let visit = await visits.visit(of: conversation.id) {
            FieldLiveVisit(conversation: conversation, recognizer: recognizer, encoder: encoder, reference: reference ?? nil,
                           catalogue: FieldFindings.catalogue(settings), visits: core.fieldVisits, log: core.conversations,
                           diarize: { audio, reference in
                               (try? await EngineWork.run { SpeakerDiarizer.diarize(audio, reference: reference) }) ?? []
                           }) { event in
                hub.publish(event, to: topic)
            }
        }
        await visit.receive(sequence: sequence, audio: audio)
    }

    /// Ends a conversation's live hearing; the chunk sequences it had to skip.
    func finish(_ conversationID: UUID) async -> [Int] {
        await visits.finish(conversationID)
    }
}
