import Foundation
import ParleyAudio
import ParleyCore
import ParleyDomain
import Vapor

extension FieldIntelligence {
    /// `/v1/conversations`: a technician's recorded conversations, from start through chunks and
    /// stop to the analysis (transcript, insights, upsells, coaching), with consent and comments.
    enum FieldConversationRoutes {
        static func register(on signedIn: any RoutesBuilder, open: any RoutesBuilder) {
            let conversations = signedIn.grouped("conversations")
            conversations.post("start", use: start)
            conversations.get("technician", ":technician_id", use: history)
            conversations.get(":conversation_id", use: read)
            conversations.on(.POST, ":conversation_id", "upload-audio", body: .stream, use: uploadChunk)
            conversations.post(":conversation_id", "stop", use: stop)
            conversations.post(":conversation_id", "consent", use: consent)
            conversations.post(":conversation_id", "analyze", use: analyze)
            conversations.get(":conversation_id", "transcript", use: transcript)
            conversations.get(":conversation_id", "insights", use: insights)
            conversations.get(":conversation_id", "upsells", use: upsells)
            conversations.get(":conversation_id", "coaching", use: coaching)
            conversations.get(":conversation_id", "comments", use: comments)
            conversations.post(":conversation_id", "comments", use: addComment)
            // The recording plays from its signed link without a token, or with the caller's token.
            open.get("conversations", ":conversation_id", "recording", use: recording)
        }

        static func conversationID(_ request: Request) -> String { request.parameters.get("conversation_id") ?? "" }

        static func visit(_ request: Request) async throws -> (Conversation, User) {
            try await request.core.fieldVisits.visit(conversationID(request), visibleTo: try request.principal.user)
        }

        // MARK: start

        struct StartBody: Decodable {
            struct Consent: Decodable {
                var party: String
                var name: String?
            }
            var job_id: String?
            var job_title: String?
            var customer_name: String?
            var customer_phone: String?
            var location_address: String?
            var consent: [Consent]?
        }

        static func start(_ request: Request) async throws -> Response {
            let user = try request.principal.user
            let body = try request.decodeJSON(StartBody.self)
            for (field, value, limit) in [("job_id", body.job_id, 100), ("job_title", body.job_title, 200), ("customer_name", body.customer_name, 200),
                                          ("customer_phone", body.customer_phone, 40), ("location_address", body.location_address, 500)] {
                if let value, value.count > limit || AccountRules.containsControlCharacters(value) {
                    throw APIError.validation(field, "must be at most \(limit) characters of text")
                }
            }
            let now = Date()
            var consent: [RecordingConsent] = []
            for (index, given) in (body.consent ?? []).enumerated() {
                guard ["technician", "customer"].contains(given.party) else { throw APIError.validation("consent[\(index)].party", "must be technician or customer") }
                if let name = given.name, name.count > 200 { throw APIError.validation("consent[\(index)].name", "must be at most 200 characters") }
                consent.append(RecordingConsent(party: given.party, name: given.name, agreedAt: now))
            }
            let conversation = try await request.core.fieldVisits.start(by: user, FieldVisitStart(
                jobID: body.job_id, jobTitle: body.job_title, customerName: body.customer_name, customerPhone: body.customer_phone,
                locationAddress: body.location_address, consent: consent), at: now)
            let display = FieldVisitID.display(ofStored: conversation.publicID)
            let base = request.application.parley.url(of: FieldIntelligence.id, "/conversations/\(display)")
            let socket = ParleyContext.webSocketURL(base)
            return try request.renderJSON(.object([
                "conversation_id": .string(display), "started_at": .string(Timestamp.iso8601(now)), "status": .string(status(conversation.status)),
                "websocket_url": .string("\(socket)/transcribe"), "nudges_websocket_url": .string("\(socket)/nudges"),
            ]), status: .created)
        }

        // MARK: chunks

        /// A chunk and its `sequence`; the bytes must be M4A/MP4, WAV, MP3 or WebM, sniffed from
        /// their first bytes, not the declared type.
        static let chunkForm = MultipartForm(
            filePart: "chunk", headLength: 16,
            checkHead: { head, _ in
                guard let container = AudioDecoder.Container.sniff(head), [.mp4, .wav, .mp3, .matroska, .ogg].contains(container) else {
                    throw APIError.validation("chunk", "unsupported audio: send M4A, WAV, MP3, WebM or Ogg")
                }
            },
            fields: ["sequence": 32],
            tooLarge: { limit in APIError(.payloadTooLarge, code: "VALIDATION_ERROR", "A chunk is at most \(limit / 1_000_000) MB", field: "chunk") })

        static func uploadChunk(_ request: Request) async throws -> Response {
            let user = try request.principal.user
            let context = request.application.parley
            let conversation = try await request.core.fieldVisits.recording(conversationID(request), by: user)
            guard let contentType = request.headers.contentType, contentType.type == "multipart", contentType.subType == "form-data",
                  let boundary = contentType.parameters["boundary"], !boundary.isEmpty
            else { throw APIError.validation("chunk", "send the chunk as multipart/form-data with 'chunk' and 'sequence' parts") }
            guard conversation.status == .active else {
                throw APIError.validation("conversation_id", "conversation \(conversationID(request)) has been stopped; start a new one to record more")
            }
            let budget = context.configuration.rateLimits.field.uploadBytes
            let limit = Int64(min(Int(context.configuration.maxUploadSize), budget.limit))
            if let announced = request.headers.first(name: .contentLength).flatMap(Int64.init), announced > limit + 64 * 1024 {
                throw chunkForm.tooLarge(limit)
            }
            let budgetKey = "\(budget.name):user:\(user.id)"
            let now = Int(Date().timeIntervalSince1970)
            let limited = context.configuration.rateLimits.enabled
            let spent = context.rateLimitCounters.hit(budgetKey, policy: budget, now: now, weight: 0)
            if limited, let announced = request.headers.first(name: .contentLength).flatMap({ Int($0) }), announced > spent.remaining + 64 * 1024 {
                throw APIError(.tooManyRequests, code: "RATE_LIMIT_EXCEEDED",
                               "Uploads are limited to \(budget.limit / 1_000_000) MB a minute; \(spent.remaining) bytes are left until \(spent.reset)",
                               // X-RateLimit-* stay the request limit's (the surface's middleware writes them); the byte budget says when in Retry-After.
                               headers: ["Retry-After": String(max(1, spent.reset - now))])
            }
            let dataDirectory = URL(fileURLWithPath: context.configuration.dataDirectory)
            let folder = FieldStorage.directory(of: conversation.id)
            try CoachingStorage.makeFolder(dataDirectory.appendingPathComponent(folder))
            let token = UUID().uuidString.lowercased()
            let partial = dataDirectory.appendingPathComponent("\(folder)/\(token).part")
            let receiver = MultipartReceiver(boundary: boundary, destination: partial, limit: limit, form: chunkForm)
            var written: [URL] = [partial]
            var chunks = request.body.makeAsyncIterator()
            do {
                while let piece = try await chunks.next() { try receiver.consume(piece) }
                try receiver.finish()
                guard let raw = receiver.field("sequence")?.trimmingCharacters(in: .whitespacesAndNewlines), !raw.isEmpty else {
                    throw APIError.validation("sequence", "is required: the chunk's place in the order (0, 1, 2, …)")
                }
                guard let sequence = Int(raw), (0...FieldVisits.maxSequence).contains(sequence) else {
                    throw APIError.validation("sequence", "must be a whole number from 0 to \(FieldVisits.maxSequence), got '\(raw.prefix(20))'")
                }
                guard receiver.hasFile, let container = AudioDecoder.Container.sniff(receiver.head) else {
                    throw APIError.validation("chunk", "the 'chunk' part is missing or empty")
                }
                _ = context.rateLimitCounters.hit(budgetKey, policy: budget, now: now, weight: Int(receiver.fileBytes))
                if let stored = try await request.core.fieldVisits.chunk(sequence, of: conversation) {
                    try? FileManager.default.removeItem(at: partial)
                    return try chunkAnswer(request, stored, duplicate: true)
                }
                let stem = "\(folder)/\(FieldStorage.chunkStem(sequence))-\(token.prefix(8))"
                let original = dataDirectory.appendingPathComponent("\(stem).\(container.fileExtension)")
                try FileManager.default.moveItem(at: partial, to: original)
                written = [original]
                let audio: PCMAudio
                do {
                    audio = try await EngineWork.run { try AudioDecoder.decode(contentsOf: original) }
                } catch {
                    throw APIError.validation("chunk", "the chunk is damaged or holds no audio that can be decoded")
                }
                let pcm = dataDirectory.appendingPathComponent("\(stem).pcm.wav")
                try WAVFile.encode(audio).write(to: pcm)
                written.append(pcm)
                let chunk = FieldChunk(
                    conversationID: conversation.id, sequence: sequence, publicID: "CHUNK-\(token.prefix(12).uppercased())",
                    format: container.rawValue, bytes: receiver.fileBytes, seconds: audio.duration, path: "\(stem).\(container.fileExtension)",
                    pcmPath: "\(stem).pcm.wav", receivedAt: Date())
                let (kept, duplicate) = try await request.core.fieldVisits.addChunk(chunk, to: conversation)
                if duplicate {
                    written.forEach { try? FileManager.default.removeItem(at: $0) }
                } else {
                    await context.fieldLive.hear(conversation, sequence: sequence, audio: audio, context: context)
                }
                return try chunkAnswer(request, kept, duplicate: duplicate)
            } catch {
                receiver.discard()
                written.forEach { try? FileManager.default.removeItem(at: $0) }
                var drained: Int64 = 0
                while drained <= limit + (1 << 20), let piece = try? await chunks.next() { drained += Int64(piece.readableBytes) }
                throw error
            }
        }

        static func chunkAnswer(_ request: Request, _ chunk: FieldChunk, duplicate: Bool) throws -> Response {
            try request.renderJSON(.object([
                "chunk_id": .string(chunk.publicID), "received": .bool(true), "sequence": .number(Double(chunk.sequence)),
                "duplicate": .bool(duplicate), "duration_seconds": .number((chunk.seconds * 100).rounded() / 100),
            ]), status: duplicate ? .ok : .created)
        }

        // MARK: stop

        static func stop(_ request: Request) async throws -> Response {
            let user = try request.principal.user
            let context = request.application.parley
            var conversation = try await request.core.fieldVisits.recording(conversationID(request), by: user)
            guard conversation.status == .active else {
                throw APIError.validation("conversation_id", "conversation \(conversationID(request)) was already stopped (\(status(conversation.status)))")
            }
            // Live recognition finishes first, so its turns are in before the batch analysis replaces them.
            _ = await context.fieldLive.finish(conversation.id)
            let chunks = try await request.core.fieldVisits.chunks(of: conversation)
            let now = Date()
            var facts = conversation.details.field ?? FieldVisitFacts()
            facts.endedAt = now
            facts.missingChunks = FieldVisits.missingSequences(chunks.map(\.sequence))
            facts.recorded = !chunks.isEmpty
            var recording: MediaUpload?
            if !chunks.isEmpty {
                let dataDirectory = URL(fileURLWithPath: context.configuration.dataDirectory)
                let conversationID = conversation.id
                let assembled = try await EngineWork.run { try FieldStorage.assemble(chunks, conversationID: conversationID, dataDirectory: dataDirectory) }
                facts.recordingPath = assembled.path
                conversation.duration = assembled.seconds
                let size = (try? FileManager.default.attributesOfItem(atPath: dataDirectory.appendingPathComponent(assembled.path).path)[.size] as? Int) ?? 0
                recording = MediaUpload(
                    id: UUID(), publicID: "upload_field_\(UUID().uuidString.lowercased().prefix(12))", conversationID: conversation.id,
                    organizationID: conversation.organizationID, status: .completed, fileName: "recording.wav", contentType: "audio/wav",
                    container: "wav", expectedBytes: Int64(size), receivedBytes: Int64(size), path: assembled.path, metadata: .null, error: nil,
                    createdAt: now, completedAt: now)
            } else {
                conversation.duration = now.timeIntervalSince(conversation.startedAt ?? conversation.createdAt)
            }
            conversation.details.field = facts
            conversation.category = chunks.isEmpty ? "unrecorded" : "recorded"
            let (stopped, won) = try await request.core.fieldVisits.stop(conversation, recording: recording, intake: request.core.intake)
            guard won else {
                throw APIError.validation("conversation_id", "conversation \(conversationID(request)) was stopped by another request")
            }
            context.jobs.ring()
            try await FieldWebhooks.stopped(stopped, context: context)
            return try request.renderJSON(.object([
                "conversation_id": .string(conversationID(request)), "ended_at": .string(Timestamp.iso8601(now)),
                "duration_seconds": .number((stopped.duration ?? 0).rounded()), "status": .string(status(of: stopped)),
                "recording_url": try await recordingURL(request, stopped), "missing_chunks": .array(facts.missingChunks.map { .number(Double($0)) }),
                "chunks_received": .number(Double(chunks.count)),
                "analysis_held": facts.analysisHeld.map(JSONValue.string) ?? stopped.details.field?.analysisHeld.map(JSONValue.string) ?? .null,
            ]))
        }

        static func recordingURL(_ request: Request, _ conversation: Conversation) async throws -> JSONValue {
            guard conversation.details.field?.recordingPath != nil else { return .null }
            let display = FieldVisitID.display(ofStored: conversation.publicID)
            let token = try await RecordingGrant.sign(conversation.publicID, organizationID: conversation.organizationID, request: request)
            return .string(request.application.parley.url(of: FieldIntelligence.id, "/conversations/\(display)/recording?token=\(token)"))
        }

        static func recording(_ request: Request) async throws -> Response {
            let conversation: Conversation
            if let token = request.query[String.self, at: "token"] {
                // The grant names the stored id; the path's id is read back in the grant's organization.
                guard let organization = try? await request.application.jwt.keys.verify(token, as: RecordingGrant.self).org,
                      let organizationID = UUID(uuidString: organization),
                      let id = FieldVisitID(client: conversationID(request), organizationID: organizationID),
                      await RecordingGrant.verified(token, subject: id.stored, request: request) != nil,
                      let found = try await request.core.conversations.conversation(publicID: id.stored, organizationID: organizationID)
                else { throw APIError(.forbidden, code: "FORBIDDEN", "The recording link is invalid or has expired; read the conversation again for a new one") }
                conversation = found
            } else {
                guard let access = request.accessToken else { throw APIError.authRequired }
                let principal = try await request.identity.authenticate(accessToken: access)
                conversation = try await request.core.fieldVisits.visit(conversationID(request), visibleTo: principal.user).0
            }
            guard let path = conversation.details.field?.recordingPath else {
                throw APIError.notFound("NOT_FOUND", "Conversation \(conversationID(request)) has no recording yet (it is assembled at stop)")
            }
            let file = URL(fileURLWithPath: request.application.parley.configuration.dataDirectory).appendingPathComponent(path).path
            guard FileManager.default.fileExists(atPath: file) else { throw APIError.notFound("NOT_FOUND", "The recording file is missing") }
            let response = try await request.fileio.asyncStreamFile(at: file)
            response.headers.replaceOrAdd(name: .contentType, value: "audio/wav")
            response.headers.replaceOrAdd(name: .contentDisposition, value: "inline; filename=\"\(conversationID(request)).wav\"")
            return response
        }

        // MARK: consent

        struct ConsentBody: Decodable {
            var party: String
            var name: String?
        }

        static func consent(_ request: Request) async throws -> Response {
            let user = try request.principal.user
            let body = try request.decodeJSON(ConsentBody.self)
            if let name = body.name, name.count > 200 || AccountRules.containsControlCharacters(name) {
                throw APIError.validation("name", "must be at most 200 characters of text")
            }
            let conversation = try await request.core.fieldVisits.recording(conversationID(request), by: user)
            let intake = request.core.intake
            let updated = try await request.core.fieldVisits.consent(RecordingConsent(party: body.party, name: body.name, agreedAt: Date()),
                                                                       to: conversation, by: user) { held in
                var resumed = held
                resumed.status = .processing
                guard let upload = try await intake.latestMedia(of: held.id),
                      try await intake.accept(upload, isNew: false, into: resumed, expected: [.paused]) else { return held }
                return resumed
            }
            request.application.parley.jobs.ring()
            return try await render(request, updated, technician: user)
        }

        // MARK: reading

        static func read(_ request: Request) async throws -> Response {
            let (conversation, technician) = try await visit(request)
            return try await render(request, conversation, technician: technician)
        }

        static func render(_ request: Request, _ conversation: Conversation, technician: User) async throws -> Response {
            try request.renderJSON(try await json(request, conversation, technician: technician))
        }

        static func json(_ request: Request, _ conversation: Conversation, technician: User) async throws -> JSONValue {
            let facts = conversation.details.field ?? FieldVisitFacts()
            var fields: [String: JSONValue] = [
                "conversation_id": .string(FieldVisitID.display(ofStored: conversation.publicID)),
                "technician": .object(["user_id": .string(UserID.make(technician.id)), "full_name": .string(FieldAuthRoutes.fullName(technician))]),
                "job": facts.jobID == nil && facts.jobTitle == nil ? .null
                    : .object(["job_id": facts.jobID.map(JSONValue.string) ?? .null, "title": facts.jobTitle.map(JSONValue.string) ?? .null]),
                "customer_name": facts.customerName.map(JSONValue.string) ?? .null,
                "customer_phone": facts.customerPhone.map(JSONValue.string) ?? .null,
                "location_address": facts.locationAddress.map(JSONValue.string) ?? .null,
                "started_at": .string(Timestamp.iso8601(conversation.startedAt ?? conversation.createdAt)),
                "ended_at": facts.endedAt.map { .string(Timestamp.iso8601($0)) } ?? .null,
                "duration_seconds": conversation.duration.map { .number($0.rounded()) } ?? .null,
                "status": .string(status(of: conversation)),
                "recording_url": try await recordingURL(request, conversation),
                "has_insights": .bool(conversation.analysis?.insights != nil),
                "satisfaction_score": conversation.status == .completed ? conversation.score.map { .number($0.rounded()) } ?? .null : .null,
                "consent": .array(facts.consent.map { .object(["party": .string($0.party), "name": $0.name.map(JSONValue.string) ?? .null,
                                                              "agreed_at": .string(Timestamp.iso8601($0.agreedAt))]) }),
                "missing_chunks": .array(facts.missingChunks.map { .number(Double($0)) }),
                "analysis_held": facts.analysisHeld.map(JSONValue.string) ?? .null,
            ]
            if let processing = conversation.details.processing, conversation.status == .processing || conversation.status == .failed {
                fields["processing"] = .object(["stage": .string(processing.stage), "progress": .number(Double(processing.progress)),
                                                "error": processing.error.map(JSONValue.string) ?? .null])
            }
            return .object(fields)
        }

        static func history(_ request: Request) async throws -> Response {
            let viewer = try request.principal.user
            guard let technicianID = UserID.parse(request.parameters.get("technician_id")) else {
                throw APIError.notFound("NOT_FOUND", "Technician \(request.parameters.get("technician_id") ?? "") not found")
            }
            let limit = try request.pagingValue("limit", default: 20, range: 1...100)
            let offset = try request.pagingValue("offset", default: 0, range: 0...1_000_000)
            var wanted: ConversationStatus?
            if let raw = request.query[String.self, at: "status"] {
                guard let parsed = Self.statuses[raw] else {
                    throw APIError.validation("status", "must be one of \(Self.statuses.keys.sorted().joined(separator: ", "))")
                }
                wanted = parsed
            }
            let (found, total) = try await request.core.fieldVisits.history(of: technicianID, visibleTo: viewer, status: wanted, limit: limit, offset: offset)
            guard let technician = try await request.identity.store.user(id: technicianID, organizationID: viewer.organizationID) else {
                throw APIError.notFound("NOT_FOUND", "Technician not found")
            }
            var items: [JSONValue] = []
            for conversation in found { items.append(try await json(request, conversation, technician: technician)) }
            return try request.renderJSON(.object([
                "conversations": .array(items), "total": .number(Double(total)), "limit": .number(Double(limit)), "offset": .number(Double(offset)),
            ]))
        }

        /// The document's statuses and the conversation states they are.
        static let statuses: [String: ConversationStatus] = [
            "in_progress": .active, "processing": .processing, "analyzed": .completed, "failed": .failed, "awaiting_consent": .paused,
        ]

        static func transcript(_ request: Request) async throws -> Response {
            let (conversation, _) = try await visit(request)
            let turns = try await request.core.conversations.turns(conversationID: conversation.id)
            return try request.renderJSON(.object([
                "conversation_id": .string(conversationID(request)),
                "segments": .array(turns.map { turn in
                    .object([
                        "segment_id": .number(Double(turn.sequence + 1)), "speaker_type": .string(FieldSpeakers.speakerType(turn.segment.speaker)),
                        "text": .string(turn.segment.text), "start_time": turn.segment.start.map { .number(($0 * 100).rounded() / 100) } ?? .null,
                        "end_time": turn.segment.end.map { .number(($0 * 100).rounded() / 100) } ?? .null,
                        "confidence": turn.segment.confidence.map { .number(($0 * 100).rounded() / 100) } ?? .null,
                    ])
                }),
                "total_segments": .number(Double(turns.count)),
                "final": .bool(conversation.status == .completed),
            ]))
        }

        // MARK: analysis

        static func analysed(_ request: Request) async throws -> Conversation {
            let (conversation, _) = try await visit(request)
            guard conversation.status == .completed, conversation.analysis?.insights != nil else {
                throw APIError.notFound("NOT_FOUND", "Conversation \(conversationID(request)) has no analysis yet (\(status(conversation.status)))")
            }
            return conversation
        }

        static func insights(_ request: Request) async throws -> Response {
            let conversation = try await analysed(request)
            guard let insights = conversation.analysis?.insights else { throw APIError.notFound("NOT_FOUND", "No insights") }
            let digits = FieldVisitID.display(ofStored: conversation.publicID).filter(\.isNumber)
            return try request.renderJSON(.object([
                "insight_id": .number(Double(digits) ?? 0), "conversation_id": .string(conversationID(request)),
                "summary": .string(insights.summary), "summary_method": .string(insights.summaryMethod),
                "signals_method": .string(conversation.analysis?.understanding ?? "term-model"),
                "key_topics": .array(insights.keyTopics.map(JSONValue.string)), "overall_sentiment": .string(insights.overallSentiment),
                "customer_satisfaction_score": .number(Double(insights.customerSatisfactionScore)),
                "satisfaction_evidence": .array(insights.satisfactionEvidence.map(JSONValue.string)),
                "positive_keywords": .array(insights.positiveKeywords.map(JSONValue.string)),
                "improvement_keywords": .array(insights.improvementKeywords.map(JSONValue.string)),
                "action_items": .array(insights.actionItems.map { .string($0.text) }),
                "action_item_details": .array(insights.actionItems.map { item in
                    .object(["text": .string(item.text), "owner": .string(FieldSpeakers.speakerType(item.owner)),
                             "due": item.due.map(JSONValue.string) ?? .null, "said_by": .string(FieldSpeakers.speakerType(item.saidBy)),
                             "timestamp_in_call": item.at.map { .number(($0 * 10).rounded() / 10) } ?? .null])
                }),
            ]))
        }

        static func upsellJSON(_ upsell: FieldUpsell) -> JSONValue {
            .object([
                "opportunity_id": .number(Double(upsell.id)), "opportunity_type": .string(upsell.type), "title": .string(upsell.title),
                "description": .string(upsell.description), "trigger_phrase": .string(upsell.triggerPhrase),
                "timestamp_in_call": upsell.timestampInCall.map { .number(($0 * 10).rounded() / 10) } ?? .null,
                "confidence": .number(upsell.confidence), "estimated_value": .number(upsell.estimatedValue), "priority": .string(upsell.priority),
                "status": .string(upsell.status.rawValue), "actual_value": upsell.actualValue.map(JSONValue.number) ?? .null,
                "notes": upsell.notes.map(JSONValue.string) ?? .null,
            ])
        }

        static func upsells(_ request: Request) async throws -> Response {
            let conversation = try await analysed(request)
            let found = try await request.core.fieldVisits.upsells(of: conversation)
            return try request.renderJSON(.object(["opportunities": .array(found.map(upsellJSON))]))
        }

        static func coaching(_ request: Request) async throws -> Response {
            let conversation = try await analysed(request)
            let moments = try await request.core.fieldVisits.coachingMoments(of: conversation)
            return try request.renderJSON(.object(["coaching_moments": .array(moments.map { moment in
                .object([
                    "moment_id": .number(Double(moment.id)), "category": .string(moment.category), "title": .string(moment.title),
                    "timestamp_in_call": moment.timestampInCall.map { .number(($0 * 10).rounded() / 10) } ?? .null,
                    "what_happened": .string(moment.whatHappened), "what_should_happen": .string(moment.whatShouldHappen),
                    "example_better_response": .string(moment.exampleBetterResponse), "severity": .string(moment.severity),
                ])
            })]))
        }

        static func analyze(_ request: Request) async throws -> Response {
            let (conversation, technician) = try await visit(request)
            let user = try request.principal.user
            guard user.id == technician.id || user.role != .user else { throw APIError(.forbidden, code: "FORBIDDEN", "Not yours to analyse") }
            switch conversation.status {
            case .active:
                throw APIError.validation("conversation_id", "conversation \(conversationID(request)) is still being recorded; stop it first")
            case .paused:
                throw APIError.validation("consent", conversation.details.field?.analysisHeld ?? "consent is missing")
            case .processing:
                break
            default:
                guard let upload = try await request.core.intake.latestMedia(of: conversation.id) else {
                    throw APIError.validation("conversation_id", "conversation \(conversationID(request)) has no recording to analyse")
                }
                var again = conversation
                again.status = .processing
                again.details.retries = (conversation.details.retries ?? 0) + 1
                again.details.processing = ProcessingState(uploadId: upload.publicID, stage: "queued", progress: 0, status: "queued",
                                                           estimatedTime: nil, updatedAt: Date())
                guard try await request.core.intake.retry(again, uploadID: upload.publicID, attempt: again.details.retries ?? 1,
                                                          from: [.completed, .failed]) else {
                    throw APIError.validation("conversation_id", "conversation \(conversationID(request)) changed meanwhile; read it again")
                }
                request.application.parley.jobs.ring()
            }
            let estimate = RecordingPipeline.estimatedSeconds(forAudioSeconds: conversation.duration)
            return try request.renderJSON(.object([
                "conversation_id": .string(conversationID(request)), "status": .string("processing"),
                "estimated_completion": .string(Timestamp.iso8601(Date().addingTimeInterval(Double(estimate)))),
            ]), status: .accepted)
        }

        // MARK: comments

        struct CommentBody: Decodable {
            var text: String
            var at_seconds: Double?
        }

        static func commentJSON(_ comment: ConversationComment) -> JSONValue {
            .object([
                "comment_id": .string(comment.id.uuidString.lowercased()), "author_id": .string(UserID.make(comment.authorID)),
                "text": .string(comment.text), "at_seconds": comment.atSeconds.map(JSONValue.number) ?? .null,
                "created_at": .string(Timestamp.iso8601(comment.createdAt)),
            ])
        }

        static func comments(_ request: Request) async throws -> Response {
            let (conversation, _) = try await visit(request)
            let found = try await request.core.conversations.comments(of: conversation)
            return try request.renderJSON(.object(["comments": .array(found.map(commentJSON))]))
        }

        static func addComment(_ request: Request) async throws -> Response {
            let (conversation, _) = try await visit(request)
            let body = try request.decodeJSON(CommentBody.self)
            let comment = try await request.core.conversations.comment(
                on: conversation, by: try request.principal.user, text: body.text, atSeconds: body.at_seconds, turn: nil)
            return try request.renderJSON(commentJSON(comment), status: .created)
        }
    }

    /// The document's status of a conversation; one stopped without any recording is `completed`
    /// (nothing to analyse), not `analyzed`.
    static func status(of conversation: Conversation) -> String {
        conversation.status == .completed && conversation.details.field?.recorded == false ? "completed" : status(conversation.status)
    }

    /// The document's conversation statuses.
    static func status(_ status: ConversationStatus) -> String {
        switch status {
        case .active, .created: "in_progress"
        case .processing: "processing"
        case .completed: "analyzed"
        case .failed: "failed"
        case .paused: "awaiting_consent"
        case .abandoned: "abandoned"
        }
    }
}
