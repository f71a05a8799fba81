import Foundation

/// A record a surface keeps beside a conversation or user (a clip, a report, a drill session):
/// its ids, owner, status and surface-specific details as JSON.
public struct CoachingRecord: Sendable, Codable, Hashable {
    /// Which table the record lives in.
    public enum Kind: String, Sendable, CaseIterable {
        case clip = "clips", report = "reports", drillSession = "drill_sessions"
    }

    public var id: UUID
    /// The id the surface shows (`clip_…`, `report_…`, `drill_session_…`).
    public var publicID: String
    public var organizationID: UUID
    /// The conversation a clip is cut from.
    public var conversationID: UUID?
    /// The owner of a report or drill session.
    public var userID: Int?
    /// A drill session's drill, a report's format.
    public var reference: String?
    public var status: String
    public var details: JSONValue
    public var createdAt: Date

    public init(id: UUID = UUID(), publicID: String, organizationID: UUID, conversationID: UUID? = nil, userID: Int? = nil,
                reference: String? = nil, status: String, details: JSONValue, createdAt: Date = Date()) {
        self.id = id
        self.publicID = publicID
        self.organizationID = organizationID
        self.conversationID = conversationID
        self.userID = userID
        self.reference = reference
        self.status = status
        self.details = details
        self.createdAt = createdAt
    }
}

/// Persistence of clips, reports and drill sessions; lookups are scoped to an organization.
public protocol CoachingRecordStore: Sendable {
    func create(_ record: CoachingRecord, kind: CoachingRecord.Kind) async throws
    func update(_ record: CoachingRecord, kind: CoachingRecord.Kind) async throws
    func record(_ kind: CoachingRecord.Kind, publicID: String, organizationID: UUID) async throws -> CoachingRecord?
    /// Clips of a conversation, newest first.
    func clips(conversationID: UUID) async throws -> [CoachingRecord]
    /// A user's records of a kind (reports, drill sessions), newest first.
    func records(_ kind: CoachingRecord.Kind, userID: Int, limit: Int) async throws -> [CoachingRecord]
}
