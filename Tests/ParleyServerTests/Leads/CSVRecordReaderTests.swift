import Foundation
@testable import ParleyCore
import Testing

/// The import's CSV reader against records with a known truth: written with spreadsheet
/// quoting and read back across the reader's chunk borders.
@Suite("Leads: CSV records")
struct CSVRecordReaderTests {
    /// A cell as a spreadsheet writes it: quoted when it holds a comma, quote or line break.
    static func cell(_ text: String) -> String {
        text.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
            ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }

    static func file(_ text: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("csv-\(UUID().uuidString).csv")
        try Data(text.utf8).write(to: url)
        return url
    }

    static func records(in url: URL) throws -> [[String]] {
        var reader = try CSVRecordReader(url: url)
        defer { reader.close() }
        var records: [[String]] = []
        while let record = try reader.next() { records.append(record) }
        return records
    }

    @Test func recordsComeBackAsWrittenAcrossChunkBorders() throws {
        var generator = SystemRandomNumberGenerator()
        let pieces = ["Ann", "Lee, Jr.", "say \"hi\"", "two\nlines", "crlf\r\nin a cell", "", " spaced ", "Müller", "日本", "=1+2", "\"", ",,"]
        var expected: [[String]] = []
        // Enough rows that many records straddle the reader's 256 KiB chunks.
        while expected.count < 12_000 {
            expected.append((0..<Int.random(in: 1...7, using: &generator)).map { _ in
                (0..<Int.random(in: 1...3, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            })
        }
        // Each record must have something in it to be a record; a blank line is passed over.
        expected = expected.filter { $0 != [""] }
        let endings = ["\r\n", "\n", "\r"]
        var text = "\u{FEFF}"
        for (index, record) in expected.enumerated() {
            text += record.map(Self.cell).joined(separator: ",") + endings[index % endings.count]
            if index % 1_000 == 0 { text += "\r\n" }
        }
        let url = try Self.file(text)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(text.utf8.count > 2 * CSVRecordReader.chunkBytes)
        let read = try Self.records(in: url)
        #expect(read.count == expected.count)
        if let mismatch = zip(read, expected).enumerated().first(where: { $0.element.0 != $0.element.1 }) {
            Issue.record("record \(mismatch.offset): read \(mismatch.element.0), wrote \(mismatch.element.1)")
        }
    }

    @Test func lastRecordWithoutLineEndAndQuoteInsideText() throws {
        let url = try Self.file("a,b\"c,\"\"\n\n\"x\ny\",2")
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(try Self.records(in: url) == [["a", "b\"c", ""], ["x\ny", "2"]])
    }

    @Test func anEndlessQuotedFieldIsRefused() throws {
        let url = try Self.file("name\n\"" + String(repeating: "x", count: CSVRecordReader.maxRecordBytes + 10))
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(throws: CSVError.self) { try Self.records(in: url) }
    }

    @Test func cellsAreTrimmedOfWhiteSpaceOfAnyKind() {
        #expect(" Ann ".trimmed == "Ann")
        #expect("\u{00A0}\tAnn Lee\r\n".trimmed == "Ann Lee")
        #expect("Ann".trimmed == "Ann")
        #expect("   ".trimmed == "")
        #expect("".trimmed == "")
    }
}
