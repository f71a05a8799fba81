import ArgumentParser
import Foundation
import ParleyDomain
import ParleyIntelligence

/// `parley practice`: a typed role-play with a built-in scenario's AI prospect, with live nudges and the final scores.
struct PracticeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "practice",
        abstract: "Role-play a built-in Sales Trainer scenario by typing; prints the prospect's replies, coaching nudges and the final scores.",
        discussion: """
            Reads your turns from standard input, one per line, until the prospect ends the call or input ends.
            `parley practice --list` shows the scenarios. A language model configured through ANTHROPIC_API_KEY or
            OPENAI_API_KEY/OPENAI_BASE_URL rewords the prospect's lines unless --deterministic is given.
            """)

    @Option(help: "Scenario number from --list (1-based).")
    var scenario: Int = 1

    @Option(help: "beginner, intermediate, advanced or expert (default: the scenario's own).")
    var difficulty: String?

    @Option(help: "Seed for the prospect's wording.")
    var seed: UInt64 = 1

    @Flag(help: "List the built-in scenarios and exit.")
    var list = false

    @Flag(help: "Never call a language model, even when one is configured.")
    var deterministic = false

    func run() async throws {
        let catalogue = BuiltInScenarios.all
        if list {
            for (index, item) in catalogue.enumerated() {
                print("\(index + 1). \(item.title) [\(item.category.rawValue), \(item.difficulty.rawValue)] with \(item.persona?.name ?? "?")")
            }
            return
        }
        guard catalogue.indices.contains(scenario - 1) else { throw InputProblem("no scenario \(scenario); use 1 to \(catalogue.count) (see --list)") }
        var level: Difficulty?
        if let difficulty {
            guard let parsed = Difficulty(rawValue: difficulty) else { throw InputProblem("unknown difficulty '\(difficulty)'; use beginner, intermediate, advanced or expert") }
            level = parsed
        }
        var engine = try ProspectEngine(scenario: catalogue[scenario - 1], difficulty: level, seed: seed)
        let model = deterministic ? nil : LanguageModelConfiguration.fromEnvironment()
        var coach = LiveCoach()
        print("\(engine.persona.name), \(engine.persona.title) at \(engine.persona.company): \(engine.opening().text)")
        while !engine.isEnded, let line = readLine() {
            guard !line.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
            let reply = await engine.reword(engine.respond(to: line), using: model)
            print("\(engine.persona.name) [\(reply.sentiment.rawValue), \(reply.intent.rawValue), \(reply.stage.rawValue)]: \(reply.text)")
            if let nudge = coach.nudge(after: engine) { print("  coach (\(nudge.category.rawValue), \(nudge.urgency.rawValue)): \(nudge.message)") }
        }
        let outcome = PracticeScorer().score(engine)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        print(String(decoding: try encoder.encode(outcome), as: UTF8.self))
    }
}
