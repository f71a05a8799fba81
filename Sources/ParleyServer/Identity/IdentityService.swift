import Crypto
import Foundation
import JWT
import ParleyDomain
import Vapor

/// The caller of a request: the user, and the sign-in session their token belongs to
/// (nil when they came in with an API key).
public struct Principal: Authenticatable, Sendable {
    public var user: User
    public var sessionID: UUID?
}

/// An access token with its refresh token, as every sign-in endpoint returns them.
public struct IssuedTokens: Sendable {
    public var accessToken: String
    public var expiresIn: Int
    public var refreshToken: String
    public var user: User
}

/// Settings of the identity service that come from configuration.
public struct IdentitySettings: Sendable {
    public var accessTokenLifetime: TimeInterval
    public var refreshTokenLifetime: TimeInterval
    public var bcryptCost: Int
    /// Whether anyone may register (`PARLEY_REGISTRATION`).
    public var registration: RegistrationPolicy = .open
}

/// Registration, sign-in, token refresh and revocation, shared by every surface's auth routes.
public struct IdentityService: Sendable {
    public let store: any IdentityStore
    let keys: JWTKeyCollection
    let settings: IdentitySettings
    /// A hash to verify against when the email is unknown, so both paths cost one bcrypt.
    let decoyHash: String
    var now: @Sendable () -> Date = { Date() }

    // MARK: accounts

    /// Creates an account and signs it in: with an invitation, in the invitation's organization,
    /// role and team (whatever the registration policy); without one, a `user` in the default
    /// organization, if registration is open.
    public func register(
        email rawEmail: String, password: String, firstName: String, lastName: String, company: String?,
        invitation: String? = nil, invitationField: String = "invitation_token"
    ) async throws -> IssuedTokens {
        let invitation = invitation?.trimmingCharacters(in: .whitespaces)
        guard invitation?.isEmpty == false || settings.registration == .open else {
            throw DomainError.forbidden(settings.registration == .invitation
                ? "Registration on this server is by invitation: ask an administrator for one"
                : "Registration is closed on this server; an administrator creates accounts")
        }
        let email = try AccountRules.normalisedEmail(rawEmail)
        try AccountRules.checkPassword(password, email: email)
        let first = try AccountRules.name(firstName, field: "first_name")
        let last = try AccountRules.name(lastName, field: "last_name")
        let company = try company.map { try AccountRules.name($0, field: "company", required: false, maxLength: 200) }
        let organization = try await store.defaultOrganization()
        let new = NewUser(
            organizationID: organization.id, email: email, passwordHash: try await hash(password),
            firstName: first, lastName: last, company: company?.isEmpty == true ? nil : company, role: .user)
        if let invitation, !invitation.isEmpty {
            guard let user = try await store.createUser(new, acceptingInvitation: Self.digest(invitation), at: now()) else {
                throw DomainError.validation(field: invitationField, message: "is not a pending invitation for \(email) (unknown, used, revoked or expired)")
            }
            return try await signIn(user)
        }
        return try await signIn(try await store.createUser(new))
    }

    /// An admin invites `email` into their organization; the token is shown once.
    public func invite(email rawEmail: String, role: Role, teamID: Int?, validFor lifetime: TimeInterval, by admin: User) async throws -> (invitation: Invitation, token: String) {
        let email = try AccountRules.normalisedEmail(rawEmail)
        if let teamID, try await store.team(id: teamID, organizationID: admin.organizationID) == nil {
            throw DomainError.validation(field: "team_id", message: "no team \(teamID) in your organization")
        }
        let token = "inv_" + Self.randomToken()
        let invitation = Invitation(
            id: UUID(), organizationID: admin.organizationID, email: email, role: role, teamID: teamID, invitedBy: admin.id,
            createdAt: now(), expiresAt: now().addingTimeInterval(lifetime))
        try await store.createInvitation(invitation, tokenHash: Self.digest(token))
        return (invitation, token)
    }

    /// Creates an account in an admin's organization with the role the admin chose.
    public func createUser(_ new: NewUser, password: String) async throws -> User {
        var new = new
        new.email = try AccountRules.normalisedEmail(new.email)
        try AccountRules.checkPassword(password, email: new.email)
        new.firstName = try AccountRules.name(new.firstName, field: "first_name")
        new.lastName = try AccountRules.name(new.lastName, field: "last_name")
        // The same rule as registration and profile updates: no control characters, at most 200.
        new.company = try new.company.map { try AccountRules.name($0, field: "company", required: false, maxLength: 200) }
        if new.company?.isEmpty == true { new.company = nil }
        new.passwordHash = try await hash(password)
        return try await store.createUser(new)
    }

    /// Checks email and password; unknown email and wrong password look the same to the caller.
    public func login(email rawEmail: String, password: String) async throws -> IssuedTokens {
        let email = rawEmail.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        let lookup = AccountRules.containsControlCharacters(email) ? nil : try await store.credentials(email: email)
        guard let found = lookup else {
            _ = try? await verify(password, hash: decoyHash)
            throw DomainError.invalidCredentials
        }
        guard try await verify(password, hash: found.passwordHash) else { throw DomainError.invalidCredentials }
        guard found.user.isActive else { throw DomainError.accountDisabled }
        return try await signIn(found.user)
    }

    /// Signs in someone Google vouched for: the account with that e-mail, or, for a Google
    /// Workspace domain an admin mapped, a new rep (technician) in that organization. Anyone
    /// else is refused (403): a Google account alone opens nothing.
    func signIn(google identity: GoogleSignIn.Identity) async throws -> (tokens: IssuedTokens, user: User) {
        if let found = try await store.credentials(email: identity.email) {
            guard found.user.isActive else { throw DomainError.accountDisabled }
            return (try await signIn(found.user), found.user)
        }
        let emailDomain = identity.email.split(separator: "@").last.map(String.init)
        guard let domain = identity.hostedDomain, domain == emailDomain,
              let organization = try await store.organization(forGoogleDomain: domain) else {
            throw DomainError.forbidden("No Parley account uses \(identity.email), and its Google Workspace domain is not mapped to an organization")
        }
        let given = identity.givenName ?? identity.name?.split(separator: " ").first.map(String.init) ?? identity.email
        let family = identity.familyName ?? identity.name.map { $0.split(separator: " ").dropFirst().joined(separator: " ") } ?? ""
        let user: User
        do {
            // No password: the account signs in through Google (a reset can give it one later).
            user = try await store.createUser(NewUser(
                organizationID: organization.id, email: identity.email, passwordHash: try await hash(Self.randomToken()),
                firstName: String(given.prefix(100)), lastName: String(family.prefix(100)), company: nil, role: .user))
        } catch DomainError.conflict {
            // Signed in twice at once: the other request made the account.
            guard let found = try await store.credentials(email: identity.email) else { throw DomainError.invalidCredentials }
            return (try await signIn(found.user), found.user)
        }
        return (try await signIn(user), user)
    }

    /// Creates or updates the configured administrator (start-up and `parley create-admin`).
    @discardableResult
    public func ensureAdmin(email rawEmail: String, password: String, firstName: String = "Admin", lastName: String = "User") async throws -> User {
        let email = try AccountRules.normalisedEmail(rawEmail, field: "PARLEY_ADMIN_EMAIL")
        try AccountRules.checkPassword(password, email: email, field: "PARLEY_ADMIN_PASSWORD")
        if let existing = try await store.credentials(email: email) {
            if try await !verify(password, hash: existing.passwordHash) {
                try await store.setPasswordHash(try await hash(password), userID: existing.user.id)
            }
            return try await store.updateUser(
                id: existing.user.id, organizationID: existing.user.organizationID, UserChanges(role: .admin, isActive: true))
        }
        let organization = try await store.defaultOrganization()
        return try await store.createUser(NewUser(
            organizationID: organization.id, email: email, passwordHash: try await hash(password),
            firstName: firstName, lastName: lastName, company: nil, role: .admin))
    }

    public func changePassword(_ principal: Principal, current: String, new: String) async throws {
        guard let stored = try await store.passwordHash(userID: principal.user.id),
              try await verify(current, hash: stored)
        else {
            throw APIError(.badRequest, code: "AUTH_INVALID_CREDENTIALS", "Current password is incorrect", field: "current_password")
        }
        try AccountRules.checkPassword(new, email: principal.user.email, field: "new_password")
        guard new != current else {
            throw DomainError.validation(field: "new_password", message: "must differ from the current password")
        }
        try await store.setPasswordHash(try await hash(new), userID: principal.user.id)
        // Every other signed-in device must sign in again with the new password.
        try await store.revokeSessions(userID: principal.user.id, keeping: principal.sessionID, at: now())
    }

    // MARK: tokens

    /// Verifies an access token and loads its user; revoked sessions and disabled accounts fail.
    public func authenticate(accessToken: String) async throws -> Principal {
        let payload = try await keys.verify(accessToken, as: AccessTokenPayload.self)
        guard let userID = Int(payload.sub.value), let sessionID = UUID(uuidString: payload.sid) else {
            throw APIError.tokenInvalid
        }
        guard let found = try await store.activeUser(userID: userID, sessionID: sessionID, at: now()), found.sessionActive else {
            throw APIError.tokenInvalid
        }
        guard found.user.isActive else { throw APIError.accountDisabled }
        return Principal(user: found.user, sessionID: sessionID)
    }

    /// Resolves an API key to the user who created it; revoked keys and disabled users fail.
    public func authenticate(apiKey: String) async throws -> Principal {
        guard let found = try await store.apiKeyUser(hash: Self.digest(apiKey), at: now()) else {
            throw APIError(.unauthorized, code: "AUTH_INVALID_API_KEY", "The API key is invalid or has been revoked")
        }
        guard found.user.isActive else { throw APIError.accountDisabled }
        return Principal(user: found.user, sessionID: nil)
    }

    /// Creates an API key for an admin; the secret is returned once and stored only as a digest.
    public func createAPIKey(name: String, for admin: User) async throws -> (key: APIKey, secret: String) {
        let secret = "pk_" + Self.randomToken()
        let key = try await store.createAPIKey(
            organizationID: admin.organizationID, userID: admin.id, name: name,
            prefix: String(secret.prefix(10)), hash: Self.digest(secret))
        return (key, secret)
    }

    /// Spends a refresh token and issues a new pair in the same session (rotation).
    public func refresh(refreshToken: String) async throws -> IssuedTokens {
        switch try await store.useRefreshToken(hash: Self.digest(refreshToken), at: now()) {
        case .accepted(let sessionID, let userID):
            guard let user = try await store.user(id: userID) else { throw APIError.tokenInvalid }
            guard user.isActive else { throw APIError.accountDisabled }
            return try await issue(for: user, sessionID: sessionID)
        case .reused:
            throw APIError(.unauthorized, code: "AUTH_TOKEN_REVOKED", "This refresh token was already used; the session has been ended for safety")
        case .invalid:
            throw APIError(.unauthorized, code: "AUTH_TOKEN_INVALID", "The refresh token is invalid, expired or revoked")
        }
    }

    /// A new access token for the session of a refresh token that stays valid (Speech Coaching's
    /// refresh returns only an access token, so its clients keep their refresh token).
    public func accessToken(refreshToken: String) async throws -> (token: String, expiresIn: Int) {
        guard let owner = try await store.refreshTokenOwner(hash: Self.digest(refreshToken), at: now()) else {
            throw APIError(.unauthorized, code: "AUTH_TOKEN_INVALID", "The refresh token is invalid, expired or revoked")
        }
        guard let user = try await store.user(id: owner.userID) else { throw APIError.tokenInvalid }
        guard user.isActive else { throw APIError.accountDisabled }
        return (try await signAccessToken(for: user, sessionID: owner.sessionID), Int(settings.accessTokenLifetime))
    }

    /// Ends the session a refresh token belongs to (logout by refresh token).
    public func logout(refreshToken: String) async throws {
        guard let owner = try await store.refreshTokenOwner(hash: Self.digest(refreshToken), at: now()) else {
            throw APIError(.unauthorized, code: "AUTH_TOKEN_INVALID", "The refresh token is invalid, expired or revoked")
        }
        try await store.revokeSession(id: owner.sessionID, at: now())
    }

    /// Issues a new pair for a caller holding a valid access token (the documented refresh).
    public func refresh(_ principal: Principal) async throws -> IssuedTokens {
        guard let sessionID = principal.sessionID else { throw APIError.tokenInvalid }
        return try await issue(for: principal.user, sessionID: sessionID)
    }

    /// Ends the caller's session: its access and refresh tokens stop working at once.
    public func logout(_ principal: Principal) async throws {
        guard let sessionID = principal.sessionID else { return }
        try await store.revokeSession(id: sessionID, at: now())
    }

    /// Signs a user in with a new session.
    func signIn(_ user: User) async throws -> IssuedTokens {
        let at = now()
        try await store.recordLogin(userID: user.id, at: at)
        var user = user
        user.lastLogin = at
        let session = try await store.createSession(userID: user.id, expiresAt: at.addingTimeInterval(settings.refreshTokenLifetime))
        return try await issue(for: user, sessionID: session.id)
    }

    private func signAccessToken(for user: User, sessionID: UUID) async throws -> String {
        let at = now()
        let payload = AccessTokenPayload(
            sub: .init(value: String(user.id)), sid: sessionID.uuidString, org: user.organizationID.uuidString,
            role: user.role.rawValue, iat: .init(value: at),
            exp: .init(value: at.addingTimeInterval(settings.accessTokenLifetime)), typ: "access")
        return try await keys.sign(payload)
    }

    private func issue(for user: User, sessionID: UUID) async throws -> IssuedTokens {
        let at = now()
        let accessToken = try await signAccessToken(for: user, sessionID: sessionID)
        let refreshToken = Self.randomToken()
        try await store.storeRefreshToken(
            hash: Self.digest(refreshToken), sessionID: sessionID, expiresAt: at.addingTimeInterval(settings.refreshTokenLifetime))
        return IssuedTokens(accessToken: accessToken, expiresIn: Int(settings.accessTokenLifetime), refreshToken: refreshToken, user: user)
    }

    // MARK: secrets

    /// bcrypt is deliberately slow, so it runs on the thread pool, not an event loop.
    func hash(_ password: String) async throws -> String {
        let cost = settings.bcryptCost
        return try await NIOThreadPool.singleton.runIfActive { try Bcrypt.hash(password, cost: cost) }
    }

    func verify(_ password: String, hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { try Bcrypt.verify(password, created: hash) }
    }

    /// Opaque secrets (refresh tokens, API keys) are stored only as SHA-256 digests.
    static func digest(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    static func randomToken(bytes: Int = 32) -> String {
        var generator = SystemRandomNumberGenerator()
        let data = Data((0..<bytes).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
        return data.base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
