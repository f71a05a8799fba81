import Foundation
import ParleyDomain
import Vapor

extension Request {
    /// Refuses (403) unless the access policy lets the caller (`user`, or the request's signed-in
    /// user) `access` what user `ownerID` owns; `what` names it in the refusal ("Session session_1").
    func authorize(_ access: Access, ownerID: Int, _ what: String, as caller: User? = nil) async throws {
        let user = try caller ?? principal.user
        if user.id == ownerID || user.role == .admin { return }
        guard user.role == .supervisor, access == .read,
              let owner = try await identity.store.user(id: ownerID, organizationID: user.organizationID),
              AccessPolicy.allows(user, access, toWhatIsOwnedBy: owner)
        else { throw APIError.insufficientPermissions("\(what) belongs to another user") }
    }
}
