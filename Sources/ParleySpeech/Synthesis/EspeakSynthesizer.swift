import CEspeakNG
import Foundation
import ParleyAudio

/// espeak-ng in process, synthesising into memory with word boundaries.
public struct EspeakSynthesizer: SpeechSynthesizer {
    public let name = "espeak-ng"
    public let catalog: VoiceCatalog

    public init(catalog: VoiceCatalog = .espeak) {
        self.catalog = catalog
    }

    public var voiceIDs: [String] { catalog.ids }

    public func synthesize(_ request: SpeechRequest) async throws -> SynthesizedSpeech {
        let voice = try catalog.prepare(request)
        let wordsPerMinute = Int((Double(espeakRATE_NORMAL) * request.speed).rounded())
        return try await EspeakEngine.shared.synthesize(
            request.text, voice: voice,
            wordsPerMinute: min(max(wordsPerMinute, Int(espeakRATE_MINIMUM)), Int(espeakRATE_MAXIMUM))
        )
    }
}

/// espeak-ng keeps global state and its C API is not thread-safe: one actor owns every call.
actor EspeakEngine {
    static let shared = EspeakEngine()

    private var sampleRate: Int32 = 0

    func synthesize(_ text: String, voice: String, wordsPerMinute: Int) throws -> SynthesizedSpeech {
        try initialize()
        guard espeak_SetVoiceByName(voice) == EE_OK else {
            throw SpeechError.serviceUnavailable(service: "espeak-ng", reason: "voice '\(voice)' is not installed")
        }
        espeak_SetParameter(espeakRATE, Int32(wordsPerMinute), 0)
        let collector = EspeakCollector()
        EspeakCollector.current = collector
        defer { EspeakCollector.current = nil }
        let status = text.withCString { pointer in
            espeak_Synth(pointer, strlen(pointer) + 1, 0, POS_CHARACTER, 0, UInt32(espeakCHARS_UTF8), nil, nil)
        }
        guard status == EE_OK else {
            throw SpeechError.serviceUnavailable(service: "espeak-ng", reason: "synthesis failed (error \(status.rawValue))")
        }
        let scalars = Array(text.unicodeScalars)
        let words = collector.words.compactMap { event -> WordBoundary? in
            // text_position is 1-based and counts characters (Unicode scalars for UTF-8 input).
            let lower = max(0, event.position - 1)
            let upper = min(scalars.count, lower + max(event.length, 0))
            guard lower < upper else { return nil }
            var word = String.UnicodeScalarView()
            word.append(contentsOf: scalars[lower..<upper])
            return WordBoundary(text: String(word), start: Double(event.milliseconds) / 1000, textOffset: lower)
        }
        let samples = collector.samples.map { Float($0) / 32768 }
        return SynthesizedSpeech(audio: PCMAudio(samples: samples, sampleRate: Int(sampleRate)), words: words)
    }

    func initialize() throws {
        guard sampleRate <= 0 else { return }
        // DONT_EXIT: a missing espeak-ng-data directory must become an error, not exit the server.
        let rate = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, nil, Int32(espeakINITIALIZE_DONT_EXIT))
        guard rate > 0 else {
            throw SpeechError.serviceUnavailable(service: "espeak-ng", reason: "could not initialise (is espeak-ng-data installed?)")
        }
        espeak_SetSynthCallback(espeakCallback)
        sampleRate = rate
    }
}

/// What one synthesis call produced; reached from the C callback through `current`.
private final class EspeakCollector {
    struct WordEvent {
        var position: Int
        var length: Int
        var milliseconds: Int
    }

    // Only touched inside EspeakEngine's isolation (the synchronous callback runs within it).
    nonisolated(unsafe) static var current: EspeakCollector?

    var samples: [Int16] = []
    var words: [WordEvent] = []
}

private func espeakCallback(
    _ wav: UnsafeMutablePointer<Int16>?, _ count: Int32, _ events: UnsafeMutablePointer<espeak_EVENT>?
) -> Int32 {
    guard let collector = EspeakCollector.current else { return 1 }
    if let wav, count > 0 {
        collector.samples.append(contentsOf: UnsafeBufferPointer(start: wav, count: Int(count)))
    }
    var event = events
    while let current = event, current.pointee.type != espeakEVENT_LIST_TERMINATED {
        if current.pointee.type == espeakEVENT_WORD {
            collector.words.append(.init(
                position: Int(current.pointee.text_position), length: Int(current.pointee.length),
                milliseconds: Int(current.pointee.audio_position)
            ))
        }
        event = current + 1
    }
    return 0
}
