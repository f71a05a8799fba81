import Foundation
import ParleyTestSupport
import Testing
import Vapor

/// CSV import and export: a round trip between organizations, a large import run as a job
/// whose report names exactly the bad rows, and refused files.
@Suite("Leads & Voice Calls: import and export")
struct LeadTransferTests {
    static func multipart(_ file: Data, name: String = "leads.csv", type: String = "text/csv", fields: [String: String] = [:]) -> (Data, String) {
        let boundary = "parley-\(UUID().uuidString)"
        var body = Data()
        for (key, value) in fields {
            body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(key)\"\r\n\r\n\(value)\r\n".utf8))
        }
        body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(name)\"\r\nContent-Type: \(type)\r\n\r\n".utf8))
        body.append(file)
        body.append(Data("\r\n--\(boundary)--\r\n".utf8))
        return (body, "multipart/form-data; boundary=\(boundary)")
    }

    static func upload(_ server: TestServer, _ file: Data, token: String, query: String = "", type: String = "text/csv",
                       fields: [String: String] = [:]) async throws -> TestResponse {
        let (body, contentType) = multipart(file, type: type, fields: fields)
        return try await server.request(.POST, "/api/v1/leads/import\(query)", body: body, token: token, headers: [("Content-Type", contentType)])
    }

    /// Waits for a queued import to settle and returns its report.
    static func settled(_ server: TestServer, _ answer: TestResponse, token: String) async throws -> [String: Any] {
        guard answer.status == 202 else { return answer.json }
        let id = try #require(answer.json["import_id"] as? String)
        let deadline = ContinuousClock.now + .seconds(240)
        while ContinuousClock.now < deadline {
            let status = try await server.request(.GET, "/api/v1/leads/imports/\(id)", token: token)
            if ["completed", "failed"].contains(status.json["status"] as? String ?? "") { return status.json }
            // Well inside the document's 100 requests a minute.
            try await Task.sleep(for: .seconds(1))
        }
        Issue.record("the import did not finish")
        return [:]
    }

    static let compared = ["first_name", "last_name", "email", "phone", "company", "title", "industry", "source", "status", "notes",
                           "company_size", "deal_value", "do_not_call"]

    static func exportJSON(_ server: TestServer, token: String) async throws -> [[String: String]] {
        let export = try await server.request(.GET, "/api/v1/leads/export?format=json", token: token)
        let leads = export.json["leads"] as? [[String: Any]] ?? []
        return leads.map { lead in
            Dictionary(uniqueKeysWithValues: compared.map { ($0, lead[$0].map { "\($0)" } ?? "nil") })
        }.sorted { ($0["email"] ?? "") < ($1["email"] ?? "") }
    }

    @Test func csvRoundTripGivesIdenticalLeadsInAFreshOrganization() async throws {
        try await TestServer.with { server in
            let rep = try await server.register()
            let leads: [[String: Any]] = [
                ["first_name": "John", "last_name": "Doe", "email": "john.doe@company.com", "phone": "+1-555-123-4567", "company": "Acme, Inc.",
                 "title": "VP of Sales", "industry": "technology", "source": "website", "notes": "Said \"call me\"\nafter lunch", "deal_value": 12500.5],
                ["first_name": "=HYPERLINK(\"http://x\")", "last_name": "Ünïcødé 李", "email": "formula@evil.example", "company": "+cmd|' /C calc'!A0",
                 "title": "-2+3", "status": "qualified", "company_size": 250, "do_not_call": true],
                ["first_name": "Mary", "email": "mary@globex.io", "company": "@Globex", "status": "closed_won", "deal_value": 900],
                ["last_name": "Nameless", "email": "nameless@example.org", "notes": "plain"],
            ]
            for lead in leads {
                let created = try await server.request(.POST, "/api/v1/leads", json: lead, token: rep.accessToken)
                #expect(created.status == 201, "\(created.text)")
            }
            let csv = try await server.request(.GET, "/api/v1/leads/export?format=csv", token: rep.accessToken)
            #expect(csv.status == 200 && csv.header("Content-Type")?.hasPrefix("text/csv") == true)
            #expect(csv.text.hasPrefix("id,first_name,last_name,email"))
            // Cells a spreadsheet would run are neutralised.
            #expect(csv.text.contains("\"'=HYPERLINK(\"\"http://x\"\")\"") && csv.text.contains("'+cmd|") && csv.text.contains("'@Globex"))
            #expect(!csv.text.contains(",=HYPERLINK") && !csv.text.contains(",+cmd"))
            let filtered = try await server.request(.GET, "/api/v1/leads/export?format=csv&status=qualified", token: rep.accessToken)
            #expect(filtered.text.split(separator: "\r\n").count == 2)

            let (_, fresh) = try await server.adminOfNewOrganization(name: "Round Trip")
            let imported = try await Self.upload(server, csv.body, token: fresh.accessToken)
            let report = try await Self.settled(server, imported, token: fresh.accessToken)
            #expect(report["imported"] as? Int == leads.count, "\(report)")
            #expect((report["skipped"] as? [Any])?.isEmpty == true)
            let original = try await Self.exportJSON(server, token: rep.accessToken)
            let copy = try await Self.exportJSON(server, token: fresh.accessToken)
            #expect(original.count == leads.count)
            #expect(original == copy)

            // Importing the same file again: every row is a duplicate, skipped or (on request) updated.
            let again = try await Self.settled(server, try await Self.upload(server, csv.body, token: fresh.accessToken), token: fresh.accessToken)
            #expect(again["imported"] as? Int == 0 && (again["skipped"] as? [[String: Any]])?.count == leads.count)
            let updating = try await Self.settled(server, try await Self.upload(server, csv.body, token: fresh.accessToken, fields: ["on_duplicate": "update"]),
                                                  token: fresh.accessToken)
            #expect(updating["updated"] as? Int == leads.count)
            #expect(try await Self.exportJSON(server, token: fresh.accessToken) == original)
        }
    }

    @Test func aLargeImportRunsAsAJobAndReportsExactlyTheBadRows() async throws {
        try await TestServer.with { server in
            let rep = try await server.register()
            var generator = SystemRandomNumberGenerator()
            let bad = Set((0..<10_000).shuffled(using: &generator).prefix(50))
            var expected: [Int: String] = [:]
            // Header variants, a BOM and spreadsheet quoting.
            var text = "\u{FEFF}First Name,Last Name,Email Address,Company Name,Job Title,Lead Source,Notes\r\n"
            for index in 0..<10_000 {
                let row = index + 2
                var email = "person\(index)@company\(index % 97).com"
                var first = "Person\(index)"
                if bad.contains(index) {
                    // An earlier good row's e-mail makes a duplicate; without one, a broken address.
                    let earlier = stride(from: index - 1, through: 0, by: -1).first { !bad.contains($0) }
                    switch (index % 3, earlier) {
                    case (1, _): email = "person\(index) at company dot com"; first = ""; expected[row] = "email"
                    case (2, let earlier?): email = "person\(earlier)@company\(earlier % 97).com"; expected[row] = "duplicate"
                    default: email = "broken-address-\(index)"; expected[row] = "email"
                    }
                }
                text += "\(first),\"Last, \(index)\",\(email),\"Company \"\"\(index % 50)\"\"\",Manager,website,\"line one\nline two\"\r\n"
            }
            let answer = try await Self.upload(server, Data(text.utf8), token: rep.accessToken)
            #expect(answer.status == 202, "\(answer.text.prefix(300))")
            let report = try await Self.settled(server, answer, token: rep.accessToken)
            #expect(report["status"] as? String == "completed")
            let skipped = report["skipped"] as? [[String: Any]] ?? []
            #expect(expected.count == 50)
            #expect(Set(skipped.compactMap { $0["row"] as? Int }) == Set(expected.keys))
            #expect(skipped.count == expected.count && report["skipped_count"] as? Int == expected.count)
            #expect(report["imported"] as? Int == 10_000 - expected.count)
            for item in skipped {
                let reason = item["reason"] as? String ?? ""
                let kind = expected[item["row"] as? Int ?? 0]
                #expect(kind == "duplicate" ? reason.hasPrefix("duplicate email") : reason.hasPrefix("email:"), "\(item)")
            }
            let listed = try await server.request(.GET, "/api/v1/leads?per_page=1&search=Person42", token: rep.accessToken)
            #expect(listed.status == 200)
            let count = try await server.request(.GET, "/api/v1/leads?per_page=1", token: rep.accessToken)
            #expect(count.json["total"] as? Int == 10_000 - expected.count)
        }
    }

    @Test func filesThatAreNotLeadCSVAreRefusedNamingTheReason() async throws {
        try await TestServer.with { server in
            let rep = try await server.register()
            let token = rep.accessToken
            let noColumns = try await Self.upload(server, Data("Company,City\r\nAcme,Paris\r\n".utf8), token: token)
            #expect(noColumns.status == 422 && (noColumns.json["details"] as? [String: Any])?["field"] as? String == "file")
            let binary = try await Self.upload(server, Data([0x50, 0x4B, 0x03, 0x04, 0x00, 0x00, 0x01]), token: token, type: "application/octet-stream")
            #expect(binary.status == 415)
            let image = try await Self.upload(server, Data("email\r\na@b.co\r\n".utf8), token: token, type: "image/png")
            #expect(image.status == 415)
            let notMultipart = try await server.request(.POST, "/api/v1/leads/import", body: Data("email\na@b.co\n".utf8), token: token,
                                                        headers: [("Content-Type", "text/csv")])
            #expect(notMultipart.status == 415)
            let badOption = try await Self.upload(server, Data("email\r\na@b.co\r\n".utf8), token: token, query: "?on_duplicate=merge")
            #expect(badOption.status == 422)
            let (body, type) = Self.multipart(Data("email\r\na@b.co\r\n".utf8))
            let cut = try await server.request(.POST, "/api/v1/leads/import", body: body.prefix(body.count - 10), token: token, headers: [("Content-Type", type)])
            #expect(cut.status == 422)
            // Nothing was imported by any of them.
            let listed = try await server.request(.GET, "/api/v1/leads", token: token)
            #expect(listed.json["total"] as? Int == 0)
            let small = try await Self.upload(server, Data("Email,Name\r\na@b.co,Ann Lee\r\nnot-an-email,Bob\r\n".utf8), token: token)
            #expect(small.status == 200 && small.json["imported"] as? Int == 1)
            #expect((small.json["skipped"] as? [[String: Any]])?.first?["row"] as? Int == 3)
            let lead = try await server.request(.GET, "/api/v1/leads?search=ann", token: token)
            #expect(((lead.json["leads"] as? [[String: Any]])?.first?["last_name"] as? String) == "Lee")
            #expect(try await server.request(.GET, "/api/v1/leads/export?format=xml", token: token).status == 422)
        }
    }
}
