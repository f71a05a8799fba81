import Fluent
import SQLKit

/// A list filtered by source and status (the pipeline view of one channel) reads one index
/// range in list order instead of every lead of the status: the source index gains the status.
struct M0013_LeadFilterIndex: AsyncMigration {
    var name: String { "M0013_LeadFilterIndex" }

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("CREATE INDEX leads_source_status ON leads (organization_id, source, status, created_at, public_id)").run()
        try await sql.raw("DROP INDEX leads_source").run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("CREATE INDEX leads_source ON leads (organization_id, source, created_at)").run()
        try await sql.raw("DROP INDEX leads_source_status").run()
    }
}
