import Fluent
import Foundation
import ParleyDomain
import SQLKit

/// Clips, reports and drill sessions in SQL. Each table keeps its own columns (clips: the
/// conversation; reports: user and format; drill sessions: user and drill); details are JSON.
public struct SQLCoachingRecordStore: CoachingRecordStore, SQLStore {
    let database: any Database

    public init(database: any Database) {
        self.database = database
    }

    public func create(_ record: CoachingRecord, kind: CoachingRecord.Kind) async throws {
        let sql = try self.sql
        let common: (id: UUID, publicID: String, org: UUID, created: Double) = (record.id, record.publicID, record.organizationID, record.createdAt.timeIntervalSince1970)
        switch kind {
        case .clip:
            try await sql.raw("""
                INSERT INTO clips (id, public_id, conversation_id, organization_id, details, status, created_at)
                VALUES (\(bind: common.id), \(bind: common.publicID), \(bind: record.conversationID), \(bind: common.org),
                        \(bind: try JSONColumn.encode(record.details)), \(bind: record.status), \(bind: common.created))
                """).run()
        case .report:
            try await sql.raw("""
                INSERT INTO reports (id, public_id, organization_id, user_id, format, path, created_at)
                VALUES (\(bind: common.id), \(bind: common.publicID), \(bind: common.org), \(bind: record.userID),
                        \(bind: record.reference ?? "json"), \(bind: record.details["path"]?.stringValue ?? ""), \(bind: common.created))
                """).run()
        case .drillSession:
            try await sql.raw("""
                INSERT INTO drill_sessions (id, public_id, organization_id, user_id, drill_id, details, status, created_at)
                VALUES (\(bind: common.id), \(bind: common.publicID), \(bind: common.org), \(bind: record.userID),
                        \(bind: record.reference ?? ""), \(bind: try JSONColumn.encode(record.details)), \(bind: record.status), \(bind: common.created))
                """).run()
        }
    }

    public func update(_ record: CoachingRecord, kind: CoachingRecord.Kind) async throws {
        let sql = try self.sql
        switch kind {
        case .clip, .drillSession:
            try await sql.raw("""
                UPDATE \(unsafeRaw: kind.rawValue) SET details = \(bind: try JSONColumn.encode(record.details)), status = \(bind: record.status)
                WHERE id = \(bind: record.id)
                """).run()
        case .report:
            break  // reports are written once
        }
    }

    public func record(_ kind: CoachingRecord.Kind, publicID: String, organizationID: UUID) async throws -> CoachingRecord? {
        try await sql.raw("""
            SELECT * FROM \(unsafeRaw: kind.rawValue) WHERE public_id = \(bind: publicID) AND organization_id = \(bind: organizationID)
            """).first().map { try Self.record(from: $0, kind: kind) }
    }

    public func clips(conversationID: UUID) async throws -> [CoachingRecord] {
        try await sql.raw("SELECT * FROM clips WHERE conversation_id = \(bind: conversationID) ORDER BY created_at DESC")
            .all().map { try Self.record(from: $0, kind: .clip) }
    }

    public func records(_ kind: CoachingRecord.Kind, userID: Int, limit: Int) async throws -> [CoachingRecord] {
        guard kind != .clip else { return [] }
        return try await sql.raw("""
            SELECT * FROM \(unsafeRaw: kind.rawValue) WHERE user_id = \(bind: userID) ORDER BY created_at DESC LIMIT \(bind: limit)
            """).all().map { try Self.record(from: $0, kind: kind) }
    }

    static func record(from row: any SQLRow, kind: CoachingRecord.Kind) throws -> CoachingRecord {
        var details: JSONValue = .null
        var reference: String?
        var status = "completed"
        switch kind {
        case .clip, .drillSession:
            details = try JSONColumn.decode(JSONValue.self, try row.decode(column: "details", as: String.self)) ?? .null
            status = try row.decode(column: "status", as: String.self)
            if kind == .drillSession { reference = try row.decode(column: "drill_id", as: String.self) }
        case .report:
            reference = try row.decode(column: "format", as: String.self)
            details = .object(["path": .string(try row.decode(column: "path", as: String.self))])
        }
        return CoachingRecord(
            id: try row.decode(column: "id", as: UUID.self), publicID: try row.decode(column: "public_id", as: String.self),
            organizationID: try row.decode(column: "organization_id", as: UUID.self),
            conversationID: kind == .clip ? try row.decode(column: "conversation_id", as: UUID.self) : nil,
            userID: kind == .clip ? nil : try row.decode(column: "user_id", as: Int.self),
            reference: reference, status: status, details: details,
            createdAt: Date(timeIntervalSince1970: try row.decode(column: "created_at", as: Double.self)))
    }
}
