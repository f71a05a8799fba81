import ArgumentParser

/// `parley bench …`: release-mode benchmarks that print ratios and real-time factors.
/// Each engine adds its own subcommand here; tests never time anything.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Run a benchmark (build with -c release first).",
        subcommands: benchmarks + serverBenchmarks
    )
}

/// Every benchmark subcommand, one line each.
let benchmarks: [any ParsableCommand.Type] = [
    BenchAudio.self,
    BenchIntelligence.self,
    BenchMedia.self,
    BenchSpeech.self,
    BenchDrills.self,
]
