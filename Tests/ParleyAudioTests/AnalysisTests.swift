import Foundation
import ParleyDomain
import Testing
@testable import ParleyAudio

@Suite("Analysis result")
struct AnalysisTests {
    @Test("the timeline has a point per second and aggregates to 5 s, 10 s and minutes")
    func timeline() {
        let signal = Signals.phrases(pauses: [0.5, 0.5, 0.5, 0.5, 0.5], phraseSeconds: 1.5)
        let analysis = AudioAnalyzer.analyze(PCMAudio(samples: signal.samples, sampleRate: 16_000))
        let seconds = Int(analysis.duration.rounded(.up))
        #expect(analysis.timeline.count == seconds)
        #expect(analysis.timeline.map(\.timestamp) == (0..<seconds).map(Double.init))
        let five = analysis.timeline(.fiveSeconds)
        #expect(five.count == (seconds + 4) / 5)
        #expect(five.map(\.timestamp) == stride(from: 0, to: Double(seconds), by: 5).map { $0 })
        #expect(analysis.timeline(.minute).count == 1)
        let totalWords = analysis.timeline.reduce(0) { $0 + $1.words }
        #expect(abs(analysis.timeline(.minute)[0].words - totalWords) < 1e-9)
        #expect(analysis.timeline.flatMap(\.pauses).count == analysis.totalPauses)
        #expect(analysis.timeline.contains { $0.pitch != nil && $0.volume != nil })
    }

    @Test("encodes with the API's field names")
    func json() throws {
        let analysis = AudioAnalyzer.analyze(PCMAudio(samples: Signals.phrases(pauses: [0.6]).samples, sampleRate: 16_000))
        let object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(analysis)) as! [String: Any]
        for key in ["wpm", "pitch", "volume", "pauses", "timeline"] { #expect(object[key] != nil, "\(key)") }
        let pitch = object["pitch"] as! [String: Any]
        for key in ["mean", "std", "range", "min", "max", "trend"] { #expect(pitch[key] != nil, "pitch.\(key)") }
        let pause = (object["pauses"] as! [[String: Any]])[0]
        #expect(Set(pause.keys) == ["start", "end", "duration", "type"])
        #expect(try JSONDecoder().decode(AudioAnalysis.self, from: JSONEncoder().encode(analysis)) == analysis)
    }

    @Test("empty, tiny, NaN-filled and silent audio give an empty analysis, not a crash")
    func degenerate() {
        let empty = AudioAnalyzer.analyze(PCMAudio(samples: [], sampleRate: 16_000))
        #expect(empty.duration == 0 && empty.wpm == nil && empty.pitch.mean == nil && empty.pauses.isEmpty)
        #expect(AudioAnalyzer.analyze(PCMAudio(samples: [0.1, -0.1, 0.2], sampleRate: 16_000)).speech.isEmpty)
        let nan = AudioAnalyzer.analyze(PCMAudio(samples: [Float](repeating: .nan, count: 16_000), sampleRate: 16_000))
        #expect(nan.volume.rms == -120 && nan.speech.isEmpty)
        #expect(AudioAnalyzer.analyze(PCMAudio(samples: [1, 2, 3], sampleRate: 0)).duration == 0)
        let silent = AudioAnalyzer.analyze(PCMAudio(samples: Signals.silence(2), sampleRate: 16_000))
        #expect(silent.speech.isEmpty && silent.timeline.count == 2)
    }
}
