import Foundation
import ParleyAudio
@testable import ParleySpeech

/// One embedded Whisper service for the whole test process: loading the model is the slow part.
enum Shared {
    static let whisper: WhisperRecognizer = {
        do {
            return WhisperRecognizer(configuration: try WhisperServiceConfiguration.locate())
        } catch {
            // Configuration that fails fast with the same typed error the tests will then report.
            return WhisperRecognizer(configuration: WhisperServiceConfiguration(python: "/nonexistent/python3", script: "/nonexistent"))
        }
    }()

    static var whisperService: LocalSpeechService { whisper.service }
    static let espeak = EspeakSynthesizer()

    /// Recordings are made once per condition and shared between tests.
    static let recordings = RecordingCache()
}

actor RecordingCache {
    private var cache: [String: SpeechCorpus.Recording] = [:]

    func recording(_ sentences: [String], _ condition: SpeechCorpus.Condition, gap: Double = 0.8) async throws -> SpeechCorpus.Recording {
        let key = "\(sentences.joined(separator: "|"))#\(condition)#\(gap)"
        if let hit = cache[key] { return hit }
        let recording = try await SpeechCorpus.record(sentences, condition: condition, gap: gap)
        cache[key] = recording
        return recording
    }
}
