import Foundation
import ParleyDomain
import ParleyServer
import ParleyTestSupport
import Testing

/// A database written by code from before typed analysis (`Fixtures/LegacyDatabase`) is opened
/// by today's code: the migrations upgrade it, and every answer about its sessions is what the
/// older code gave.
@Suite("A database made by older code")
struct LegacyDatabaseTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/LegacyDatabase")

    /// Builds the SQLite file from the dump with Python's sqlite3 (an independent writer).
    static func restore(into path: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.executescript(open(sys.argv[2]).read()); c.close()",
                             path, fixtures.appendingPathComponent("database.sql").path]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    /// JSON as a canonical value: the server's address replaced, each answer's own `meta`
    /// (request id, time of answer) left out, numbers compared as numbers.
    static func canonical(_ value: Any, base: String) -> Any {
        switch value {
        case let object as [String: Any]: return object.filter { $0.key != "meta" }.mapValues { canonical($0, base: base) }
        case let array as [Any]: return array.map { canonical($0, base: base) }
        case let text as String: return text.replacingOccurrences(of: base, with: "BASE")
        default: return value
        }
    }

    @Test func itIsMigratedAndAnswersAsBefore() async throws {
        // SQLite only: the fixture is a SQLite file, as a single-machine deployment keeps it.
        guard ProcessInfo.processInfo.environment["DATABASE_URL"]?.hasPrefix("postgres") != true else { return }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("parley-legacy-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("legacy.sqlite").path
        try Self.restore(into: file)

        let expected = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: Self.fixtures.appendingPathComponent("responses.json"))) as? [String: Any])
        try await TestServer.with({ $0.database = .sqlite(path: file); $0.rateLimits.enabled = false }) { server in
            var conversations: [Conversation] = []
            for row in try Self.query(file, "select public_id || ' ' || organization_id from conversations") {
                let parts = row.split(separator: " ").map(String.init)
                guard parts.count == 2, let organization = UUID(uuidString: parts[1]) else { continue }
                if let found = try await server.app.parley.core.conversations.conversation(publicID: parts[0], organizationID: organization) {
                    conversations.append(found)
                }
            }
            #expect(conversations.count == 2)
            // The rows themselves were rewritten by the migration, not only read leniently.
            let versions = try Self.query(file, "select json_extract(analysis, '$.version') from conversations")
            #expect(versions == ["\(ConversationAnalysis.currentVersion)", "\(ConversationAnalysis.currentVersion)"])
            // Settings and details were rewritten in their typed form too (no surface's keys left).
            let legacyKeys = try Self.query(file, """
                select count(*) from conversations where json_extract(configuration, '$.coaching_enabled') is not null
                or json_extract(details, '$.user_feedback') is not null or json_extract(details, '$.engine') is not null
                """)
            #expect(legacyKeys == ["0"])
            let practiceRow = try #require(conversations.first { $0.kind == .practice })
            #expect(practiceRow.details.feedback?.rating == 4 && practiceRow.details.liveState["engine"] != nil)
            #expect(practiceRow.configuration.coachingEnabled == true)
            for conversation in conversations {
                let analysis = try #require(conversation.analysis, "\(conversation.publicID) has its analysis")
                #expect(analysis.version == ConversationAnalysis.currentVersion)
                #expect(analysis.profile == conversation.kind.analysisProfile)
                #expect(analysis.scores?.overall != nil)
            }
            let practice = try #require(conversations.first { $0.kind == .practice }?.analysis)
            #expect(practice.outcome != nil && !practice.coaching.isEmpty && practice.speakers.count == 2)
            let recording = try #require(conversations.first { $0.kind == .coaching }?.analysis)
            #expect(recording.delivery != nil && recording.transcript != nil && recording.metrics.wordsPerMinute != nil)

            let rep = try await server.login(email: try #require(Self.query(file, "select email from users where email like 'rep-%'").first), password: "practice123")
            let speaker = try await server.login(email: try #require(Self.query(file, "select email from users where email like 'speaker-%'").first), password: "speaking123")
            for (path, body) in expected {
                let token = path.hasPrefix("/coaching") ? speaker.accessToken : rep.accessToken
                let response = try await server.request(.GET, path, token: token)
                #expect(response.status == 200, "\(path): \(response.text)")
                let actual = Self.canonical(try JSONSerialization.jsonObject(with: Data(response.text.utf8)), base: server.baseURL.replacingOccurrences(of: "http://", with: ""))
                #expect(NSDictionary(dictionary: ["body": actual]).isEqual(to: ["body": Self.canonical(body, base: "BASE")]),
                        "\(path) answers as before:\n\(response.text)")
            }
        }
    }

    /// Rows of a query on the fixture file, one string each (read with Python's sqlite3).
    static func query(_ file: String, _ sql: String) throws -> [String] {
        let process = Process()
        let pipe = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import sqlite3,sys\nfor row in sqlite3.connect(sys.argv[1]).execute(sys.argv[2]): print(row[0])", file, sql]
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: output, as: UTF8.self).split(separator: "\n").map(String.init)
    }
}
