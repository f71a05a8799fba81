import Foundation
import ParleyDomain
import Vapor

extension Identity {
    /// A user as the Sales Trainer document shows it (snake_case, integer id).
    struct UserDTO: Content {
        var id: Int
        var email: String
        var first_name: String
        var last_name: String
        var company: String?
        var role: String
        var is_active: Bool
        var created_at: String
        var last_login: String?

        init(_ user: User) {
            id = user.id
            email = user.email
            first_name = user.firstName
            last_name = user.lastName
            company = user.company
            role = user.role.rawValue
            is_active = user.isActive
            created_at = Timestamp.iso8601(user.createdAt)
            last_login = user.lastLogin.map(Timestamp.iso8601)
        }

        // Optionals are written as null rather than left out, as the document shows every key.
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(email, forKey: .email)
            try container.encode(first_name, forKey: .first_name)
            try container.encode(last_name, forKey: .last_name)
            try container.encode(company, forKey: .company)
            try container.encode(role, forKey: .role)
            try container.encode(is_active, forKey: .is_active)
            try container.encode(created_at, forKey: .created_at)
            try container.encode(last_login, forKey: .last_login)
        }
    }

    /// The token object every sign-in endpoint returns; `refresh_token` is Parley's addition.
    struct TokenDTO: Content {
        var access_token: String
        var token_type: String
        var expires_in: Int
        var refresh_token: String
        var user: UserDTO

        init(_ tokens: IssuedTokens) {
            access_token = tokens.accessToken
            token_type = "bearer"
            expires_in = tokens.expiresIn
            refresh_token = tokens.refreshToken
            user = UserDTO(tokens.user)
        }
    }

    struct RegisterRequest: Decodable {
        var email: String
        var password: String
        var first_name: String
        var last_name: String
        var company: String?
        var role: String?
        /// An admin's invitation (`POST /api/v1/admin/invitations`): joins its organization, role and team.
        var invitation_token: String?
    }

    struct LoginRequest: Decodable {
        var email: String
        var password: String
    }

    struct ProfileUpdateRequest: Decodable {
        var first_name: String?
        var last_name: String?
        var company: String?
    }

    struct ChangePasswordRequest: Decodable {
        var current_password: String
        var new_password: String
    }

    struct RefreshRequest: Decodable {
        var refresh_token: String?
    }

    struct MessageDTO: Content {
        var message: String
    }
}
