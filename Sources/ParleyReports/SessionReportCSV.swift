import Foundation
import ParleyDomain

/// A session report as CSV (RFC 4180): a header and one record per session, nothing else, so
/// that spreadsheets and scripts read it as a plain table.
public enum SessionReportCSV {
    /// The header fields, in order.
    public static let header = ["date", "title", "type", "status", "durationSeconds", "score"]

    /// The CSV text, CRLF line ends as RFC 4180 asks.
    public static func render(_ report: SessionReport) -> String {
        var records = [header]
        for row in report.rows {
            records.append([
                ReportFormat.timestamp(row.date), row.title, row.type, row.status,
                ReportFormat.number(row.duration), row.score.map(ReportFormat.number) ?? "",
            ])
        }
        return CSVTable.render(records)
    }

    /// The CSV as UTF-8 bytes.
    public static func data(_ report: SessionReport) -> Data { Data(render(report).utf8) }
}

/// CSV text (RFC 4180) that is safe to open in a spreadsheet: every CSV Parley writes goes
/// through it, so no cell a user typed can run as a formula.
public enum CSVTable {
    /// Records as CSV with CRLF line ends.
    public static func render(_ records: [[String]]) -> String {
        records.map { $0.map(field).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    /// A field: neutralised when a spreadsheet would read it as a formula, then quoted when it
    /// holds a comma, a quote or a line break (quotes doubled inside).
    public static func field(_ value: String) -> String {
        let value = neutralised(value)
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// A cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula to
    /// Excel, LibreOffice and Google Sheets (OWASP "CSV injection"); a leading apostrophe makes
    /// it text. Plain numbers such as `-3.5` are left as they are: they cannot be formulas.
    static func neutralised(_ value: String) -> String {
        guard let first = value.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) else { return value }
        if Double(value) != nil, value.allSatisfy({ $0.isNumber || $0 == "-" || $0 == "+" || $0 == "." }) { return value }
        return "'" + value
    }
}

/// Text forms shared by the CSV and the PDF, so both show the same values.
enum ReportFormat {
    /// ISO 8601 in UTC, to the second.
    static func timestamp(_ date: Date) -> String {
        date.ISO8601Format()
    }

    /// A number with at most two decimals and no trailing zeros (12, 12.5, 12.25), locale-free.
    static func number(_ value: Double) -> String {
        let rounded = (value * 100).rounded() / 100
        if rounded == rounded.rounded() { return String(Int(rounded)) }
        var text = String(format: "%.2f", rounded)
        while text.hasSuffix("0") { text.removeLast() }
        return text
    }

    /// `1:05:09` or `5:09` for a length in seconds.
    static func clock(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        return total >= 3600
            ? String(format: "%d:%02d:%02d", total / 3600, total / 60 % 60, total % 60)
            : String(format: "%d:%02d", total / 60, total % 60)
    }

    /// `2023-11-01` in UTC.
    static func day(_ date: Date) -> String { SessionReport.day(date) }
}
