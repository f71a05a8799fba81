import Foundation

/// Reads CSV records from a file as it goes, a chunk at a time, so a large import never sits
/// in memory: RFC 4180 quoting as spreadsheets write it (quoted fields with commas, doubled
/// quotes and line breaks), CRLF, LF or CR line ends, and a UTF-8 byte-order mark.
public struct CSVRecordReader {
    /// A record longer than this is refused rather than held.
    public static let maxRecordBytes = 1 << 20

    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var position = 0
    private var finished = false
    private var started = false

    public init(url: URL) throws {
        handle = try FileHandle(forReadingFrom: url)
    }

    public func close() {
        try? handle.close()
    }

    private mutating func byte() throws -> UInt8? {
        if position == buffer.count {
            guard !finished else { return nil }
            let chunk = try handle.read(upToCount: 256 * 1024) ?? Data()
            if chunk.isEmpty {
                finished = true
                return nil
            }
            buffer = Array(chunk)
            position = 0
            if !started {
                started = true
                if buffer.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }
                if position == buffer.count { return try byte() }
            }
        }
        defer { position += 1 }
        return buffer[position]
    }

    private mutating func peek() throws -> UInt8? {
        guard let next = try byte() else { return nil }
        position -= 1
        return next
    }

    /// The next record, or nil at the end of the file. Blank lines are passed over.
    public mutating func next() throws -> [String]? {
        var fields: [String] = []
        var field: [UInt8] = []
        var quoted = false
        var wasQuoted = false
        var size = 0
        var sawAnything = false
        while true {
            guard let c = try byte() else {
                if !sawAnything { return nil }
                fields.append(String(decoding: field, as: UTF8.self))
                return fields
            }
            size += 1
            guard size <= Self.maxRecordBytes else { throw CSVError.recordTooLong }
            if quoted {
                if c == UInt8(ascii: "\"") {
                    if try peek() == UInt8(ascii: "\"") {
                        _ = try byte()
                        field.append(c)
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(c)
                }
                continue
            }
            switch c {
            case UInt8(ascii: "\""):
                sawAnything = true
                // A quote opens a quoted field only at its start; elsewhere it is kept as text.
                if field.isEmpty && !wasQuoted { quoted = true; wasQuoted = true } else { field.append(c) }
            case UInt8(ascii: ","):
                sawAnything = true
                fields.append(String(decoding: field, as: UTF8.self))
                field = []
                wasQuoted = false
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                if c == UInt8(ascii: "\r"), try peek() == UInt8(ascii: "\n") { _ = try byte() }
                if !sawAnything {
                    size = 0  // a blank line: passed over
                    continue
                }
                fields.append(String(decoding: field, as: UTF8.self))
                return fields
            default:
                sawAnything = true
                field.append(c)
            }
        }
    }
}

/// Why a CSV file could not be read.
public enum CSVError: Error, Sendable {
    case recordTooLong
}
