import Foundation
import ParleyDomain
import Vapor

extension Admin {
    /// A user as admins see it: the Sales Trainer user plus organization, team and supervisor.
    struct AdminUserDTO: Content {
        var user: Identity.UserDTO
        var organization_id: String
        var team_id: Int?
        var supervisor_id: Int?

        init(_ user: User) {
            self.user = Identity.UserDTO(user)
            organization_id = user.organizationID.uuidString.lowercased()
            team_id = user.teamID
            supervisor_id = user.supervisorID
        }

        private enum Extra: String, CodingKey {
            case organization_id, team_id, supervisor_id
        }

        init(from decoder: any Decoder) throws {
            user = try Identity.UserDTO(from: decoder)
            let c = try decoder.container(keyedBy: Extra.self)
            organization_id = try c.decode(String.self, forKey: .organization_id)
            team_id = try c.decodeIfPresent(Int.self, forKey: .team_id)
            supervisor_id = try c.decodeIfPresent(Int.self, forKey: .supervisor_id)
        }

        /// The user's keys, then the admin-only ones, in one flat object.
        func encode(to encoder: any Encoder) throws {
            try user.encode(to: encoder)
            var c = encoder.container(keyedBy: Extra.self)
            try c.encode(organization_id, forKey: .organization_id)
            try c.encode(team_id, forKey: .team_id)
            try c.encode(supervisor_id, forKey: .supervisor_id)
        }
    }

    struct TeamDTO: Content {
        var id: Int
        var name: String
        var organization_id: String
        var created_at: String

        init(_ team: Team) {
            id = team.id
            name = team.name
            organization_id = team.organizationID.uuidString.lowercased()
            created_at = Timestamp.iso8601(team.createdAt)
        }
    }

    struct CreateUserRequest: Decodable {
        var email: String
        var password: String
        var first_name: String
        var last_name: String
        var company: String?
        var role: String?
        var team_id: Int?
        var supervisor_id: Int?
    }

    /// A PATCH body: an absent key leaves the value alone, an explicit null clears a link.
    struct UpdateUserRequest: Decodable {
        var role: String?
        var is_active: Bool?
        var first_name: String?
        var last_name: String?
        var team_id: Int??
        var supervisor_id: Int??

        enum CodingKeys: String, CodingKey {
            case role, is_active, first_name, last_name, team_id, supervisor_id
        }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            role = try c.decodeIfPresent(String.self, forKey: .role)
            is_active = try c.decodeIfPresent(Bool.self, forKey: .is_active)
            first_name = try c.decodeIfPresent(String.self, forKey: .first_name)
            last_name = try c.decodeIfPresent(String.self, forKey: .last_name)
            team_id = try Self.link(c, .team_id)
            supervisor_id = try Self.link(c, .supervisor_id)
        }

        private static func link(_ c: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> Int?? {
            guard c.contains(key) else { return nil }
            if try c.decodeNil(forKey: key) { return .some(nil) }
            return .some(try c.decode(Int.self, forKey: key))
        }
    }

    struct CreateTeamRequest: Decodable {
        var name: String
    }

    /// An API key as admins see it; `key` (the secret) is present only in the creation response.
    struct APIKeyDTO: Content {
        var id: String
        var name: String
        var prefix: String
        var created_at: String
        var last_used_at: String?
        var revoked: Bool
        var key: String?

        init(_ key: APIKey, secret: String? = nil) {
            id = key.id.uuidString.lowercased()
            name = key.name
            prefix = key.prefix
            created_at = Timestamp.iso8601(key.createdAt)
            last_used_at = key.lastUsedAt.map(Timestamp.iso8601)
            revoked = key.revokedAt != nil
            self.key = secret
        }
    }

    struct CreateAPIKeyRequest: Decodable {
        var name: String
    }

    /// An invitation as admins see it; `token` only in the answer that created it.
    struct InvitationDTO: Content {
        var id: String
        var email: String
        var role: String
        @NullWhenEmpty var team_id: Int?
        var status: String
        var created_at: String
        var expires_at: String
        @NullWhenEmpty var accepted_at: String?
        /// Only in the answer that created it.
        var token: String?

        init(_ invitation: Invitation, token: String? = nil) {
            id = invitation.id.uuidString.lowercased()
            email = invitation.email
            role = invitation.role.rawValue
            team_id = invitation.teamID
            status = invitation.state(at: Date())
            created_at = Timestamp.iso8601(invitation.createdAt)
            expires_at = Timestamp.iso8601(invitation.expiresAt)
            accepted_at = invitation.acceptedAt.map(Timestamp.iso8601)
            self.token = token
        }
    }

    struct CreateInvitationRequest: Decodable {
        var email: String
        var role: String?
        var team_id: Int?
        var expires_in_days: Double?
    }
}
