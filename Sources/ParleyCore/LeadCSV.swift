import Foundation

/// Reads CSV records from a file as it goes, a chunk at a time, so a large import never sits
/// in memory: RFC 4180 quoting as spreadsheets write it (quoted fields with commas, doubled
/// quotes and line breaks), CRLF, LF or CR line ends, and a UTF-8 byte-order mark.
public struct CSVRecordReader: Sendable {
    /// A record longer than this is refused rather than held.
    public static let maxRecordBytes = 1 << 20
    static let chunkBytes = 256 * 1024

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

    /// Makes sure a byte is in hand at `position`; false at the end of the file.
    private mutating func fill() throws -> Bool {
        if position < buffer.count { return true }
        while !finished {
            let chunk = try handle.read(upToCount: Self.chunkBytes) ?? Data()
            if chunk.isEmpty {
                finished = true
                break
            }
            buffer = Array(chunk)
            position = 0
            if !started {
                started = true
                if buffer.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }
            }
            if position < buffer.count { return true }
        }
        return false
    }

    /// The next record, or nil at the end of the file. Blank lines are passed over.
    public mutating func next() throws -> [String]? {
        var fields: [String] = []
        var field: [UInt8] = []
        var quoted = false
        var wasQuoted = false
        var size = 0
        var sawAnything = false
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), newline = UInt8(ascii: "\n"), ret = UInt8(ascii: "\r")
        while try fill() {
            // Plain bytes are taken a run at a time; only quotes, commas and line ends stop the scan.
            let end = buffer.count
            var index = position
            if quoted {
                while index < end, buffer[index] != quote { index += 1 }
            } else {
                while index < end, buffer[index] != quote, buffer[index] != comma, buffer[index] != newline, buffer[index] != ret { index += 1 }
            }
            if index > position {
                field.append(contentsOf: buffer[position..<index])
                size += index - position
                if !quoted { sawAnything = true }
                position = index
                guard size <= Self.maxRecordBytes else { throw CSVError.recordTooLong }
                continue
            }
            let c = buffer[position]
            position += 1
            size += 1
            guard size <= Self.maxRecordBytes else { throw CSVError.recordTooLong }
            if quoted {
                // A doubled quote is one quote of the text; a single one closes the field.
                if try fill(), buffer[position] == quote {
                    position += 1
                    field.append(quote)
                } else {
                    quoted = false
                }
                continue
            }
            switch c {
            case quote:
                sawAnything = true
                // A quote opens a quoted field only at its start; elsewhere it is kept as text.
                if field.isEmpty && !wasQuoted { quoted = true; wasQuoted = true } else { field.append(c) }
            case comma:
                sawAnything = true
                fields.append(String(decoding: field, as: UTF8.self))
                field.removeAll(keepingCapacity: true)
                wasQuoted = false
            default:  // a line end
                if c == ret, try fill(), buffer[position] == newline { position += 1 }
                if !sawAnything {
                    size = 0  // a blank line: passed over
                    continue
                }
                fields.append(String(decoding: field, as: UTF8.self))
                return fields
            }
        }
        if !sawAnything { return nil }
        fields.append(String(decoding: field, as: UTF8.self))
        return fields
    }
}

/// Why a CSV file could not be read.
public enum CSVError: Error, Sendable {
    case recordTooLong
}
