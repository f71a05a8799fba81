import Foundation
import ParleyDomain

/// Brings a recording into a conversation and queues its processing: the one path that
/// uploads, live recordings and retries take. The conversation moves on only from the states
/// the caller expects, in the same transaction as the upload and the job, so of requests that
/// race (two uploads, four retries) exactly one is processed and none is half-written.
public struct RecordingIntake: Sendable {
    let work: any UnitOfWork
    let stores: any StoreAccess

    public init(work: any UnitOfWork, stores: any StoreAccess) {
        self.work = work
        self.stores = stores
    }

    /// Starts receiving an upload; false when the conversation already receives one.
    public func claim(_ upload: MediaUpload) async throws -> Bool {
        try await stores.uploads.claimUpload(upload)
    }

    /// Records an upload's progress or its failure.
    public func record(_ upload: MediaUpload) async throws {
        try await stores.uploads.updateUpload(upload)
    }

    public func upload(publicID: String, organizationID: UUID) async throws -> MediaUpload? {
        try await stores.uploads.upload(publicID: publicID, organizationID: organizationID)
    }

    /// Fails uploads that stopped making progress (their process was killed or their client went
    /// silent) and returns them, so their partial files can be removed.
    public func settleStalledUploads(stalledBefore: Date) async throws -> [MediaUpload] {
        try await stores.uploads.settleStalledUploads(stalledBefore: stalledBefore)
    }

    /// The conversation's newest completed recording: what results, clips and retries are made from.
    public func latestMedia(of conversationID: UUID) async throws -> MediaUpload? {
        try await stores.uploads.latestCompletedUpload(conversationID: conversationID)
    }

    /// A recording received in full. `conversation` carries its new state (processing); it is
    /// saved only while the stored one is still in `expected`. False, with nothing written,
    /// when it was not (another request won).
    public func accept(
        _ upload: MediaUpload, isNew: Bool, into conversation: Conversation, expected: [ConversationStatus]
    ) async throws -> Bool {
        let job = try RecordingJob(conversation: conversation, uploadID: upload.publicID).newJob()
        return try await work.run { stores in
            guard try await stores.conversations.updateConversation(conversation, ifStatusIn: expected) else { return false }
            if isNew { try await stores.uploads.createUpload(upload) } else { try await stores.uploads.updateUpload(upload) }
            _ = try await stores.jobs.enqueue(job)
            return true
        }
    }

    /// Processes the newest upload of a conversation again (a failed one, unless `expected` says
    /// otherwise); false when it is no longer in one of those states.
    public func retry(_ conversation: Conversation, uploadID: String, attempt: Int, from expected: [ConversationStatus] = [.failed]) async throws -> Bool {
        let job = try RecordingJob(conversation: conversation, uploadID: uploadID).newJob(attempt: attempt)
        return try await work.run { stores in
            guard try await stores.conversations.updateConversation(conversation, ifStatusIn: expected) else { return false }
            _ = try await stores.jobs.enqueue(job)
            return true
        }
    }
}
