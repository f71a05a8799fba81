import ArgumentParser

/// The `parley` command line: the server and its operations, plus the engines as tools.
@main
struct Parley: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parley",
        abstract: "Parley conversation-intelligence server and tools.",
        subcommands: serverCommands + engineCommands,
        defaultSubcommand: serverCommands.first
    )
}

/// Engine tools that work without the server (analyze, transcribe, bench, ...).
let engineCommands: [any ParsableCommand.Type] = [
    BenchCommand.self,
    AnalyzeCommand.self,
    AnalyzeTextCommand.self,
    TrainSignalsCommand.self,
    TranscribeCommand.self,
    SynthesizeCommand.self,
    PracticeCommand.self,
    ClipCommand.self, ReportCommand.self,
    DrillCommand.self,
]
