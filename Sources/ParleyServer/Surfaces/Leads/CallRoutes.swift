import Foundation
import NIOConcurrencyHelpers
import ParleyAudio
import ParleyCore
import ParleyDomain
import ParleyIntelligence
import ParleySpeech
import Vapor

extension LeadsAndCalls {
    /// `/api/v1/voice/calls`: AI calls to leads. Create, start, respond (typed or spoken), end, as
    /// documented, plus read, list and transcript (documented additions). The live side of every
    /// call, HTTP or realtime, runs on the one `LiveConversation` with the AI caller as counterpart.
    enum CallRoutes {
        /// Largest `audio_data` accepted in respond, decoded (about a minute of 16-bit 16 kHz audio as WAV).
        static let maxAudioBytes = 4_000_000

        static func register(on routes: any RoutesBuilder, places: ConnectionPlaces) {
            let calls = routes.grouped("voice", "calls")
            calls.post(use: create)
            calls.get(use: list)
            calls.get(":call_id", use: read)
            calls.get(":call_id", "transcript", use: transcript)
            calls.post(":call_id", "start") { try await start($0, places: places) }
            calls.post(":call_id", "respond") { try await respond($0, places: places) }
            calls.post(":call_id", "end") { try await end($0, places: places) }
        }

        static func callID(_ request: Request) -> String { request.parameters.get("call_id") ?? "" }

        // MARK: handlers

        static func create(_ request: Request) async throws -> Response {
            let user = try request.principal.user
            let draft = try CallFields(request, voices: request.application.parley.speech.synthesizer.voiceIDs).draft
            let call = try await refusing { try await request.core.calls.create(draft, by: user) }
            var object = CallJSON.call(call, caller: nil).objectValue
            object["success"] = .bool(true)
            return try request.renderJSON(.object(object), status: .created)
        }

        static func list(_ request: Request) async throws -> Response {
            let user = try request.principal.user
            let page = try request.pagingValue("page", default: 1, range: 1...1_000_000)
            let perPage = try request.pagingValue("per_page", default: 50, range: 1...LeadCalls.maxPerPage)
            let status: ConversationStatus? = try request.query[String.self, at: "status"].map { raw in
                switch raw {
                case "created": .created
                case "in_progress": .active
                case "completed": .completed
                case "failed": .failed
                default: throw APIError.validation("status", "must be one of created, in_progress, completed, failed")
                }
            }
            let lead = request.query[String.self, at: "lead_id"]
            let (calls, total) = try await request.core.calls.calls(
                organizationID: user.organizationID, leadPublicID: lead, status: status, offset: (page - 1) * perPage, limit: perPage)
            return try request.renderJSON(.object([
                "calls": .array(calls.map { CallJSON.call($0, caller: request.core.calls.caller(of: $0)) }),
                "total": .number(Double(total)), "page": .number(Double(page)), "per_page": .number(Double(perPage)),
                "total_pages": .number(Double((total + perPage - 1) / perPage)),
            ]))
        }

        static func read(_ request: Request) async throws -> Response {
            let user = try request.principal.user
            let call = try await request.core.calls.call(publicID: callID(request), organizationID: user.organizationID)
            return try request.renderJSON(CallJSON.call(call, caller: request.core.calls.caller(of: call)))
        }

        static func transcript(_ request: Request) async throws -> Response {
            let user = try request.principal.user
            let call = try await request.core.calls.call(publicID: callID(request), organizationID: user.organizationID)
            let turns = try await request.core.calls.turns(of: call)
            return try request.renderJSON(.object([
                "call_id": .string(call.publicID), "status": .string(CallJSON.status(call.status)),
                "turns": .array(turns.map(CallJSON.turn)), "total": .number(Double(turns.count)),
            ]))
        }

        static func start(_ request: Request, places: ConnectionPlaces) async throws -> Response {
            let user = try request.principal.user
            let voice = try VoiceConfig(request, voices: request.application.parley.speech.synthesizer.voiceIDs)
            let claim = try claimCall(request, places: places)
            defer { claim.release() }
            var call = try await request.core.calls.call(publicID: callID(request), organizationID: user.organizationID)
            guard call.status == .created else {
                throw APIError(call.status.isFinal && call.status != .abandoned ? CallRefusal.ended(call: call.publicID) : .alreadyStarted(call: call.publicID))
            }
            let lead = try await refusing { try await request.core.calls.callableLead(of: call) }
            if let voiceID = voice.voiceID {
                call.details.call?.voiceID = voiceID
                call.configuration.voiceID = voiceID
            }
            if let speed = voice.speed { call.details.call?.speed = speed }
            if let language = voice.language { call.details.call?.language = language }
            let events = EventTape()
            let live = try await open(request, call: call, lead: lead, speech: request.application.parley.speech.recognizer, events: events)
            try await live.start(listening: false)
            try await request.core.calls.announceStart(call, lead: lead)
            let said = events.said.first
            return try request.renderJSON(.object([
                "success": .bool(true), "call_id": .string(call.publicID),
                "opening_message": .string(said?.line.text ?? ""),
                "audio_data": said?.audio.map { .string($0.base64EncodedString()) } ?? .null,
                "audio_format": .string("wav"),
                "session_info": .object([
                    "state": .string(said?.line.stage ?? "greeting"),
                    "context": .object([
                        "lead_name": LeadJSON.text(lead.firstName.isEmpty ? nil : lead.firstName), "company": LeadJSON.text(lead.company),
                        "industry": LeadJSON.text(lead.industry),
                    ]),
                ]),
            ]))
        }

        static func respond(_ request: Request, places: ConnectionPlaces) async throws -> Response {
            let user = try request.principal.user
            let said = try CustomerTurn(request)
            let claim = try claimCall(request, places: places)
            defer { claim.release() }
            let call = try await request.core.calls.call(publicID: callID(request), organizationID: user.organizationID)
            try checkOngoing(call)
            let text: String
            var words: [Word] = []
            switch said {
            case .text(let typed): text = typed
            case .audio(let bytes):
                let heard = try await recognise(bytes, app: request.application)
                text = heard.text
                words = heard.words
            }
            let lead = try await request.core.leads.lead(publicID: call.details.call?.leadPublicID ?? "", organizationID: user.organizationID)
            let events = EventTape()
            let live = try await open(request, call: call, lead: lead, speech: request.application.parley.speech.recognizer, events: events)
            try await live.repSaid(text, words: words)
            // A caller that already said goodbye says nothing more: the call has ended.
            guard let answer = events.said.last else { throw APIError(CallRefusal.ended(call: call.publicID)) }
            return try request.renderJSON(.object([
                "success": .bool(true), "ai_response": .string(answer.line.text),
                "audio_data": answer.audio.map { .string($0.base64EncodedString()) } ?? .null,
                "audio_format": .string("wav"),
                "analysis": CallJSON.analysis(answer.line.reading),
                "conversation_state": .string(answer.line.stage ?? "greeting"),
                "should_continue": .bool(!answer.line.endsConversation),
                "customer_text": .string(text),
            ]))
        }

        static func end(_ request: Request, places: ConnectionPlaces) async throws -> Response {
            let user = try request.principal.user
            let reason = try EndFields(request).reason
            let claim = try claimCall(request, places: places)
            defer { claim.release() }
            let calls = request.core.calls
            var call = try await calls.call(publicID: callID(request), organizationID: user.organizationID)
            if !call.status.isFinal || call.status == .abandoned {
                let lead = try await request.core.leads.lead(publicID: call.details.call?.leadPublicID ?? "", organizationID: user.organizationID)
                let live = try await open(request, call: call, lead: lead, speech: request.application.parley.speech.recognizer, events: EventTape())
                try await live.end(reason: reason)
            } else if call.details.call?.settledAt == nil {
                // Ended but never taken into its lead (the process stopped in between): do it now.
                try await calls.settle(call, reason: reason)
            }
            call = try await calls.call(publicID: call.publicID, organizationID: user.organizationID)
            let caller = calls.caller(of: call)
            let turns = try await calls.turns(of: call)
            return try request.renderJSON(.object([
                "success": .bool(true), "call_id": .string(call.publicID),
                "summary": CallJSON.summary(call, caller: caller), "analytics": CallJSON.analytics(call, caller: caller, turns: turns.count),
            ]))
        }

        // MARK: the live pipeline

        /// The call's live pipeline for one request; its events are kept on `events`.
        static func open(_ request: Request, call: Conversation, lead: Lead, speech recognizer: any SpeechRecognizer, events: EventTape) async throws -> LiveConversation {
            let app = request.application
            return try await request.core.calls.live(
                call, lead: lead, speech: LiveSpeech(recognizer: recognizer, synthesizer: app.parley.speech.synthesizer),
                wording: app.parley.prospectWording, emit: { events.record($0) })
        }

        /// One call is worked by one request or connection at a time, so two never answer from the same state.
        static func claimCall(_ request: Request, places: ConnectionPlaces) throws -> ConnectionClaim {
            guard let claim = places.claim("call:\(callID(request))", limit: 1) else {
                throw APIError(.conflict, code: "CALL_IN_USE", "Call \(callID(request)) is being worked by another request or connection; try again shortly")
            }
            return claim
        }

        static func checkOngoing(_ call: Conversation) throws {
            if call.status == .created { throw APIError(CallRefusal.notStarted(call: call.publicID)) }
            if call.status.isFinal, call.status != .abandoned { throw APIError(CallRefusal.ended(call: call.publicID)) }
        }

        /// Decodes spoken `audio_data` (WAV, MP3 or bare 16 kHz 16-bit mono PCM) off the event loop and recognises it.
        static func recognise(_ bytes: Data, app: Application) async throws -> (text: String, words: [Word]) {
            let audio: PCMAudio
            do {
                audio = try await EngineWork.run {
                    if AudioDecoder.Container.sniff(Array(bytes.prefix(16))) == nil {
                        guard bytes.count % 2 == 0 else { throw AudioDecodingError.corrupt("bare PCM must be 16-bit samples") }
                        return PCMAudio(samples: CallSocket.pcm16ToFloats(bytes), sampleRate: PCMAudio.analysisSampleRate)
                    }
                    return try AudioDecoder.decode(bytes).resampled(to: PCMAudio.analysisSampleRate)
                }
            } catch {
                throw APIError.validation("audio_data", "could not be decoded as WAV, MP3 or 16 kHz 16-bit mono PCM")
            }
            guard audio.duration >= 0.1 else { throw APIError.validation("audio_data", "holds no audio") }
            let transcript = try await app.parley.speech.recognizer.transcribe(audio)
            let text = transcript.segments.map(\.text).joined(separator: " ").trimmingCharacters(in: .whitespacesAndNewlines)
            guard !text.isEmpty else { throw APIError.validation("audio_data", "no speech was recognised in the audio") }
            return (text, transcript.segments.flatMap(\.words))
        }

        /// Runs `body`, wording a `CallRefusal` in this surface's dialect.
        static func refusing<T>(_ body: () async throws -> T) async throws -> T {
            do { return try await body() } catch let refusal as CallRefusal { throw APIError(refusal) }
        }
    }

    /// The events one request's pipeline told, in order.
    final class EventTape: Sendable {
        private let events = NIOLockedValueBox<[ConversationEvent]>([])

        func record(_ event: ConversationEvent) { events.withLockedValue { $0.append(event) } }

        /// What the caller said, with its audio when synthesis worked.
        var said: [(line: CounterpartLine, audio: Data?)] {
            events.withLockedValue { events in
                events.compactMap { if case .said(let line, let audio) = $0 { (line, audio) } else { nil } }
            }
        }
    }

    // MARK: request bodies

    /// Create Call's body, read field by field so each fault names its field.
    struct CallFields {
        let draft: CallDraft

        init(_ request: Request, voices: [String]) throws {
            guard case .object(let object) = try request.decodeJSON(JSONValue.self) else {
                throw APIError.validation("body", "must be a JSON object")
            }
            guard let lead = object["lead_id"]?.stringValue, !lead.isEmpty, lead.count <= 64 else {
                throw APIError.validation("lead_id", "is required: the id of one of your leads")
            }
            let phone = try CallFields.text(object, "phone_number", max: 32)
            if let phone, phone.range(of: #"^\+?[0-9][0-9 ().-]{2,31}$"#, options: .regularExpression) == nil {
                throw APIError.validation("phone_number", "must be a phone number such as +1-555-123-4567")
            }
            let type = try CallFields.text(object, "call_type", max: 16) ?? "outbound"
            guard ["outbound", "inbound"].contains(type) else { throw APIError.validation("call_type", "must be outbound or inbound") }
            let purpose = try CallFields.text(object, "purpose", max: 500)
            let voice = try VoiceConfig(object["voice_settings"], field: "voice_settings", voices: voices)
            draft = CallDraft(leadPublicID: lead, phoneNumber: phone, callType: type, purpose: purpose, voiceID: voice.voiceID, speed: voice.speed,
                              language: voice.language)
        }

        /// An optional text field: absent or null is nil; anything but a short clean string is a 422 naming it.
        static func text(_ object: [String: JSONValue], _ field: String, max: Int) throws -> String? {
            switch object[field] {
            case nil, .null?: return nil
            case .string(let value)?:
                let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
                guard !trimmed.isEmpty, trimmed.count <= max, !AccountRules.containsControlCharacters(trimmed) else {
                    throw APIError.validation(field, "must be text of 1 to \(max) characters")
                }
                return trimmed
            default: throw APIError.validation(field, "must be a string")
            }
        }
    }

    /// `voice_settings` (Create Call) or `voice_config` (Start): a known voice, a usable speed, a language.
    struct VoiceConfig {
        var voiceID: String?
        var speed: Double?
        var language: String?

        init() {}

        init(_ value: JSONValue?, field: String, voices: [String]) throws {
            guard let value, value != .null else { return }
            guard case .object(let object) = value else { throw APIError.validation(field, "must be an object") }
            voiceID = try CallFields.text(object, "voice_id", max: 64)
            if let voiceID, !voices.isEmpty, !voices.contains(voiceID) {
                throw APIError.validation("\(field).voice_id", "must be one of \(voices.joined(separator: ", "))")
            }
            switch object["speed"] {
            case nil, .null?: break
            case .number(let speed)? where (0.5...2).contains(speed): self.speed = speed
            default: throw APIError.validation("\(field).speed", "must be a number from 0.5 to 2")
            }
            language = try CallFields.text(object, "language", max: 16)
        }

        /// Start's optional body.
        init(_ request: Request, voices: [String]) throws {
            guard let buffer = request.body.data, buffer.readableBytes > 0 else {
                self.init()
                return
            }
            guard case .object(let object) = try request.decodeJSON(JSONValue.self) else {
                throw APIError.validation("body", "must be a JSON object")
            }
            try self.init(object["voice_config"], field: "voice_config", voices: voices)
        }
    }

    /// What the customer said in Process Customer Response: typed `text`, or spoken `audio_data`.
    enum CustomerTurn {
        case text(String)
        case audio(Data)

        init(_ request: Request) throws {
            guard case .object(let object) = try request.decodeJSON(JSONValue.self) else {
                throw APIError.validation("body", "must be a JSON object")
            }
            if let text = try CallFields.text(object, "text", max: 5_000) {
                self = .text(text)
                return
            }
            switch object["audio_data"] {
            case nil, .null?: throw APIError.validation("text", "text or audio_data is required")
            case .string(let encoded)?:
                guard let bytes = Data(base64Encoded: encoded, options: .ignoreUnknownCharacters), !bytes.isEmpty else {
                    throw APIError.validation("audio_data", "must be base64-encoded audio (WAV, MP3 or 16 kHz 16-bit mono PCM)")
                }
                guard bytes.count <= CallRoutes.maxAudioBytes else {
                    throw APIError(.payloadTooLarge, code: "PAYLOAD_TOO_LARGE", "audio_data may hold at most \(CallRoutes.maxAudioBytes) bytes", field: "audio_data")
                }
                self = .audio(bytes)
            default: throw APIError.validation("audio_data", "must be a base64 string")
            }
        }
    }

    /// End Call's optional body: `reason` (`completed` when absent).
    struct EndFields {
        var reason = "completed"

        init(_ request: Request) throws {
            guard let buffer = request.body.data, buffer.readableBytes > 0 else { return }
            guard case .object(let object) = try request.decodeJSON(JSONValue.self) else {
                throw APIError.validation("body", "must be a JSON object")
            }
            if let reason = try CallFields.text(object, "reason", max: 64) { self.reason = reason }
        }
    }
}

extension APIError {
    /// A refused call action in the /api/v1 dialect: each is a conflict with the call's or lead's state.
    init(_ refusal: CallRefusal) {
        switch refusal {
        case .doNotCall(let lead):
            self.init(.conflict, code: "LEAD_DO_NOT_CALL", "Lead \(lead) asked not to be called (do-not-call)")
        case .notStarted(let call):
            self.init(.conflict, code: "CALL_NOT_STARTED", "Call \(call) has not started; POST /voice/calls/\(call)/start first")
        case .alreadyStarted(let call):
            self.init(.conflict, code: "CALL_ALREADY_STARTED", "Call \(call) has already started")
        case .ended(let call):
            self.init(.conflict, code: "CALL_ENDED", "Call \(call) has ended; create a new call")
        }
    }
}
