import Foundation
import JWT
import ParleyAudio
import ParleyCore
import ParleyDomain
import Vapor

extension VoiceAgents {
    /// `/call-logs`, `/call-recordings` and `/analytics/*`: what the agents' calls were.
    enum CallLogRoutes {
        /// How long a recording's `download_url` works.
        static let grantLifetime = RecordingGrant.lifetime

        static func register(on signedIn: any RoutesBuilder, open: any RoutesBuilder) {
            signedIn.get("call-logs", use: list)
            signedIn.get("call-logs", ":call_id", use: read)
            signedIn.get("call-recordings", ":call_id", use: recording)
            // Signed links work without a token, so a browser or a player can fetch them.
            open.get("call-recordings", ":call_id", "download", use: download)
            signedIn.get("analytics", "calls", use: calls)
            signedIn.get("analytics", "sentiment", use: sentiment)
            signedIn.get("analytics", "top-phrases", use: topPhrases)
        }

        static func callID(_ request: Request) throws -> UUID {
            try VoiceAgents.uuid(request.parameters.get("call_id"), notFound: "CALL_001", entity: "Call log")
        }

        static func optionalUUID(_ request: Request, _ name: String) throws -> UUID? {
            guard let raw = request.query[String.self, at: name] else { return nil }
            guard let id = UUID(uuidString: raw) else { throw APIError.validation(name, "must be a UUID") }
            return id
        }

        /// The list's filters, as the document names them.
        static func query(_ request: Request, user: User) throws -> CallLogQuery {
            var query = CallLogQuery(organizationID: user.organizationID, ownerID: user.id)
            query.campaignID = try optionalUUID(request, "campaign_id")
            query.agentID = try optionalUUID(request, "agent_id")
            if let raw = request.query[String.self, at: "status"] {
                guard let status = CallLogStatus(rawValue: raw) else {
                    throw APIError.validation("status", "must be one of \(CallLogStatus.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                query.status = status
            }
            if let raw = request.query[String.self, at: "phone_number"] {
                guard let phone = PhoneNumber.e164(raw) else { throw APIError.validation("phone_number", "must be an E.164 number") }
                query.phoneNumber = phone
            }
            query.from = try Timestamp.parse(request.query[String.self, at: "start_date"], field: "start_date")
            // An end date without a time covers that whole day.
            if let raw = request.query[String.self, at: "end_date"]?.trimmingCharacters(in: .whitespaces),
               let end = try Timestamp.parse(raw, field: "end_date") {
                query.until = raw.count <= 10 ? end.addingTimeInterval(86_400) : end
            }
            if request.query[String.self, at: "days"] != nil {
                let days = try request.pagingValue("days", default: 30, range: 1...3_650)
                // The later of the two starts: `days` narrows a `start_date`, never widens it.
                query.from = max(query.from ?? .distantPast, Date().addingTimeInterval(-Double(days) * 86_400))
            }
            return query
        }

        static func json(_ log: CallLog, full: Bool) -> JSONValue {
            let facts = log.facts
            var object: [String: JSONValue] = [
                "id": .string(log.entry.conversationID.uuidString.lowercased()),
                "campaign_id": log.entry.campaignID.map { .string($0.uuidString.lowercased()) } ?? .null,
                "agent_id": .string(log.entry.agentID.uuidString.lowercased()),
                "phone_number": .string(log.entry.phoneNumber), "status": .string(log.entry.status.rawValue),
                "duration_seconds": .number(log.entry.durationSeconds.rounded()),
                "sentiment": log.entry.sentiment.map(JSONValue.string) ?? .null,
                "emotions": .array((facts?.emotions ?? []).map(JSONValue.string)),
                "transcript": .string(log.transcript), "created_at": .string(Timestamp.iso8601(log.entry.createdAt)),
            ]
            guard full else { return .object(object) }
            object["summary"] = facts?.summary.map(JSONValue.string) ?? .null
            object["key_phrases"] = .array((facts?.keyPhrases ?? []).map(JSONValue.string))
            object["recording_url"] = .null
            object["cost"] = .number(facts?.cost ?? 0)
            object["telephony"] = .string(facts?.telephony ?? "simulated")
            object["attempt"] = .number(Double(facts?.attempt ?? 1))
            object["end_reason"] = facts?.endReason.map(JSONValue.string) ?? .null
            object["engine_notes"] = .array((facts?.engineNotes ?? []).map(JSONValue.string))
            object["extracted_data"] = facts?.extracted.map(JSONValue.object) ?? .null
            object["extraction_source"] = facts?.extractionSource.map(JSONValue.string) ?? .null
            object["latency"] = .array((facts?.latencies ?? []).map { latency in
                .object(["turn": .number(Double(latency.turn)), "recognition_seconds": .number(round3(latency.recognition)),
                         "reply_seconds": .number(round3(latency.reply)), "first_audio_seconds": .number(round3(latency.firstAudio))])
            })
            object["transcript_turns"] = .array(log.turns.map { turn in
                .object(["speaker": .string(turn.segment.isAgentLine ? "agent" : "user"), "text": .string(turn.segment.text),
                         "at": .string(Timestamp.iso8601(turn.spokenAt))])
            })
            return .object(object)
        }

        static func round3(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }

        static func list(_ request: Request) async throws -> Response {
            let user = try request.principal.user
            let (skip, limit) = try VoiceAgents.paging(request, defaultLimit: 50)
            var query = try query(request, user: user)
            query.offset = skip
            query.limit = limit
            let (logs, total) = try await request.core.callLogs.list(query)
            return try request.renderJSON(.object([
                "total": .number(Double(total)), "skip": .number(Double(skip)), "limit": .number(Double(limit)),
                "items": .array(logs.map { json($0, full: false) }),
            ]))
        }

        static func read(_ request: Request) async throws -> Response {
            let user = try request.principal.user
            let id = try callID(request)
            let log = try await surfacing { try await request.core.callLogs.call(id: id, of: user) }
            var object = json(log, full: true)
            if let path = log.facts?.recordingPath, FileManager.default.fileExists(atPath: path), case .object(var fields) = object {
                fields["recording_url"] = .string(try await downloadURL(request, log: log))
                object = .object(fields)
            }
            return try request.renderJSON(object)
        }

        /// A link to the recording that works for `grantLifetime` without a token.
        static func downloadURL(_ request: Request, log: CallLog) async throws -> String {
            let token = try await RecordingGrant.sign(log.entry.conversationID.uuidString.lowercased(), organizationID: log.entry.organizationID, request: request)
            return request.application.parley.url(of: VoiceAgents.id, "/call-recordings/\(log.entry.conversationID.uuidString.lowercased())/download?token=\(token)")
        }

        static func recording(_ request: Request) async throws -> Response {
            let user = try request.principal.user
            let id = try callID(request)
            let log = try await surfacing { try await request.core.callLogs.call(id: id, of: user) }
            guard let path = log.facts?.recordingPath, let seconds = log.facts?.recordingSeconds, FileManager.default.fileExists(atPath: path) else {
                throw APIError(.notFound, code: "CALL_001", "This call has no recording (nobody answered)")
            }
            let stereo = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            return try request.renderJSON(.object([
                "call_id": .string(id.uuidString.lowercased()), "duration_seconds": .number(seconds.rounded()), "format": .string("wav"),
                // The default download is the one-channel mix: half the two-channel file's samples.
                "size_bytes": .number(Double(max(0, stereo - 44) / 2 + 44)), "channels": .number(1),
                "download_url": .string(try await downloadURL(request, log: log)),
                "download_expires_at": .string(Timestamp.iso8601(Date().addingTimeInterval(grantLifetime))),
                "transcript": .string(log.transcript),
                "metadata": .object([
                    "agent_id": .string(log.entry.agentID.uuidString.lowercased()),
                    "campaign_id": log.entry.campaignID.map { .string($0.uuidString.lowercased()) } ?? .null,
                    "phone_number": .string(log.entry.phoneNumber),
                ]),
            ]))
        }

        /// The recording as WAV: both sides mixed (`channels=2`: callee left, agent right), with
        /// Range; allowed to the call's owner (Bearer) or with the signed link's token.
        static func download(_ request: Request) async throws -> Response {
            let id = try callID(request)
            let log: CallLog
            if let token = request.query[String.self, at: "token"] {
                let grant: RecordingGrant
                do {
                    grant = try await request.application.jwt.keys.verify(token, as: RecordingGrant.self)
                } catch {
                    throw APIError(.forbidden, code: "AUTH_004", "The download link is invalid or has expired; ask for the recording again")
                }
                guard grant.sub.value == id.uuidString.lowercased(), let organization = UUID(uuidString: grant.org) else {
                    throw APIError(.forbidden, code: "AUTH_004", "The download link is for another recording")
                }
                log = try await surfacing { try await request.core.callLogs.call(id: id, organizationID: organization) }
            } else {
                guard let access = request.accessToken else { throw APIError.authRequired }
                let principal = try await request.identity.authenticate(accessToken: access)
                log = try await surfacing { try await request.core.callLogs.call(id: id, of: principal.user) }
            }
            guard let path = log.facts?.recordingPath, FileManager.default.fileExists(atPath: path) else {
                throw APIError(.notFound, code: "CALL_001", "This call has no recording")
            }
            let channels = try request.pagingValue("channels", default: 1, range: 1...2)
            let file = channels == 2 ? path : try await mono(of: path)
            let response = try await request.fileio.asyncStreamFile(at: file)
            response.headers.replaceOrAdd(name: .contentType, value: "audio/wav")
            response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(id.uuidString.lowercased()).wav\"")
            return response
        }

        /// The one-channel mix beside the recording, made once (streamed a block at a time).
        static func mono(of path: String) async throws -> String {
            let target = String(path.dropLast(4)) + ".mono.wav"
            if FileManager.default.fileExists(atPath: target) { return target }
            // Each request mixes into its own file and moves it in place; of two at once, both end with a whole file.
            let partial = target + ".\(UUID().uuidString.prefix(8)).part"
            try await NIOThreadPool.singleton.runIfActive { try RecordingMix.mono(from: path, to: partial) }
            if rename(partial, target) != 0 {
                try? FileManager.default.removeItem(atPath: partial)
                throw APIError(.internalServerError, code: "STORAGE_ERROR", "The recording could not be prepared")
            }
            return target
        }

        // MARK: analytics

        static func calls(_ request: Request) async throws -> Response {
            let user = try request.principal.user
            let statistics = try await request.core.callLogs.statistics(try query(request, user: user))
            let rate = statistics.total == 0 ? 0 : Double(statistics.completed) / Double(statistics.total) * 100
            return try request.renderJSON(.object([
                "total_calls": .number(Double(statistics.total)), "completed_calls": .number(Double(statistics.completed)),
                "failed_calls": .number(Double(statistics.failed)), "average_duration": .number(statistics.averageDuration.rounded()),
                "success_rate": .number((rate * 10).rounded() / 10),
                "cost_per_call": .number(statistics.total == 0 ? 0 : round3(statistics.totalCost / Double(statistics.total))),
            ]))
        }

        static func sentiment(_ request: Request) async throws -> Response {
            let user = try request.principal.user
            let counts = try await request.core.callLogs.statistics(try query(request, user: user)).sentiments
            let total = counts.values.reduce(0, +)
            var object: [String: JSONValue] = [:]
            for label in ["positive", "neutral", "negative"] {
                let count = counts[label] ?? 0
                object[label] = .number(Double(count))
                object["\(label)_percentage"] = .number(total == 0 ? 0 : (Double(count) / Double(total) * 1000).rounded() / 10)
            }
            return try request.renderJSON(.object(object))
        }

        static func topPhrases(_ request: Request) async throws -> Response {
            let user = try request.principal.user
            let limit = try request.pagingValue("limit", default: 20, range: 1...100)
            let query = try query(request, user: user)
            let phrases = try await request.core.callLogs.topPhrases(query, limit: limit)
            let calls = try await request.core.callLogs.statistics(query).total
            return try request.renderJSON(.array(phrases.map { phrase, count in
                .object(["phrase": .string(phrase), "count": .number(Double(count)),
                         "frequency": .number(calls == 0 ? 0 : (Double(count) / Double(calls) * 1000).rounded() / 10)])
            }))
        }
    }
}
