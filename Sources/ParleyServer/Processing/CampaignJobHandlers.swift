import Foundation
import ParleyCore
import ParleyDomain

/// The campaign jobs: a tick looks at a running campaign and queues dials; a dial places one
/// attempt on the calls lane (a call holds its runner for as long as it lasts).
enum CampaignJobHandlers {
    static let tick = JobHandler(kind: CampaignTick.kind) { job, context in
        guard let payload = job.payload.decoded(as: CampaignTick.self) else { return }
        try await context.core.dialler.tick(payload)
        context.jobs.ring()
    }

    static let dial = JobHandler(kind: DialAttempt.kind, lane: .calls) { job, context in
        guard let payload = job.payload.decoded(as: DialAttempt.self) else { return }
        try await context.core.dialler.dial(payload)
        context.jobs.ring()
    }
}
