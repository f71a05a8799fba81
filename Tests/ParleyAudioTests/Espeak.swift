import Foundation
import ParleyAudio
import ParleyDomain

#if canImport(Glibc)
import Glibc
#endif

/// Speech made at test time with espeak-ng, through its library so that the word timings come
/// from espeak's own word events (the truth for speaking-rate tests).
enum Espeak {
    /// Speech and the start of every word; a word ends where the next begins, the last where the sound stops.
    struct Utterance: Sendable {
        var audio: PCMAudio
        var words: [Word]
    }

    enum Failure: Error, CustomStringConvertible {
        case unavailable(String)
        var description: String {
            switch self {
            case .unavailable(let reason): "espeak-ng is needed for this test (scripts/setup.sh installs it): \(reason)"
            }
        }
    }

    private typealias Callback = @convention(c) (UnsafeMutablePointer<Int16>?, Int32, UnsafeMutableRawPointer?) -> Int32
    private typealias Initialize = @convention(c) (Int32, Int32, UnsafePointer<CChar>?, Int32) -> Int32
    private typealias SetCallback = @convention(c) (Callback?) -> Void
    private typealias SetVoice = @convention(c) (UnsafePointer<CChar>?) -> Int32
    private typealias SetParameter = @convention(c) (Int32, Int32, Int32) -> Int32
    private typealias Synth = @convention(c) (
        UnsafeRawPointer?, Int, UInt32, Int32, UInt32, UInt32, UnsafeMutablePointer<UInt32>?, UnsafeMutableRawPointer?
    ) -> Int32
    private typealias Synchronize = @convention(c) () -> Int32

    /// What the callback collects; espeak's API is global, so one synthesis runs at a time.
    private final class Collector: @unchecked Sendable {
        var samples: [Int16] = []
        var wordStarts: [(position: Int, length: Int, milliseconds: Int)] = []
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var collector = Collector()
    nonisolated(unsafe) private static var sampleRate: Int32 = 0
    nonisolated(unsafe) private static var library: UnsafeMutableRawPointer?

    private static func symbol<T>(_ name: String, as type: T.Type) throws -> T {
        guard let library, let pointer = dlsym(library, name) else { throw Failure.unavailable("no symbol \(name)") }
        return unsafeBitCast(pointer, to: type)
    }

    /// Speaks `text` at `wordsPerMinute` with the default English voice.
    static func speak(_ text: String, wordsPerMinute: Int) throws -> Utterance {
        lock.lock()
        defer { lock.unlock() }
        if library == nil {
            guard let handle = dlopen("libespeak-ng.so.1", RTLD_NOW) else {
                throw Failure.unavailable(String(cString: dlerror()))
            }
            library = handle
            // AUDIO_OUTPUT_SYNCHRONOUS = 2; 0x8000 = espeakINITIALIZE_DONT_EXIT.
            sampleRate = try symbol("espeak_Initialize", as: Initialize.self)(2, 0, nil, 0x8000)
            guard sampleRate > 0 else { throw Failure.unavailable("espeak_Initialize failed") }
            let callback: Callback = { wav, count, events in
                if let wav, count > 0 { Espeak.collector.samples.append(contentsOf: UnsafeBufferPointer(start: wav, count: Int(count))) }
                // espeak_EVENT is 40 bytes: type, id, text_position, length, audio_position at 0/4/8/12/16.
                var event = events
                while let current = event {
                    let type = current.load(fromByteOffset: 0, as: Int32.self)
                    if type == 0 { break }
                    if type == 1 {
                        Espeak.collector.wordStarts.append(
                            (Int(current.load(fromByteOffset: 8, as: Int32.self)),
                             Int(current.load(fromByteOffset: 12, as: Int32.self)),
                             Int(current.load(fromByteOffset: 16, as: Int32.self))))
                    }
                    event = current + 40
                }
                return 0
            }
            try symbol("espeak_SetSynthCallback", as: SetCallback.self)(callback)
            _ = try symbol("espeak_SetVoiceByName", as: SetVoice.self)("en")
        }
        collector = Collector()
        _ = try symbol("espeak_SetParameter", as: SetParameter.self)(1, Int32(wordsPerMinute), 0)
        let bytes = Array(text.utf8CString)
        let status = try bytes.withUnsafeBytes { raw in
            // POS_CHARACTER = 1, espeakCHARS_AUTO = 0.
            try symbol("espeak_Synth", as: Synth.self)(raw.baseAddress, raw.count, 0, 1, 0, 0, nil, nil)
        }
        guard status == 0 else { throw Failure.unavailable("espeak_Synth returned \(status)") }
        _ = try symbol("espeak_Synchronize", as: Synchronize.self)()

        let rate = Int(sampleRate)
        let samples = collector.samples.map { Float($0) / 32_768 }
        let lastSound = Double((samples.lastIndex { abs($0) > 0.003 } ?? samples.count) + 1) / Double(rate)
        let characters = Array(text.utf8)
        let starts = collector.wordStarts
        var words: [Word] = []
        for (index, start) in starts.enumerated() {
            let from = max(0, min(characters.count, start.position - 1))
            let to = max(from, min(characters.count, from + start.length))
            let end = index + 1 < starts.count ? Double(starts[index + 1].milliseconds) / 1_000 : lastSound
            words.append(
                Word(text: String(decoding: characters[from..<to], as: UTF8.self),
                     start: Double(start.milliseconds) / 1_000, end: end))
        }
        return Utterance(audio: PCMAudio(samples: samples, sampleRate: rate), words: words)
    }
}
