import Foundation
import ParleyAudio
import Testing

/// G.711 μ-law against the standard's fixed points and a round trip of a known tone.
@Suite("μ-law")
struct MuLawTests {
    @Test func fixedPointsOfTheStandard() {
        // Silence is 0xFF, full scale positive 0x80 and negative 0x00 (ITU-T G.711 table 2).
        #expect(MuLaw.encode(Float(0)) == 0xFF)
        #expect(MuLaw.encode(Float(1)) == 0x80)
        #expect(MuLaw.encode(Float(-1)) == 0x00)
        #expect(MuLaw.decode(UInt8(0xFF)) == 0)
        #expect(abs(MuLaw.decode(UInt8(0x80)) - 32_124.0 / 32_768) < 1e-6)
        #expect(abs(MuLaw.decode(UInt8(0x00)) + 32_124.0 / 32_768) < 1e-6)
    }

    @Test func aToneSurvivesTheRoundTripWithinTheCompandingError() {
        let tone = (0..<8000).map { Float(0.5 * sin(2 * Double.pi * 440 * Double($0) / 8000)) }
        let back = MuLaw.decode(MuLaw.encode(tone))
        var signal = 0.0, noise = 0.0
        for (a, b) in zip(tone, back) {
            signal += Double(a * a)
            noise += Double((a - b) * (a - b))
        }
        // μ-law keeps about 38 dB of signal-to-noise on a loud tone.
        #expect(10 * log10(signal / noise) > 30)
    }

    @Test func aLineUpsampledFrameByFrameIsTheSameAsInOnePieceAndHasItsLevel() {
        let tone = (0..<320).map { Float(0.5 * sin(2 * Double.pi * 440 * Double($0) / 8000)) }
        var whole = FrameUpsampler()
        var framed = FrameUpsampler()
        #expect(framed.twice(Array(tone[..<160])) + framed.twice(Array(tone[160...])) == whole.twice(tone))
        // A sine of amplitude 0.5 has an RMS of 0.5/√2.
        #expect(abs(PCMAudio.rms(whole.twice(tone)) - Float(0.5 / 2.0.squareRoot())) < 0.01)
        #expect(PCMAudio.rms([]) == 0)
    }
}
