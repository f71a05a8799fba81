import Foundation

/// The poppler command-line tools that read a PDF back, as an independent check of what cairo wrote.
enum Poppler {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static let directory: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("parley-reports-tests-\(getpid())")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    /// Writes `pdf` to a temporary file and runs `tool` on it, returning its standard output.
    static func run(_ tool: String, _ arguments: [String], on pdf: Data) throws -> String {
        let file = directory.appendingPathComponent("\(UUID().uuidString).pdf")
        try pdf.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments.map { $0 == "FILE" ? file.path : $0 }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "\(tool) failed with status \(process.terminationStatus) (is poppler-utils installed? scripts/setup.sh)")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Page count as pdfinfo reads it.
    static func pages(_ pdf: Data) throws -> Int {
        let info = try run("pdfinfo", ["FILE"], on: pdf)
        guard let line = info.split(separator: "\n").first(where: { $0.hasPrefix("Pages:") }),
            let count = Int(line.dropFirst("Pages:".count).trimmingCharacters(in: .whitespaces))
        else { throw Failure(description: "pdfinfo printed no page count:\n\(info)") }
        return count
    }

    /// The text of every page, as pdftotext extracts it.
    static func text(_ pdf: Data) throws -> String {
        try run("pdftotext", ["-layout", "FILE", "-"], on: pdf)
    }
}

/// A strict RFC 4180 reader, written here so the test does not trust the writer's own logic.
enum CSVReader {
    static func records(_ text: String) -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var quoted = false
        var characters = Array(text.unicodeScalars)[...]
        while let character = characters.popFirst() {
            if quoted {
                if character == "\"" {
                    if characters.first == "\"" {
                        field.unicodeScalars.append("\"")
                        characters.removeFirst()
                    } else {
                        quoted = false
                    }
                } else {
                    field.unicodeScalars.append(character)
                }
            } else if character == "\"" {
                quoted = true
            } else if character == "," {
                record.append(field)
                field = ""
            } else if character == "\r" && characters.first == "\n" {
                characters.removeFirst()
                record.append(field)
                records.append(record)
                record = []
                field = ""
            } else {
                field.unicodeScalars.append(character)
            }
        }
        if !field.isEmpty || !record.isEmpty {
            record.append(field)
            records.append(record)
        }
        return records
    }
}
