import Foundation
import ParleyDomain
import Vapor

extension VoiceAgents {
    /// `/auth/register`, `/auth/login`, `/auth/me`, `/auth/refresh-token` on the shared identity,
    /// in the document's shapes (UUID ids, `token` and `refresh_token`).
    enum AgentAuthRoutes {
        struct RegisterRequest: Decodable {
            var email: String
            var password: String
            var first_name: String
            var last_name: String
        }

        struct LoginRequest: Decodable {
            var email: String
            var password: String
        }

        static func register(on root: any RoutesBuilder, limit: any AsyncMiddleware, general: any AsyncMiddleware) {
            let auth = root.grouped("auth")
            auth.grouped(limit).post("register", use: register)
            auth.grouped(limit).post("login", use: login)
            // The refresh token comes as the Bearer credential, as the document sends it.
            auth.grouped(limit).post("refresh-token", use: refresh)
            auth.grouped(BearerAuthentication(), general).get("me", use: me)
        }

        /// `role` as the document names it: `user`, or the shared identity's higher roles.
        static func user(_ user: User, withName: Bool = true) -> JSONValue {
            var object: [String: JSONValue] = [
                "id": .string(UserID.make(user.id)), "email": .string(user.email), "role": .string(user.role.rawValue),
            ]
            if withName {
                object["first_name"] = .string(user.firstName)
                object["last_name"] = .string(user.lastName)
                object["created_at"] = .string(Timestamp.iso8601(user.createdAt))
            }
            return .object(object)
        }

        static func register(_ request: Request) async throws -> Response {
            let body = try request.decodeJSON(RegisterRequest.self)
            let issued = try await request.identity.register(
                email: body.email, password: body.password, firstName: body.first_name, lastName: body.last_name, company: nil)
            return try request.renderJSON(user(issued.user), status: .created)
        }

        static func login(_ request: Request) async throws -> Response {
            let body = try request.decodeJSON(LoginRequest.self)
            let issued = try await request.identity.login(email: body.email, password: body.password)
            return try request.renderJSON(.object([
                "token": .string(issued.accessToken), "refresh_token": .string(issued.refreshToken),
                "expires_in": .number(Double(issued.expiresIn)), "user": user(issued.user, withName: false),
            ]))
        }

        static func me(_ request: Request) async throws -> Response {
            try request.renderJSON(user(try request.principal.user))
        }

        /// A new access token for the refresh token sent as Bearer; the refresh token stays valid
        /// (the document's clients keep the one they have).
        static func refresh(_ request: Request) async throws -> Response {
            guard let token = request.headers.bearerAuthorization?.token, !token.isEmpty else { throw APIError.authRequired }
            let issued = try await request.identity.accessToken(refreshToken: token)
            return try request.renderJSON(.object(["token": .string(issued.token), "expires_in": .number(Double(issued.expiresIn))]))
        }
    }
}
