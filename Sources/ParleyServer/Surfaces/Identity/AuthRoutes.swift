import Foundation
import ParleyDomain
import Vapor

extension Identity {
    /// `/api/v1/auth/*`: register, login, me, change-password, refresh, logout. The Sales Trainer
    /// and Leads & Voice Calls documents both describe these routes; they live here once and answer
    /// the union of both documents' shapes.
    enum AuthRoutes {
        static func register(anonymous: any RoutesBuilder, authenticated: any RoutesBuilder) throws {
            let auth = anonymous.grouped("auth")
            auth.post("register", use: register)
            auth.post("login", use: login)
            auth.post("refresh", use: refresh)

            let signedIn = authenticated.grouped("auth")
            signedIn.get("me", use: me)
            signedIn.put("me", use: updateMe)
            signedIn.post("change-password", use: changePassword)
            signedIn.post("logout", use: logout)
        }

        static func register(_ request: Request) async throws -> Response {
            let body = try request.decodeJSON(RegisterRequest.self)
            if let role = body.role, role != Role.user.rawValue {
                throw APIError.validation("role", "self-registration creates 'user' accounts; an admin grants other roles")
            }
            let tokens = try await request.identity.register(
                email: body.email, password: body.password, firstName: body.first_name,
                lastName: body.last_name, company: body.company, invitation: body.invitation_token)
            return try await TokenDTO(tokens).encodeResponse(status: .created, for: request)
        }

        static func login(_ request: Request) async throws -> TokenDTO {
            let body = try request.decodeJSON(LoginRequest.self)
            return TokenDTO(try await request.identity.login(email: body.email, password: body.password))
        }

        static func me(_ request: Request) async throws -> UserDTO {
            UserDTO(try request.principal.user)
        }

        static func updateMe(_ request: Request) async throws -> UserDTO {
            let principal = try request.principal
            let body = try request.decodeJSON(ProfileUpdateRequest.self)
            var changes = UserChanges()
            changes.firstName = try body.first_name.map { try AccountRules.name($0, field: "first_name") }
            changes.lastName = try body.last_name.map { try AccountRules.name($0, field: "last_name") }
            if let company = body.company {
                let trimmed = try AccountRules.name(company, field: "company", required: false, maxLength: 200)
                changes.company = .some(trimmed.isEmpty ? nil : trimmed)
            }
            let user = try await request.identity.store.updateUser(
                id: principal.user.id, organizationID: principal.user.organizationID, changes)
            return UserDTO(user)
        }

        static func changePassword(_ request: Request) async throws -> MessageDTO {
            let body = try request.decodeJSON(ChangePasswordRequest.self)
            try await request.identity.changePassword(try request.principal, current: body.current_password, new: body.new_password)
            return MessageDTO(message: "Password changed successfully")
        }

        /// With a `refresh_token` in the body the token is rotated; otherwise the documented form
        /// applies: a still-valid access token in the Authorization header gets a fresh pair.
        static func refresh(_ request: Request) async throws -> TokenDTO {
            if let token = try request.decodeOptionalJSON(RefreshRequest.self)?.refresh_token {
                return TokenDTO(try await request.identity.refresh(refreshToken: token))
            }
            guard let accessToken = request.accessToken else {
                throw APIError(.unauthorized, code: "AUTH_REQUIRED",
                               "Send a refresh_token in the body or a valid access token as 'Authorization: Bearer <token>'")
            }
            let principal = try await request.identity.authenticate(accessToken: accessToken)
            return TokenDTO(try await request.identity.refresh(principal))
        }

        static func logout(_ request: Request) async throws -> MessageDTO {
            try await request.identity.logout(try request.principal)
            return MessageDTO(message: "Logged out successfully")
        }
    }
}
