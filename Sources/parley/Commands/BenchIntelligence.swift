import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import ParleyIntelligence

/// `parley bench intelligence`: accuracy against the labelled fixtures and analysis speed.
struct BenchIntelligence: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "intelligence",
        abstract: "Per-category precision/recall on the labelled utterances, and time to analyse a one-hour transcript.")

    @Option(help: "Folder holding tuning.jsonl and heldout.jsonl.")
    var fixtures = "Tests/ParleyIntelligenceTests/Fixtures"

    @Flag(help: "Also print every mismatch (id, category, expected, predicted, text).")
    var errors = false

    @Flag(help: "Phrase rules and lexicon only, without the learned signal model (the baseline).")
    var rulesOnly = false

    @Option(help: "Which fixture splits to evaluate: tuning, heldout, independent (every set in independent/, each on its own) or all; `training` (objection/sentiment/interest labels only) on request.")
    var split = "all"

    @Option(help: "Minutes of synthetic two-speaker conversation to time.")
    var minutes: Double = 60

    @Option(help: "Timed repetitions (the best and the median are printed).")
    var repetitions = 7

    func run() async throws {
        let analyzer = rulesOnly ? TextAnalyzer(model: nil) : TextAnalyzer()
        print(analyzer.model == nil ? "signal model: off (rules only)" : "signal model: on")
        var sets = ["tuning", "training", "heldout"].filter { self.split == "all" && $0 != "training" || self.split == $0 }
        if self.split == "all" || self.split == "independent" {
            // Sets written from the labelling rules alone by authors who saw neither the rules'
            // code, the training lines nor each other's sets; never trained or tuned on.
            let folder = URL(fileURLWithPath: fixtures).appendingPathComponent("independent")
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            sets += names.filter { $0.hasSuffix(".jsonl") }.sorted().map { "independent/" + $0.dropLast(6) }
        }
        for split in sets {
            let url = URL(fileURLWithPath: fixtures).appendingPathComponent("\(split).jsonl")
            guard let data = FileManager.default.contents(atPath: url.path) else {
                print("(no \(url.path); run from the repository root or pass --fixtures)")
                continue
            }
            let evaluation = Evaluation(try LabelledUtterance.load(jsonLines: data), analyzer: analyzer)
            print(evaluation.table(title: "== \(split) split"))
            if errors {
                for error in evaluation.errors {
                    print("  \(error.id) \(error.category): expected \(error.expected) got \(error.predicted) | \(error.text)")
                }
            }
            print("")
        }
        let transcript = SyntheticConversation.transcript(minutes: minutes)
        let words = transcript.segments.reduce(0) { $0 + $1.words.count }
        var times: [Double] = []
        var cpuTimes: [Double] = []
        var analysis: TextAnalysis?
        for _ in 0..<max(1, repetitions) {
            let clock = ContinuousClock()
            let cpuStart = Self.threadCPUMilliseconds()
            let elapsed = clock.measure { analysis = analyzer.analyze(transcript) }
            cpuTimes.append(Self.threadCPUMilliseconds() - cpuStart)
            times.append(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
        }
        times.sort()
        cpuTimes.sort()
        print("== speed: \(Int(minutes)) min synthetic two-speaker transcript, \(transcript.segments.count) segments, \(words) words")
        print(String(format: "full analysis: best %.1f ms, median %.1f ms wall over %d runs (one task, one core)", times[0], times[times.count / 2], times.count))
        print(String(format: "thread CPU time: best %.1f ms, median %.1f ms (unaffected by other processes waiting for the cores)", cpuTimes[0], cpuTimes[cpuTimes.count / 2]))
        print(String(format: "real-time factor: %.5f (analysis time / audio time)", times[times.count / 2] / 1000 / (minutes * 60)))
        if let analysis {
            print("findings: \(analysis.objections.count) objections, \(analysis.upsells.count) upsell types, \(analysis.coachingMoments.count) coaching moments, overall score \(analysis.scores.overall)")
        }
    }

    /// CPU time consumed by the calling thread, in milliseconds.
    static func threadCPUMilliseconds() -> Double {
        #if canImport(Glibc)
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) * 1000 + Double(time.tv_nsec) / 1e6
        #else
        return Double(clock()) / Double(CLOCKS_PER_SEC) * 1000
        #endif
    }
}
