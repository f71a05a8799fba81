import Foundation
import JWT

/// The claims of a Parley access token: who, which sign-in session, which organization.
struct AccessTokenPayload: JWTPayload {
    var sub: SubjectClaim
    var sid: String
    var org: String
    var role: String
    var iat: IssuedAtClaim
    var exp: ExpirationClaim
    var typ: String

    func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
        guard typ == "access" else {
            throw JWTError.claimVerificationFailure(failedClaim: nil, reason: "not an access token")
        }
    }
}
