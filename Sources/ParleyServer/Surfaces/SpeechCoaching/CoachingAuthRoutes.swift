import Foundation
import ParleyDomain
import Vapor

extension SpeechCoaching {
    /// `/coaching/auth/*`: register, login, refresh, logout, on the shared identity.
    enum CoachingAuthRoutes {
        struct RegisterRequest: Decodable {
            var email: String
            var password: String
            var firstName: String
            var lastName: String
            var organizationId: String?
            /// An admin's invitation: joins its organization, role and team.
            var invitationToken: String?
        }

        struct LoginRequest: Decodable {
            var email: String
            var password: String
        }

        struct RefreshRequest: Decodable {
            var refreshToken: String
        }

        struct RefreshOptionalRequest: Decodable {
            var refreshToken: String?
        }

        struct TokensDTO: Encodable, Sendable {
            var accessToken: String
            var refreshToken: String
            var expiresIn: Int
        }

        struct SignedInDTO: Encodable, Sendable {
            var user: CoachingUserDTO
            var tokens: TokensDTO

            init(_ issued: IssuedTokens) {
                user = CoachingUserDTO(issued.user)
                tokens = TokensDTO(accessToken: issued.accessToken, refreshToken: issued.refreshToken, expiresIn: issued.expiresIn)
            }
        }

        struct AccessTokenDTO: Encodable, Sendable {
            var accessToken: String
            var expiresIn: Int
        }

        static func register(on anonymous: any RoutesBuilder) {
            let auth = anonymous.grouped("auth")
            auth.post("register", use: register)
            auth.post("login", use: login)
            auth.post("refresh", use: refresh)
            auth.post("logout", use: logout)
        }

        static func register(_ request: Request) async throws -> Response {
            let body = try request.decodeJSON(RegisterRequest.self)
            if let organization = body.organizationId, body.invitationToken == nil {
                let home = try await request.identity.store.defaultOrganization()
                guard CoachingID.organization(from: organization) == home.id else {
                    throw APIError.validation("organizationId", "joining another organization needs an invitation from its administrator")
                }
            }
            let issued = try await request.identity.register(
                email: body.email, password: body.password, firstName: body.firstName, lastName: body.lastName, company: nil,
                invitation: body.invitationToken, invitationField: "invitationToken")
            return try request.coaching(SignedInDTO(issued), status: .created)
        }

        static func login(_ request: Request) async throws -> Response {
            let body = try request.decodeJSON(LoginRequest.self)
            return try request.coaching(SignedInDTO(try await request.identity.login(email: body.email, password: body.password)))
        }

        /// The refresh token stays valid (the document's clients keep it); only an access token is issued.
        static func refresh(_ request: Request) async throws -> Response {
            let body = try request.decodeJSON(RefreshRequest.self)
            let issued = try await request.identity.accessToken(refreshToken: body.refreshToken)
            return try request.coaching(AccessTokenDTO(accessToken: issued.token, expiresIn: issued.expiresIn))
        }

        /// Ends the session of the refresh token in the body, or of the Bearer token sent.
        static func logout(_ request: Request) async throws -> Response {
            if let token = try request.decodeOptionalJSON(RefreshOptionalRequest.self)?.refreshToken {
                try await request.identity.logout(refreshToken: token)
            } else if let accessToken = request.accessToken {
                try await request.identity.logout(try await request.identity.authenticate(accessToken: accessToken))
            } else {
                throw APIError.validation("refreshToken", "is required")
            }
            return try request.coaching(["message": "Logged out successfully"])
        }
    }

    /// A user as Speech Coaching shows one.
    struct CoachingUserDTO: Encodable, Sendable {
        var id: String
        var email: String
        var firstName: String
        var lastName: String
        var organizationId: String
        var role: String
        var createdAt: String

        init(_ user: User) {
            id = CoachingID.user(user.id)
            email = user.email
            firstName = user.firstName
            lastName = user.lastName
            organizationId = CoachingID.organization(user.organizationID)
            role = user.role.rawValue
            createdAt = Timestamp.iso8601(user.createdAt)
        }
    }
}
