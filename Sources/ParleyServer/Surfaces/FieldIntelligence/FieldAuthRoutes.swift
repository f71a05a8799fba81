import Foundation
import ParleyDomain
import Vapor

extension FieldIntelligence {
    /// `/v1/auth`: Google sign-in, refresh and the signed-in technician. Password sign-in is the
    /// shared identity's (`POST /api/v1/auth/login`); its tokens work here too.
    enum FieldAuthRoutes {
        static func register(on _: any RoutesBuilder, open: any RoutesBuilder, signedIn: any RoutesBuilder) {
            let auth = open.grouped("auth")
            auth.post("google", "login", use: googleLogin)
            auth.post("refresh", use: refresh)
            signedIn.grouped("auth").get("me", use: me)
        }

        struct GoogleLoginBody: Decodable {
            var id_token: String
        }

        struct RefreshBody: Decodable {
            var refresh_token: String
        }

        static func googleLogin(_ request: Request) async throws -> Response {
            guard let google = request.application.parley.google else {
                // 401: no Google token can be accepted here; the message says why and what works instead.
                throw APIError(.unauthorized, code: "GOOGLE_SIGN_IN_NOT_CONFIGURED",
                               "Google sign-in is not configured on this server (set GOOGLE_CLIENT_ID); sign in with e-mail and password at /api/v1/auth/login")
            }
            let body = try request.decodeJSON(GoogleLoginBody.self)
            let identity = try await google.verify(body.id_token)
            let (tokens, user) = try await request.identity.signIn(google: identity)
            return try request.renderJSON(.object([
                "access_token": .string(tokens.accessToken), "refresh_token": .string(tokens.refreshToken),
                "expires_in": .number(Double(tokens.expiresIn)),
                "user": .object([
                    "user_id": .string(UserID.make(user.id)), "email": .string(user.email), "full_name": .string(fullName(user)),
                    "role": .string(role(user.role)), "profile_picture_url": identity.picture.map(JSONValue.string) ?? .null,
                ]),
            ]))
        }

        static func refresh(_ request: Request) async throws -> Response {
            let body = try request.decodeJSON(RefreshBody.self)
            let (token, expiresIn) = try await request.identity.accessToken(refreshToken: body.refresh_token)
            return try request.renderJSON(.object(["access_token": .string(token), "expires_in": .number(Double(expiresIn))]))
        }

        /// The signed-in user with their team and supervisor.
        static func me(_ request: Request) async throws -> Response {
            let user = try request.principal.user
            let store = request.identity.store
            var team: Team?
            var supervisor: User?
            if let id = user.teamID { team = try await store.team(id: id, organizationID: user.organizationID) }
            if let id = user.supervisorID { supervisor = try await store.user(id: id, organizationID: user.organizationID) }
            return try request.renderJSON(.object([
                "user_id": .string(UserID.make(user.id)), "email": .string(user.email), "full_name": .string(fullName(user)),
                "role": .string(role(user.role)), "phone": .null,
                "team": team.map { .object(["team_id": .string("TEAM-" + String(format: "%03d", $0.id)), "name": .string($0.name)]) } ?? .null,
                "supervisor": supervisor.map { .object(["user_id": .string(UserID.make($0.id)), "full_name": .string(fullName($0))]) } ?? .null,
            ]))
        }

        static func fullName(_ user: User) -> String {
            "\(user.firstName) \(user.lastName)".trimmingCharacters(in: .whitespaces)
        }
    }
}
