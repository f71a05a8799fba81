import Foundation
import ParleyDomain
import Vapor

/// `/api/v1/admin`: users and teams of the admin's own organization (API-CONVENTIONS.md).
enum Admin {
    @Sendable static func register(on admin: any RoutesBuilder, root _: any RoutesBuilder, app: Application) throws {
        let context = app.parley
        let limits = context.configuration.rateLimits
        let routes = admin.grouped(
            BearerAuthentication(),
            context.rateLimiting(limits.general),
            RoleGuard(minimum: .admin))
        routes.get("users", use: listUsers)
        routes.post("users", use: createUser)
        routes.patch("users", ":user_id", use: updateUser)
        routes.get("teams", use: listTeams)
        routes.post("teams", use: createTeam)
        routes.get("api-keys", use: listAPIKeys)
        routes.post("api-keys", use: createAPIKey)
        routes.delete("api-keys", ":key_id", use: revokeAPIKey)
        routes.get("invitations", use: listInvitations)
        routes.post("invitations", use: createInvitation)
        routes.delete("invitations", ":invitation_id", use: revokeInvitation)
        routes.get("google-domains", use: listGoogleDomains)
        routes.post("google-domains", use: mapGoogleDomain)
        routes.delete("google-domains", ":domain", use: unmapGoogleDomain)
    }

    // MARK: Google Workspace domains (who Google sign-in lets join the organization)

    struct GoogleDomainDTO: Content {
        var domain: String
    }

    static func listGoogleDomains(_ request: Request) async throws -> [GoogleDomainDTO] {
        let admin = try request.principal.user
        return try await request.identity.store.googleDomains(organizationID: admin.organizationID).map(GoogleDomainDTO.init)
    }

    static func mapGoogleDomain(_ request: Request) async throws -> Response {
        let admin = try request.principal.user
        let body = try request.decodeJSON(GoogleDomainDTO.self)
        let domain = try googleDomain(body.domain)
        try await request.identity.store.mapGoogleDomain(domain, organizationID: admin.organizationID, at: Date())
        return try await GoogleDomainDTO(domain: domain).encodeResponse(status: .created, for: request)
    }

    static func unmapGoogleDomain(_ request: Request) async throws -> Response {
        let admin = try request.principal.user
        let domain = try googleDomain(request.parameters.get("domain") ?? "")
        guard try await request.identity.store.unmapGoogleDomain(domain, organizationID: admin.organizationID) else {
            throw APIError.notFound("GOOGLE_DOMAIN_NOT_FOUND", "\(domain) is not mapped to this organization")
        }
        return Response(status: .noContent)
    }

    /// A Workspace domain as Google writes `hd`: lowercase labels of letters, digits and hyphens.
    static func googleDomain(_ raw: String) throws -> String {
        let domain = raw.trimmingCharacters(in: .whitespaces).lowercased()
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard domain.count <= 253, labels.count >= 2, labels.allSatisfy({ label in
            (1...63).contains(label.count) && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
                && label.first != "-" && label.last != "-"
        }) else { throw APIError.validation("domain", "must be a domain name such as example.com") }
        return domain
    }

    /// How long an invitation stays open unless the admin says otherwise (7 days).
    static let invitationLifetime: TimeInterval = 7 * 86_400

    static func listInvitations(_ request: Request) async throws -> [InvitationDTO] {
        let admin = try request.principal.user
        return try await request.identity.store.invitations(organizationID: admin.organizationID).map { InvitationDTO($0) }
    }

    static func createInvitation(_ request: Request) async throws -> Response {
        let admin = try request.principal.user
        let body = try request.decodeJSON(CreateInvitationRequest.self)
        let role = try parseRole(body.role ?? "user")
        let days = body.expires_in_days ?? invitationLifetime / 86_400
        guard days > 0, days <= 90 else { throw APIError.validation("expires_in_days", "must be more than 0 and at most 90") }
        let created = try await request.identity.invite(email: body.email, role: role, teamID: body.team_id, validFor: days * 86_400, by: admin)
        return try await InvitationDTO(created.invitation, token: created.token).encodeResponse(status: .created, for: request)
    }

    static func revokeInvitation(_ request: Request) async throws -> Response {
        let admin = try request.principal.user
        guard let id = request.parameters.get("invitation_id", as: UUID.self) else {
            throw APIError.validation("invitation_id", "must be a UUID")
        }
        guard try await request.identity.store.revokeInvitation(id: id, organizationID: admin.organizationID, at: Date()) else {
            throw APIError.notFound("INVITATION_NOT_FOUND", "No pending invitation with this id")
        }
        return Response(status: .noContent)
    }

    static func listAPIKeys(_ request: Request) async throws -> [APIKeyDTO] {
        let admin = try request.principal.user
        return try await request.identity.store.apiKeys(organizationID: admin.organizationID).map { APIKeyDTO($0) }
    }

    static func createAPIKey(_ request: Request) async throws -> Response {
        let admin = try request.principal.user
        let body = try request.decodeJSON(CreateAPIKeyRequest.self)
        let name = try AccountRules.name(body.name, field: "name")
        let created = try await request.identity.createAPIKey(name: name, for: admin)
        return try await APIKeyDTO(created.key, secret: created.secret).encodeResponse(status: .created, for: request)
    }

    static func revokeAPIKey(_ request: Request) async throws -> Response {
        let admin = try request.principal.user
        guard let id = request.parameters.get("key_id", as: UUID.self) else {
            throw APIError.validation("key_id", "must be a UUID")
        }
        guard try await request.identity.store.revokeAPIKey(id: id, organizationID: admin.organizationID, at: Date()) else {
            throw APIError.notFound("API_KEY_NOT_FOUND", "API key not found")
        }
        return Response(status: .noContent)
    }

    static func listUsers(_ request: Request) async throws -> [AdminUserDTO] {
        let admin = try request.principal.user
        let skip = try request.pagingValue("skip", default: 0, range: 0...Int.max)
        let limit = try request.pagingValue("limit", default: 50, range: 1...500)
        return try await request.identity.store.users(organizationID: admin.organizationID, limit: limit, offset: skip)
            .map(AdminUserDTO.init)
    }

    static func createUser(_ request: Request) async throws -> Response {
        let admin = try request.principal.user
        let body = try request.decodeJSON(CreateUserRequest.self)
        let role = try parseRole(body.role ?? "user")
        try await checkLinks(request, organizationID: admin.organizationID, teamID: body.team_id, supervisorID: body.supervisor_id, userID: nil)
        let user = try await request.identity.createUser(NewUser(
            organizationID: admin.organizationID, email: body.email, passwordHash: "", firstName: body.first_name,
            lastName: body.last_name, company: body.company, role: role, teamID: body.team_id, supervisorID: body.supervisor_id),
            password: body.password)
        return try await AdminUserDTO(user).encodeResponse(status: .created, for: request)
    }

    static func updateUser(_ request: Request) async throws -> AdminUserDTO {
        let admin = try request.principal.user
        guard let id = request.parameters.get("user_id", as: Int.self) else {
            throw APIError.validation("user_id", "must be an integer")
        }
        let body = try request.decodeJSON(UpdateUserRequest.self)
        let store = request.identity.store
        guard try await store.user(id: id, organizationID: admin.organizationID) != nil else {
            throw APIError.notFound("USER_NOT_FOUND", "User not found")
        }
        var changes = UserChanges()
        changes.role = try body.role.map(parseRole)
        changes.isActive = body.is_active
        changes.firstName = try body.first_name.map { try AccountRules.name($0, field: "first_name") }
        changes.lastName = try body.last_name.map { try AccountRules.name($0, field: "last_name") }
        changes.teamID = body.team_id
        changes.supervisorID = body.supervisor_id
        if id == admin.id, changes.isActive == false || (changes.role.map { $0 < .admin } ?? false) {
            // An admin locking themselves out would leave the organization without one.
            throw APIError(.conflict, code: "CONFLICT", "Admins cannot deactivate or demote themselves")
        }
        try await checkLinks(request, organizationID: admin.organizationID,
                             teamID: body.team_id ?? nil, supervisorID: body.supervisor_id ?? nil, userID: id)
        let user = try await store.updateUser(id: id, organizationID: admin.organizationID, changes)
        if changes.isActive == false {
            try await store.revokeSessions(userID: id, keeping: nil, at: Date())
        }
        return AdminUserDTO(user)
    }

    static func listTeams(_ request: Request) async throws -> [TeamDTO] {
        let admin = try request.principal.user
        return try await request.identity.store.teams(organizationID: admin.organizationID).map(TeamDTO.init)
    }

    static func createTeam(_ request: Request) async throws -> Response {
        let admin = try request.principal.user
        let body = try request.decodeJSON(CreateTeamRequest.self)
        let name = try AccountRules.name(body.name, field: "name")
        let team = try await request.identity.store.createTeam(name: name, organizationID: admin.organizationID)
        return try await TeamDTO(team).encodeResponse(status: .created, for: request)
    }

    static func parseRole(_ raw: String) throws -> Role {
        guard let role = Role(rawValue: raw) else {
            throw APIError.validation("role", "must be one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return role
    }

    /// Team and supervisor must exist in the same organization; a supervisor must coach.
    static func checkLinks(_ request: Request, organizationID: UUID, teamID: Int?, supervisorID: Int?, userID: Int?) async throws {
        let store = request.identity.store
        if let teamID, try await store.team(id: teamID, organizationID: organizationID) == nil {
            throw APIError.validation("team_id", "no team \(teamID) in your organization")
        }
        if let supervisorID {
            guard supervisorID != userID else { throw APIError.validation("supervisor_id", "a user cannot supervise themselves") }
            guard let supervisor = try await store.user(id: supervisorID, organizationID: organizationID) else {
                throw APIError.validation("supervisor_id", "no user \(supervisorID) in your organization")
            }
            guard supervisor.role >= .supervisor else {
                throw APIError.validation("supervisor_id", "user \(supervisorID) is not a supervisor or admin")
            }
        }
    }
}

extension Request {
    /// Reads an integer query parameter, rejecting values that are not numbers or out of range.
    func pagingValue(_ name: String, default fallback: Int, range: ClosedRange<Int>) throws -> Int {
        guard let raw = query[String.self, at: name] else { return fallback }
        guard let value = Int(raw), range.contains(value) else {
            throw APIError.validation(name, "must be an integer in \(range.lowerBound)...\(range.upperBound == Int.max ? "∞" : String(range.upperBound))")
        }
        return value
    }
}
