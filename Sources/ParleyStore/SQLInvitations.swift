import Fluent
import Foundation
import ParleyDomain
import SQLKit

// Invitations, written in SQL: accepting one is a conditional UPDATE, so of two registrations
// with the same token exactly one spends it.
extension FluentIdentityStore {
    private var sql: any SQLDatabase {
        get throws {
            guard let sql = database as? any SQLDatabase else {
                throw DomainError.serviceUnavailable(service: "database", reason: "not an SQL database")
            }
            return sql
        }
    }

    public func createInvitation(_ invitation: Invitation, tokenHash: String) async throws {
        try await sql.raw("""
            INSERT INTO invitations (id, organization_id, email, role, team_id, invited_by, token_hash, created_at, expires_at)
            VALUES (\(bind: invitation.id), \(bind: invitation.organizationID), \(bind: Self.normalise(email: invitation.email)),
                \(bind: invitation.role.rawValue), \(bind: invitation.teamID), \(bind: invitation.invitedBy), \(bind: tokenHash),
                \(bind: invitation.createdAt.timeIntervalSince1970), \(bind: invitation.expiresAt.timeIntervalSince1970))
            """).run()
    }

    public func invitations(organizationID: UUID) async throws -> [Invitation] {
        try await sql.raw("SELECT * FROM invitations WHERE organization_id = \(bind: organizationID) ORDER BY created_at DESC")
            .all().map(Self.invitation(from:))
    }

    public func revokeInvitation(id: UUID, organizationID: UUID, at: Date) async throws -> Bool {
        try await !sql.raw("""
            UPDATE invitations SET revoked_at = \(bind: at.timeIntervalSince1970)
            WHERE id = \(bind: id) AND organization_id = \(bind: organizationID) AND accepted_at IS NULL AND revoked_at IS NULL
            RETURNING id
            """).all().isEmpty
    }

    public func createUser(_ user: NewUser, acceptingInvitation tokenHash: String, at: Date) async throws -> User? {
        try await WriteTransaction.run(on: database) { database in
            let store = FluentIdentityStore(database: database)
            guard let row = try await store.sql.raw("""
                UPDATE invitations SET accepted_at = \(bind: at.timeIntervalSince1970)
                WHERE token_hash = \(bind: tokenHash) AND email = \(bind: Self.normalise(email: user.email))
                AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > \(bind: at.timeIntervalSince1970)
                RETURNING *
                """).first()
            else { return nil }
            let invitation = try Self.invitation(from: row)
            var joining = user
            joining.organizationID = invitation.organizationID
            joining.role = invitation.role
            joining.teamID = invitation.teamID
            return try await store.createUser(joining)
        }
    }

    static func invitation(from row: any SQLRow) throws -> Invitation {
        func date(_ column: String) throws -> Date? {
            try row.decode(column: column, as: Double?.self).map(Date.init(timeIntervalSince1970:))
        }
        return Invitation(
            id: try row.decode(column: "id", as: UUID.self),
            organizationID: try row.decode(column: "organization_id", as: UUID.self),
            email: try row.decode(column: "email", as: String.self),
            role: Role(rawValue: try row.decode(column: "role", as: String.self)) ?? .user,
            teamID: try row.decode(column: "team_id", as: Int?.self),
            invitedBy: try row.decode(column: "invited_by", as: Int.self),
            createdAt: try date("created_at") ?? Date(timeIntervalSince1970: 0),
            expiresAt: try date("expires_at") ?? Date(timeIntervalSince1970: 0),
            acceptedAt: try date("accepted_at"), revokedAt: try date("revoked_at"))
    }
}
