import Foundation
import NIOCore
import ParleyAudio
import ParleyDomain
import Vapor

/// What one kind of upload accepts: how its `file` part is checked before and while it is
/// written, and which small parts may come beside it (with their largest size).
struct MultipartForm: Sendable {
    /// The name of the part that carries the file (`file`; Field Intelligence's `chunk`).
    var filePart = "file"
    /// Bytes of the file held back and checked before anything is written.
    var headLength: Int
    /// Checks the file's first bytes (fewer for a shorter file) and its declared type; throws the refusal.
    var checkHead: @Sendable (_ head: [UInt8], _ declaredType: String?) throws -> Void
    /// Checks each chunk of the file as it comes; throws the refusal.
    var checkChunk: @Sendable (ByteBufferView) throws -> Void = { _ in }
    /// The small parts allowed beside `file`, with their largest size in bytes.
    var fields: [String: Int]
    /// The surface's answer to a file past the limit.
    var tooLarge: @Sendable (Int64) -> APIError = MultipartReceiver.tooLarge
}

/// Parses a multipart body as it streams in: the `file` part is checked and written straight to
/// disk, the form's small parts are kept; every byte counts against the limit, a part the form
/// does not name is refused at its first byte, and a body without its closing boundary is cut short.
final class MultipartReceiver {
    /// The answer to a file past the limit (413, naming `file`).
    static func tooLarge(_ limit: Int64) -> APIError {
        APIError(.payloadTooLarge, code: "VALIDATION_ERROR", "The file is larger than the \(limit / (1 << 20)) MiB limit", field: "file")
    }

    private let form: MultipartForm
    private let parser: MultipartParser
    private let destination: URL
    private let limit: Int64
    private var handle: FileHandle?
    private var headers: [String: String] = [:]
    private var fieldBytes: [String: ByteBuffer] = [:]
    /// The file's first bytes, as checked.
    private(set) var head: [UInt8] = []
    private var failure: (any Error)?
    private(set) var fileBytes: Int64 = 0
    private(set) var fileName: String?
    private(set) var fileContentType: String?
    private var fileDone = false
    /// Every byte of the body, all parts and headers, counts against the limit.
    private var bodyBytes: Int64 = 0
    /// The closing delimiter (`CRLF--boundary--`); a body that ends before it is cut short.
    private let closing: [UInt8]
    private var tail: [UInt8] = []
    private(set) var closed = false

    init(boundary: String, destination: URL, limit: Int64, form: MultipartForm) {
        parser = MultipartParser(boundary: boundary)
        closing = Array("\r\n--\(boundary)--".utf8)
        self.destination = destination
        self.limit = limit
        self.form = form
        parser.onHeader = { [unowned self] name, value in
            headers[name.lowercased()] = value
            partName = Self.parameter("name", in: headers["content-disposition"])
        }
        parser.onBody = { [unowned self] buffer in
            guard failure == nil else { return }
            do { try receive(&buffer) } catch { failure = error }
        }
        parser.onPartComplete = { [unowned self] in
            guard failure == nil else { return }
            do { try completePart() } catch { failure = error }
            headers = [:]
            partName = nil
        }
    }

    /// A small part's text, once received.
    func field(_ name: String) -> String? {
        fieldBytes[name].flatMap { $0.getString(at: $0.readerIndex, length: $0.readableBytes) }
    }

    /// Whether a file part arrived with at least one byte.
    var hasFile: Bool { handle != nil || !head.isEmpty }

    /// The current part's name, read from its headers as they arrive rather than for every chunk.
    private var partName: String?

    private func receive(_ buffer: inout ByteBuffer) throws {
        let name = partName ?? ""
        if name == form.filePart {
            guard !fileDone else { throw APIError.validation(form.filePart, "send exactly one '\(form.filePart)' part") }
            fileName = fileName ?? Self.parameter("filename", in: headers["content-disposition"])
            fileContentType = fileContentType ?? headers["content-type"]
            fileBytes += Int64(buffer.readableBytes)
            guard fileBytes <= limit else { throw form.tooLarge(limit) }
            try form.checkChunk(buffer.readableBytesView)
            if handle == nil {
                head += buffer.getBytes(at: buffer.readerIndex, length: min(buffer.readableBytes, form.headLength - head.count)) ?? []
                if head.count < form.headLength { pending.writeBuffer(&buffer); return }
                try open()
                try write(pending)
                pending.clear()
            }
            try write(buffer)
        } else if let largest = form.fields[name] {
            guard (fieldBytes[name]?.readableBytes ?? 0) + buffer.readableBytes <= largest else {
                throw APIError.validation(name, "must be at most \(largest) bytes")
            }
            fieldBytes[name, default: ByteBuffer()].writeBuffer(&buffer)
        } else {
            // Refused at its first byte, not read to the end first.
            let allowed = ([form.filePart] + form.fields.keys.sorted()).map { "'\($0)'" }.joined(separator: ", ")
            throw APIError.validation(name.isEmpty ? form.filePart : name, "unknown part '\(name)': send only \(allowed)")
        }
    }

    /// Bytes of the file held until the head has arrived to check.
    private var pending = ByteBuffer()

    private func open() throws {
        try form.checkHead(head, fileContentType)
        guard FileManager.default.createFile(atPath: destination.path, contents: nil) else {
            throw APIError(.internalServerError, code: "STORAGE_ERROR", "The upload could not be stored")
        }
        handle = try FileHandle(forWritingTo: destination)
    }

    private func write(_ buffer: ByteBuffer) throws {
        guard buffer.readableBytes > 0, let handle else { return }
        do {
            try handle.write(contentsOf: buffer.readableBytesView)
        } catch {
            throw APIError(.internalServerError, code: "STORAGE_ERROR", "The upload could not be written to storage")
        }
    }

    private func completePart() throws {
        guard partName == form.filePart else { return }
        fileDone = true
        if handle == nil, !head.isEmpty {
            try open()  // a file shorter than the head: check what there is
            try write(pending)
            pending.clear()
        }
    }

    func consume(_ buffer: ByteBuffer) throws {
        bodyBytes += Int64(buffer.readableBytes)
        // The parts' headers and delimiters are allowed 1 MiB beyond the file itself.
        guard bodyBytes <= limit + (1 << 20) else { throw form.tooLarge(limit) }
        if !closed { watchForClosingDelimiter(buffer) }
        try parser.execute(buffer)
        if let failure { throw failure }
    }

    /// Looks for the closing delimiter across chunk borders, keeping only its length in hand:
    /// the seam (what was kept and the chunk's first bytes) and then the chunk itself.
    private func watchForClosingDelimiter(_ buffer: ByteBuffer) {
        let bytes = buffer.readableBytesView
        let seam = tail + bytes.prefix(closing.count - 1)
        let found = seam.firstRange(of: closing) != nil || buffer.withUnsafeReadableBytes { raw in
            guard raw.count >= closing.count else { return false }
            let first = closing[0]
            var index = 0
            while let offset = raw[index...].firstIndex(of: first), offset + closing.count <= raw.count {
                if raw[offset..<offset + closing.count].elementsEqual(closing) { return true }
                index = offset + 1
            }
            return false
        }
        if found {
            closed = true
            tail = []
        } else {
            let keep = closing.count - 1
            tail = bytes.count >= keep ? Array(bytes.suffix(keep)) : Array((tail + bytes).suffix(keep))
        }
    }

    func finish() throws {
        if let failure { throw failure }
        guard closed else {
            throw APIError.validation(form.filePart, "the multipart body ended before its closing boundary; the upload is incomplete")
        }
        try handle?.synchronize()
        try handle?.close()
        handle = nil
    }

    func discard() {
        try? handle?.close()
        handle = nil
        try? FileManager.default.removeItem(at: destination)
    }

    static func parameter(_ name: String, in header: String?) -> String? {
        guard let header else { return nil }
        for part in header.split(separator: ";") {
            let pair = part.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            if pair.count == 2, pair[0].lowercased() == name {
                return pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
        }
        return nil
    }
}
