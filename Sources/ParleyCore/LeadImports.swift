import Foundation
import ParleyDomain

/// The durable job that imports one uploaded CSV file of leads.
public struct LeadImportJob: Codable, Sendable, Equatable {
    public static let kind = "leads.import"

    public var importId: String
    public var organizationId: UUID

    public init(importId: String, organizationId: UUID) {
        self.importId = importId
        self.organizationId = organizationId
    }

    /// The payload of a claimed job; nil when it is not one of these.
    public init?(payload: JSONValue) {
        guard let decoded = payload.decoded(as: LeadImportJob.self) else { return nil }
        self = decoded
    }
}

/// What an import did: rows imported, rows that updated an existing lead, and every row
/// skipped with its number (the header is row 1, as a spreadsheet numbers it) and reason.
public struct LeadImportReport: Sendable, Codable, Hashable {
    /// One row that was not imported.
    public struct Skipped: Sendable, Codable, Hashable {
        public var row: Int
        public var reason: String
        public var email: String?
    }

    public var totalRows = 0
    public var imported = 0
    public var updated = 0
    public var skipped: [Skipped] = []
    /// Columns of the file that map to no lead field.
    public var ignoredColumns: [String] = []

    public init() {}
}

/// The columns of an import file, recognised by their common spellings (`First Name`,
/// `first_name`, `Email Address`, `Company Name`, …) compared without case, spaces or punctuation.
public struct LeadColumns: Sendable {
    /// A lead field a column can fill.
    public enum Field: String, Sendable, CaseIterable {
        case firstName, lastName, fullName, email, phone, company, title, industry, source, notes, status, dealValue, companySize, assignedTo, doNotCall
    }

    static let spellings: [String: Field] = [
        "firstname": .firstName, "first": .firstName, "givenname": .firstName, "forename": .firstName,
        "lastname": .lastName, "last": .lastName, "surname": .lastName, "familyname": .lastName,
        "name": .fullName, "fullname": .fullName, "contactname": .fullName, "leadname": .fullName, "contact": .fullName,
        "email": .email, "emailaddress": .email, "mail": .email, "workemail": .email, "businessemail": .email, "emailid": .email,
        "phone": .phone, "phonenumber": .phone, "telephone": .phone, "tel": .phone, "mobile": .phone, "mobilephone": .phone,
        "cellphone": .phone, "workphone": .phone,
        "company": .company, "companyname": .company, "organization": .company, "organisation": .company, "account": .company,
        "accountname": .company, "employer": .company,
        "title": .title, "jobtitle": .title, "position": .title, "role": .title,
        "industry": .industry, "sector": .industry, "vertical": .industry,
        "source": .source, "leadsource": .source, "channel": .source,
        "notes": .notes, "note": .notes, "comments": .notes, "comment": .notes, "description": .notes,
        "status": .status, "leadstatus": .status, "stage": .status,
        "dealvalue": .dealValue, "value": .dealValue, "amount": .dealValue, "dealamount": .dealValue, "dealsize": .dealValue,
        "companysize": .companySize, "employees": .companySize, "numberofemployees": .companySize, "headcount": .companySize,
        "assignedto": .assignedTo, "owner": .assignedTo, "assignee": .assignedTo,
        "donotcall": .doNotCall, "dnc": .doNotCall,
    ]

    /// Column index for each field the header names (the first column wins on a repeat).
    public var fields: [Field: Int] = [:]
    public var ignored: [String] = []

    public init(header: [String]) {
        for (index, name) in header.enumerated() {
            let key = name.lowercased().filter { $0.isLetter || $0.isNumber }
            if let field = Self.spellings[key] {
                if fields[field] == nil { fields[field] = index }
            } else if !name.trimmingCharacters(in: .whitespaces).isEmpty {
                ignored.append(name)
            }
        }
    }

    /// A file needs an e-mail column or a name column to make leads from.
    public var canMakeLeads: Bool {
        fields[.email] != nil || fields[.firstName] != nil || fields[.lastName] != nil || fields[.fullName] != nil
    }

    func value(_ field: Field, in record: [String]) -> String? {
        guard let index = fields[field], index < record.count else { return nil }
        var text = record[index].trimmed
        // Undo the apostrophe our export puts before formula-like cells, so a file exported
        // and imported again gives back the same values.
        if text.hasPrefix("'"), let next = text.dropFirst().first, "=+-@".contains(next) { text.removeFirst() }
        return text.isEmpty ? nil : text
    }

    /// The draft a record describes, or the reason it cannot be one.
    func draft(_ record: [String]) throws -> LeadDraft {
        var draft = LeadDraft()
        draft.firstName = value(.firstName, in: record) ?? ""
        draft.lastName = value(.lastName, in: record) ?? ""
        if draft.firstName.isEmpty, draft.lastName.isEmpty, let full = value(.fullName, in: record) {
            let parts = full.split(separator: " ", maxSplits: 1)
            draft.firstName = parts.first.map(String.init) ?? ""
            draft.lastName = parts.count > 1 ? String(parts[1]) : ""
        }
        draft.email = value(.email, in: record)
        draft.phone = value(.phone, in: record)
        draft.company = value(.company, in: record)
        draft.title = value(.title, in: record)
        draft.industry = value(.industry, in: record)
        draft.source = value(.source, in: record)
        draft.notes = value(.notes, in: record)
        if let raw = value(.status, in: record) {
            let key = raw.lowercased().replacingOccurrences(of: " ", with: "_").replacingOccurrences(of: "-", with: "_")
            guard let status = LeadStatus(rawValue: key) else {
                throw DomainError.validation(field: "status", message: "'\(raw)' is not one of \(LeadStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            draft.status = status
        }
        if let raw = value(.dealValue, in: record) {
            guard let number = Double(raw.filter { !"$€£, ".contains($0) }) else {
                throw DomainError.validation(field: "deal_value", message: "'\(raw)' is not a number")
            }
            draft.dealValue = number
        }
        if let raw = value(.companySize, in: record) {
            guard let size = Int(raw.filter { $0 != "," && $0 != " " }) else {
                throw DomainError.validation(field: "company_size", message: "'\(raw)' is not a whole number")
            }
            draft.companySize = size
        }
        if let raw = value(.assignedTo, in: record) {
            let digits = raw.hasPrefix("user_") ? String(raw.dropFirst(5)) : raw
            guard let id = Int(digits), id > 0 else { throw DomainError.validation(field: "assigned_to", message: "'\(raw)' is not a user id") }
            draft.assignedTo = id
        }
        if let raw = value(.doNotCall, in: record) {
            draft.doNotCall = ["true", "yes", "y", "1", "x"].contains(raw.lowercased())
        }
        return draft
    }
}

/// CSV imports of leads: checked as they arrive, run at once for small files and as a durable
/// job with progress for large ones, committed a batch at a time with the position reached,
/// so a job resumed after a crash goes on where it stopped and reports each row once.
public struct LeadImports: Sendable {
    /// Bytes an import file may have.
    public static let maxBytes: Int64 = 50 << 20
    /// Data rows an import file may have.
    public static let maxRows = 200_000
    /// Files up to this size are imported while the request waits; larger ones by a job.
    public static let inlineBytes: Int64 = 512 << 10
    static let batchSize = 1_000
    /// Skipped rows listed in a report (the counts stay exact beyond it).
    static let maxListedSkips = 10_000

    let work: any UnitOfWork
    let stores: any StoreAccess
    let book: LeadBook

    public init(work: any UnitOfWork, stores: any StoreAccess, book: LeadBook) {
        self.work = work
        self.stores = stores
        self.book = book
    }

    /// Reads the file once before anything is imported: its header must name an e-mail or a
    /// name column and it may not have more than `maxRows` rows. Returns the data row count.
    public func check(_ file: URL) throws -> Int {
        var reader = try CSVRecordReader(url: file)
        defer { reader.close() }
        do {
            guard let header = try reader.next() else { throw DomainError.validation(field: "file", message: "the file is empty") }
            guard LeadColumns(header: header).canMakeLeads else {
                throw DomainError.validation(field: "file", message: "the header needs an email column (Email, Email Address) or a name column (First Name, Last Name, Name)")
            }
            var rows = 0
            while try reader.next() != nil {
                rows += 1
                guard rows <= Self.maxRows else {
                    throw DomainError.validation(field: "file", message: "the file has more than \(Self.maxRows) rows; split it")
                }
            }
            return rows
        } catch CSVError.recordTooLong {
            throw DomainError.validation(field: "file", message: "a row is longer than 1 MB; this does not look like a CSV file of leads")
        }
    }

    /// Keeps the import (queued) and its job together; the job runs it.
    public func queue(_ record: LeadImportRecord) async throws {
        let job = NewJob(kind: LeadImportJob.kind, payload: try JSONValue(encoding: LeadImportJob(importId: record.publicID, organizationId: record.organizationID)),
                         maxAttempts: 3, dedupeKey: "\(LeadImportJob.kind):\(record.publicID)")
        try await work.run { stores in
            try await stores.leads.createImport(record)
            _ = try await stores.jobs.enqueue(job)
        }
    }

    public func record(publicID: String, organizationID: UUID) async throws -> LeadImportRecord? {
        try await stores.leads.leadImport(publicID: publicID, organizationID: organizationID)
    }

    /// Imports `file` for `record` (created first when it is not stored yet), from the row it
    /// had reached; returns the finished record with its report.
    public func run(_ record: LeadImportRecord, file: URL, stored: Bool) async throws -> LeadImportRecord {
        let (organizationID, userID) = (record.organizationID, record.userID)
        var record = record
        if !stored { try await stores.leads.createImport(record) }
        if record.status == .completed { return record }
        var report = record.report.decoded(as: LeadImportReport.self) ?? LeadImportReport()
        record.status = .running
        try await stores.leads.updateImport(record)

        var reader = try CSVRecordReader(url: file)
        let handle = reader
        defer { handle.close() }
        guard let header = try reader.next() else { throw DomainError.validation(field: "file", message: "the file is empty") }
        let columns = LeadColumns(header: header)
        guard columns.canMakeLeads else {
            throw DomainError.validation(field: "file", message: "the header needs an email column or a name column")
        }
        report.ignoredColumns = columns.ignored
        let preparation = RowPreparation(
            columns: columns, organizationID: organizationID, userID: userID,
            calibration: try await stores.leads.calibration(organizationID: organizationID))
        var members: [Int: Bool] = [:]

        // The next batch is read and checked while this one is written: parsing and scoring
        // run on one core while the database works on the other.
        let resumeAfter = record.processedRows
        var reading = Task { [reader] in try preparation.batch(from: reader, after: 1, resumingAfter: resumeAfter) }
        do {
            while true {
                let (batch, reader) = try await reading.value
                if batch.rows.isEmpty { break }
                if !batch.ended {
                    reading = Task { try preparation.batch(from: reader, after: batch.lastRow, resumingAfter: resumeAfter) }
                }
                // Assignees are checked once each, outside the transaction.
                for case .success(let lead) in batch.rows.map(\.lead) {
                    if let id = lead.assignedTo, members[id] == nil {
                        members[id] = try await stores.leads.isMember(userID: id, organizationID: organizationID)
                    }
                }
                (report, record) = try await write(batch, report: report, record: record, members: members, calibration: preparation.calibration)
                if batch.ended { break }
            }
        } catch {
            _ = try? await reading.value  // the read-ahead is done with the file before it is closed
            throw error
        }
        record.status = .completed
        record.completedAt = Date()
        record.report = try JSONValue(encoding: report)
        try await stores.leads.updateImport(record)
        if report.imported + report.updated > 0 { try await book.recalibrate(organizationID: organizationID) }
        // A large import changes the tables' shape; the autovacuum would notice only later.
        if report.imported >= 1_000 { try? await stores.leads.refreshStatistics() }
        return record
    }

    /// Stores one checked batch in one transaction, with the position reached, so a resumed
    /// job neither repeats nor drops a row. Rows whose e-mail is already a lead (stored, or
    /// earlier in this file) are skipped or merged into it, as the import asked.
    private func write(_ batch: PreparedRows, report before: LeadImportReport, record snapshot: LeadImportRecord,
                       members: [Int: Bool], calibration: LeadCalibration?) async throws -> (LeadImportReport, LeadImportRecord) {
        let (organizationID, update, render) = (snapshot.organizationID, snapshot.onDuplicate == "update", book.render)
        return try await work.run { stores -> (LeadImportReport, LeadImportRecord) in
            var report = before
            var record = snapshot
            let emails = batch.rows.compactMap { try? $0.lead.get().email?.lowercased() }
            var existing = try await stores.leads.leads(emails: emails, organizationID: organizationID)
            var firstRow: [String: Int] = [:]
            var created: [Lead] = []
            var pending: [String: Int] = [:]
            let announceCreated = !(try await stores.webhooks.subscribers(organizationID: organizationID, event: LeadEvents.created)).isEmpty
            let announceUpdated = !(try await stores.webhooks.subscribers(organizationID: organizationID, event: LeadEvents.updated)).isEmpty
            for (row, result) in batch.rows {
                report.totalRows += 1
                var lead: Lead
                switch result {
                case .failure(let error):
                    report.skip(row: row, reason: Self.reason(error), email: nil)
                    continue
                case .success(let valid): lead = valid
                }
                if let assignee = lead.assignedTo, members[assignee] != true {
                    report.skip(row: row, reason: Self.reason(.validation(field: "assigned_to", message: "user \(assignee) is not in your organization")), email: nil)
                    continue
                }
                let key = lead.email?.lowercased()
                if let key, var current = existing[key] {
                    let origin = firstRow[key].map { " (row \($0) of this file)" } ?? ""
                    guard update else {
                        report.skip(row: row, reason: "duplicate email: \(lead.email ?? "") is already lead \(current.publicID)\(origin)", email: lead.email)
                        continue
                    }
                    current = Self.merge(lead, into: current)
                    if let index = pending[key] {
                        // Created by an earlier row of this batch and not stored yet: changed in hand.
                        current.score = LeadScoring.card(for: current, activities: [], calibration: calibration)
                        created[index] = current
                        existing[key] = current
                        report.updated += 1
                        continue
                    }
                    let rescored = try await LeadBook.rescore(current, reason: "imported", in: stores)
                    try await stores.leads.updateLead(rescored.lead)
                    existing[key] = rescored.lead
                    report.updated += 1
                    if announceUpdated {
                        try await LeadEvents.queue(LeadEvents.updated, data: .object(["lead": render(rescored.lead)]),
                                                   organizationID: organizationID, occurrence: "\(record.publicID):\(row)", in: stores)
                    }
                    continue
                }
                created.append(lead)
                if let key {
                    pending[key] = created.count - 1
                    existing[key] = lead
                    firstRow[key] = row
                }
                report.imported += 1
                if announceCreated {
                    lead = created[created.count - 1]
                    try await LeadEvents.queue(LeadEvents.created, data: .object(["lead": render(lead)]),
                                               organizationID: organizationID, occurrence: "\(lead.id)", in: stores)
                }
            }
            // New leads go in together: a few statements for the batch instead of several a lead.
            // (A row updating one of them changed it in hand above.)
            try await stores.leads.createLeads(created, reason: "imported")
            var factors: [LeadFactorKey: Int] = [:]
            for lead in created {
                factors.merge(LeadFactorKey.changes(from: nil, to: lead.score), uniquingKeysWith: +)
            }
            if !factors.isEmpty { try await stores.leads.adjustFactors(organizationID: organizationID, by: factors) }
            record.processedRows = batch.lastRow
            record.report = try JSONValue(encoding: report)
            try await stores.leads.updateImport(record)
            return (report, record)
        }
    }

    /// Marks an import failed with a reason (the job gave up, or the file could not be read).
    public func fail(_ record: LeadImportRecord, reason: String) async throws {
        var record = record
        var report = record.report.decoded(as: LeadImportReport.self) ?? LeadImportReport()
        report.skipped.append(.init(row: max(1, record.processedRows), reason: "import stopped: \(reason)", email: nil))
        record.report = try JSONValue(encoding: report)
        record.status = .failed
        record.completedAt = Date()
        try await stores.leads.updateImport(record)
    }

    static func reason(_ error: DomainError) -> String {
        switch error {
        case .validation(let field, let message): "\(field): \(message)"
        case .conflict(let message): message
        default: "\(error)"
        }
    }

    /// A row's values over an existing lead: what the row gives replaces, what it leaves empty stays.
    static func merge(_ row: Lead, into lead: Lead) -> Lead {
        var lead = lead
        if !row.firstName.isEmpty { lead.firstName = row.firstName }
        if !row.lastName.isEmpty { lead.lastName = row.lastName }
        lead.phone = row.phone ?? lead.phone
        lead.company = row.company ?? lead.company
        lead.title = row.title ?? lead.title
        lead.industry = row.industry ?? lead.industry
        lead.source = row.source ?? lead.source
        lead.notes = row.notes ?? lead.notes
        lead.companySize = row.companySize ?? lead.companySize
        lead.dealValue = row.dealValue ?? lead.dealValue
        lead.assignedTo = row.assignedTo ?? lead.assignedTo
        if row.status != .new { lead.status = row.status }
        if row.doNotCall { lead.doNotCall = true }
        lead.updatedAt = Date()
        return lead
    }
}

extension LeadImportReport {
    mutating func skip(row: Int, reason: String, email: String?) {
        guard skipped.count < LeadImports.maxListedSkips else { return }
        skipped.append(Skipped(row: row, reason: reason, email: email))
    }

    /// Rows skipped, including any beyond the listed ones.
    public var skippedCount: Int { totalRows - imported - updated }
}

/// Rows read from an import file and checked, each valid one a scored lead, with the row number
/// reached and whether the file ended.
struct PreparedRows: Sendable {
    var rows: [(row: Int, lead: Result<Lead, DomainError>)] = []
    var lastRow: Int
    var ended = false
}

/// Turns an import file's records into scored leads or the reason each cannot be one; needs no
/// database, so it runs beside the writes.
struct RowPreparation: Sendable {
    let columns: LeadColumns
    let organizationID: UUID
    let userID: Int
    let calibration: LeadCalibration?

    /// The next `LeadImports.batchSize` rows after row `row` (rows up to `resumingAfter` were
    /// imported before a restart and are passed over), with the reader to go on from.
    func batch(from reader: CSVRecordReader, after row: Int, resumingAfter processed: Int) throws -> (PreparedRows, CSVRecordReader) {
        var reader = reader
        var batch = PreparedRows(lastRow: row)
        while batch.rows.count < LeadImports.batchSize {
            guard let fields = try reader.next() else {
                batch.ended = true
                break
            }
            batch.lastRow += 1
            if batch.lastRow <= processed { continue }
            batch.rows.append((batch.lastRow, lead(fields)))
        }
        return (batch, reader)
    }

    func lead(_ fields: [String]) -> Result<Lead, DomainError> {
        do {
            let draft = try columns.draft(fields)
            var lead = try LeadRules.cleaned(Lead(
                organizationID: organizationID, createdBy: userID, assignedTo: draft.assignedTo, firstName: draft.firstName,
                lastName: draft.lastName, email: draft.email, phone: draft.phone, company: draft.company, title: draft.title,
                industry: draft.industry, source: draft.source, notes: draft.notes, companySize: draft.companySize,
                status: draft.status, dealValue: draft.dealValue, doNotCall: draft.doNotCall))
            lead.score = LeadScoring.card(for: lead, activities: [], calibration: calibration)
            return .success(lead)
        } catch let error as DomainError {
            return .failure(error)
        } catch {
            return .failure(.validation(field: "row", message: "could not be read"))
        }
    }
}
