import CEspeakNG
import Foundation

/// English words as IPA phonemes from espeak-ng's rules and dictionary, for pronunciation drills.
public struct Phonemizer: Sendable {
    /// The espeak-ng voice whose language rules apply (`en-us` by default).
    public var voice: String

    public init(voice: String = "en-us") {
        self.voice = voice
    }

    /// The phonemes of `text`, one IPA symbol (with its length mark) per element, stress marks
    /// and word breaks dropped: "sheep" → ["ʃ", "iː", "p"].
    public func phonemes(_ text: String) async throws -> [String] {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return [] }
        return try await EspeakEngine.shared.phonemes(trimmed, voice: voice)
    }
}

extension EspeakEngine {
    /// espeak_TextToPhonemes with "_" between phoneme names; it returns one clause per call.
    func phonemes(_ text: String, voice: String) throws -> [String] {
        try initialize()
        guard espeak_SetVoiceByName(voice) == EE_OK else {
            throw SpeechError.serviceUnavailable(service: "espeak-ng", reason: "voice '\(voice)' is not installed")
        }
        let mode = Int32(espeakPHONEMES_IPA) | (Int32(UInt8(ascii: "_")) << 8)
        var clauses: [String] = []
        text.withCString { pointer in
            var cursor: UnsafeRawPointer? = UnsafeRawPointer(pointer)
            while cursor != nil {
                guard let output = espeak_TextToPhonemes(&cursor, Int32(espeakCHARS_UTF8), mode) else { break }
                clauses.append(String(cString: output))
            }
        }
        let stress: Set<Character> = ["ˈ", "ˌ"]
        return clauses.joined(separator: " ")
            .split(whereSeparator: { $0 == "_" || $0.isWhitespace })
            .map { String($0.filter { !stress.contains($0) }) }
            .filter { !$0.isEmpty }
    }
}
