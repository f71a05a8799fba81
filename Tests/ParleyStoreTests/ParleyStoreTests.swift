import Testing
@testable import ParleyStore

@Suite("Database location")
struct DatabaseLocationTests {
    @Test func defaultsToSQLiteInTheDataDirectory() throws {
        #expect(try DatabaseLocation.parse(nil, dataDirectory: "/srv/parley") == .sqlite(path: "/srv/parley/parley.sqlite"))
        #expect(try DatabaseLocation.parse("  ", dataDirectory: "data") == .sqlite(path: "data/parley.sqlite"))
    }

    @Test func readsURLs() throws {
        #expect(try DatabaseLocation.parse("sqlite:///tmp/x.db", dataDirectory: "d") == .sqlite(path: "/tmp/x.db"))
        #expect(try DatabaseLocation.parse("sqlite:rel.db", dataDirectory: "d") == .sqlite(path: "rel.db"))
        #expect(try DatabaseLocation.parse("postgres://u:p@h:5432/db", dataDirectory: "d") == .postgres(url: "postgres://u:p@h:5432/db"))
        #expect(throws: (any Error).self) { try DatabaseLocation.parse("mysql://x", dataDirectory: "d") }
    }

    @Test func redactsPasswords() {
        #expect(!DatabaseLocation.postgres(url: "postgres://u:secret@h/db").redacted.contains("secret"))
    }
}
