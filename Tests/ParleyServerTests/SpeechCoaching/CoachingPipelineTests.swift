import Foundation
import ParleySpeech
import ParleyTestSupport
import Testing

/// Uploads of real speech (espeak-ng) in several containers, followed through the durable
/// pipeline to results, and the upload error paths.
@Suite("Speech Coaching uploads and processing")
struct CoachingPipelineTests {
    static let script = "Good morning everyone. Thank you for joining the meeting today. We will talk about every region."

    static func data(_ response: TestResponse) -> [String: Any] { response.json["data"] as? [String: Any] ?? [:] }

    static func createSession(_ server: TestServer, token: String, title: String = "Quarterly update") async throws -> String {
        let created = try await server.request(.POST, "/coaching/sessions", json: ["title": title, "type": "presentation", "duration": 30], token: token)
        #expect(created.status == 201, "\(created.text)")
        return ((data(created)["session"] as? [String: Any])?["id"] as? String) ?? ""
    }

    static func upload(_ server: TestServer, session: String, token: String, file: Data, name: String, metadata: String = #"{"device":"test"}"#) async throws -> TestResponse {
        let form = TestMedia.multipart([
            (name: "metadata", fileName: nil, contentType: nil, data: Data(metadata.utf8)),
            (name: "file", fileName: name, contentType: "application/octet-stream", data: file),
        ])
        return try await server.request(.POST, "/coaching/sessions/\(session)/upload", body: form.body, token: token,
                                        headers: [("Content-Type", form.contentType)])
    }

    @Test func speechInSeveralFormatsIsTranscribedAnalysedScoredAndSearchable() async throws {
        let wav = try await TestMedia.speechWAV(Self.script)
        try await TestServer.with { server in
            var sessions: [(id: String, token: String, format: String)] = []
            for format in ["wav", "mp3", "webm", "m4a"] {
                let speaker = try await server.coachingAccount()
                let id = try await Self.createSession(server, token: speaker.accessToken, title: "Quarterly update \(format)")
                let file = format == "wav" ? wav : try TestMedia.convert(wav, to: format)
                let uploaded = try await Self.upload(server, session: id, token: speaker.accessToken, file: file, name: "talk.\(format)")
                #expect(uploaded.status == 201, "\(format): \(uploaded.text)")
                let body = Self.data(uploaded)
                #expect(body["status"] as? String == "completed")
                #expect(body["processingStatus"] as? String == "queued")
                #expect(body["fileSize"] as? Int == file.count)
                let uploadID = body["uploadId"] as? String ?? ""
                let status = try await server.request(.GET, "/coaching/sessions/\(id)/upload/\(uploadID)/status", token: speaker.accessToken)
                #expect(status.status == 200)
                #expect(Self.data(status)["uploadedBytes"] as? Int == file.count)
                sessions.append((id, speaker.accessToken, format))
            }
            for session in sessions {
                let detail = try await server.waitForCoachingSession(session.id, token: session.token)
                #expect(detail["status"] as? String == "completed", "\(session.format): \(detail)")
                let transcript = detail["transcript"] as? [String: Any]
                let text = (transcript?["text"] as? String ?? "").lowercased()
                #expect(text.contains("morning") && text.contains("region"), "\(session.format): \(text)")
                #expect((transcript?["wordTimings"] as? [[String: Any]])?.count ?? 0 >= 10)
                let duration = detail["duration"] as? Double ?? 0
                #expect(duration > 4 && duration < 12, "\(session.format): duration \(duration)")
                #expect((detail["score"] as? Double ?? 0) > 0)
                #expect((detail["mediaUrl"] as? String)?.hasPrefix("http://127.0.0.1:") == true)
            }
            let first = sessions[0]

            let transcript = try await server.request(.GET, "/coaching/sessions/\(first.id)/transcript", token: first.token)
            let words = (Self.data(transcript)["transcript"] as? [String: Any])?["wordTimings"] as? [[String: Any]] ?? []
            let starts = words.compactMap { $0["start"] as? Double }
            #expect(starts == starts.sorted())
            #expect(((Self.data(transcript)["transcript"] as? [String: Any])?["segments"] as? [[String: Any]])?.isEmpty == false)

            for (granularity, bucket) in [("second", 1.0), ("5second", 5.0), ("10second", 10.0), ("minute", 60.0)] {
                let metrics = try await server.request(.GET, "/coaching/sessions/\(first.id)/metrics?granularity=\(granularity)", token: first.token)
                #expect(metrics.status == 200)
                let body = Self.data(metrics)["metrics"] as? [String: Any] ?? [:]
                let timeline = body["timeline"] as? [[String: Any]] ?? []
                let duration = (body["summary"] as? [String: Any])?["duration"] as? Double ?? 0
                #expect(timeline.count == Int((duration / bucket).rounded(.up)), "\(granularity): \(timeline.count) points for \(duration) s")
                #expect((body["pitch"] as? [String: Any])?["mean"] as? Double ?? 0 > 50)
            }
            let badGranularity = try await server.request(.GET, "/coaching/sessions/\(first.id)/metrics?granularity=hour", token: first.token)
            #expect(badGranularity.status == 422)
            #expect(((badGranularity.json["error"] as? [String: Any])?["details"] as? [String: Any])?["field"] as? String == "granularity")

            let scores = Self.data(try await server.request(.GET, "/coaching/sessions/\(first.id)/scores", token: first.token))["scores"] as? [String: Any] ?? [:]
            let categories = scores["categories"] as? [String: [String: Any]] ?? [:]
            #expect(Set(categories.keys) == ["clarity", "pace", "engagement", "confidence"])
            let weights = categories.values.compactMap { $0["weight"] as? Double }.reduce(0, +)
            #expect(abs(weights - 1) < 0.001)
            let confidenceFactors = categories["confidence"]?["factors"] as? [String: Any] ?? [:]
            for factor in ["posture", "eyeContact", "gestures"] {
                #expect(confidenceFactors[factor] is NSNull, "\(factor) must be null for audio-only sessions")
            }
            #expect((scores["notes"] as? [String])?.first?.contains("audio-only") == true)

            let fluency = try await server.request(.GET, "/coaching/sessions/\(first.id)/fluency", token: first.token)
            #expect((Self.data(fluency)["fluency"] as? [String: Any])?["overallFluency"] is Double)

            let search = try await server.request(.GET, "/coaching/search/sessions?q=region", token: first.token)
            let results = Self.data(search)["results"] as? [[String: Any]] ?? []
            #expect(results.map { $0["id"] as? String } == [first.id], "\(search.text)")
            let highlight = (results.first?["highlights"] as? [[String: Any]])?.first
            #expect((highlight?["text"] as? String)?.lowercased().contains("region") == true)
            #expect(highlight?["start"] is Double)
            #expect((results.first?["relevance"] as? Double ?? 0) > 0)
            let nothing = try await server.request(.GET, "/coaching/search/sessions?q=zebra", token: first.token)
            #expect((Self.data(nothing)["results"] as? [[String: Any]])?.isEmpty == true)
            // Another user's sessions never show up.
            let other = sessions[1]
            let theirs = try await server.request(.GET, "/coaching/search/sessions?q=region", token: other.token)
            #expect((Self.data(theirs)["results"] as? [[String: Any]])?.map { $0["id"] as? String } == [other.id])

            let media = try await server.request(.GET, "/coaching/sessions/\(first.id)/media", token: first.token)
            #expect(media.status == 200 && media.body == wav)
        }
    }

    @Test func uploadErrorsFollowTheDocument() async throws {
        let wav = try await TestMedia.speechWAV("Short test.")
        try await TestServer.with({ $0.maxUploadSize = 64 * 1024; $0.rateLimits.enabled = false }) { server in
            let speaker = try await server.coachingAccount()
            let id = try await Self.createSession(server, token: speaker.accessToken)

            func error(_ response: TestResponse) -> (code: String?, field: String?) {
                let error = response.json["error"] as? [String: Any]
                return (error?["code"] as? String, (error?["details"] as? [String: Any])?["field"] as? String)
            }
            let text = try await Self.upload(server, session: id, token: speaker.accessToken, file: Data("just some text, not audio".utf8), name: "notes.txt")
            #expect(text.status == 415)
            #expect(error(text).code == "VALIDATION_ERROR" && error(text).field == "file")
            #expect(text.json["success"] as? Bool == false)

            let big = try await Self.upload(server, session: id, token: speaker.accessToken, file: wav + Data(count: 100 * 1024), name: "big.wav")
            #expect(big.status == 413)
            #expect(error(big).field == "file")

            // A WAV header promising far more audio than follows: refused before processing.
            let truncated = try await Self.createSession(server, token: speaker.accessToken)
            var header = Data(wav.prefix(44))
            header.append(Data(count: 2))
            let damaged = try await Self.upload(server, session: truncated, token: speaker.accessToken, file: header, name: "broken.wav")
            #expect(damaged.status == 422 || damaged.status == 201, "\(damaged.text)")

            let noFile = TestMedia.multipart([(name: "metadata", fileName: nil, contentType: nil, data: Data("{}".utf8))])
            let missing = try await server.request(.POST, "/coaching/sessions/\(id)/upload", body: noFile.body, token: speaker.accessToken,
                                                   headers: [("Content-Type", noFile.contentType)])
            #expect(missing.status == 422 && error(missing).field == "file")

            let badMetadata = try await Self.upload(server, session: id, token: speaker.accessToken, file: wav, name: "a.wav", metadata: "{not json")
            #expect(badMetadata.status == 422 && error(badMetadata).field == "metadata")

            let json = try await server.request(.POST, "/coaching/sessions/\(id)/upload", json: ["file": "x"], token: speaker.accessToken)
            #expect(json.status == 415)

            let unknown = try await Self.upload(server, session: "session_nope", token: speaker.accessToken, file: wav, name: "a.wav")
            #expect(unknown.status == 404 && error(unknown).code == "NOT_FOUND")

            let stranger = try await server.coachingAccount()
            let foreign = try await Self.upload(server, session: id, token: stranger.accessToken, file: wav, name: "a.wav")
            #expect(foreign.status == 403 && error(foreign).code == "AUTHORIZATION_ERROR")

            let anonymous = try await server.request(.POST, "/coaching/sessions/\(id)/upload", body: Data())
            #expect(anonymous.status == 401 && error(anonymous).code == "AUTHENTICATION_ERROR")

            let good = try await Self.upload(server, session: id, token: speaker.accessToken, file: wav, name: "a.wav")
            #expect(good.status == 201, "\(good.text)")
            let again = try await Self.upload(server, session: id, token: speaker.accessToken, file: wav, name: "a.wav")
            #expect(again.status == 409)
        }
    }

    @Test func aFailingStageMarksTheSessionFailedWithAReasonAndItCanBeRetried() async throws {
        let wav = try await TestMedia.speechWAV("This recording cannot be recognised here.")
        // No recogniser: transcription fails on every attempt, the session fails with the reason.
        let offline = try SpeechEngines.make(SpeechConfiguration.fromEnvironment(["PARLEY_STT_PROVIDER": "none"]))
        try await TestServer.with({ $0.jobs.retryBase = 0.05 }, speech: offline) { server in
            let speaker = try await server.coachingAccount()
            // An MP3 header followed by noise is refused before processing.
            let id = try await Self.createSession(server, token: speaker.accessToken)
            let broken = Data([0x49, 0x44, 0x33, 0x03, 0, 0, 0, 0, 0, 0]) + Data((0..<4000).map { UInt8($0 % 251) })
            let refused = try await Self.upload(server, session: id, token: speaker.accessToken, file: broken, name: "broken.mp3")
            #expect(refused.status == 422)

            #expect(try await Self.upload(server, session: id, token: speaker.accessToken, file: wav, name: "talk.wav").status == 201)
            let detail = try await server.waitForCoachingSession(id, token: speaker.accessToken)
            #expect(detail["status"] as? String == "failed")
            let processing = detail["processing"] as? [String: Any]
            #expect(processing?["stage"] as? String == "transcription")
            #expect((processing?["error"] as? String)?.contains("turned off") == true, "\(detail)")
            let results = try await server.request(.GET, "/coaching/sessions/\(id)/scores", token: speaker.accessToken)
            #expect(results.status == 422)
            #expect((results.json["error"] as? [String: Any])?["code"] as? String == "PROCESSING_ERROR")
            // A retry runs the pipeline again on the same media; without a recogniser it fails again.
            let retried = try await server.request(.POST, "/coaching/sessions/\(id)/retry", token: speaker.accessToken)
            #expect(retried.status == 202 && (Self.data(retried)["session"] as? [String: Any])?["status"] as? String == "processing")
            let again = try await server.waitForCoachingSession(id, token: speaker.accessToken)
            #expect(again["status"] as? String == "failed")
            let notFailed = try await server.request(.POST, "/coaching/sessions/\(try await Self.createSession(server, token: speaker.accessToken))/retry",
                                                     token: speaker.accessToken)
            #expect(notFailed.status == 409)
        }
    }
}
