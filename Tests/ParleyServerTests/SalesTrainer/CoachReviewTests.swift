import Foundation
import ParleyTestSupport
import Testing

/// A coach reviews a rep's practice (the additions for managers): the rep's sessions and progress
/// with `?user_id=`, a session's transcript, and comments pinned to its moments; nobody outside
/// the access policy sees any of it.
@Suite("Sales Trainer: a coach reviews a rep's practice")
struct CoachReviewTests {
    @Test func aCoachReadsARepsCallAndPinsCommentsToItsMoments() async throws {
        try await TestServer.with { server in
            let admin = try await server.admin()
            let created = try await server.request(.POST, "/api/v1/admin/users", json: [
                "email": "coach-review@example.com", "password": "coaching123", "first_name": "Casey", "last_name": "Coach", "role": "supervisor",
            ], token: admin.accessToken)
            let coachID = try #require(created.json["id"] as? Int)
            let rep = try await server.register()
            let stranger = try await server.register()
            #expect(try await server.request(.PATCH, "/api/v1/admin/users/\(rep.id)", json: ["supervisor_id": coachID], token: admin.accessToken).status == 200)
            let coach = try await server.login(email: "coach-review@example.com", password: "coaching123")

            // The rep plays a short typed call to its end.
            let id = try #require(try await server.request(.POST, "/api/v1/sessions", json: ["scenario_id": 1], token: rep.accessToken).json["id"] as? String)
            let socket = try await TestWebSocket.connect(server, path: "/ws/voice/\(id)", token: rep.accessToken)
            try await socket.send(["type": "config", "data": ["format": "text"]])
            _ = await socket.next(type: "ai_response")
            for line in VoiceSocketTests.goodRep.prefix(3) {
                try await socket.send(["type": "text", "data": line])
                _ = await socket.next(type: "ai_response")
            }
            try await socket.send(["type": "control", "action": "end"])
            _ = await socket.next(type: "session_ended")
            await socket.close()

            // The coach lists the rep's sessions, reads the call and the rep's progress.
            let listed = try await server.request(.GET, "/api/v1/sessions?user_id=\(rep.id)", token: coach.accessToken)
            #expect(listed.status == 200, "\(listed.text)")
            #expect(listed.jsonArray.map { $0["id"] as? String } == [id])
            let detail = try await server.request(.GET, "/api/v1/sessions/\(id)", token: coach.accessToken)
            #expect(detail.status == 200)
            let transcript = try #require(detail.json["transcript"] as? [[String: Any]])
            #expect(transcript.count >= 4)
            let progress = try await server.request(.GET, "/api/v1/learning/progress?user_id=\(rep.id)", token: coach.accessToken)
            #expect(progress.status == 200)
            #expect((progress.json["overall_progress"] as? [String: Any])?["total_sessions"] as? Int == 1, "\(progress.text)")
            #expect(try await server.request(.GET, "/api/v1/learning/analytics/detailed?user_id=\(rep.id)", token: coach.accessToken).status == 200)

            // Comments pinned to a turn and to a time, read back in the order of their moments.
            let onTurn = try await server.request(.POST, "/api/v1/sessions/\(id)/comments", json: [
                "turn": 2, "text": "Good opener: you asked for permission to talk.",
            ], token: coach.accessToken)
            #expect(onTurn.status == 201, "\(onTurn.text)")
            #expect(onTurn.json["author_name"] as? String == "Casey Coach")
            #expect(onTurn.json["author_role"] as? String == "supervisor")
            #expect(onTurn.json["turn"] as? Int == 2)
            #expect(onTurn.json["at_seconds"] is Double, "a turn pins the comment to its time")
            let atStart = try await server.request(.POST, "/api/v1/sessions/\(id)/comments", json: [
                "at_seconds": 0, "text": "Slow down in the first seconds.",
            ], token: coach.accessToken)
            #expect(atStart.status == 201)
            // The rep reads them and may answer.
            #expect(try await server.request(.POST, "/api/v1/sessions/\(id)/comments", json: ["text": "Thanks, will do."], token: rep.accessToken).status == 201)
            let comments = try await server.request(.GET, "/api/v1/sessions/\(id)/comments", token: rep.accessToken).jsonArray
            #expect(comments.map { $0["text"] as? String } == ["Slow down in the first seconds.", "Good opener: you asked for permission to talk.", "Thanks, will do."])

            // Bad comments name their field; nothing is stored.
            for (body, field) in [(["text": ""], "text"), (["text": "x", "turn": 999], "turn"), (["text": "x", "at_seconds": -1], "at_seconds"),
                                  (["text": "x", "at_seconds": 99_999], "at_seconds")] as [([String: Any], String)] {
                let refused = try await server.request(.POST, "/api/v1/sessions/\(id)/comments", json: body, token: coach.accessToken)
                #expect(refused.status == 422, "\(body): \(refused.text)")
                #expect(refused.text.contains(field), "\(refused.text)")
            }
            #expect(try await server.request(.GET, "/api/v1/sessions/\(id)/comments", token: coach.accessToken).jsonArray.count == 3)

            // The coach reads but does not change the rep's session; strangers see nothing.
            #expect(try await server.request(.PUT, "/api/v1/sessions/\(id)/feedback", json: ["rating": 1], token: coach.accessToken).status == 404)
            #expect(try await server.request(.GET, "/api/v1/sessions/\(id)", token: stranger.accessToken).status == 404)
            #expect(try await server.request(.GET, "/api/v1/sessions/\(id)/comments", token: stranger.accessToken).status == 404)
            #expect(try await server.request(.POST, "/api/v1/sessions/\(id)/comments", json: ["text": "hi"], token: stranger.accessToken).status == 404)
            #expect(try await server.request(.GET, "/api/v1/sessions?user_id=\(rep.id)", token: stranger.accessToken).status == 403)
            #expect(try await server.request(.GET, "/api/v1/learning/progress?user_id=\(rep.id)", token: stranger.accessToken).status == 403)
            #expect(try await server.request(.GET, "/api/v1/sessions?user_id=abc", token: coach.accessToken).status == 422)
            #expect(try await server.request(.GET, "/api/v1/sessions?user_id=999999", token: coach.accessToken).status == 404)
            // An admin of the organization reads them too.
            #expect(try await server.request(.GET, "/api/v1/sessions/\(id)/comments", token: admin.accessToken).jsonArray.count == 3)
        }
    }
}
