import Foundation
import ParleyTestSupport
import Testing

/// The browser console (/app) in a real headless Chromium (Debian's chromium and chromium-driver,
/// driven by Selenium from `scripts/tests/console_browser.py`): a rep signs in, practises a call by
/// voice through the fake microphone and by typing, reads the scorecard, uploads a recording and
/// reads its analysis, imports leads, runs a voice-agent campaign and opens one of its calls, answers a speech drill out loud and reads its
/// score, and signs out; their supervisor opens the recording the rep shared, then the rep's progress and call, and pins a comment to a
/// turn of it; the admin creates a team and a person in it on the users-and-teams page and makes them a supervisor. Every page passes
/// axe-core's serious and critical checks; the first page stays under 100 KB.
@Suite("Console: the browser console in headless Chromium")
struct ConsoleBrowserTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// CI installs both (scripts/packages/browser.txt); only a machine without them skips.
    static let browserInstalled = FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium")
        && FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver")

    @Test(.enabled(if: browserInstalled,
                   "chromium and chromium-driver are not installed: run scripts/setup.sh (scripts/packages/browser.txt)"))
    func aRepPractisesAndTheirSupervisorReviewsInTheBrowser() async throws {
        try await TestServer.with { server in
            let rep = try await server.register()
            let admin = try await server.admin()
            let coachEmail = "coach-\(UUID().uuidString.prefix(8).lowercased())@example.com"
            let coach = try await server.request(.POST, "/api/v1/admin/users", json: [
                "email": coachEmail, "password": "coaching123", "first_name": "Casey", "last_name": "Coach", "role": "supervisor",
            ], token: admin.accessToken)
            let coachID = try #require(coach.json["id"] as? Int, "\(coach.text)")
            let assigned = try await server.request(.PATCH, "/api/v1/admin/users/\(rep.id)", json: ["supervisor_id": coachID],
                                                    token: admin.accessToken)
            #expect(assigned.status == 200, "\(assigned.text)")

            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("parley-console-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let speech = folder.appendingPathComponent("rep.wav")
            try TestMedia.speechWAVFromProgram(
                "Hi Mark, this is Riley from Acme. How do you manage onboarding of new engineers today?").write(to: speech)
            let recording = folder.appendingPathComponent("talk.wav")
            try TestMedia.speechWAVFromProgram(
                "Hello everyone, thank you for coming today. I want to talk about, you know, how we can improve our onboarding. "
                    + "New engineers take six weeks to become productive. That is too long. We can cut that in half with better tooling.")
                .write(to: recording)
            let screenshots = Self.root.appendingPathComponent(".screens/ConsoleBrowserTests")

            let process = Process()
            process.executableURL = Self.root.appendingPathComponent(".venv/bin/python")
            process.arguments = [Self.root.appendingPathComponent("scripts/tests/console_browser.py").path,
                                 "--base-url", server.baseURL, "--email", rep.email, "--password", rep.password,
                                 "--manager-email", coachEmail, "--manager-password", "coaching123",
                                 "--admin-email", admin.email, "--admin-password", admin.password,
                                 "--screenshots", screenshots.path, "--speech-wav", speech.path, "--recording", recording.path]
            // Output goes to files, not pipes: a blocking pipe read would hold one of the cooperative
            // pool's threads (two on this machine) while the server in this process needs them.
            let outputFile = folder.appendingPathComponent("report.json")
            let errorFile = folder.appendingPathComponent("browser.log")
            _ = FileManager.default.createFile(atPath: outputFile.path, contents: nil)
            _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
            let output = try FileHandle(forWritingTo: outputFile)
            let errors = try FileHandle(forWritingTo: errorFile)
            defer { try? output.close(); try? errors.close() }
            process.standardOutput = output
            process.standardError = errors
            try process.run()
            while process.isRunning { try await Task.sleep(for: .milliseconds(100)) }
            let data = (try? Data(contentsOf: outputFile)) ?? Data()
            let stderr = String(decoding: (try? Data(contentsOf: errorFile)) ?? Data(), as: UTF8.self)
            let report = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
            #expect(process.terminationStatus == 0, "\(String(decoding: data, as: UTF8.self)) \(stderr.suffix(4000))")
            #expect(report["ok"] as? Bool == true, "\(report["problems"] ?? report)")
            let steps = report["steps"] as? [String] ?? []
            let missing = ["sign-in", "voice-call", "typed-call", "progress", "speech-coaching", "leads", "voice-agents", "drills", "sign-out", "manager",
                           "manager-reviews-call", "admin"]
                .filter { !steps.contains($0) }
            #expect(missing.isEmpty, "steps that did not pass: \(missing)")
            let firstPage = report["first_page_bytes"] as? Int ?? .max
            #expect(firstPage < 100 * 1024, "the first page transferred \(firstPage) bytes")
        }
    }
}
