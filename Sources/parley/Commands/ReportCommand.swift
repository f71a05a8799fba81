import ArgumentParser
import Foundation
import ParleyDomain
import ParleyReports

/// `parley report --demo out.pdf`: render a session report (PDF, CSV or JSON by extension).
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Render a session report as PDF, CSV or JSON (chosen by the output's extension).",
        discussion: """
            --demo makes up a deterministic month of sessions; --input reads a SessionReport as JSON \
            (the /reports/sessions shape, dates as ISO 8601) instead.
            """
    )

    @Argument(help: "The file to write: .pdf, .csv or .json.")
    var output: String

    @Flag(help: "Use a made-up month of sessions.")
    var demo = false

    @Option(help: "Number of sessions in the demo report.")
    var rows = 60

    @Option(help: "A SessionReport as JSON to render.")
    var input: String?

    func run() throws {
        let report: SessionReport
        if let input {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            do {
                report = try decoder.decode(SessionReport.self, from: Data(contentsOf: URL(fileURLWithPath: input)))
            } catch {
                throw ValidationError("cannot read a report from \(input): \(error.localizedDescription)")
            }
        } else if demo {
            report = SessionReport.sample(rowCount: max(0, rows))
        } else {
            throw ValidationError("give --demo or --input FILE")
        }
        let url = URL(fileURLWithPath: output)
        let data: Data
        switch url.pathExtension.lowercased() {
        case "pdf": data = try SessionReportPDF.render(report)
        case "csv": data = SessionReportCSV.data(report)
        case "json":
            let encoder = JSONEncoder()
            encoder.dateEncodingStrategy = .iso8601
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            data = try encoder.encode(report)
        default: throw ValidationError("the output must end in .pdf, .csv or .json")
        }
        do {
            try data.write(to: url, options: .atomic)
        } catch {
            throw ValidationError("cannot write \(output): \(error.localizedDescription)")
        }
        print("\(output): \(report.rows.count) sessions, \(data.count) bytes")
    }
}
