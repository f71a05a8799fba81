import CLame
import Foundation
import ParleyAudio

/// The containers synthesised speech is delivered in.
public enum SpeechAudioFormat: String, Sendable, CaseIterable, Codable {
    /// 16-bit PCM WAV.
    case wav
    /// Raw 16-bit little-endian mono PCM at the audio's own sample rate, no header.
    case pcm
    /// MPEG-1/2 layer III through LAME, mono, 64 kb/s.
    case mp3

    /// The MIME type to serve it with.
    public var mimeType: String {
        switch self {
        case .wav: "audio/wav"
        case .pcm: "audio/pcm"
        case .mp3: "audio/mpeg"
        }
    }

    /// Encodes audio in this format.
    public func encode(_ audio: PCMAudio) throws -> Data {
        switch self {
        case .wav: WAVFile.encode(audio)
        case .pcm: PCM16.encode(audio.samples)
        case .mp3: try MP3.encode(audio)
        }
    }
}

/// Raw 16-bit little-endian PCM, as providers send it and clients play it.
enum PCM16 {
    static func encode(_ samples: [Float]) -> Data {
        var data = Data(count: samples.count * 2)
        data.withUnsafeMutableBytes { raw in
            for (index, sample) in samples.enumerated() {
                let clamped = sample.isNaN ? 0 : min(1, max(-1, sample))
                raw.storeBytes(of: Int16((clamped * 32767).rounded()).littleEndian, toByteOffset: index * 2, as: Int16.self)
            }
        }
        return data
    }

    static func decode(_ data: Data) -> [Float] {
        data.withUnsafeBytes { raw in
            (0..<(raw.count / 2)).map { Float(Int16(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 2, as: Int16.self))) / 32768 }
        }
    }
}

/// MP3 through LAME. Each call has its own encoder state, so no serialisation is needed.
enum MP3 {
    static let bitrate: Int32 = 64

    static func encode(_ audio: PCMAudio) throws -> Data {
        guard let lame = lame_init() else { throw SpeechError.serviceUnavailable(service: "mp3 encoder", reason: "LAME could not start") }
        defer { lame_close(lame) }
        lame_set_in_samplerate(lame, Int32(audio.sampleRate))
        lame_set_num_channels(lame, 1)
        lame_set_mode(lame, MONO)
        lame_set_brate(lame, bitrate)
        lame_set_quality(lame, 5)
        guard lame_init_params(lame) >= 0 else {
            throw SpeechError.invalidRequest("MP3 cannot be made at \(audio.sampleRate) Hz")
        }
        var output = Data()
        let block = 8192
        var buffer = [UInt8](repeating: 0, count: block * 5 / 4 + 7200)
        var offset = 0
        while offset < audio.samples.count {
            let count = min(block, audio.samples.count - offset)
            let written = audio.samples[offset..<(offset + count)].withUnsafeBufferPointer { samples in
                lame_encode_buffer_ieee_float(lame, samples.baseAddress, samples.baseAddress, Int32(count), &buffer, Int32(buffer.count))
            }
            guard written >= 0 else { throw SpeechError.invalidRequest("MP3 encoding failed (LAME error \(written))") }
            output.append(buffer, count: Int(written))
            offset += count
        }
        let flushed = lame_encode_flush(lame, &buffer, Int32(buffer.count))
        if flushed > 0 { output.append(buffer, count: Int(flushed)) }
        return output
    }

    /// Decodes MP3 with LAME's hip decoder (tests check what was encoded with it).
    static func decode(_ data: Data) -> PCMAudio {
        guard let hip = hip_decode_init() else { return PCMAudio(samples: [], sampleRate: 0) }
        defer { hip_decode_exit(hip) }
        var left = [Int16](repeating: 0, count: 1152 * 64)
        var right = [Int16](repeating: 0, count: 1152 * 64)
        var samples: [Float] = []
        var header = mp3data_struct()
        let bytes = [UInt8](data)
        var offset = 0
        var none: UInt8 = 0
        // Feed a piece, then drain the frames it completed one at a time (0 means "need more").
        while offset < bytes.count {
            var piece = Array(bytes[offset..<min(offset + 4096, bytes.count)])
            offset += piece.count
            var count = hip_decode1_headers(hip, &piece, piece.count, &left, &right, &header)
            while count > 0 {
                samples += left[0..<Int(count)].map { Float($0) / 32768 }
                count = hip_decode1_headers(hip, &none, 0, &left, &right, &header)
            }
            if count < 0 { break }
        }
        return PCMAudio(samples: samples, sampleRate: Int(header.samplerate))
    }
}
