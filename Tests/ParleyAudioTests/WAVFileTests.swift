import Foundation
import ParleyDomain
import Testing
@testable import ParleyAudio

@Suite("WAV codec")
struct WAVFileTests {
    /// A 440 Hz sine at half scale: the round-trip signal.
    static func sine(count: Int = 1_600, rate: Int = 16_000) -> PCMAudio {
        PCMAudio(
            samples: (0..<count).map { Float(0.5 * sin(2 * Double.pi * 440 * Double($0) / Double(rate))) },
            sampleRate: rate)
    }

    @Test("round-trips at every bit depth within quantisation error", arguments: [8, 16, 24, 32])
    func roundTrip(bits: Int) throws {
        let audio = Self.sine()
        let decoded = try WAVFile.decode(WAVFile.encode(audio, bitsPerSample: bits))
        #expect(decoded.sampleRate == 16_000)
        #expect(decoded.samples.count == audio.samples.count)
        let tolerance: Float = bits == 8 ? 1.0 / 100 : bits == 16 ? 1.0 / 30_000 : 1.0 / 1_000_000
        let worst = zip(decoded.samples, audio.samples).map { abs($0 - $1) }.max() ?? 0
        #expect(worst <= tolerance)
    }

    @Test("keeps the file's sample rate")
    func sampleRate() throws {
        let decoded = try WAVFile.decode(WAVFile.encode(Self.sine(rate: 44_100)))
        #expect(decoded.sampleRate == 44_100)
    }

    @Test("mixes stereo down to mono and reads WAVE_FORMAT_EXTENSIBLE")
    func extensibleStereo() throws {
        // Left +0.5, right -0.25 as 16-bit PCM inside an extensible header: the mix is 0.125.
        var body = Data()
        for _ in 0..<100 {
            body.append(contentsOf: le16(UInt16(bitPattern: 16_384)))
            body.append(contentsOf: le16(UInt16(bitPattern: -8_192)))
        }
        var fmt = Data()
        fmt.append(contentsOf: le16(0xFFFE) + le16(2) + le32(48_000) + le32(48_000 * 4) + le16(4) + le16(16))
        fmt.append(contentsOf: le16(22) + le16(16) + le32(3))
        fmt.append(contentsOf: le16(1) + [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71])
        let file = riff(chunks: [("fmt ", fmt), ("LIST", Data([1, 2, 3])), ("data", body)])
        let decoded = try WAVFile.decode(file)
        #expect(decoded.sampleRate == 48_000)
        #expect(decoded.samples.count == 100)
        #expect(decoded.samples.allSatisfy { abs($0 - 0.125) < 1e-6 })
    }

    @Test("reads 64-bit float and turns NaN into silence and infinity into full scale")
    func float64() throws {
        let values: [Double] = [0.25, .nan, .infinity, -.infinity, -0.5]
        var body = Data()
        for value in values { body.append(contentsOf: le64(value.bitPattern)) }
        let fmt = Data(le16(3) + le16(1) + le32(8_000) + le32(64_000) + le16(8) + le16(64))
        let decoded = try WAVFile.decode(riff(chunks: [("fmt ", fmt), ("data", body)]))
        #expect(decoded.samples == [0.25, 0, 1, -1, -0.5])
    }

    @Test("a data chunk cut short keeps the whole frames that exist")
    func truncatedData() throws {
        var file = WAVFile.encode(Self.sine(count: 1_000))
        file.removeLast(301)  // 150.5 frames gone
        let decoded = try WAVFile.decode(file)
        #expect(decoded.samples.count == 849)
    }

    @Test("zero-length data decodes to empty audio")
    func empty() throws {
        let decoded = try WAVFile.decode(WAVFile.encode(PCMAudio(samples: [], sampleRate: 16_000)))
        #expect(decoded.samples.isEmpty)
        #expect(decoded.duration == 0)
    }

    @Test("bad input raises typed errors", arguments: [
        ("truncated header", Data("RIFF".utf8), AudioDecodingError.Kind.corrupt),
        ("not a WAV", Data("ID3\u{3}hello world, this is an mp3".utf8), .unsupported),
        ("no format chunk", riff(chunks: [("data", Data(count: 10))]), .corrupt),
        ("no data chunk", riff(chunks: [("fmt ", Data(le16(1) + le16(1) + le32(16_000) + le32(32_000) + le16(2) + le16(16)))]), .corrupt),
        ("absurd sample rate", riff(chunks: [("fmt ", Data(le16(1) + le16(1) + le32(3) + le32(6) + le16(2) + le16(16))), ("data", Data(count: 4))]), .corrupt),
        ("zero channels", riff(chunks: [("fmt ", Data(le16(1) + le16(0) + le32(16_000) + le32(0) + le16(0) + le16(16))), ("data", Data(count: 4))]), .corrupt),
        ("a-law codec", riff(chunks: [("fmt ", Data(le16(6) + le16(1) + le32(8_000) + le32(8_000) + le16(1) + le16(8))), ("data", Data(count: 4))]), .unsupported),
        ("12-bit PCM", riff(chunks: [("fmt ", Data(le16(1) + le16(1) + le32(8_000) + le32(8_000) + le16(2) + le16(12))), ("data", Data(count: 4))]), .unsupported),
    ])
    func badInput(name: String, data: Data, kind: AudioDecodingError.Kind) {
        do {
            _ = try WAVFile.decode(data)
            Issue.record("\(name) decoded without error")
        } catch let error as AudioDecodingError {
            #expect(error.kind == kind, "\(name): \(error)")
            #expect(!error.description.isEmpty)
        } catch {
            Issue.record("\(name) threw \(error)")
        }
    }
}

func le16(_ value: UInt16) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8)] }
func le32(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8((value >> (8 * UInt32($0))) & 0xFF) } }
func le64(_ value: UInt64) -> [UInt8] { (0..<8).map { UInt8((value >> (8 * UInt64($0))) & 0xFF) } }

/// Builds a RIFF/WAVE file from raw chunks (padding odd sizes as the format requires).
func riff(chunks: [(String, Data)]) -> Data {
    var body = Data("WAVE".utf8)
    for (id, content) in chunks {
        body.append(contentsOf: Array(id.utf8))
        body.append(contentsOf: le32(UInt32(content.count)))
        body.append(content)
        if content.count % 2 == 1 { body.append(0) }
    }
    return Data("RIFF".utf8) + Data(le32(UInt32(body.count))) + body
}
