import Foundation
import ParleyDomain

/// Turns an audio file of any supported format into mono Float32 samples.
///
/// WAV is read natively (memory-mapped, in chunks). MP3, M4A/AAC, MP4, WebM/Opus, OGG, FLAC and
/// the rest go through an `ffmpeg` subprocess that writes 16 kHz mono float samples to a pipe,
/// read chunk by chunk, so a file is never held twice in memory.
public enum AudioDecoder {
    /// Containers recognised from their first bytes; a recognised file that fails is corrupt,
    /// anything else that fails is unsupported.
    public enum Container: String, Sendable, CaseIterable {
        case wav, riff, mp3, mp4, matroska, ogg, flac, aiff, caf, amr, asf, au

        /// Identifies a container from the start of a file.
        public static func sniff(_ head: [UInt8]) -> Container? {
            func ascii(_ text: String, at offset: Int = 0) -> Bool {
                let bytes = Array(text.utf8)
                return head.count >= offset + bytes.count && Array(head[offset..<offset + bytes.count]) == bytes
            }
            if WAVFile.looksLikeWAV(head) { return .wav }
            // A RIFF file too short to say what it holds is a damaged WAV, the usual RIFF upload.
            if (ascii("RIFF") || ascii("RF64")) && head.count < 12 { return .wav }
            if ascii("RIFF") { return .riff }
            if ascii("ID3") || (head.count >= 2 && head[0] == 0xFF && head[1] & 0xE0 == 0xE0) { return .mp3 }
            if ascii("ftyp", at: 4) { return .mp4 }
            if head.starts(with: [0x1A, 0x45, 0xDF, 0xA3]) { return .matroska }
            if ascii("OggS") { return .ogg }
            if ascii("fLaC") { return .flac }
            if ascii("FORM") && (ascii("AIFF", at: 8) || ascii("AIFC", at: 8)) { return .aiff }
            if ascii("caff") { return .caf }
            if ascii("#!AMR") { return .amr }
            if head.starts(with: [0x30, 0x26, 0xB2, 0x75]) { return .asf }
            if ascii(".snd") { return .au }
            return nil
        }
    }

    /// Samples handed to `stream` callbacks at a time (one second at 16 kHz).
    public static let chunkSamples = 16_000

    /// Decodes a whole file: WAV at its own sample rate, everything else at 16 kHz.
    public static func decode(contentsOf url: URL) throws -> PCMAudio {
        var audio = PCMAudio(samples: [], sampleRate: PCMAudio.analysisSampleRate)
        try stream(contentsOf: url) { chunk in
            audio.sampleRate = chunk.sampleRate
            audio.samples.append(contentsOf: chunk.samples)
        }
        return audio
    }

    /// Decodes bytes (an upload): WAV natively, other formats through a temporary file so that
    /// containers needing to seek (MP4 with its index at the end) work too.
    public static func decode(_ data: Data) throws -> PCMAudio {
        guard !data.isEmpty else { throw AudioDecodingError.corrupt("the file is empty") }
        if Container.sniff(Array(data.prefix(16))) == .wav { return try WAVFile.decode(data) }
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("parley-audio-\(UUID().uuidString)")
        do {
            try data.write(to: url)
        } catch {
            throw AudioDecodingError.decoderUnavailable("could not write a temporary file: \(error.localizedDescription)")
        }
        defer { try? FileManager.default.removeItem(at: url) }
        return try decode(contentsOf: url)
    }

    /// Decodes a file chunk by chunk, calling `body` with each chunk (all at the same sample rate).
    public static func stream(contentsOf url: URL, _ body: (PCMAudio) throws -> Void) throws {
        let head: [UInt8]
        do {
            let handle = try FileHandle(forReadingFrom: url)
            defer { try? handle.close() }
            head = Array(try handle.read(upToCount: 16) ?? Data())
        } catch {
            throw AudioDecodingError.corrupt("cannot read \(url.lastPathComponent): \(error.localizedDescription)")
        }
        guard !head.isEmpty else { throw AudioDecodingError.corrupt("the file is empty") }
        let container = Container.sniff(head)
        if container == .wav {
            try streamWAV(url, body)
        } else {
            try streamThroughFFmpeg(url, recognised: container, body)
        }
    }

    /// Seconds of audio in a file, when its header or ffprobe can say without decoding it.
    public static func duration(of url: URL) -> Double? {
        if let handle = try? FileHandle(forReadingFrom: url), let size = try? handle.seekToEnd(),
            (try? handle.seek(toOffset: 0)) != nil, let header = try? handle.read(upToCount: 1 << 20),
            WAVFile.looksLikeWAV(header)
        {
            try? handle.close()
            return header.withUnsafeBytes { raw in
                (try? WAVFile.layout(of: raw, fileSize: Int(size))).map {
                    Double($0.frameCount) / Double($0.format.sampleRate)
                }
            }
        }
        guard let ffprobe = executable(named: "ffprobe") else { return nil }
        let process = Process()
        process.executableURL = ffprobe
        process.arguments = ["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", url.path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Double(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    // MARK: WAV

    /// Reads the header, then the data chunk a second at a time, so memory stays flat however long the file.
    private static func streamWAV(_ url: URL, _ body: (PCMAudio) throws -> Void) throws {
        let handle: FileHandle
        let fileSize: Int
        let header: Data
        do {
            handle = try FileHandle(forReadingFrom: url)
            fileSize = Int(try handle.seekToEnd())
            try handle.seek(toOffset: 0)
            header = try handle.read(upToCount: min(fileSize, 1 << 20)) ?? Data()
        } catch {
            throw AudioDecodingError.corrupt("cannot read \(url.lastPathComponent): \(error.localizedDescription)")
        }
        defer { try? handle.close() }
        let layout = try header.withUnsafeBytes { try WAVFile.layout(of: $0, fileSize: fileSize) }
        let format = layout.format
        var offset = layout.data.lowerBound
        let chunkBytes = format.sampleRate * format.blockAlign
        repeat {
            let count = min(chunkBytes, layout.data.upperBound - offset)
            let data: Data
            do {
                try handle.seek(toOffset: UInt64(offset))
                data = try handle.read(upToCount: count) ?? Data()
            } catch {
                throw AudioDecodingError.corrupt("reading \(url.lastPathComponent) failed: \(error.localizedDescription)")
            }
            let samples = data.withUnsafeBytes { WAVFile.samples(ofFrames: $0, format: format) }
            try body(PCMAudio(samples: samples, sampleRate: format.sampleRate))
            offset += count
            if data.count < count { break }
        } while offset < layout.data.upperBound
    }

    // MARK: ffmpeg

    private static func streamThroughFFmpeg(
        _ url: URL, recognised container: Container?, _ body: (PCMAudio) throws -> Void
    ) throws {
        guard let ffmpeg = executable(named: "ffmpeg") else {
            throw AudioDecodingError.decoderUnavailable(
                "ffmpeg is not installed, so only WAV can be read (install ffmpeg: scripts/setup.sh)")
        }
        let errorURL = FileManager.default.temporaryDirectory
            .appendingPathComponent("parley-ffmpeg-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: errorURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errorURL) }

        let process = Process()
        process.executableURL = ffmpeg
        process.arguments = [
            "-nostdin", "-hide_banner", "-loglevel", "error", "-i", url.path, "-map", "0:a:0", "-vn",
            "-ac", "1", "-ar", String(PCMAudio.analysisSampleRate), "-f", "f32le", "-acodec", "pcm_f32le", "pipe:1",
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardInput = FileHandle.nullDevice
        let errorHandle = try FileHandle(forWritingTo: errorURL)
        defer { try? errorHandle.close() }
        process.standardError = errorHandle
        do {
            try process.run()
        } catch {
            throw AudioDecodingError.decoderUnavailable("ffmpeg could not start: \(error.localizedDescription)")
        }

        let reader = output.fileHandleForReading
        var leftover: [UInt8] = []
        var pending: [Float] = []
        var produced = 0
        var failure: Error?
        let chunkBytes = chunkSamples * MemoryLayout<Float>.size
        while true {
            let data: Data
            do {
                guard let read = try reader.read(upToCount: chunkBytes), !read.isEmpty else { break }
                data = read
            } catch {
                failure = AudioDecodingError.corrupt("reading the decoder's output failed: \(error.localizedDescription)")
                break
            }
            leftover.append(contentsOf: data)
            let whole = leftover.count / 4
            leftover.withUnsafeBytes { raw in
                for index in 0..<whole {
                    pending.append(Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self))))
                }
            }
            leftover.removeFirst(whole * 4)
            if pending.count >= chunkSamples && failure == nil {
                do {
                    try body(PCMAudio(samples: pending, sampleRate: PCMAudio.analysisSampleRate))
                } catch {
                    failure = error
                    process.terminate()
                }
                produced += pending.count
                pending.removeAll(keepingCapacity: true)
            }
        }
        process.waitUntilExit()
        if let failure { throw failure }

        let log = (try? String(contentsOf: errorURL, encoding: .utf8)) ?? ""
        let reason = log.split(separator: "\n").first.map(String.init) ?? "ffmpeg exited with status \(process.terminationStatus)"
        if process.terminationStatus != 0 && produced + pending.count == 0 {
            if log.contains("matches no streams") || log.contains("does not contain any stream") {
                throw AudioDecodingError.unsupported("the file contains no audio track")
            }
            if container != nil {
                throw AudioDecodingError.corrupt("the \(container!.rawValue) data could not be decoded (\(reason))")
            }
            throw AudioDecodingError.unsupported("this is not an audio format Parley can read")
        }
        if !pending.isEmpty || produced == 0 {
            try body(PCMAudio(samples: pending, sampleRate: PCMAudio.analysisSampleRate))
        }
    }

    /// Finds a program on PATH (or the path in `PARLEY_FFMPEG` for ffmpeg).
    static func executable(named name: String) -> URL? {
        let environment = ProcessInfo.processInfo.environment
        if name == "ffmpeg", let configured = environment["PARLEY_FFMPEG"], !configured.isEmpty {
            return URL(fileURLWithPath: configured)
        }
        let path = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }
}
