import Foundation

/// A user's role, least to most privileged: reps, their coaches, and organization admins.
public enum Role: String, Sendable, Codable, CaseIterable, Comparable {
    case user
    case supervisor
    case admin

    private var rank: Int {
        switch self {
        case .user: 0
        case .supervisor: 1
        case .admin: 2
        }
    }

    public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rank < rhs.rank }
}

/// A tenant: every row in Parley belongs to exactly one organization.
public struct Organization: Sendable, Codable, Hashable, Identifiable {
    public var id: UUID
    public var name: String
    public var slug: String
    public var createdAt: Date

    public init(id: UUID, name: String, slug: String, createdAt: Date) {
        self.id = id
        self.name = name
        self.slug = slug
        self.createdAt = createdAt
    }
}

/// A group of reps inside an organization, usually coached by one supervisor.
public struct Team: Sendable, Codable, Hashable, Identifiable {
    public var id: Int
    public var organizationID: UUID
    public var name: String
    public var createdAt: Date

    public init(id: Int, organizationID: UUID, name: String, createdAt: Date) {
        self.id = id
        self.organizationID = organizationID
        self.name = name
        self.createdAt = createdAt
    }
}

/// A person who signs in to Parley: a rep, technician, speaker, coach or admin.
public struct User: Sendable, Codable, Hashable, Identifiable {
    public var id: Int
    public var organizationID: UUID
    public var email: String
    public var firstName: String
    public var lastName: String
    public var company: String?
    public var role: Role
    public var isActive: Bool
    public var teamID: Int?
    public var supervisorID: Int?
    public var createdAt: Date
    public var lastLogin: Date?

    public init(
        id: Int, organizationID: UUID, email: String, firstName: String, lastName: String,
        company: String?, role: Role, isActive: Bool, teamID: Int?, supervisorID: Int?,
        createdAt: Date, lastLogin: Date?
    ) {
        self.id = id
        self.organizationID = organizationID
        self.email = email
        self.firstName = firstName
        self.lastName = lastName
        self.company = company
        self.role = role
        self.isActive = isActive
        self.teamID = teamID
        self.supervisorID = supervisorID
        self.createdAt = createdAt
        self.lastLogin = lastLogin
    }
}
