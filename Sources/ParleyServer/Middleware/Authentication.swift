import Foundation
import ParleyDomain
import ParleyStore
import Vapor

/// Requires a valid access token: `Authorization: Bearer …`, or for WebSocket upgrades from
/// browsers (which cannot set headers) a `token` query parameter. An `X-API-Key` header
/// (service-to-service calls) is accepted instead and acts as the admin who created the key.
struct BearerAuthentication: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            if let token = request.accessToken {
                request.auth.login(try await request.identity.authenticate(accessToken: token))
            } else if let key = request.headers.first(name: "X-API-Key"), !key.isEmpty {
                request.auth.login(try await request.identity.authenticate(apiKey: key))
            } else {
                throw APIError.authRequired
            }
        } catch {
            // Only refusals count (a database failure is not the caller's guess); before
            // authentication there is only the address to limit by.
            guard [.unauthorized, .forbidden].contains(APIError(from: error).status) else { throw error }
            let context = request.application.parley
            throw await context.rateLimiting(context.configuration.rateLimits.authentication).failedAuthentication(error, on: request)
        }
        return try await next.respond(to: request)
    }
}

/// Lets only users with at least the given role through; others get 403.
struct RoleGuard: AsyncMiddleware {
    let minimum: Role

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard try request.principal.user.role >= minimum else {
            throw APIError.insufficientPermissions("This requires the \(minimum.rawValue) role")
        }
        return try await next.respond(to: request)
    }
}

extension Request {
    /// The access token the client sent, if any.
    var accessToken: String? {
        if let bearer = headers.bearerAuthorization?.token, !bearer.isEmpty { return bearer }
        if headers[.upgrade].first?.lowercased() == "websocket", let token = query[String.self, at: "token"], !token.isEmpty {
            return token
        }
        return nil
    }

    /// The authenticated caller; only valid behind `BearerAuthentication`.
    var principal: Principal {
        get throws {
            guard let principal = auth.get(Principal.self) else { throw APIError.authRequired }
            return principal
        }
    }

    /// The identity service bound to this request's database connection.
    var identity: IdentityService {
        let context = application.parley
        return IdentityService(
            store: FluentIdentityStore(database: db), keys: application.jwt.keys,
            settings: context.identitySettings, decoyHash: context.decoyHash)
    }
}
