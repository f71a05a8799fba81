import Foundation
import ParleyDomain
import Testing
@testable import ParleyReports

@Suite("Session reports")
struct SessionReportTests {
    static let start = Date(timeIntervalSince1970: 1_698_796_800)  // 2023-11-01T00:00:00Z

    static func row(day: Int, title: String, duration: Double, score: Double?) -> SessionReport.Row {
        SessionReport.Row(date: start.addingTimeInterval(Double(day) * 86_400 + 36_000), title: title,
                          type: "presentation", status: score == nil ? "failed" : "completed",
                          duration: duration, score: score)
    }

    static func report(_ rows: [SessionReport.Row], title: String = "November coaching report") -> SessionReport {
        SessionReport(title: title, ownerName: "Dana Smith",
                      period: .init(start: start, end: start.addingTimeInterval(30 * 86_400 - 1)), rows: rows)
    }

    @Test("summary and trends are computed from the rows")
    func summary() {
        let report = Self.report([
            Self.row(day: 0, title: "a", duration: 300, score: 70),
            Self.row(day: 0, title: "b", duration: 100, score: 80),
            Self.row(day: 2, title: "c", duration: 200, score: nil),
            Self.row(day: 5, title: "d", duration: 400, score: 90),
            Self.row(day: 6, title: "e", duration: 200, score: 84),
        ])
        #expect(report.summary.totalSessions == 5)
        #expect(report.summary.totalDuration == 1_200)
        #expect(report.summary.averageScore == 81)
        // Scored sessions in order: 70, 80, 90, 84 → (90 + 84) / 2 − (70 + 80) / 2.
        #expect(report.summary.improvement == 12)
        #expect(report.trends.scores.map(\.date) == ["2023-11-01", "2023-11-06", "2023-11-07"])
        #expect(report.trends.scores.first?.averageScore == 75)
        #expect(report.trends.duration.map(\.date) == ["2023-11-01", "2023-11-03", "2023-11-06", "2023-11-07"])
        #expect(report.trends.duration.first?.averageDuration == 200)
        let empty = Self.report([])
        #expect(empty.summary.totalSessions == 0 && empty.summary.averageScore == nil && empty.summary.improvement == nil)
    }

    @Test("CSV: a header and one RFC 4180 record per session; awkward titles survive the round trip")
    func csv() {
        let awkward = "Pitch, \"final\" round\nsecond line"
        let report = Self.report([
            Self.row(day: 1, title: awkward, duration: 312.5, score: 87.25),
            Self.row(day: 2, title: "Plain", duration: 60, score: nil),
            Self.row(day: 3, title: "Ünïcödé – ✓", duration: 61, score: 90),
        ])
        let text = SessionReportCSV.render(report)
        #expect(text.hasSuffix("\r\n"))
        let records = CSVReader.records(text)
        #expect(records.count == 4)
        #expect(records[0] == SessionReportCSV.header)
        #expect(records.allSatisfy { $0.count == SessionReportCSV.header.count })
        #expect(records[1] == ["2023-11-02T10:00:00Z", awkward, "presentation", "completed", "312.5", "87.25"])
        #expect(records[2][5] == "" && records[2][3] == "failed")
        #expect(records[3][1] == "Ünïcödé – ✓")
        #expect(CSVReader.records(SessionReportCSV.render(Self.report([]))) == [SessionReportCSV.header])
    }

    @Test("PDF: the title, summary figures and session titles are in the text; pages grow with the rows")
    func pdf() throws {
        let small = SessionReport.sample(rowCount: 5)
        let large = SessionReport.sample(rowCount: 200)
        let smallPDF = try SessionReportPDF.render(small)
        let largePDF = try SessionReportPDF.render(large)
        #expect(smallPDF.starts(with: Data("%PDF-".utf8)))
        let smallPages = try Poppler.pages(smallPDF)
        let largePages = try Poppler.pages(largePDF)
        #expect(smallPages == 1)
        // 200 rows at 15 pt cannot fit on fewer than five A4 pages.
        #expect(largePages >= 5 && largePages > smallPages)

        let text = try Poppler.text(largePDF)
        #expect(text.contains(large.title))
        #expect(text.contains("Alex Morgan"))
        #expect(text.contains(String(large.summary.totalSessions)))
        #expect(text.contains(ReportFormat.number(large.summary.averageScore!)))
        #expect(text.contains(ReportFormat.clock(large.summary.totalDuration)))
        #expect(text.contains("Average score by day") && text.contains("Average session length by day"))
        // The first and the last rows both made it, and every page says which it is.
        #expect(text.contains(large.rows[0].title) && text.contains(large.rows[199].title))
        #expect(text.contains("Page \(largePages) of \(largePages)"))
        #expect(text.contains("Sessions (continued)"))
    }

    @Test("PDF: an empty period still renders a valid one-page report that says so")
    func emptyPDF() throws {
        let pdf = try SessionReportPDF.render(Self.report([]))
        #expect(try Poppler.pages(pdf) == 1)
        let text = try Poppler.text(pdf)
        #expect(text.contains("November coaching report"))
        #expect(text.contains("There are no sessions in this period."))
    }

    @Test("PDF: the same report gives the same bytes; odd titles neither crash nor overflow")
    func deterministic() throws {
        let report = SessionReport.sample(rowCount: 40)
        #expect(try SessionReportPDF.render(report) == (try SessionReportPDF.render(report)))
        let odd = Self.report([
            Self.row(day: 0, title: String(repeating: "A very long session title ", count: 20), duration: 30, score: 50),
            Self.row(day: 1, title: "Zeilen\numbruch, «Anführung» & 日本語", duration: 4_000, score: 100),
        ], title: "Report — ünïcödé ✓")
        let pdf = try SessionReportPDF.render(odd)
        #expect(try Poppler.pages(pdf) == 1)
        #expect(try Poppler.text(pdf).contains("A very long session title"))
    }

    @Test("the pagination puts every row on exactly one page")
    func pagination() {
        for count in [0, 1, 9, 10, 43, 200, 501] {
            let pages = SessionReportPDF.pagination(rowCount: count, firstPageTop: 560)
            #expect(pages.reduce(0) { $0 + $1.count } == count)
            #expect(zip(pages, pages.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
        }
    }
}
