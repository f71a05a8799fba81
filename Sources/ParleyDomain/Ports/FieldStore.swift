import Foundation

/// Persistence of what Field Intelligence keeps beside its conversations: the day's numbering,
/// recording chunks, upsells, coaching moments, supervisor feedback, nudges and settings, and
/// the figures analytics read (computed in SQL). Every call is scoped to an organization.
public protocol FieldStore: Sendable {
    /// The next conversation number of an organization's UTC day (1, 2, …); atomic, so concurrent starts never share one.
    func nextConversationNumber(organizationID: UUID, day: String) async throws -> Int

    /// Keeps a chunk; false, with nothing written, when that sequence is already stored.
    func addChunk(_ chunk: FieldChunk) async throws -> Bool
    func chunks(conversationID: UUID) async throws -> [FieldChunk]
    func chunk(conversationID: UUID, sequence: Int) async throws -> FieldChunk?

    /// Replaces the conversation's upsells that are still `identified` with `found` (those a
    /// supervisor moved on are kept) and returns the stored ones, ids assigned.
    func replaceUpsells(conversationID: UUID, organizationID: UUID, with found: [FieldUpsell]) async throws -> [FieldUpsell]
    func upsells(conversationID: UUID, organizationID: UUID) async throws -> [FieldUpsell]
    func upsell(id: Int, organizationID: UUID) async throws -> FieldUpsell?
    /// Saves an upsell's status, actual value and notes only while its stored status is `expected`.
    func updateUpsell(_ upsell: FieldUpsell, expected: UpsellStatus) async throws -> Bool

    /// Replaces the conversation's coaching moments; returns them with ids.
    func replaceCoachingMoments(conversationID: UUID, organizationID: UUID, userID: Int, with moments: [FieldCoachingMoment]) async throws -> [FieldCoachingMoment]
    func coachingMoments(conversationID: UUID, organizationID: UUID) async throws -> [FieldCoachingMoment]

    func addFeedback(_ feedback: FieldFeedback) async throws -> FieldFeedback
    func feedback(conversationID: UUID, organizationID: UUID) async throws -> [FieldFeedback]

    /// Keeps a nudge; nil when the conversation already had one with its key (it is not shown again).
    func addNudge(_ nudge: FieldNudge) async throws -> FieldNudge?
    func nudges(conversationID: UUID, organizationID: UUID) async throws -> [FieldNudge]
    /// Records a technician's action on a nudge of the conversation; false when there is no such nudge.
    func actOnNudge(id: Int, conversationID: UUID, action: String, at: Date) async throws -> Bool

    func settings(organizationID: UUID) async throws -> FieldSettings
    func saveSettings(_ settings: FieldSettings, organizationID: UUID) async throws

    /// Figures per technician (and per UTC day when `daily`) of field conversations created in [from, to).
    func figures(organizationID: UUID, userIDs: [Int], from: Date, to: Date, daily: Bool) async throws -> [FieldPeriodFigures]
    /// Nudges shown, dismissed and accepted among the technicians' conversations in [from, to).
    func nudgeCounts(organizationID: UUID, userIDs: [Int], from: Date, to: Date) async throws -> (shown: Int, dismissed: Int, accepted: Int)
}
