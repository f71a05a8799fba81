import Foundation
import ParleyDomain

/// Records a two-party call to a 16-bit stereo WAV file as it happens (callee on the left,
/// agent on the right), so a long call never sits in memory: each piece of speech is appended
/// when it is heard or said, and the header's sizes are written when the call ends.
public actor CallRecorder {
    /// One side of the call.
    public enum Side: Sendable {
        case callee, agent
    }

    public let url: URL
    public let sampleRate: Int
    private let handle: FileHandle
    private var frames = 0
    private var closed = false

    /// Creates the file (and its folder) with a header to be completed by `finish()`.
    public init(url: URL, sampleRate: Int = PCMAudio.analysisSampleRate) throws {
        self.url = url
        self.sampleRate = sampleRate
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: url.path, contents: Self.header(frames: 0, sampleRate: sampleRate, channels: 2)) else {
            throw CocoaError(.fileWriteUnknown)
        }
        handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd()
    }

    /// Seconds recorded so far.
    public var seconds: Double { Double(frames) / Double(sampleRate) }

    /// Appends one side's speech (resampled to the recording's rate) with the other side silent.
    public func append(_ audio: PCMAudio, from side: Side) throws {
        let samples = audio.sampleRate == sampleRate ? audio.samples : Resampler.resample(audio.samples, from: audio.sampleRate, to: sampleRate)
        var bytes = [UInt8](repeating: 0, count: samples.count * 4)
        let offset = side == .callee ? 0 : 2
        for (index, raw) in samples.enumerated() {
            let value = Int16(clamping: Int(((raw.isNaN ? 0 : min(1, max(-1, raw))) * 32_767).rounded()))
            let bits = UInt16(bitPattern: value)
            bytes[index * 4 + offset] = UInt8(bits & 0xFF)
            bytes[index * 4 + offset + 1] = UInt8(bits >> 8)
        }
        guard !closed else { return }
        try handle.write(contentsOf: bytes)
        frames += samples.count
    }

    /// Appends both sides at once, sample by sample (a live line, where they overlap); both are
    /// at the recording's rate, and the shorter is padded with silence.
    public func append(callee: [Float], agent: [Float]) throws {
        let count = max(callee.count, agent.count)
        guard count > 0, !closed else { return }
        var bytes = [UInt8](repeating: 0, count: count * 4)
        func put(_ raw: Float, at offset: Int) {
            let bits = UInt16(bitPattern: Int16(clamping: Int(((raw.isNaN ? 0 : min(1, max(-1, raw))) * 32_767).rounded())))
            bytes[offset] = UInt8(bits & 0xFF)
            bytes[offset + 1] = UInt8(bits >> 8)
        }
        for (index, sample) in callee.enumerated() { put(sample, at: index * 4) }
        for (index, sample) in agent.enumerated() { put(sample, at: index * 4 + 2) }
        try handle.write(contentsOf: bytes)
        frames += count
    }

    /// Appends silence on both sides (the pause between turns).
    public func pause(seconds: Double) throws {
        let count = Int(seconds * Double(sampleRate))
        guard count > 0 else { return }
        guard !closed else { return }
        try handle.write(contentsOf: [UInt8](repeating: 0, count: count * 4))
        frames += count
    }

    /// Writes the final sizes and closes the file; returns the recording's length in seconds.
    @discardableResult
    public func finish() throws -> Double {
        guard !closed else { return seconds }
        closed = true
        try handle.seek(toOffset: 0)
        try handle.write(contentsOf: Self.header(frames: frames, sampleRate: sampleRate, channels: 2))
        try handle.synchronize()
        try handle.close()
        return seconds
    }

    /// A 16-bit PCM WAV header for `frames` frames of `channels` channels.
    static func header(frames: Int, sampleRate: Int, channels: Int) -> Data {
        let dataSize = UInt32(truncatingIfNeeded: frames * 2 * channels)
        var out = Data(capacity: 44)
        func le32(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) } }
        func le16(_ value: UInt16) { withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) } }
        out.append(contentsOf: Array("RIFF".utf8))
        le32(36 &+ dataSize)
        out.append(contentsOf: Array("WAVEfmt ".utf8))
        le32(16)
        le16(1)
        le16(UInt16(channels))
        le32(UInt32(sampleRate))
        le32(UInt32(sampleRate * 2 * channels))
        le16(UInt16(2 * channels))
        le16(16)
        out.append(contentsOf: Array("data".utf8))
        le32(dataSize)
        return out
    }
}

/// Mixes a call recording's two channels into one, a block at a time (a long call is never
/// held in memory): the download most players and transcribers want.
public enum RecordingMix {
    public static func mono(from source: String, to target: String) throws {
        let input = try FileHandle(forReadingFrom: URL(fileURLWithPath: source))
        defer { try? input.close() }
        let header = try input.read(upToCount: 44) ?? Data()
        guard header.count == 44, header.starts(with: Array("RIFF".utf8)) else { throw CocoaError(.fileReadCorruptFile) }
        let sampleRate = header.withUnsafeBytes { Int($0.load(fromByteOffset: 24, as: UInt32.self).littleEndian) }
        guard FileManager.default.createFile(atPath: target, contents: nil) else { throw CocoaError(.fileWriteUnknown) }
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: target))
        defer { try? output.close() }
        try output.write(contentsOf: Data(count: 44))
        var frames = 0
        while let block = try input.read(upToCount: 64 * 1024), !block.isEmpty {
            let count = block.count / 4
            var mixed = [UInt8](repeating: 0, count: count * 2)
            block.withUnsafeBytes { raw in
                for index in 0..<count {
                    let left = Int(Int16(littleEndian: raw.loadUnaligned(fromByteOffset: index * 4, as: Int16.self)))
                    let right = Int(Int16(littleEndian: raw.loadUnaligned(fromByteOffset: index * 4 + 2, as: Int16.self)))
                    // The sides take turns, so a plain sum rarely clips; clamp when it would.
                    let value = UInt16(bitPattern: Int16(clamping: left + right))
                    mixed[index * 2] = UInt8(value & 0xFF)
                    mixed[index * 2 + 1] = UInt8(value >> 8)
                }
            }
            try output.write(contentsOf: mixed)
            frames += count
        }
        let final = CallRecorder.header(frames: frames, sampleRate: sampleRate, channels: 1)
        try output.seek(toOffset: 0)
        try output.write(contentsOf: final)
    }
}
