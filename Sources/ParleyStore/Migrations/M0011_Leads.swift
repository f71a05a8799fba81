import Fluent
import SQLKit

/// Leads & Voice Calls: leads with their activities, score history, counts of score factors, the
/// organization's calibration, CSV imports, and a full-text index over name, e-mail and
/// company (FTS5 on SQLite, a `tsvector` with a GIN index on PostgreSQL, as for conversations).
struct M0011_Leads: AsyncMigration {
    var name: String { "M0011_Leads" }

    func prepare(on database: any Database) async throws {
        try await database.schema("leads")
            .id()
            .field("public_id", .string, .required)
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("created_by", .int, .references("users", "id", onDelete: .setNull))
            .field("assigned_to", .int, .references("users", "id", onDelete: .setNull))
            .field("first_name", .string, .required)
            .field("last_name", .string, .required)
            .field("email", .string)
            // Lower-cased e-mail: the unique key that makes a second lead with it a conflict.
            .field("email_key", .string)
            .field("phone", .string)
            .field("company", .string)
            .field("title", .string)
            .field("industry", .string)
            .field("source", .string)
            .field("notes", .string)
            .field("company_size", .int)
            .field("status", .string, .required)
            .field("deal_value", .double)
            .field("do_not_call", .bool, .required)
            .field("score_overall", .double)
            .field("score", .string)
            .field("created_at", .double, .required)
            .field("updated_at", .double, .required)
            .unique(on: "public_id")
            .create()
        try await database.schema("lead_activities")
            .id()
            .field("lead_id", .uuid, .required, .references("leads", "id", onDelete: .cascade))
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("user_id", .int, .references("users", "id", onDelete: .setNull))
            .field("type", .string, .required)
            .field("custom_type", .string)
            .field("description", .string)
            .field("metadata", .string, .required)
            .field("occurred_at", .double, .required)
            .create()
        try await database.schema("lead_score_history")
            .id()
            .field("lead_id", .uuid, .required, .references("leads", "id", onDelete: .cascade))
            .field("overall", .double, .required)
            .field("conversion_probability", .double, .required)
            .field("band", .string, .required)
            .field("reason", .string, .required)
            .field("scored_at", .double, .required)
            .create()
        // How many of the organization's leads each factor names now: kept up to date as
        // scores change, so the top factors are a short read and an import adds a few rows.
        try await database.schema("lead_factor_counts")
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("positive", .bool, .required)
            .field("factor", .string, .required)
            .field("leads", .int, .required)
            .unique(on: "organization_id", "positive", "factor")
            .create()
        try await database.schema("lead_calibrations")
            .field("organization_id", .uuid, .identifier(auto: false), .references("organizations", "id", onDelete: .cascade))
            .field("model", .string, .required)
            .create()
        try await database.schema("lead_imports")
            .id()
            .field("public_id", .string, .required)
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("user_id", .int, .required, .references("users", "id", onDelete: .cascade))
            .field("status", .string, .required)
            .field("path", .string, .required)
            .field("on_duplicate", .string, .required)
            .field("processed_rows", .int, .required)
            .field("report", .string, .required)
            .field("created_at", .double, .required)
            .field("completed_at", .double)
            .unique(on: "public_id")
            .create()

        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("CREATE UNIQUE INDEX leads_email ON leads (organization_id, email_key)").run()
        try await sql.raw("CREATE INDEX leads_recent ON leads (organization_id, created_at, public_id)").run()
        try await sql.raw("CREATE INDEX leads_status ON leads (organization_id, status, created_at, public_id)").run()
        try await sql.raw("CREATE INDEX leads_source ON leads (organization_id, source, created_at)").run()
        try await sql.raw("CREATE INDEX leads_score ON leads (organization_id, score_overall)").run()
        try await sql.raw("CREATE INDEX lead_activities_lead ON lead_activities (lead_id, occurred_at)").run()
        try await sql.raw("CREATE INDEX lead_score_history_lead ON lead_score_history (lead_id, scored_at)").run()
        if sql.dialect.name == "postgresql" {
            try await sql.raw("""
                CREATE TABLE lead_search (
                    lead_id UUID PRIMARY KEY REFERENCES leads(id) ON DELETE CASCADE,
                    document TSVECTOR NOT NULL)
                """).run()
            try await sql.raw("CREATE INDEX lead_search_document ON lead_search USING GIN (document)").run()
        } else {
            // No stemming: names, e-mail parts and companies are matched by prefix as typed.
            try await sql.raw("""
                CREATE VIRTUAL TABLE lead_search USING fts5(lead_id UNINDEXED, body, tokenize = 'unicode61')
                """).run()
            // A virtual table has no foreign keys: the trigger also covers a deleted organization.
            try await sql.raw("""
                CREATE TRIGGER lead_search_cleanup AFTER DELETE ON leads
                BEGIN DELETE FROM lead_search WHERE lead_id = old.id; END
                """).run()
        }
    }

    func revert(on database: any Database) async throws {
        if let sql = database as? any SQLDatabase {
            if sql.dialect.name != "postgresql" { try await sql.raw("DROP TRIGGER IF EXISTS lead_search_cleanup").run() }
            try await sql.raw("DROP TABLE IF EXISTS lead_search").run()
        }
        for table in ["lead_imports", "lead_calibrations", "lead_factor_counts", "lead_score_history", "lead_activities", "leads"] {
            try await database.schema(table).delete()
        }
    }
}
