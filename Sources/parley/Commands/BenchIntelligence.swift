import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import ParleyDomain
import ParleyIntelligence
import ParleySpeech

/// `parley bench intelligence`: accuracy against the labelled fixtures and analysis speed.
struct BenchIntelligence: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "intelligence",
        abstract: "Per-category precision/recall on the labelled utterances, and time to analyse a one-hour transcript.")

    @Option(help: "Folder holding tuning.jsonl and heldout.jsonl.")
    var fixtures = "Tests/ParleyIntelligenceTests/Fixtures"

    @Flag(help: "Also print every mismatch (id, category, expected, predicted, text). Never on a set you report.")
    var errors = false

    @Flag(help: "Phrase rules and lexicon only: no term model, no encoder (the old baseline).")
    var rulesOnly = false

    @Option(help: "Sentence encoder under the learned model: embedded (the local all-MiniLM-L6-v2 service) or none (rules and term model).")
    var encoder = "embedded"

    @Option(help: "Which fixture sets to evaluate: tuning, heldout, training, selection, independent (every set in independent/, each on its own) or all.")
    var split = "all"

    @Flag(help: "Print the full per-label tables, not only the summary per set.")
    var tables = false

    @Option(help: "Minutes of synthetic two-speaker conversation to time.")
    var minutes: Double = 60

    @Option(help: "Timed repetitions (the best and the median are printed).")
    var repetitions = 7

    func run() async throws {
        let analyzer = rulesOnly ? TextAnalyzer(model: nil, encoderModel: nil) : TextAnalyzer()
        var service: LocalSpeechService?
        var sentenceEncoder: (any SentenceEncoder)?
        if !rulesOnly && encoder == "embedded" {
            let command = try EmbeddedSentenceEncoder.locate()
            let local = LocalSpeechService(command: command)
            try await local.start()
            service = local
            sentenceEncoder = EmbeddedSentenceEncoder(service: local)
        } else if encoder != "none" && encoder != "embedded" {
            throw ValidationError("--encoder must be embedded or none")
        }
        defer { Task { [service] in await service?.stop() } }
        let understanding = TextUnderstanding(analyzer: analyzer, encoder: sentenceEncoder)
        let path = await understanding.encodings(["warm up"]).path
        print("decided by: \(path)" + (analyzer.encoderModel.map { " (encoder model trained on \($0.provenance["utterances"] ?? "?") utterances)" } ?? ""))
        for split in sets() {
            let url = URL(fileURLWithPath: fixtures).appendingPathComponent("\(split).jsonl")
            guard let data = FileManager.default.contents(atPath: url.path) else {
                print("(no \(url.path); run from the repository root or pass --fixtures)")
                continue
            }
            let items = try LabelledUtterance.load(jsonLines: data)
            let vectors = await understanding.encodings(items.map(\.text)).vectors
            let evaluation = Evaluation(items, analyzer: analyzer, encodings: vectors)
            let baseline = Evaluation(items, predictions: items.map { KeywordBaseline.predict($0.text) })
            print(Self.summary(split, evaluation, baseline: baseline))
            if tables { print(evaluation.table(title: "-- \(split): every label")) }
            if errors {
                for error in evaluation.errors {
                    print("  \(error.id) \(error.category): expected \(error.expected) got \(error.predicted) | \(error.text)")
                }
            }
            print("")
        }
        try await speed(analyzer: analyzer, understanding: understanding, service: service)
    }

    /// The fixture files to read, by the `--split` choice.
    func sets() -> [String] {
        var result = ["tuning", "training", "heldout"].filter { split == "all" && $0 != "training" || split == $0 }
        for folder in ["selection", "independent"] where split == "all" || split == folder {
            // Independent sets were written from the labelling rules alone by authors who saw neither
            // the rules' code, the training lines nor each other's sets; never trained or tuned on.
            // The selection set chooses the model's thresholds; it is not a report set.
            let directory = URL(fileURLWithPath: fixtures).appendingPathComponent(folder)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
            result += names.filter { $0.hasSuffix(".jsonl") }.sorted().map { folder + "/" + $0.dropLast(6) }
        }
        return result
    }

    /// One set's headline figures, the keyword baseline's F1 beside each.
    static func summary(_ name: String, _ e: Evaluation, baseline b: Evaluation) -> String {
        var lines = ["== \(name) (\(e.utterances) utterances)", "signal                 precision  recall     F1   keyword F1"]
        for (category, title) in [("objections", "objections (micro)"), ("interest_signals", "interest (micro)"), ("upsells", "upsells (micro)"),
                                  ("questions", "questions"), ("fillers", "fillers")] {
            guard let row = e.overall(category), row.support > 0 || row.falsePositives > 0 else { continue }
            let keyword = b.overall(category)?.f1 ?? 0
            lines.append(title.padding(toLength: 22, withPad: " ", startingAt: 0) + String(format: " %9.2f  %6.2f  %5.2f  %10.2f", row.precision, row.recall, row.f1, keyword))
        }
        lines.append(String(format: "sentiment macro-F1 %.2f (keyword %.2f)", e.macroF1("sentiment"), b.macroF1("sentiment")))
        lines.append(String(format: "objection false alarms: %d of %d turns without one (%.1f%%; keyword %.1f%%)",
                            e.objectionFalseAlarms.alarms, e.objectionFalseAlarms.utterances, e.objectionFalseAlarmRate * 100, b.objectionFalseAlarmRate * 100))
        return lines.joined(separator: "\n")
    }

    /// Times the analysis of a synthetic conversation: the rules in this thread, the encoder in its service.
    func speed(analyzer: TextAnalyzer, understanding: TextUnderstanding, service: LocalSpeechService?) async throws {
        let transcript = SyntheticConversation.transcript(minutes: minutes)
        let words = transcript.segments.reduce(0) { $0 + $1.words.count }
        var times: [Double] = []
        var cpuTimes: [Double] = []
        var encoderWall: [Double] = []
        var encoderCPU: [Double] = []
        var analysis: TextAnalysis?
        let texts = transcript.segments.map(\.text)
        for _ in 0..<max(1, repetitions) {
            var vectors: [[Float]]?
            if let service {
                let pid = await service.processIdentifier
                let before = pid.flatMap(Self.processCPUSeconds)
                let clock = ContinuousClock()
                let elapsed = await clock.measure { vectors = await understanding.encodings(texts).vectors }
                encoderWall.append(Self.milliseconds(elapsed))
                if let before, let after = pid.flatMap(Self.processCPUSeconds) { encoderCPU.append((after - before) * 1000) }
            }
            let clock = ContinuousClock()
            let cpuStart = Self.threadCPUMilliseconds()
            let elapsed = clock.measure { analysis = analyzer.analyze(transcript, encodings: vectors) }
            cpuTimes.append(Self.threadCPUMilliseconds() - cpuStart)
            times.append(Self.milliseconds(elapsed))
        }
        times.sort()
        cpuTimes.sort()
        encoderWall.sort()
        encoderCPU.sort()
        let hours = minutes / 60
        print("== speed: \(Int(minutes)) min synthetic two-speaker transcript, \(transcript.segments.count) segments, \(words) words")
        print(String(format: "analysis in process: best %.1f ms, median %.1f ms wall over %d runs (one task, one core)", times[0], times[times.count / 2], times.count))
        print(String(format: "analysis thread CPU: best %.1f ms, median %.1f ms", cpuTimes[0], cpuTimes[cpuTimes.count / 2]))
        if !encoderWall.isEmpty {
            print(String(format: "sentence encoder (its service): median %.0f ms wall, %@ CPU", encoderWall[encoderWall.count / 2],
                         encoderCPU.isEmpty ? "unknown" : String(format: "%.0f ms", encoderCPU[encoderCPU.count / 2])))
        }
        let cpuPerHour = ((encoderCPU.isEmpty ? 0 : encoderCPU[encoderCPU.count / 2]) + cpuTimes[cpuTimes.count / 2]) / hours / 1000
        print(String(format: "CPU per analysed hour of transcript: %.2f s (encoder + analysis)", cpuPerHour))
        let wall = (encoderWall.isEmpty ? 0 : encoderWall[encoderWall.count / 2]) + times[times.count / 2]
        print(String(format: "real-time factor: %.5f (wall analysis time / audio time)", wall / 1000 / (minutes * 60)))
        if let analysis {
            print("findings: \(analysis.objections.count) objections, \(analysis.upsells.count) upsell types, \(analysis.coachingMoments.count) coaching moments, overall score \(analysis.scores.overall); decided by \(analysis.understanding)")
        }
    }

    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }

    /// User + system CPU seconds a process has used (Linux /proc/PID/stat fields 14 and 15).
    static func processCPUSeconds(_ pid: Int32) -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
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
