import FluentKit
import Foundation
import ParleyDomain
import SQLKit
import Testing
@testable import ParleyStore

/// The SQL stores tested directly, on SQLite and (second pass) PostgreSQL: what the server's
/// guarantees rest on.
@Suite("Store contracts")
struct StoreContractTests {
    @Test func everyJobIsClaimedByOneWorkerAndALapsedLeaseIsTakenOver() async throws {
        try await StoreHarness.with { harness in
            let queue = SQLJobQueue(database: harness.db)
            let first = try await queue.enqueue(NewJob(kind: "test.job", payload: .object(["n": .number(0)]), dedupeKey: "once"))
            let again = try await queue.enqueue(NewJob(kind: "test.job", payload: .object(["n": .number(1)]), dedupeKey: "once"))
            #expect(first.id == again.id, "a dedupe key queues one job")
            for n in 1..<12 { _ = try await queue.enqueue(NewJob(kind: "test.job", payload: .object(["n": .number(Double(n))]))) }
            // Four workers claim at once until the queue is empty: twelve claims, all different.
            let now = Date()
            let claimed = try await withThrowingTaskGroup(of: [UUID].self) { group in
                for worker in 0..<4 {
                    group.addTask {
                        var mine: [UUID] = []
                        while let job = try await SQLJobQueue(database: harness.db).claim(worker: "w\(worker)", kinds: ["test.job"], lease: 60, now: now) {
                            mine.append(job.id)
                        }
                        return mine
                    }
                }
                return try await group.reduce(into: [UUID]()) { $0 += $1 }
            }
            #expect(claimed.count == 12 && Set(claimed).count == 12, "\(claimed.count) claims, \(Set(claimed).count) distinct")
            // A lease that lapsed (its worker died) goes to the next worker; the old one lost it.
            let later = now.addingTimeInterval(61)
            let takenOver = try await queue.claim(worker: "w9", kinds: ["test.job"], lease: 60, now: later)
            #expect(takenOver != nil)
            if let takenOver {
                #expect(try await !queue.renewLease(jobID: takenOver.id, worker: "w0", lease: 60, now: later))
                #expect(try await queue.renewLease(jobID: takenOver.id, worker: "w9", lease: 60, now: later))
            }
        }
    }

    @Test func searchFindsWordsWithinOneOrganizationOnly() async throws {
        try await StoreHarness.with { harness in
            let store = FluentConversationStore(database: harness.db)
            let mine = try await harness.owner("Acme")
            let theirs = try await harness.owner("Other")
            var harbour = try await harness.conversation(of: mine, title: "Quarterly review")
            harbour.status = .completed
            try await store.saveResults(harbour, turns: [StoredTurn(
                sequence: 0, segment: TranscriptSegment(id: 0, speaker: .rep, text: "The harbour expansion is on schedule"), spokenAt: Date(),
                sentiment: nil, intent: nil)])
            var foreign = try await harness.conversation(of: theirs, title: "Harbour plans")
            foreign.status = .completed
            try await store.saveResults(foreign, turns: [])
            let found = try await store.search(ConversationSearchQuery(organizationID: mine.organizationID, userID: nil, kind: .coaching, terms: ["harb"]))
            #expect(found.hits.map(\.conversation.id) == [harbour.id] && found.total == 1)
            let both = try await store.search(ConversationSearchQuery(organizationID: mine.organizationID, userID: nil, kind: .coaching, terms: ["harbour", "schedule"]))
            #expect(both.total == 1)
            let none = try await store.search(ConversationSearchQuery(organizationID: mine.organizationID, userID: nil, kind: .coaching, terms: ["harbour", "pricing"]))
            #expect(none.total == 0, "every word must appear")
            // Results are replaced, not added to, when a job runs twice.
            try await store.saveResults(harbour, turns: [StoredTurn(
                sequence: 0, segment: TranscriptSegment(id: 0, speaker: .rep, text: "Pricing only now"), spokenAt: Date(), sentiment: nil, intent: nil)])
            #expect(try await store.turns(conversationID: harbour.id).count == 1)
            #expect(try await store.search(ConversationSearchQuery(organizationID: mine.organizationID, userID: nil, kind: .coaching, terms: ["schedule"])).total == 0)
        }
    }

    @Test func rateLimitWindowsCountEveryHitOnceUnderConcurrency() async throws {
        try await StoreHarness.with { harness in
            let counts = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<20 {
                    group.addTask { try await SharedRateLimitCounter(database: harness.db).hit(bucket: "auth:ip:1", windowStart: 1000, retention: 120) }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(counts.sorted() == Array(1...20), "\(counts.sorted())")
            let next = try await SharedRateLimitCounter(database: harness.db).hit(bucket: "auth:ip:1", windowStart: 1060, retention: 120)
            #expect(next == 1, "a new window starts from one")
        }
    }

    @Test func ofConcurrentClaimsOnAConversationExactlyOneWins() async throws {
        try await StoreHarness.with { harness in
            let owner = try await harness.owner()
            var conversation = try await harness.conversation(of: owner, title: "Claimed once", status: .failed)
            conversation.status = .processing
            let claimed = conversation
            let wins = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<6 {
                    group.addTask { try await FluentConversationStore(database: harness.db).updateConversation(claimed, ifStatusIn: [.failed]) }
                }
                return try await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
            }
            #expect(wins == 1)
            #expect(try await FluentConversationStore(database: harness.db).conversation(publicID: claimed.publicID, organizationID: owner.organizationID)?.status == .processing)
        }
    }

    @Test func anInvitationIsSpentOnceAndOnlyForItsAddress() async throws {
        try await StoreHarness.with { harness in
            let admin = try await harness.owner()
            let identity = FluentIdentityStore(database: harness.db)
            let invitation = Invitation(id: UUID(), organizationID: admin.organizationID, email: "new@example.com", role: .supervisor, teamID: nil,
                                        invitedBy: admin.id, createdAt: Date(), expiresAt: Date().addingTimeInterval(3600))
            try await identity.createInvitation(invitation, tokenHash: "hash-1")
            func joining(_ email: String) -> NewUser {
                NewUser(organizationID: UUID(), email: email, passwordHash: "x", firstName: "N", lastName: "U", company: nil, role: .user)
            }
            #expect(try await identity.createUser(joining("other@example.com"), acceptingInvitation: "hash-1", at: Date()) == nil)
            let results = try await withThrowingTaskGroup(of: User?.self) { group in
                for _ in 0..<4 {
                    group.addTask { try? await FluentIdentityStore(database: harness.db).createUser(joining("new@example.com"), acceptingInvitation: "hash-1", at: Date()) }
                }
                return try await group.reduce(into: [User?]()) { $0.append($1) }
            }
            let joined = results.compactMap { $0 }
            #expect(joined.count == 1)
            #expect(joined.first?.organizationID == admin.organizationID && joined.first?.role == .supervisor)
        }
    }
}
