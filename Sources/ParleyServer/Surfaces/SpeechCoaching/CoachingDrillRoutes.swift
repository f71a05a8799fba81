import Foundation
import ParleyAudio
import ParleyDomain
import ParleyIntelligence
import ParleySpeech
import ParleyCore
import Vapor

extension SpeechCoaching {
    /// `/coaching/drills`: the catalogue personalised from the caller's weakest categories, drill
    /// sessions, scoring of spoken or typed answers, and model pronunciations.
    enum CoachingDrillRoutes {
        struct SubmitRequest: Decodable {
            var audioData: String?
            var response: String?
            var exerciseIndex: Int
        }

        struct DrillSessionDTO: Encodable, Sendable {
            var id: String
            var drillId: String
            var status: String
            var startedAt: String
            var websocketUrl: String
        }

        static func register(on routes: any RoutesBuilder) {
            routes.get("drills", use: list)
            routes.post("drills", ":drillId", "start", use: start)
            routes.post("drills", ":drillId", "submit", use: submit)
            routes.get("drills", ":drillId", "exercises", ":index", "audio", use: audio)
        }

        static func list(_ request: Request) async throws -> Response {
            let user = try request.principal.user
            let filter: DrillFilter
            do {
                filter = try DrillFilter.parse(
                    difficulty: request.query[String.self, at: "difficulty"], category: request.query[String.self, at: "category"],
                    limit: try request.query[String.self, at: "limit"].map { raw in
                        guard let value = Int(raw) else { throw APIError.validation("limit", "must be a whole number") }
                        return value
                    })
            } catch let error as DrillError {
                throw error.domainError
            }
            let recent = try await request.conversations.conversations(ConversationQuery(
                organizationID: user.organizationID, userID: user.id, kind: .coaching, status: .completed, limit: 10))
            let scores = DrillPlanner.average(recent.compactMap { $0.analysis?.scores?.categories })
            let base = request.application.parley.url(of: "speech-coaching", "")
            let drills = try DrillPlanner().recommend(scores: scores, filter: filter).map { recommendation -> JSONValue in
                var drill = try JSONValue(encoding: recommendation.drill).objectValue
                if case .array(let exercises) = drill["exercises"] {
                    drill["exercises"] = .array(exercises.enumerated().map { index, exercise in
                        var object = exercise.objectValue
                        object["audioUrl"] = .string("\(base)/drills/\(recommendation.drill.id)/exercises/\(index)/audio")
                        return .object(object)
                    })
                }
                drill["reason"] = .string(recommendation.reason)
                drill["skillScore"] = recommendation.skillScore.map(JSONValue.number) ?? .null
                return .object(drill)
            }
            return try request.coaching(["drills": drills])
        }

        static func drill(_ request: Request) throws -> Drill {
            let id = request.parameters.get("drillId") ?? ""
            guard let drill = BuiltInDrills.all.first(where: { $0.id == id }) else { throw APIError.notFound("NOT_FOUND", "Drill \(id) not found") }
            return drill
        }

        static func start(_ request: Request) async throws -> Response {
            let user = try request.principal.user
            let drill = try drill(request)
            let record = CoachingRecord(publicID: CoachingID.make("drill_session_"), organizationID: user.organizationID, userID: user.id,
                                        reference: drill.id, status: "active", details: .object(["attempts": .array([])]))
            try await request.core.drills.start(record)
            return try request.coaching(["drillSession": dto(record, base: request.application.parley.publicURL)], status: .created)
        }

        static func dto(_ record: CoachingRecord, base: String) -> DrillSessionDTO {
            DrillSessionDTO(id: record.publicID, drillId: record.reference ?? "", status: record.status, startedAt: Timestamp.iso8601(record.createdAt),
                            websocketUrl: CoachingSocketURL.namespace("/drills/\(record.publicID)", base: base))
        }

        static func submit(_ request: Request) async throws -> Response {
            let user = try request.principal.user
            let drill = try drill(request)
            let body = try request.decodeJSON(SubmitRequest.self)
            let score = try await DrillAttempt.score(drill: drill, exerciseIndex: body.exerciseIndex, audioData: body.audioData,
                                                     typed: body.response, app: request.application)
            try await DrillAttempt.record(score, drill: drill, exerciseIndex: body.exerciseIndex, userID: user.id, in: request.core.drills)
            return try request.coaching(score)
        }

        /// A model pronunciation of the exercise (the target word, or the passage), as MP3.
        static func audio(_ request: Request) async throws -> Response {
            let drill = try drill(request)
            guard let index = request.parameters.get("index").flatMap(Int.init), drill.exercises.indices.contains(index) else {
                throw APIError.notFound("NOT_FOUND", "Exercise not found")
            }
            let text: String =
                switch drill.exercises[index] {
                case .minimalPair(let pair): pair.targetWord
                case .readAloud(let passage): passage.text
                case .fillerFree(let prompt): prompt.prompt
                case .confidentStatement(let statement): statement.example
                }
            let speech = try await request.application.parley.speech.synthesizer.synthesize(SpeechRequest(text: text, voiceID: "professional_female"))
            let response = Response(status: .ok, body: .init(data: try SpeechAudioFormat.mp3.encode(speech.audio)))
            response.headers.contentType = HTTPMediaType(type: "audio", subType: "mpeg")
            return response
        }
    }

    /// Scoring one answer to one exercise (HTTP submit and the `/drills/{id}` namespace share it).
    enum DrillAttempt {
        /// Largest spoken answer accepted, base64-decoded.
        static let maxAudioBytes = 10 << 20

        static func score(drill: Drill, exerciseIndex: Int, audioData: String?, typed: String?, app: Application) async throws -> DrillScore {
            let exercise: DrillExercise
            do {
                exercise = try drill.exercise(at: exerciseIndex)
            } catch {
                throw APIError.validation("exerciseIndex", "must be between 0 and \(drill.exercises.count - 1)")
            }
            let response: DrillResponse
            if let audioData, !audioData.isEmpty {
                guard audioData.count <= maxAudioBytes * 4 / 3 + 4, let bytes = Data(base64Encoded: audioData, options: .ignoreUnknownCharacters) else {
                    throw APIError.validation("audioData", "must be base64-encoded audio of at most 10 MiB")
                }
                let audio: PCMAudio
                do {
                    audio = try await EngineWork.run { try AudioDecoder.decode(bytes) }
                } catch let error as AudioDecodingError {
                    throw APIError(.unprocessableEntity, code: "VALIDATION_ERROR", "audioData could not be decoded: \(error.description)", field: "audioData")
                }
                let transcript = try await app.parley.speech.recognizer.transcribe(audio, expecting: exercise.recognitionPrompt)
                response = DrillResponse(recognised: transcript, audioDuration: audio.duration)
            } else if let typed, !typed.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                guard typed.count <= 5_000 else { throw APIError.validation("response", "must be at most 5000 characters") }
                response = DrillResponse(typed: typed)
            } else {
                throw APIError.validation("audioData", "send audioData (base64 audio) or a typed response")
            }
            do {
                return try await DrillScorer(phonemes: { try await Phonemizer().phonemes($0) }).score(exercise, response: response)
            } catch let error as DrillError {
                throw error.domainError
            }
        }

        /// Adds the attempt to the caller's newest active session of this drill, if they started one.
        static func record(_ score: DrillScore, drill: Drill, exerciseIndex: Int, userID: Int, in drills: DrillSessions) async throws {
            guard let session = try await drills.activeSession(of: drill.id, userID: userID) else { return }
            _ = try await append(score, exerciseIndex: exerciseIndex, to: session, exercises: drill.exercises.count, in: drills)
        }

        /// Saves the session with the attempt added (completed once every exercise has an answer).
        static func append(_ score: DrillScore, exerciseIndex: Int, to session: CoachingRecord, exercises: Int, in drills: DrillSessions) async throws -> CoachingRecord {
            var session = session
            var details = session.details.objectValue
            var attempts: [JSONValue] = []
            if case .array(let existing) = details["attempts"] { attempts = existing }
            attempts.append(.object(["exerciseIndex": .number(Double(exerciseIndex)), "score": .number(Double(score.score)),
                                     "accuracy": .number(score.accuracy), "at": .string(Timestamp.iso8601(Date()))]))
            details["attempts"] = .array(attempts)
            session.details = .object(details)
            let answered = Set(attempts.compactMap { $0["exerciseIndex"]?.doubleValue })
            if answered.count >= exercises { session.status = "completed" }
            try await drills.save(session)
            return session
        }
    }

    /// Socket.IO namespace `/drills/{drillSessionId}`: `drill:submit` {exerciseIndex, response | audioData}
    /// is scored and answered in the acknowledgement and as a `drill:result` event.
    struct CoachingDrillNamespace: SocketIONamespaceHandler {
        static let prefix = "/drills/"

        func serves(_ namespace: String) -> Bool { namespace.hasPrefix(Self.prefix) }

        func connect(namespace: String, principal: Principal, request: Request) async throws -> any SocketIONamespaceSession {
            let id = String(namespace.dropFirst(Self.prefix.count))
            let user = principal.user
            guard let session = try await request.core.drills.session(publicID: id, organizationID: user.organizationID),
                let drill = BuiltInDrills.all.first(where: { $0.id == session.reference })
            else { throw APIError.notFound("NOT_FOUND", "Drill session \(id) not found") }
            guard session.userID == user.id else { throw APIError.insufficientPermissions("Drill session \(id) belongs to another user") }
            return CoachingDrillSocketSession(app: request.application, session: session, drill: drill)
        }
    }

    /// One client in a drill session's namespace.
    actor CoachingDrillSocketSession: SocketIONamespaceSession {
        let app: Application
        var session: CoachingRecord
        let drill: Drill
        private var emit: (@Sendable (String, JSONValue) async -> Void)?

        init(app: Application, session: CoachingRecord, drill: Drill) {
            self.app = app
            self.session = session
            self.drill = drill
        }

        func start(emit: @escaping @Sendable (String, JSONValue) async -> Void) async {
            self.emit = emit
            await emit("drill:ready", .object(["type": .string("drill:ready"), "data": .object([
                "drillId": .string(drill.id), "exercises": .number(Double(drill.exercises.count)),
            ])]))
        }

        func handle(event: String, arguments: [JSONValue]) async -> JSONValue {
            do {
                guard event == "drill:submit" else { throw APIError.validation("event", "send drill:submit") }
                let body = arguments.first ?? .null
                guard let index = body["exerciseIndex"]?.doubleValue.map(Int.init) else { throw APIError.validation("exerciseIndex", "is required") }
                let score = try await DrillAttempt.score(drill: drill, exerciseIndex: index, audioData: body["audioData"]?.stringValue,
                                                         typed: body["response"]?.stringValue, app: app)
                session = try await DrillAttempt.append(score, exerciseIndex: index, to: session, exercises: drill.exercises.count,
                                                        in: app.parley.core.drills)
                let result = try JSONValue(encoding: score)
                await emit?("drill:result", .object(["type": .string("drill:result"), "data": result]))
                return .object(["ok": .bool(true), "result": result])
            } catch {
                let apiError = APIError(from: error)
                return .object(["ok": .bool(false), "error": .object([
                    "code": .string(CoachingErrorCodes.code(for: apiError)), "message": .string(apiError.message),
                ])])
            }
        }

        func close() async {}
    }
}
