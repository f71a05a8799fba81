import Foundation
import ParleyDomain

/// RIFF/WAVE reading and writing: PCM 8/16/24/32-bit, IEEE float 32/64, `WAVE_FORMAT_EXTENSIBLE`,
/// any channel count (mixed down to mono on decode), any plausible sample rate.
public enum WAVFile {
    /// Sample rates outside this range are rejected as corrupt rather than trusted.
    public static let plausibleSampleRates = 1_000...768_000

    /// The WAV `fmt ` chunk fields Parley needs.
    public struct Format: Sendable, Equatable {
        /// The sample encoding after resolving `WAVE_FORMAT_EXTENSIBLE`.
        public enum Encoding: Sendable, Equatable {
            case integer
            case float
        }

        public var encoding: Encoding
        public var channels: Int
        public var sampleRate: Int
        public var bitsPerSample: Int

        /// Bytes of one frame (one sample of every channel).
        public var blockAlign: Int { channels * bitsPerSample / 8 }
    }

    private static let formatPCM: UInt16 = 1
    private static let formatIEEEFloat: UInt16 = 3
    private static let formatExtensible: UInt16 = 0xFFFE

    // MARK: Encoding

    /// Writes mono audio as a WAV file: 8, 16 or 24 bits write integer PCM, 32 writes IEEE float.
    /// Samples are clamped to -1...1 and NaN becomes silence.
    public static func encode(_ audio: PCMAudio, bitsPerSample: Int = 16) -> Data {
        let bits = [8, 16, 24, 32].contains(bitsPerSample) ? bitsPerSample : 16
        let bytesPerSample = bits / 8
        let dataSize = audio.samples.count * bytesPerSample
        var out = Data(capacity: 44 + dataSize)
        out.append(contentsOf: Array("RIFF".utf8))
        out.appendLE(UInt32(truncatingIfNeeded: 36 + dataSize))
        out.append(contentsOf: Array("WAVE".utf8))
        out.append(contentsOf: Array("fmt ".utf8))
        out.appendLE(UInt32(16))
        out.appendLE(bits == 32 ? formatIEEEFloat : formatPCM)
        out.appendLE(UInt16(1))
        out.appendLE(UInt32(max(0, audio.sampleRate)))
        out.appendLE(UInt32(max(0, audio.sampleRate) * bytesPerSample))
        out.appendLE(UInt16(bytesPerSample))
        out.appendLE(UInt16(bits))
        out.append(contentsOf: Array("data".utf8))
        out.appendLE(UInt32(truncatingIfNeeded: dataSize))

        var body = [UInt8](repeating: 0, count: dataSize)
        for (index, raw) in audio.samples.enumerated() {
            let sample = raw.isNaN ? 0 : min(1, max(-1, raw))
            let offset = index * bytesPerSample
            switch bits {
            case 8:
                body[offset] = UInt8(clamping: Int((sample * 127).rounded()) + 128)
            case 16:
                let value = UInt16(bitPattern: Int16((sample * 32767).rounded()))
                body[offset] = UInt8(value & 0xFF)
                body[offset + 1] = UInt8(value >> 8)
            case 24:
                let value = UInt32(bitPattern: Int32((sample * 8_388_607).rounded()))
                body[offset] = UInt8(value & 0xFF)
                body[offset + 1] = UInt8((value >> 8) & 0xFF)
                body[offset + 2] = UInt8((value >> 16) & 0xFF)
            default:
                let value = sample.bitPattern
                body[offset] = UInt8(value & 0xFF)
                body[offset + 1] = UInt8((value >> 8) & 0xFF)
                body[offset + 2] = UInt8((value >> 16) & 0xFF)
                body[offset + 3] = UInt8(value >> 24)
            }
        }
        out.append(contentsOf: body)
        return out
    }

    // MARK: Decoding

    /// Whether the bytes start like a RIFF/WAVE (or RF64) file; used to pick the native decoder.
    public static func looksLikeWAV(_ data: some DataProtocol) -> Bool {
        let head = Array(data.prefix(12))
        guard head.count >= 12 else { return false }
        let magic = String(decoding: head[0..<4], as: UTF8.self)
        let wave = String(decoding: head[8..<12], as: UTF8.self)
        return (magic == "RIFF" || magic == "RF64") && wave == "WAVE"
    }

    /// Where the samples of a WAV file are: its format and the byte range of its data chunk.
    public struct Layout: Sendable, Equatable {
        public var format: Format
        /// Byte offsets of the whole frames of the data chunk that are present in the file.
        public var data: Range<Int>

        /// Number of whole frames (samples per channel).
        public var frameCount: Int { data.count / format.blockAlign }
    }

    /// Reads a WAV file into mono audio at the file's own sample rate (channels are averaged).
    /// A data chunk that claims more bytes than exist (a recording cut short) keeps what is there.
    /// NaN and infinite float samples become silence and full scale respectively.
    public static func decode(_ data: Data) throws -> PCMAudio {
        try data.withUnsafeBytes { raw in
            let layout = try layout(of: raw)
            return PCMAudio(
                samples: samples(ofFrames: UnsafeRawBufferPointer(rebasing: raw[layout.data]), format: layout.format),
                sampleRate: layout.format.sampleRate)
        }
    }

    /// Mono samples of whole interleaved frames in `raw` (a chunk read from the data chunk).
    public static func samples(ofFrames raw: UnsafeRawBufferPointer, format: Format) -> [Float] {
        let frames = raw.count / format.blockAlign
        guard frames > 0, let base = raw.baseAddress else { return [] }
        var samples = [Float](repeating: 0, count: frames)
        mixDown(base, frames: frames, format: format, into: &samples)
        return samples
    }

    /// Finds and validates the format and data chunks of a WAV file.
    /// - Parameter fileSize: when `bytes` is only the start of the file, the file's full size.
    public static func layout(of bytes: UnsafeRawBufferPointer, fileSize: Int? = nil) throws -> Layout {
        guard bytes.count >= 12 else {
            throw AudioDecodingError.corrupt("the WAV header is truncated (\(bytes.count) bytes)")
        }
        let magic = bytes.fourCC(at: 0)
        guard magic == "RIFF" || magic == "RF64", bytes.fourCC(at: 8) == "WAVE" else {
            if magic == "RIFX" {
                throw AudioDecodingError.unsupported("big-endian (RIFX) WAV files are not supported")
            }
            throw AudioDecodingError.unsupported("this is not a WAV file")
        }

        var format: Format?
        var dataRange: Range<Int>?
        var rf64DataSize: UInt64?
        var offset = 12
        while offset + 8 <= bytes.count {
            let id = bytes.fourCC(at: offset)
            let declared = Int(bytes.readLE32(at: offset + 4))
            let bodyStart = offset + 8
            switch id {
            case "ds64":
                if bodyStart + 24 <= bytes.count {
                    rf64DataSize = UInt64(bytes.readLE32(at: bodyStart + 8))
                        | UInt64(bytes.readLE32(at: bodyStart + 12)) << 32
                }
            case "fmt ":
                guard bodyStart + 16 <= bytes.count, declared >= 16 else {
                    throw AudioDecodingError.corrupt("the WAV format chunk is truncated")
                }
                format = try parseFormat(bytes, at: bodyStart, size: min(declared, bytes.count - bodyStart))
            case "data":
                var size = declared
                if declared == 0xFFFF_FFFF, let large = rf64DataSize { size = Int(clamping: large) }
                dataRange = bodyStart..<max(bodyStart, min(fileSize ?? bytes.count, bodyStart + max(0, size)))
            default:
                break
            }
            if dataRange != nil, format != nil { break }
            guard declared != 0xFFFF_FFFF else { break }
            offset = bodyStart + declared + (declared & 1)
        }

        guard let format else {
            throw AudioDecodingError.corrupt("the WAV file has no format chunk")
        }
        guard let dataRange else {
            throw AudioDecodingError.corrupt("the WAV file has no data chunk")
        }
        let whole = dataRange.count / format.blockAlign * format.blockAlign
        return Layout(format: format, data: dataRange.lowerBound..<dataRange.lowerBound + whole)
    }

    /// Parses and validates a `fmt ` chunk body.
    static func parseFormat(_ bytes: UnsafeRawBufferPointer, at start: Int, size: Int) throws -> Format {
        var tag = bytes.readLE16(at: start)
        let channels = Int(bytes.readLE16(at: start + 2))
        let sampleRate = Int(bytes.readLE32(at: start + 4))
        let bits = Int(bytes.readLE16(at: start + 14))
        if tag == formatExtensible {
            // cbSize(2) validBits(2) channelMask(4) then the sub-format GUID whose first two bytes are the tag.
            guard size >= 40 else {
                throw AudioDecodingError.corrupt("the WAV extensible format chunk is truncated")
            }
            tag = bytes.readLE16(at: start + 24)
        }
        let encoding: Format.Encoding
        switch (tag, bits) {
        case (formatPCM, 8), (formatPCM, 16), (formatPCM, 24), (formatPCM, 32): encoding = .integer
        case (formatIEEEFloat, 32), (formatIEEEFloat, 64): encoding = .float
        case (formatPCM, _), (formatIEEEFloat, _):
            throw AudioDecodingError.unsupported("WAV with \(bits)-bit samples is not supported")
        default:
            throw AudioDecodingError.unsupported(
                "WAV codec 0x\(String(tag, radix: 16)) is not supported; use PCM or IEEE float")
        }
        guard (1...64).contains(channels) else {
            throw AudioDecodingError.corrupt("the WAV file declares \(channels) channels")
        }
        guard plausibleSampleRates.contains(sampleRate) else {
            throw AudioDecodingError.corrupt("the WAV file declares a sample rate of \(sampleRate) Hz")
        }
        return Format(encoding: encoding, channels: channels, sampleRate: sampleRate, bitsPerSample: bits)
    }

    /// Converts interleaved frames to mono Float32 by averaging channels.
    static func mixDown(
        _ base: UnsafeRawPointer, frames: Int, format: Format, into samples: inout [Float]
    ) {
        let channels = format.channels
        let bytesPerSample = format.bitsPerSample / 8
        let scale = 1 / Float(channels)
        samples.withUnsafeMutableBufferPointer { out in
            for frame in 0..<frames {
                var sum: Float = 0
                var pointer = base + frame * format.blockAlign
                for _ in 0..<channels {
                    sum += readSample(pointer, bits: format.bitsPerSample, encoding: format.encoding)
                    pointer += bytesPerSample
                }
                out[frame] = channels == 1 ? sum : sum * scale
            }
        }
    }

    @inline(__always)
    private static func readSample(_ pointer: UnsafeRawPointer, bits: Int, encoding: Format.Encoding) -> Float {
        switch (encoding, bits) {
        case (.integer, 8):
            return (Float(pointer.load(as: UInt8.self)) - 128) / 128
        case (.integer, 16):
            return Float(Int16(littleEndian: pointer.loadUnaligned(as: Int16.self))) / 32768
        case (.integer, 24):
            let b0 = UInt32(pointer.load(as: UInt8.self))
            let b1 = UInt32(pointer.load(fromByteOffset: 1, as: UInt8.self))
            let b2 = UInt32(pointer.load(fromByteOffset: 2, as: UInt8.self))
            let value = Int32(bitPattern: (b0 << 8) | (b1 << 16) | (b2 << 24)) >> 8
            return Float(value) / 8_388_608
        case (.integer, _):
            return Float(Double(Int32(littleEndian: pointer.loadUnaligned(as: Int32.self))) / 2_147_483_648)
        case (.float, 32):
            return finite(Float(bitPattern: UInt32(littleEndian: pointer.loadUnaligned(as: UInt32.self))))
        default:
            return finite(Float(Double(bitPattern: UInt64(littleEndian: pointer.loadUnaligned(as: UInt64.self)))))
        }
    }

    @inline(__always)
    private static func finite(_ value: Float) -> Float {
        if value.isNaN { return 0 }
        return min(1, max(-1, value))
    }
}

extension Data {
    fileprivate mutating func appendLE(_ value: UInt16) {
        append(UInt8(value & 0xFF))
        append(UInt8(value >> 8))
    }

    fileprivate mutating func appendLE(_ value: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { append(UInt8((value >> UInt32(shift)) & 0xFF)) }
    }
}

extension UnsafeRawBufferPointer {
    fileprivate func fourCC(at offset: Int) -> String {
        guard offset + 4 <= count else { return "" }
        return String(decoding: self[offset..<offset + 4], as: UTF8.self)
    }

    fileprivate func readLE16(at offset: Int) -> UInt16 {
        guard offset + 2 <= count else { return 0 }
        return UInt16(self[offset]) | UInt16(self[offset + 1]) << 8
    }

    fileprivate func readLE32(at offset: Int) -> UInt32 {
        guard offset + 4 <= count else { return 0 }
        return UInt32(self[offset]) | UInt32(self[offset + 1]) << 8 | UInt32(self[offset + 2]) << 16
            | UInt32(self[offset + 3]) << 24
    }
}
