import Fluent
import SQLKit

/// One upload at a time per session, and uploads that show when they last made progress (so
/// one left behind by a killed process can be told from one still streaming).
struct M0008_UploadClaims: AsyncMigration {
    var name: String { "M0008_UploadClaims" }

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("ALTER TABLE media_uploads ADD COLUMN updated_at DOUBLE PRECISION").run()
        // Of several uploads a session was receiving at once (possible before this claim), all
        // but the newest are settled, so the unique index can hold.
        try await sql.raw("""
            UPDATE media_uploads SET status = 'failed', error = 'interrupted: another upload to the session was in progress'
            WHERE status = 'uploading' AND EXISTS (
                SELECT 1 FROM media_uploads AS newer WHERE newer.conversation_id = media_uploads.conversation_id
                AND newer.status = 'uploading'
                AND (newer.created_at > media_uploads.created_at
                     OR (newer.created_at = media_uploads.created_at AND newer.public_id > media_uploads.public_id)))
            """).run()
        try await sql.raw("""
            CREATE UNIQUE INDEX media_uploads_one_receiving ON media_uploads (conversation_id) WHERE status = 'uploading'
            """).run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("DROP INDEX media_uploads_one_receiving").run()
        try await database.schema("media_uploads").deleteField("updated_at").update()
    }
}
