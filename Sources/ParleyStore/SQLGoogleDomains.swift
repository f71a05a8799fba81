import Fluent
import Foundation
import ParleyDomain
import SQLKit

// Google Workspace domains an admin mapped to their organization: someone signing in with Google
// from a mapped domain, without an account yet, joins that organization as a rep. A domain
// belongs to one organization (the primary key).
extension FluentIdentityStore {
    private var domainsSQL: any SQLDatabase {
        get throws {
            guard let sql = database as? any SQLDatabase else {
                throw DomainError.serviceUnavailable(service: "database", reason: "not an SQL database")
            }
            return sql
        }
    }

    public func googleDomains(organizationID: UUID) async throws -> [String] {
        try await domainsSQL.raw("SELECT domain FROM google_workspace_domains WHERE organization_id = \(bind: organizationID) ORDER BY domain")
            .all().map { try $0.decode(column: "domain", as: String.self) }
    }

    public func mapGoogleDomain(_ domain: String, organizationID: UUID, at: Date) async throws {
        do {
            try await domainsSQL.raw("""
                INSERT INTO google_workspace_domains (domain, organization_id, created_at)
                VALUES (\(bind: domain), \(bind: organizationID), \(bind: at.timeIntervalSince1970))
                """).run()
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw DomainError.conflict("The Google Workspace domain \(domain) is already mapped")
        }
    }

    public func unmapGoogleDomain(_ domain: String, organizationID: UUID) async throws -> Bool {
        try await !domainsSQL.raw("""
            DELETE FROM google_workspace_domains WHERE domain = \(bind: domain) AND organization_id = \(bind: organizationID) RETURNING domain
            """).all().isEmpty
    }

    public func organization(forGoogleDomain domain: String) async throws -> Organization? {
        guard let row = try await domainsSQL.raw("SELECT organization_id FROM google_workspace_domains WHERE domain = \(bind: domain)").first()
        else { return nil }
        return try await organization(id: try row.decode(column: "organization_id", as: UUID.self))
    }
}
