import Foundation

/// The documented voice ids and, for one engine, the voice each one speaks with.
public struct VoiceCatalog: Sendable, Hashable {
    /// Documented voice id → the engine's own voice name (espeak-ng voice, piper model, provider id).
    public var voices: [String: String]

    public init(voices: [String: String]) {
        self.voices = voices
    }

    /// The ids, sorted, as error messages list them.
    public var ids: [String] { voices.keys.sorted() }

    /// The engine voice for a documented id, or a typed error listing the valid ones.
    public func engineVoice(for id: String) throws(SpeechError) -> String {
        guard let voice = voices[id] else { throw .unknownVoice(id, valid: ids) }
        return voice
    }

    /// The accepted speaking-rate factors, for every synthesiser.
    public static let speeds = 0.25...4.0

    /// Checks a request before any work (known voice, usable speed and stability, some text)
    /// and returns the engine voice to speak it with.
    public func prepare(_ request: SpeechRequest) throws(SpeechError) -> String {
        let voice = try engineVoice(for: request.voiceID)
        guard request.speed.isFinite, Self.speeds.contains(request.speed) else {
            throw .invalidRequest("speed must be between \(Self.speeds.lowerBound) and \(Self.speeds.upperBound), got \(request.speed)")
        }
        if let stability = request.stability, !(stability.isFinite && (0...1).contains(stability)) {
            throw .invalidRequest("stability must be between 0 and 1, got \(stability)")
        }
        guard !request.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw .invalidRequest("text to synthesise is empty")
        }
        return voice
    }

    /// This catalog with `overrides` ("id=voice,id=voice", as in PARLEY_VOICES) applied on top.
    public func overridden(by overrides: String?) -> VoiceCatalog {
        var copy = self
        for pair in (overrides ?? "").split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty { copy.voices[parts[0]] = parts[1] }
        }
        return copy
    }

    /// espeak-ng voices for the ids the API documents (sales-trainer, leads, voice-agents).
    public static let espeak = VoiceCatalog(voices: [
        "professional_female": "en-us+f2",
        "professional_male": "en-us+m3",
        "bella": "en-us+steph",
        "english_male": "en+m1",
        "english_female": "en+f2",
    ])
}
