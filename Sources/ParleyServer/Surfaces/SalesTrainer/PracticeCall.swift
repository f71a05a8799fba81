import Foundation
import ParleyCore
import ParleyDomain
import Vapor

extension SalesTrainer {
    /// A Sales Trainer practice session, live: the shared `LiveConversation` with the AI prospect
    /// as counterpart, configured from the session (voice, time limit, coaching).
    enum PracticeCall {
        /// Opens a session for live use; the prospect is restored from the session when it has one.
        static func open(app: Application, conversation: Conversation, emit: @escaping @Sendable (ConversationEvent) async -> Void) async throws -> LiveConversation {
            let core = app.parley.core
            guard let scenarioID = conversation.scenarioID,
                  let scenario = try await core.scenarios.scenario(id: scenarioID, visibleTo: conversation.organizationID)
            else { throw APIError.notFound("SCENARIO_NOT_FOUND", "The session's scenario no longer exists") }
            let settings = SessionConfigurationDTO(conversation.configuration)
            let prospect = try ProspectCounterpart.resume(
                conversation, scenario: scenario, difficulty: Difficulty(rawValue: settings.difficulty_level) ?? scenario.difficulty,
                wording: app.parley.prospectWording)
            let turns = try await core.conversations.turns(conversationID: conversation.id)
            return LiveConversation(
                conversation: conversation, counterpart: prospect, turnsSoFar: turns.last?.sequence ?? 0, log: core.conversations,
                speech: LiveSpeech(recognizer: app.parley.speech.liveRecognizer, synthesizer: app.parley.speech.synthesizer),
                settings: LiveSettings(voiceID: settings.voice_id, timeLimit: Double(settings.max_duration), repLabel: "user", counterpartLabel: "ai",
                                       coaching: settings.coaching_enabled),
                emit: emit)
        }
    }
}
