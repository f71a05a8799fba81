import Foundation
import ParleyDomain
import Vapor

extension SpeechCoaching {
    /// `/coaching/user/profile`, `/coaching/user/account` and `/coaching/organizations`.
    enum CoachingUserRoutes {
        struct Preferences: Codable, Sendable {
            struct Notifications: Codable, Sendable {
                var email: Bool?
                var push: Bool?
            }
            var language: String?
            var timezone: String?
            var notifications: Notifications?

            static let standard = Preferences(language: "en", timezone: "UTC", notifications: .init(email: true, push: false))
        }

        struct ProfileDTO: Encodable, Sendable {
            struct Stats: Encodable, Sendable {
                var totalSessions: Int
                var totalPracticeTime: Double
                var averageScore: Double?
                var streak: Int
            }
            var id: String
            var email: String
            var firstName: String
            var lastName: String
            var organizationId: String
            var role: String
            var preferences: Preferences
            var stats: Stats
            var createdAt: String
        }

        struct UpdateRequest: Decodable {
            var firstName: String?
            var lastName: String?
            var preferences: Preferences?
        }

        struct DeleteRequest: Decodable {
            var password: String
            var reason: String?
        }

        static func register(on routes: any RoutesBuilder) {
            routes.get("user", "profile", use: profile)
            routes.put("user", "profile", use: update)
            routes.delete("user", "account", use: deleteAccount)
            routes.get("organizations", use: organizations)
            routes.get("organizations", ":orgId", "members", use: members)
        }

        static func profile(_ request: Request) async throws -> Response {
            try request.coaching(["user": try await profileDTO(try request.principal.user, request: request)])
        }

        static func profileDTO(_ user: User, request: Request) async throws -> ProfileDTO {
            let stored = try await request.application.parley.core.archive.preferences(of: user.id)?.decoded(as: Preferences.self)
            let sessions = try await request.conversations.conversations(ConversationQuery(
                organizationID: user.organizationID, userID: user.id, kind: .coaching, status: .completed, limit: 10_000))
            let scores = sessions.compactMap(\.score)
            return ProfileDTO(
                id: CoachingID.user(user.id), email: user.email, firstName: user.firstName, lastName: user.lastName,
                organizationId: CoachingID.organization(user.organizationID), role: user.role.rawValue,
                preferences: merged(stored, over: .standard),
                stats: .init(totalSessions: sessions.count, totalPracticeTime: round1(sessions.compactMap(\.duration).reduce(0, +)),
                             averageScore: scores.isEmpty ? nil : round1(scores.reduce(0, +) / Double(scores.count)),
                             streak: streak(of: sessions.map(\.createdAt))),
                createdAt: Timestamp.iso8601(user.createdAt))
        }

        /// Consecutive days, ending today or yesterday (UTC), with at least one completed session.
        static func streak(of dates: [Date], now: Date = Date()) -> Int {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            let days = Set(dates.map { calendar.startOfDay(for: $0) })
            var day = calendar.startOfDay(for: now)
            if !days.contains(day) { day = calendar.date(byAdding: .day, value: -1, to: day)! }
            var count = 0
            while days.contains(day) {
                count += 1
                day = calendar.date(byAdding: .day, value: -1, to: day)!
            }
            return count
        }

        static func merged(_ new: Preferences?, over old: Preferences) -> Preferences {
            guard let new else { return old }
            return Preferences(
                language: new.language ?? old.language, timezone: new.timezone ?? old.timezone,
                notifications: .init(email: new.notifications?.email ?? old.notifications?.email, push: new.notifications?.push ?? old.notifications?.push))
        }

        static func update(_ request: Request) async throws -> Response {
            let user = try request.principal.user
            let body = try request.decodeJSON(UpdateRequest.self)
            var changes = UserChanges()
            changes.firstName = try body.firstName.map { try AccountRules.name($0, field: "firstName") }
            changes.lastName = try body.lastName.map { try AccountRules.name($0, field: "lastName") }
            if let preferences = body.preferences {
                if let language = preferences.language {
                    guard (2...10).contains(language.count), language.allSatisfy({ $0.isASCII && ($0.isLetter || $0 == "-") }) else {
                        throw APIError.validation("preferences.language", "must be a language tag such as 'en' or 'en-GB'")
                    }
                }
                if let zone = preferences.timezone, TimeZone(identifier: zone) == nil {
                    throw APIError.validation("preferences.timezone", "must be an IANA time zone such as 'America/New_York'")
                }
                let archive = request.application.parley.core.archive
                let current = try await archive.preferences(of: user.id)?.decoded(as: Preferences.self) ?? .standard
                try await archive.setPreferences(try JSONValue(encoding: merged(preferences, over: current)), of: user.id)
            }
            let updated = try await request.identity.store.updateUser(id: user.id, organizationID: user.organizationID, changes)
            return try request.coaching(["user": try await profileDTO(updated, request: request)])
        }

        /// Deletes the account after the password is confirmed: every row (through the database's
        /// cascades) and every media file of the user.
        static func deleteAccount(_ request: Request) async throws -> Response {
            let principal = try request.principal
            let user = principal.user
            let body = try request.decodeJSON(DeleteRequest.self)
            guard let hash = try await request.identity.store.passwordHash(userID: user.id),
                  try await request.identity.verify(body.password, hash: hash)
            else { throw APIError(.unauthorized, code: "AUTH_INVALID_CREDENTIALS", "The password is incorrect", field: "password") }
            let conversations = try await request.conversations.conversations(ConversationQuery(
                organizationID: user.organizationID, userID: user.id, limit: Int(Int32.max)))
            try await request.identity.store.deleteUser(id: user.id, organizationID: user.organizationID)
            let dataDirectory = request.application.parley.configuration.dataDirectory
            for conversation in conversations { CoachingStorage.removeFiles(of: conversation, dataDirectory: dataDirectory) }
            try? FileManager.default.removeItem(at: URL(fileURLWithPath: dataDirectory).appendingPathComponent("reports/\(user.id)"))
            request.logger.notice("account deleted", metadata: ["user": "\(user.id)", "reason": "\(body.reason?.prefix(200) ?? "")"])
            return try request.coaching(["message": "Account deleted successfully"])
        }

        struct OrganizationDTO: Encodable, Sendable {
            var id: String
            var name: String
            var role: String
            var memberCount: Int
            var createdAt: String
        }

        struct MemberDTO: Encodable, Sendable {
            var id: String
            var email: String
            var firstName: String
            var lastName: String
            var role: String
            var joinedAt: String
        }

        static func organizations(_ request: Request) async throws -> Response {
            let user = try request.principal.user
            let store = request.identity.store
            guard let organization = try await store.organization(id: user.organizationID) else {
                return try request.coaching(["organizations": [OrganizationDTO]()])
            }
            return try request.coaching(["organizations": [OrganizationDTO(
                id: CoachingID.organization(organization.id), name: organization.name, role: user.role.rawValue,
                memberCount: try await store.countUsers(organizationID: organization.id), createdAt: Timestamp.iso8601(organization.createdAt))]])
        }

        /// Members of the caller's own organization that the access policy lets them see (admins
        /// everyone, supervisors their team and reps, members their team); other organizations are refused.
        static func members(_ request: Request) async throws -> Response {
            let user = try request.principal.user
            let raw = request.parameters.get("orgId") ?? ""
            guard let id = CoachingID.organization(from: raw) else { throw APIError.notFound("NOT_FOUND", "Organization \(raw) not found") }
            guard id == user.organizationID else { throw APIError.insufficientPermissions("You are not a member of organization \(raw)") }
            let page = try request.pagingValue("page", default: 1, range: 1...1_000_000)
            let limit = try request.pagingValue("limit", default: 100, range: 1...500)
            let users = try await request.identity.store.users(
                organizationID: id, scope: AccessPolicy.people(visibleTo: user), limit: limit, offset: (page - 1) * limit)
            return try request.coaching(["members": users.map {
                MemberDTO(id: CoachingID.user($0.id), email: $0.email, firstName: $0.firstName, lastName: $0.lastName,
                          role: $0.role.rawValue, joinedAt: Timestamp.iso8601($0.createdAt))
            }])
        }
    }
}
