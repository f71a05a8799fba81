import Foundation

/// G.711 μ-law, the telephone network's 8-bit companding (what Twilio Media Streams carry, at
/// 8 kHz mono): samples in −1…1 to bytes and back.
public enum MuLaw {
    private static let bias: Int32 = 0x84
    private static let clip: Int32 = 32_635

    /// One sample to its μ-law byte.
    public static func encode(_ sample: Float) -> UInt8 {
        let scaled = Int32(((sample.isNaN ? 0 : max(-1, min(1, sample))) * 32_767).rounded())
        let sign: Int32 = scaled < 0 ? 0x80 : 0
        var magnitude = min(abs(scaled), clip) + bias
        var exponent: Int32 = 7
        var mask: Int32 = 0x4000
        while exponent > 0 && magnitude & mask == 0 {
            exponent -= 1
            mask >>= 1
        }
        let mantissa = (magnitude >> (exponent + 3)) & 0x0F
        magnitude = ~(sign | (exponent << 4) | mantissa)
        return UInt8(truncatingIfNeeded: magnitude)
    }

    /// One μ-law byte to its sample.
    public static func decode(_ byte: UInt8) -> Float {
        let value = ~Int32(byte) & 0xFF
        let sign = value & 0x80
        let exponent = (value >> 4) & 0x07
        let mantissa = value & 0x0F
        let magnitude = (((mantissa << 3) + bias) << exponent) - bias
        return Float(sign != 0 ? -magnitude : magnitude) / 32_768
    }

    public static func encode(_ samples: [Float]) -> [UInt8] { samples.map(encode) }

    public static func decode<Bytes: Sequence>(_ bytes: Bytes) -> [Float] where Bytes.Element == UInt8 { bytes.map(decode) }
}
