import Foundation
import ParleyDomain
import Vapor

/// Where a session's files live, and their removal.
enum CoachingStorage {
    /// `media/<conversation id>/` under the data directory: uploads, clips and anything derived.
    static func directory(of conversationID: UUID) -> String {
        "media/\(conversationID.uuidString.lowercased())"
    }

    /// Creates a storage folder; failing storage is the document's STORAGE_ERROR.
    static func makeFolder(_ url: URL) throws {
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw APIError(.internalServerError, code: "STORAGE_ERROR", "Media storage is not writable")
        }
    }

    static func removeFiles(of conversation: Conversation, dataDirectory: String) {
        let url = URL(fileURLWithPath: dataDirectory).appendingPathComponent(directory(of: conversation.id))
        try? FileManager.default.removeItem(at: url)
    }
}
