import Foundation
import ParleyAudio
import ParleyDomain
import Vapor

/// Parses a multipart body as it streams in: the `file` part is written straight to disk, the
/// `metadata` part (small JSON) is kept; the file's first bytes are sniffed before more is written.
final class MultipartReceiver {
    /// The answer to a file past the limit (413, naming `file`).
    static func tooLarge(_ limit: Int64) -> APIError {
        APIError(.payloadTooLarge, code: "VALIDATION_ERROR", "The file is larger than the \(limit / (1 << 20)) MiB limit", field: "file")
    }

    private let parser: MultipartParser
    private let destination: URL
    private let limit: Int64
    private var handle: FileHandle?
    private var headers: [String: String] = [:]
    private var metadataBytes = ByteBuffer()
    private var head: [UInt8] = []
    private var failure: (any Error)?
    private(set) var fileBytes: Int64 = 0
    private(set) var fileName: String?
    private(set) var fileContentType: String?
    private(set) var container: AudioDecoder.Container?
    private(set) var metadata: JSONValue = .null
    private var fileDone = false
    /// Every byte of the body, all parts and headers, counts against the limit.
    private var bodyBytes: Int64 = 0
    /// The closing delimiter (`CRLF--boundary--`); a body that ends before it is cut short.
    private let closing: [UInt8]
    private var tail: [UInt8] = []
    private(set) var closed = false

    init(boundary: String, destination: URL, limit: Int64) {
        parser = MultipartParser(boundary: boundary)
        closing = Array("\r\n--\(boundary)--".utf8)
        self.destination = destination
        self.limit = limit
        parser.onHeader = { [unowned self] name, value in headers[name.lowercased()] = value }
        parser.onBody = { [unowned self] buffer in
            guard failure == nil else { return }
            do { try receive(&buffer) } catch { failure = error }
        }
        parser.onPartComplete = { [unowned self] in
            guard failure == nil else { return }
            do { try completePart() } catch { failure = error }
            headers = [:]
        }
    }

    private var partName: String? { Self.parameter("name", in: headers["content-disposition"]) }

    private func receive(_ buffer: inout ByteBuffer) throws {
        switch partName {
        case "file":
            guard !fileDone else { throw APIError.validation("file", "send exactly one 'file' part") }
            fileName = fileName ?? Self.parameter("filename", in: headers["content-disposition"])
            fileContentType = fileContentType ?? headers["content-type"]
            fileBytes += Int64(buffer.readableBytes)
            guard fileBytes <= limit else { throw Self.tooLarge(limit) }
            if handle == nil {
                head += buffer.getBytes(at: buffer.readerIndex, length: min(buffer.readableBytes, 16 - head.count)) ?? []
                if head.count < 16 { pending.writeBuffer(&buffer); return }
                try open()
                try write(pending)
                pending.clear()
            }
            try write(buffer)
        case "metadata":
            guard metadataBytes.readableBytes + buffer.readableBytes <= 64 * 1024 else {
                throw APIError.validation("metadata", "must be at most 64 KiB of JSON")
            }
            metadataBytes.writeBuffer(&buffer)
        default:
            // Refused at its first byte, not read to the end first.
            throw APIError.validation(partName ?? "file", "unknown part '\(partName ?? "")': send only 'file' and 'metadata'")
        }
    }

    /// Bytes of the file held until 16 have arrived to sniff.
    private var pending = ByteBuffer()

    private func open() throws {
        guard let sniffed = AudioDecoder.Container.sniff(head), sniffed != .riff else {
            throw APIError(.unsupportedMediaType, code: "VALIDATION_ERROR",
                           "Unsupported media: send MP3, WAV, MP4/M4A, WebM, OGG, FLAC or another audio/video format", field: "file")
        }
        container = sniffed
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
        switch partName {
        case "file":
            fileDone = true
            if handle == nil, !head.isEmpty {
                try open()  // a file shorter than 16 bytes: sniff what there is
                try write(pending)
                pending.clear()
            }
        case "metadata":
            let text = metadataBytes.readString(length: metadataBytes.readableBytes) ?? ""
            if !text.trimmingCharacters(in: .whitespaces).isEmpty {
                guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)), case .object = value else {
                    throw APIError.validation("metadata", "must be a JSON object")
                }
                metadata = value
            }
        default:
            break
        }
    }

    func consume(_ buffer: ByteBuffer) throws {
        bodyBytes += Int64(buffer.readableBytes)
        // The parts' headers and delimiters are allowed 1 MiB beyond the file itself.
        guard bodyBytes <= limit + (1 << 20) else { throw Self.tooLarge(limit) }
        if !closed { watchForClosingDelimiter(buffer) }
        try parser.execute(buffer)
        if let failure { throw failure }
    }

    /// Looks for the closing delimiter across chunk borders, keeping only its length in hand.
    private func watchForClosingDelimiter(_ buffer: ByteBuffer) {
        let window = tail + buffer.readableBytesView
        if window.firstRange(of: closing) != nil {
            closed = true
            tail = []
        } else {
            tail = Array(window.suffix(closing.count - 1))
        }
    }

    func finish() throws {
        if let failure { throw failure }
        guard closed else {
            throw APIError.validation("file", "the multipart body ended before its closing boundary; the upload is incomplete")
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
