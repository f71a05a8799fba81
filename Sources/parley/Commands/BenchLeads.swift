#if canImport(ParleyServer)
import ArgumentParser
import Foundation
import NIOConcurrencyHelpers
import ParleyDomain
import ParleyServer
import Vapor

/// `parley bench leads`: one organization with many leads (100,000 by default) in a real
/// in-process server: the CSV import's rows per second and memory, the list's latency with
/// search, filters and paging (p50/p95), and the export rate. SQLite by default; PostgreSQL
/// when DATABASE_URL names one (each run works in an organization of its own there).
struct BenchLeads: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "leads",
        abstract: "Leads: import rows/s and memory, list p50/p95 with search+filters+paging, export rate."
    )

    @ArgumentParser.Option(help: "Leads to import into the one organization.")
    var leads = 100_000

    @ArgumentParser.Option(help: "Requests per list query shape.")
    var requests = 200

    func run() async throws {
        let postgres = ProcessInfo.processInfo.environment["DATABASE_URL"].flatMap { $0.hasPrefix("postgres") ? $0 : nil }
        try await InProcessServer.run(workers: 2, postgres: postgres) { app in try await measure(app, database: postgres == nil ? "SQLite" : "PostgreSQL") }
    }

    func measure(_ app: Application, database: String) async throws {
        let base = app.parley.publicURL + "/api/v1"
        let (_, _, token) = try await InProcessServer.account(app, bench: "Leads", role: .admin)
        let headers: HTTPHeaders = ["Authorization": "Bearer \(token)"]
        print("Leads on \(database), one organization, \(leads) leads (\(ProcessInfo.processInfo.activeProcessorCount) cores)")

        // 1. Import: a generated file with the header variants a spreadsheet exports.
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("bench-leads-\(UUID().uuidString.prefix(6)).csv")
        defer { try? FileManager.default.removeItem(at: file) }
        try Self.writeCSV(rows: leads, to: file)
        let size = (try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int) ?? 0
        let boundary = "bench-\(UUID().uuidString)"
        var body = ByteBuffer()
        body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"leads.csv\"\r\nContent-Type: text/csv\r\n\r\n")
        body.writeBytes(try Data(contentsOf: file))
        body.writeString("\r\n--\(boundary)--\r\n")
        let before = Memory.resident()
        let peak = NIOLockedValueBox(before)
        let sampler = Task {
            while !Task.isCancelled {
                let now = Memory.resident()
                peak.withLockedValue { $0 = max($0, now) }
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
        let started = ContinuousClock.now
        let queued = try await app.client.post(URI(string: "\(base)/leads/import"), headers: [
            "Authorization": "Bearer \(token)", "Content-Type": "multipart/form-data; boundary=\(boundary)",
        ]) { $0.body = body }
        body = ByteBuffer()
        guard queued.status == .accepted || queued.status == .ok, let id = try? queued.content.get(String.self, at: "import_id") else {
            sampler.cancel()
            throw ValidationError("import failed: \(queued.status) \(queued.body.map { String(buffer: $0) } ?? "")")
        }
        var imported = 0
        while true {
            let status = try await app.client.get(URI(string: "\(base)/leads/imports/\(id)"), headers: headers)
            let state = (try? status.content.get(String.self, at: "status")) ?? ""
            if state == "completed" || state == "failed" {
                imported = (try? status.content.get(Int.self, at: "imported")) ?? 0
                break
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        let importSeconds = InProcessServer.seconds(since: started)
        sampler.cancel()
        let after = Memory.resident()
        print(String(format: "\n1. import of %.1f MiB CSV: %d rows in %.1f s = %.0f rows/s", Double(size) / 1_048_576, imported, importSeconds, Double(imported) / importSeconds))
        print(String(format: "   resident memory: %.0f MiB before, %.0f MiB peak, %.0f MiB after (the file is streamed to disk and read in 256 KiB chunks)",
                     before, peak.withLockedValue { $0 }, after))

        // 2. The list: search, filters and paging, one request at a time.
        let shapes = [
            "page=1&per_page=50",
            "search=person12&per_page=20",
            "search=northwind&status=new&min_score=0.3&page=3&per_page=20",
            "source=referral&status=new&page=40&per_page=50",
            "search=ann%20lee&source=website&per_page=100",
        ]
        print("\n2. GET /leads, \(requests) requests per shape (ms)")
        var all: [Double] = []
        for shape in shapes {
            var times: [Double] = []
            var total = 0
            for _ in 0..<requests {
                let start = ContinuousClock.now
                let response = try await app.client.get(URI(string: "\(base)/leads?\(shape)"), headers: headers)
                times.append(InProcessServer.seconds(since: start) * 1000)
                guard response.status == .ok else { throw ValidationError("list failed: \(response.status)") }
                total = (try? response.content.get(Int.self, at: "total")) ?? 0
            }
            all += times
            print(String(format: "   %-62@ p50 %6.2f  p95 %6.2f  (%d matches)", shape as NSString, Self.percentile(times, 0.5), Self.percentile(times, 0.95), total))
        }
        print(String(format: "   all shapes: p50 %.2f ms, p95 %.2f ms", Self.percentile(all, 0.5), Self.percentile(all, 0.95)))

        // 3. Export: every lead, streamed.
        print("\n3. GET /leads/export")
        for format in ["csv", "json"] {
            let start = ContinuousClock.now
            let response = try await app.client.get(URI(string: "\(base)/leads/export?format=\(format)"), headers: headers)
            let seconds = InProcessServer.seconds(since: start)
            let bytes = response.body?.readableBytes ?? 0
            print(String(format: "   %@: %d leads, %.1f MiB in %.2f s = %.0f leads/s", format as NSString, imported, Double(bytes) / 1_048_576, seconds, Double(imported) / seconds))
        }
    }

    static func percentile(_ values: [Double], _ fraction: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * fraction).rounded()))]
    }

    static let firstNames = ["Ann", "Bob", "Carla", "Dev", "Emma", "Farid", "Grace", "Hiro", "Ines", "Jon", "Kemi", "Luis"]
    static let lastNames = ["Lee", "Smith", "Okafor", "Garcia", "Nguyen", "Patel", "Rossi", "Kim", "Müller", "Dubois"]
    static let companies = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Northwind", "Contoso", "Soylent", "Stark", "Wayne"]
    static let titles = ["VP of Sales", "Sales Manager", "CEO", "Engineer", "Director of Operations", "Analyst", ""]
    static let sources = ["website", "referral", "social_media", "event", "cold_outreach"]
    static let statuses = ["new", "new", "new", "contacted", "qualified", "proposal", "closed_won", "closed_lost"]

    /// A CSV of `rows` leads with a spreadsheet's header spellings, written a chunk at a time.
    static func writeCSV(rows: Int, to url: URL) throws {
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else { throw ValidationError("cannot write \(url.path)") }
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        var text = "\u{FEFF}First Name,Last Name,Email Address,Company Name,Job Title,Industry,Lead Source,Status,Deal Value\r\n"
        for index in 0..<rows {
            let company = companies[index % companies.count]
            text += "\(firstNames[index % firstNames.count]),\(lastNames[(index / 7) % lastNames.count]),"
                + "person\(index)@\(company.lowercased())\(index % 500).com,\"\(company) \(index % 500), Inc.\","
                + "\(titles[index % titles.count]),technology,\(sources[index % sources.count]),\(statuses[index % statuses.count]),"
                + "\(index % 13 == 0 ? String(index % 90_000) : "")\r\n"
            if text.utf8.count > 1 << 20 {
                try handle.write(contentsOf: Data(text.utf8))
                text = ""
            }
        }
        try handle.write(contentsOf: Data(text.utf8))
    }
}

/// The process's resident memory, from /proc (Linux).
enum Memory {
    /// MiB resident now (VmRSS), or 0 where /proc is missing.
    static func resident() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "")
        else { return 0 }
        return kilobytes / 1024
    }
}
#endif
