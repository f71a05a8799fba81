#if canImport(ParleyServer)
import ArgumentParser
import Foundation
import NIOConcurrencyHelpers
import ParleyCore
import ParleyDomain
import ParleyServer
import SQLKit
import Vapor

/// `parley bench campaign`: how many simultaneous simulated calls this machine carries while
/// the agent answers quickly. Campaigns of growing size run on the simulated callee in real
/// time (each side takes as long to speak as its audio lasts), every call answered, all calls
/// at once; for each size it prints the agent's reply delay (end of the callee's speech to the
/// agent's first audio: recognition + reply + first synthesis) p50/p95, calls per hour, and
/// resident memory. The answer is the largest size whose p95 stays under the limit.
struct BenchCampaign: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "campaign",
        abstract: "Voice agents: simultaneous simulated calls held with reply delay p95 under a limit, calls/hour, memory."
    )

    @ArgumentParser.Option(parsing: .upToNextOption, help: "Campaign sizes to try, each dialled all at once.")
    var sizes: [Int] = [5, 10, 20, 35, 50]

    @ArgumentParser.Option(help: "Reply delay p95 a size must stay under (seconds).")
    var limit = 1.0

    func run() async throws {
        setenv("PARLEY_SIMULATED_CALLS", "realtime", 1)
        setenv("PARLEY_CALL_WORKERS", String((sizes.max() ?? 50) + 5), 1)
        try await InProcessServer.run(workers: 2) { app in try await measure(app) }
    }

    func measure(_ app: Application) async throws {
        let (organization, user, _) = try await InProcessServer.account(app, bench: "Campaign", role: .admin)
        let core = app.parley.core
        let agent = try await core.agents.create(AgentDraft(name: "Sam", description: "Books demos of our scheduling assistant"), by: user)
        print("Simulated calls in real time, \(ProcessInfo.processInfo.activeProcessorCount) cores; recogniser \(app.parley.speech.recognizer.name), synthesiser \(app.parley.speech.synthesizer.name)")
        print(String(format: "%6@ %10@ %10@ %10@ %12@ %10@", "calls" as NSString, "p50 (s)" as NSString, "p95 (s)" as NSString,
                     "max (s)" as NSString, "calls/hour" as NSString, "RSS (MiB)" as NSString))
        var held = 0
        var next = 0
        for size in sizes {
            // Numbers the simulated carrier answers (not busy, unanswered or voicemail).
            var numbers: [String] = []
            while numbers.count < size {
                let number = "+1415\(String(format: "%07d", 1_000_000 + next))"
                next += 1
                if case .answered = SimulatedTelephony.pickup(of: number) { numbers.append(number) }
            }
            var draft = CampaignDraft(name: "Bench \(size)", agentID: agent.id, phoneNumbers: numbers)
            draft.maxConcurrentCalls = min(size, CampaignBook.maxConcurrentCalls)
            draft.maxAttempts = 1
            let campaign = try await core.campaigns.create(draft, by: user)
            let started = ContinuousClock.now
            _ = try await core.campaigns.launch(id: campaign.id, by: user)
            app.parley.jobs.ring()
            var peak = Memory.resident()
            while try await core.campaigns.campaign(id: campaign.id, of: user).status != .completed {
                peak = max(peak, Memory.resident())
                try await Task.sleep(for: .seconds(1))
            }
            let seconds = InProcessServer.seconds(since: started)
            let (logs, _) = try await core.callLogs.list(CallLogQuery(organizationID: organization.id, ownerID: user.id, campaignID: campaign.id, limit: 100))
            let delays = logs.flatMap { $0.facts?.latencies ?? [] }.map { $0.recognition + $0.reply + $0.firstAudio }.sorted()
            let p95 = BenchLeads.percentile(delays, 0.95)
            print(String(format: "%6d %10.2f %10.2f %10.2f %12.0f %10.0f", size, BenchLeads.percentile(delays, 0.5), p95, delays.last ?? 0,
                         Double(logs.count) / seconds * 3_600, peak))
            if p95 < limit { held = size }
        }
        print("\nHeld with reply delay p95 under \(limit) s: \(held) simultaneous calls")
    }
}
#endif
