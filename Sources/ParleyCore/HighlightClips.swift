import Foundation
import ParleyDomain

/// The durable job that renders one clip.
public struct ClipJob: Codable, Sendable, Equatable {
    public static let kind = "clip.render"

    public var clipId: String
    public var organizationId: UUID

    public init(clipId: String, organizationId: UUID) {
        self.clipId = clipId
        self.organizationId = organizationId
    }

    /// The payload of a claimed job; nil when it is not one of these.
    public init?(payload: JSONValue) {
        guard let decoded = payload.decoded(as: ClipJob.self) else { return nil }
        self = decoded
    }

    func newJob() throws -> NewJob {
        NewJob(kind: Self.kind, payload: try JSONValue(encoding: self), maxAttempts: 3, dedupeKey: "\(Self.kind):\(clipId)")
    }
}

/// Highlight clips cut from a conversation's media: asked for, rendered by a job, read back.
public struct HighlightClips: Sendable {
    let work: any UnitOfWork
    let stores: any StoreAccess

    public init(work: any UnitOfWork, stores: any StoreAccess) {
        self.work = work
        self.stores = stores
    }

    /// Keeps the clip (status `processing`) and queues its rendering, together.
    public func request(_ clip: CoachingRecord) async throws {
        let job = try ClipJob(clipId: clip.publicID, organizationId: clip.organizationID).newJob()
        try await work.run { stores in
            try await stores.records.create(clip, kind: .clip)
            _ = try await stores.jobs.enqueue(job)
        }
    }

    /// A conversation's clips, newest first.
    public func clips(of conversationID: UUID) async throws -> [CoachingRecord] {
        try await stores.records.clips(conversationID: conversationID)
    }

    public func clip(publicID: String, organizationID: UUID) async throws -> CoachingRecord? {
        try await stores.records.record(.clip, publicID: publicID, organizationID: organizationID)
    }

    public func save(_ clip: CoachingRecord) async throws {
        try await stores.records.update(clip, kind: .clip)
    }
}

/// Drill sessions: a user's run through one drill's exercises.
public struct DrillSessions: Sendable {
    let stores: any StoreAccess

    public init(stores: any StoreAccess) {
        self.stores = stores
    }

    public func start(_ session: CoachingRecord) async throws {
        try await stores.records.create(session, kind: .drillSession)
    }

    public func session(publicID: String, organizationID: UUID) async throws -> CoachingRecord? {
        try await stores.records.record(.drillSession, publicID: publicID, organizationID: organizationID)
    }

    /// The user's newest session of this drill that is still open, if any.
    public func activeSession(of drillID: String, userID: Int) async throws -> CoachingRecord? {
        try await stores.records.records(.drillSession, userID: userID, limit: 20)
            .first { $0.reference == drillID && $0.status == "active" }
    }

    public func save(_ session: CoachingRecord) async throws {
        try await stores.records.update(session, kind: .drillSession)
    }
}
