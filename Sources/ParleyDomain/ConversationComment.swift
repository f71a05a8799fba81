import Foundation

/// A remark pinned to a moment of a conversation: a coach's note on what the rep said there,
/// or the rep's answer to it. The moment is a time from the start and, when known, the turn said then.
public struct ConversationComment: Sendable, Equatable {
    public var id: UUID
    public var conversationID: UUID
    public var organizationID: UUID
    public var authorID: Int
    /// Seconds from the conversation's start.
    public var atSeconds: Double?
    /// The transcript turn (its sequence) the comment is about.
    public var turn: Int?
    public var text: String
    public var createdAt: Date

    public init(id: UUID = UUID(), conversationID: UUID, organizationID: UUID, authorID: Int, atSeconds: Double?, turn: Int?,
                text: String, createdAt: Date) {
        self.id = id
        self.conversationID = conversationID
        self.organizationID = organizationID
        self.authorID = authorID
        self.atSeconds = atSeconds
        self.turn = turn
        self.text = text
        self.createdAt = createdAt
    }
}
