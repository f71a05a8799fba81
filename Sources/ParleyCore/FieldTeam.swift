import Foundation
import ParleyDomain

/// A technician's field conversations in figures: how many, how long, and how satisfied the
/// customers were (the analysis's customer-satisfaction score, 0–100, as the 1–5 stars the Field
/// Intelligence document shows).
public struct TechnicianFigures: Sendable, Equatable {
    public var totalCalls: Int
    public var callsToday: Int
    /// Seconds; nil without a finished conversation.
    public var averageDuration: Double?
    /// 1–5; nil without an analysed conversation.
    public var averageSatisfaction: Double?
    /// Won upsells over identified ones; nil without any identified.
    public var upsellConversion: Double?
}

/// The people of field teams as the access policy shows them, with their figures.
public struct FieldTeam: Sendable {
    let stores: any StoreAccess

    public init(stores: any StoreAccess) {
        self.stores = stores
    }

    /// The technicians `viewer` may list: a supervisor their team and the reps they coach, an
    /// admin the organization. Plain technicians may not list anyone (`DomainError.forbidden`).
    public func technicians(visibleTo viewer: User) async throws -> [User] {
        guard viewer.role != .user else { throw DomainError.forbidden("Only supervisors and admins see technicians") }
        return try await technicians(inViewOf: viewer)
    }

    /// The active technicians within the people `viewer` may see (a technician: their own team),
    /// without the supervisors' check: what leaderboards rank.
    public func technicians(inViewOf viewer: User) async throws -> [User] {
        try await stores.identity.users(organizationID: viewer.organizationID, scope: AccessPolicy.people(visibleTo: viewer), limit: 1000, offset: 0)
            .filter { $0.role == .user && $0.isActive }
    }

    /// A user `viewer` may read (themselves, their technicians, anyone for an admin); another
    /// organization's or an unknown id is not found, someone else's is forbidden.
    public func person(id: Int, visibleTo viewer: User) async throws -> User {
        guard let person = try await stores.identity.user(id: id, organizationID: viewer.organizationID) else {
            throw DomainError.notFound(entity: "user")
        }
        guard AccessPolicy.allows(viewer, .read, toWhatIsOwnedBy: person) else { throw DomainError.forbidden("That user's figures are not yours to see") }
        return person
    }

    /// The figures of one technician's field conversations, `now` deciding what "today" is (UTC).
    public func figures(of user: User, now: Date = Date()) async throws -> TechnicianFigures {
        let analytics = FieldAnalytics(stores: stores)
        let all = try await analytics.figures(of: [user], from: Date(timeIntervalSince1970: 0), to: now.addingTimeInterval(86_400))[user.id]
        let today = FieldPeriod(.daily, containing: now)
        let todays = try await analytics.figures(of: [user], from: today.start, to: today.end)[user.id]
        return TechnicianFigures(
            totalCalls: all?.calls ?? 0, callsToday: todays?.calls ?? 0, averageDuration: all?.averageDuration,
            averageSatisfaction: FieldAnalytics.stars(all?.averageSatisfaction), upsellConversion: all?.upsellConversion)
    }
}

extension FieldTeam {
    /// Who supervises a technician, when someone does.
    public func supervisorID(of userID: Int, organizationID: UUID) async throws -> Int? {
        try await stores.identity.user(id: userID, organizationID: organizationID)?.supervisorID
    }
}
