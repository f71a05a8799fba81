import Foundation
import JWT
import Vapor

/// The claims of a recording's download link: which recording, of which organization, until
/// when. A link plays in an `<audio>` element or a download without the caller's token.
struct RecordingGrant: JWTPayload {
    /// How long a link works.
    static let lifetime: TimeInterval = 3_600

    var sub: SubjectClaim
    var org: String
    var exp: ExpirationClaim
    var typ: String

    func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
        guard typ == "recording" else { throw JWTError.claimVerificationFailure(failedClaim: nil, reason: "not a recording grant") }
    }

    /// A signed grant for the recording `subject` names.
    static func sign(_ subject: String, organizationID: UUID, request: Request) async throws -> String {
        let grant = RecordingGrant(sub: .init(value: subject), org: organizationID.uuidString,
                                   exp: .init(value: Date().addingTimeInterval(lifetime)), typ: "recording")
        return try await request.application.jwt.keys.sign(grant)
    }

    /// The grant a link carries, nil when it is missing, forged, expired or for another recording.
    static func verified(_ token: String, subject: String, request: Request) async -> UUID? {
        guard let grant = try? await request.application.jwt.keys.verify(token, as: RecordingGrant.self), grant.sub.value == subject else { return nil }
        return UUID(uuidString: grant.org)
    }
}
