import Foundation

/// Persistence of leads, their activities, score history and factors, the organization's
/// calibration and imports; every call is scoped to an organization.
public protocol LeadStore: Sendable {
    /// Stores a new lead with its search entry; `DomainError.conflict` when its e-mail is
    /// already one of the organization's leads (the database's unique index decides).
    func createLead(_ lead: Lead) async throws
    /// Stores many new, already scored leads at once (an import's batch) with their search
    /// entries and a first score-history entry each (`reason`): a few multi-row statements
    /// instead of several per lead. The e-mails must be free.
    func createLeads(_ leads: [Lead], reason: String) async throws
    /// Saves every field and the search entry; `DomainError.conflict` on a taken e-mail.
    func updateLead(_ lead: Lead) async throws
    func lead(publicID: String, organizationID: UUID) async throws -> Lead?
    /// The organization's lead with this e-mail (compared without case), if any.
    func lead(email: String, organizationID: UUID) async throws -> Lead?
    /// The organization's leads among these e-mails (lower-cased), keyed by lower-cased e-mail.
    func leads(emails: [String], organizationID: UUID) async throws -> [String: Lead]
    func deleteLead(id: UUID, organizationID: UUID) async throws -> Bool
    /// Newest first; `search` goes through the full-text index.
    func leads(_ query: LeadQuery) async throws -> [Lead]
    func countLeads(_ query: LeadQuery) async throws -> Int
    /// Whether a user is a member of the organization (leads are assigned only to members).
    func isMember(userID: Int, organizationID: UUID) async throws -> Bool

    func addActivity(_ activity: LeadActivityRecord) async throws
    /// Newest first.
    func activities(leadID: UUID, limit: Int) async throws -> [LeadActivityRecord]
    func addScoreEntry(_ entry: LeadScoreEntry, leadID: UUID) async throws
    /// Oldest first.
    func scoreHistory(leadID: UUID, limit: Int) async throws -> [LeadScoreEntry]
    /// Adds to the organization's factor counts (negative numbers take away).
    func adjustFactors(organizationID: UUID, by changes: [LeadFactorKey: Int]) async throws
    /// The factors most leads of the organization share, most common first.
    func topFactors(organizationID: UUID, positive: Bool, limit: Int) async throws -> [LeadFactorCount]

    /// The newest closed leads' components and outcomes (true: won), for calibration.
    func closedOutcomes(organizationID: UUID, limit: Int) async throws -> [(components: [Double], won: Bool)]
    func calibration(organizationID: UUID) async throws -> LeadCalibration?
    func saveCalibration(_ calibration: LeadCalibration, organizationID: UUID) async throws

    func overview(organizationID: UUID, since: Date) async throws -> LeadOverview
    func dashboard(organizationID: UUID, since: Date, today: Date) async throws -> LeadDashboard

    /// Refreshes the planner's statistics after a bulk change (an import), so searches and
    /// filters are planned for the table as it now is.
    func refreshStatistics() async throws

    func createImport(_ record: LeadImportRecord) async throws
    func updateImport(_ record: LeadImportRecord) async throws
    func leadImport(publicID: String, organizationID: UUID) async throws -> LeadImportRecord?
}
