import Foundation
import NIOConcurrencyHelpers
import Vapor

/// Settles uploads that stopped arriving (their process was killed with `kill -9`, or their
/// client went silent): at start and every minute, an upload with no progress for
/// `uploadStallTimeout` is marked failed and its partial `.part` file removed, so no session
/// stays "uploading" for ever and no orphaned bytes stay on disk.
struct StalledUploadSweep: LifecycleHandler {
    private let task = NIOLockedValueBox<Task<Void, Never>?>(nil)

    func didBootAsync(_ application: Application) async throws {
        let app = application
        await Self.sweep(app)
        task.withLockedValue { $0 = Task { await Self.repeatEveryMinute(app) } }
    }

    func shutdownAsync(_ application: Application) async {
        task.withLockedValue { $0?.cancel() }
    }

    private static func repeatEveryMinute(_ app: Application) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(60))
            if Task.isCancelled { return }
            await sweep(app)
        }
    }

    /// One pass; failures are logged and left for the next pass.
    static func sweep(_ app: Application) async {
        let configuration = app.parley.configuration
        do {
            let settled = try await app.parley.core.intake.settleStalledUploads(stalledBefore: Date().addingTimeInterval(-configuration.uploadStallTimeout))
            for upload in settled {
                let part = URL(fileURLWithPath: configuration.dataDirectory)
                    .appendingPathComponent("\(CoachingStorage.directory(of: upload.conversationID))/\(upload.publicID).part")
                try? FileManager.default.removeItem(at: part)
            }
            if !settled.isEmpty {
                app.logger.warning("settled interrupted uploads", metadata: ["uploads": "\(settled.map(\.publicID))"])
            }
        } catch {
            app.logger.error("could not settle interrupted uploads", metadata: ["error": "\(error)"])
        }
    }
}
