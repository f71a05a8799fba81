import Fluent
import Foundation
import ParleyDomain
import SQLKit

/// `IdentityStore` on Fluent: models for writes, SQLKit for the per-request hot read.
public struct FluentIdentityStore: IdentityStore {
    let database: any Database

    public init(database: any Database) {
        self.database = database
    }

    // MARK: organizations

    public func defaultOrganization() async throws -> Organization {
        guard let org = try await OrganizationModel.query(on: database).filter(\.$isDefault == true).first() else {
            throw DomainError.notFound(entity: "default organization (run the migrations)")
        }
        return try org.domain()
    }

    public func organization(id: UUID) async throws -> Organization? {
        try await OrganizationModel.find(id, on: database)?.domain()
    }

    public func createOrganization(name: String, slug: String) async throws -> Organization {
        let model = OrganizationModel(name: name, slug: slug, isDefault: false)
        do {
            try await model.create(on: database)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw DomainError.conflict("an organization with this slug already exists")
        }
        return try model.domain()
    }

    // MARK: users

    public func createUser(_ user: NewUser) async throws -> User {
        let model = UserModel(user)
        model.email = Self.normalise(email: user.email)
        do {
            try await model.create(on: database)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw DomainError.conflict("a user with this email already exists")
        }
        return try model.domain()
    }

    public func user(id: Int) async throws -> User? {
        try await UserModel.find(id, on: database)?.domain()
    }

    public func user(id: Int, organizationID: UUID) async throws -> User? {
        try await UserModel.query(on: database)
            .filter(\.$id == id).filter(\.$organizationID == organizationID)
            .first()?.domain()
    }

    public func credentials(email: String) async throws -> (user: User, passwordHash: String)? {
        guard let model = try await UserModel.query(on: database)
            .filter(\.$email == Self.normalise(email: email)).first()
        else { return nil }
        return (try model.domain(), model.passwordHash)
    }

    public func passwordHash(userID: Int) async throws -> String? {
        try await UserModel.find(userID, on: database)?.passwordHash
    }

    public func setPasswordHash(_ hash: String, userID: Int) async throws {
        try await UserModel.query(on: database).filter(\.$id == userID).set(\.$passwordHash, to: hash).update()
    }

    public func updateUser(id: Int, organizationID: UUID, _ changes: UserChanges) async throws -> User {
        guard let model = try await UserModel.query(on: database)
            .filter(\.$id == id).filter(\.$organizationID == organizationID).first()
        else { throw DomainError.notFound(entity: "user") }
        if let value = changes.firstName { model.firstName = value }
        if let value = changes.lastName { model.lastName = value }
        if let value = changes.company { model.company = value }
        if let value = changes.role { model.role = value.rawValue }
        if let value = changes.isActive { model.isActive = value }
        if let value = changes.teamID { model.teamID = value }
        if let value = changes.supervisorID { model.supervisorID = value }
        try await model.save(on: database)
        return try model.domain()
    }

    public func recordLogin(userID: Int, at: Date) async throws {
        try await UserModel.query(on: database).filter(\.$id == userID).set(\.$lastLogin, to: at).update()
    }

    public func countUsers(organizationID: UUID) async throws -> Int {
        try await UserModel.query(on: database).filter(\.$organizationID == organizationID).count()
    }

    public func deleteUser(id: Int, organizationID: UUID) async throws {
        try await UserModel.query(on: database).filter(\.$id == id).filter(\.$organizationID == organizationID).delete()
    }

    public func users(organizationID: UUID, limit: Int, offset: Int) async throws -> [User] {
        try await users(organizationID: organizationID, scope: .organization, limit: limit, offset: offset)
    }

    public func users(organizationID: UUID, scope: PeopleScope, limit: Int, offset: Int) async throws -> [User] {
        let query = UserModel.query(on: database).filter(\.$organizationID == organizationID)
        if case .circle(let userID, let teamID, let supervisorID) = scope {
            query.group(.or) { circle in
                circle.filter(\.$id == userID)
                if let teamID { circle.filter(\.$teamID == teamID) }
                if let supervisorID { circle.filter(\.$supervisorID == supervisorID) }
            }
        }
        return try await query.sort(\.$id).offset(offset).limit(limit).all().map { try $0.domain() }
    }

    // MARK: teams

    public func createTeam(name: String, organizationID: UUID) async throws -> Team {
        let model = TeamModel(organizationID: organizationID, name: name)
        do {
            try await model.create(on: database)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw DomainError.conflict("a team with this name already exists")
        }
        return try model.domain()
    }

    public func team(id: Int, organizationID: UUID) async throws -> Team? {
        try await TeamModel.query(on: database)
            .filter(\.$id == id).filter(\.$organizationID == organizationID)
            .first()?.domain()
    }

    public func teams(organizationID: UUID) async throws -> [Team] {
        try await TeamModel.query(on: database).filter(\.$organizationID == organizationID)
            .sort(\.$id).all().map { try $0.domain() }
    }

    // MARK: sessions and refresh tokens

    public func createSession(userID: Int, expiresAt: Date) async throws -> AuthSession {
        let model = AuthSessionModel(userID: userID, expiresAt: expiresAt)
        try await model.create(on: database)
        return try model.domain()
    }

    public func activeUser(userID: Int, sessionID: UUID, at: Date) async throws -> (user: User, sessionActive: Bool)? {
        // Every authenticated request runs this, so it is one SQL statement, not two ORM loads.
        guard let sql = database as? any SQLDatabase else { throw DomainError.serviceUnavailable(service: "database", reason: "not SQL") }
        let row = try await sql.select()
            .column(SQLColumn(SQLLiteral.all, table: SQLIdentifier("users")))
            .column(SQLColumn("revoked_at", table: "auth_sessions"), as: "session_revoked_at")
            .column(SQLColumn("expires_at", table: "auth_sessions"), as: "session_expires_at")
            .from("users")
            .join("auth_sessions", on: SQLColumn("user_id", table: "auth_sessions"), .equal, SQLColumn("id", table: "users"))
            .where(SQLColumn("id", table: "users"), .equal, SQLBind(userID))
            .where(SQLColumn("id", table: "auth_sessions"), .equal, SQLBind(sessionID))
            .first()
        guard let row else { return nil }
        let user = try Self.user(from: row)
        let revoked = try row.decodeNil(column: "session_revoked_at") == false
        let expires = try row.decode(column: "session_expires_at", as: Date.self)
        return (user, !revoked && expires > at)
    }

    public func revokeSession(id: UUID, at: Date) async throws {
        try await AuthSessionModel.query(on: database)
            .filter(\.$id == id).filter(\.$revokedAt == nil)
            .set(\.$revokedAt, to: at).update()
    }

    public func revokeSessions(userID: Int, keeping: UUID?, at: Date) async throws {
        let query = AuthSessionModel.query(on: database).filter(\.$userID == userID).filter(\.$revokedAt == nil)
        if let keeping { query.filter(\.$id != keeping) }
        try await query.set(\.$revokedAt, to: at).update()
    }

    public func storeRefreshToken(hash: String, sessionID: UUID, expiresAt: Date) async throws {
        try await RefreshTokenModel(sessionID: sessionID, tokenHash: hash, expiresAt: expiresAt).create(on: database)
    }

    public func refreshTokenOwner(hash: String, at: Date) async throws -> (sessionID: UUID, userID: Int)? {
        guard let token = try await RefreshTokenModel.query(on: database).filter(\.$tokenHash == hash).first(),
              token.usedAt == nil, token.expiresAt > at,
              let session = try await AuthSessionModel.find(token.sessionID, on: database),
              session.revokedAt == nil, session.expiresAt > at
        else { return nil }
        return (token.sessionID, session.userID)
    }

    public func useRefreshToken(hash: String, at: Date) async throws -> RefreshTokenUse {
        guard let sql = database as? any SQLDatabase else { return .invalid }
        guard let token = try await RefreshTokenModel.query(on: database).filter(\.$tokenHash == hash).first(),
              let session = try await AuthSessionModel.find(token.sessionID, on: database)
        else { return .invalid }
        if token.usedAt != nil {
            // A spent token presented again: the chain may be stolen, so end the whole session.
            try await revokeSession(id: token.sessionID, at: at)
            return .reused
        }
        guard token.expiresAt > at, session.revokedAt == nil, session.expiresAt > at else { return .invalid }
        // Conditional update: of two concurrent uses, only one sees the row still unused.
        let spent = try await sql.update(RefreshTokenModel.schema)
            .set("used_at", to: SQLBind(at))
            .where("id", .equal, SQLBind(try token.requireID()))
            .where("used_at", .is, SQLLiteral.null)
            .returning("id")
            .all()
        guard !spent.isEmpty else {
            try await revokeSession(id: token.sessionID, at: at)
            return .reused
        }
        return .accepted(sessionID: token.sessionID, userID: session.userID)
    }

    // MARK: API keys

    public func createAPIKey(organizationID: UUID, userID: Int, name: String, prefix: String, hash: String) async throws -> APIKey {
        let model = APIKeyModel(organizationID: organizationID, userID: userID, name: name, prefix: prefix, keyHash: hash)
        try await model.create(on: database)
        return try model.domain()
    }

    public func apiKeyUser(hash: String, at: Date) async throws -> (key: APIKey, user: User)? {
        guard let key = try await APIKeyModel.query(on: database)
            .filter(\.$keyHash == hash).filter(\.$revokedAt == nil).first(),
              let user = try await UserModel.find(key.userID, on: database)
        else { return nil }
        key.lastUsedAt = at
        try await key.save(on: database)
        return (try key.domain(), try user.domain())
    }

    public func apiKeys(organizationID: UUID) async throws -> [APIKey] {
        try await APIKeyModel.query(on: database).filter(\.$organizationID == organizationID)
            .sort(\.$createdAt).all().map { try $0.domain() }
    }

    public func revokeAPIKey(id: UUID, organizationID: UUID, at: Date) async throws -> Bool {
        guard let key = try await APIKeyModel.query(on: database)
            .filter(\.$id == id).filter(\.$organizationID == organizationID).first()
        else { return false }
        key.revokedAt = at
        try await key.save(on: database)
        return true
    }

    // MARK: mapping

    static func normalise(email: String) -> String {
        email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }

    static func user(from row: any SQLRow) throws -> User {
        User(
            id: try row.decode(column: "id", as: Int.self),
            organizationID: try row.decode(column: "organization_id", as: UUID.self),
            email: try row.decode(column: "email", as: String.self),
            firstName: try row.decode(column: "first_name", as: String.self),
            lastName: try row.decode(column: "last_name", as: String.self),
            company: try row.decode(column: "company", as: String?.self),
            role: Role(rawValue: try row.decode(column: "role", as: String.self)) ?? .user,
            isActive: try row.decode(column: "is_active", as: Bool.self),
            teamID: try row.decode(column: "team_id", as: Int?.self),
            supervisorID: try row.decode(column: "supervisor_id", as: Int?.self),
            createdAt: try row.decode(column: "created_at", as: Date?.self) ?? Date(timeIntervalSince1970: 0),
            lastLogin: try row.decode(column: "last_login", as: Date?.self)
        )
    }
}
