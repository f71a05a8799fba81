import Foundation
import ParleyCore
import ParleyDomain

/// The `leads.import` job: imports a large uploaded CSV file a batch at a time, going on from
/// the row a previous attempt committed; the file is removed once the import is settled.
enum LeadImportJobHandler {
    static let handler = JobHandler(kind: LeadImportJob.kind) { job, context in
        guard let payload = LeadImportJob(payload: job.payload) else { return }
        let imports = context.core.leadImports
        guard let record = try await imports.record(publicID: payload.importId, organizationID: payload.organizationId),
              record.status == .queued || record.status == .running
        else { return }
        let file = URL(fileURLWithPath: context.configuration.dataDirectory).appendingPathComponent(record.path)
        do {
            _ = try await imports.run(record, file: file, stored: true)
            try? FileManager.default.removeItem(at: file)
        } catch {
            let reason = (error as? DomainError).map { "\($0)" } ?? "\(error)"
            // The last attempt settles the import as failed; earlier ones retry from where they stopped.
            if job.attempts >= job.maxAttempts || !FileManager.default.fileExists(atPath: file.path) {
                let latest = try await imports.record(publicID: payload.importId, organizationID: payload.organizationId) ?? record
                try await imports.fail(latest, reason: reason)
                try? FileManager.default.removeItem(at: file)
                return
            }
            throw error
        }
    }
}
