import Foundation
import ParleyDomain
import ParleySpeech
import Vapor

extension SalesTrainer {
    /// `POST /api/v1/voice/synthesize` and the `/audio/{file}` links it hands out.
    enum VoiceRoutes {
        /// How long synthesised previews stay downloadable.

        static func register(on routes: any RoutesBuilder) {
            routes.grouped("voice").post("synthesize", use: synthesize)
        }

        /// The download route sits at the root, where the document's `audio_url` points.
        static func registerDownloads(on routes: any RoutesBuilder) {
            routes.get("audio", ":file", use: download)
        }

        struct SynthesizeRequest: Decodable {
            var text: String
            var voice_id: String?
            var speed: Double?
            var stability: Double?
            var format: String?
        }

        struct SynthesizeResponse: Content {
            var audio_url: String
            var duration: Double
            var format: String
            var voice_id: String
            var expires_at: String
        }

        static func synthesize(_ request: Request) async throws -> SynthesizeResponse {
            let body = try request.decodeJSON(SynthesizeRequest.self)
            let text = body.text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !text.isEmpty else { throw APIError.validation("text", "must not be empty") }
            guard text.count <= 5000 else { throw APIError.validation("text", "must be at most 5000 characters") }
            guard !AccountRules.containsControlCharacters(text.replacingOccurrences(of: "\n", with: " ")) else {
                throw APIError.validation("text", "must not contain control characters")
            }
            let speed = body.speed ?? 1
            guard (0.25...4).contains(speed) else { throw APIError.validation("speed", "must be between 0.25 and 4") }
            if let stability = body.stability, !(0...1).contains(stability) {
                throw APIError.validation("stability", "must be between 0 and 1")
            }
            guard let format = SpeechAudioFormat(rawValue: body.format ?? "mp3"), format != .pcm else {
                throw APIError.validation("format", "must be mp3 or wav")
            }
            let voice = body.voice_id ?? "professional_female"
            let synthesizer = request.application.parley.speech.synthesizer
            try synthesizer.validate(voiceID: voice)
            let speech = try await synthesizer.synthesize(SpeechRequest(text: text, voiceID: voice, speed: speed, stability: body.stability))
            let data = try format.encode(speech.audio)

            let directory = audioDirectory(request.application)
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let lifetime = request.application.parley.configuration.audioLifetime
            removeExpired(in: directory, lifetime: lifetime)
            let name = "temp_\(IdentityService.randomToken(bytes: 12)).\(format.rawValue)"
            try data.write(to: URL(fileURLWithPath: (directory as NSString).appendingPathComponent(name)), options: .atomic)
            return SynthesizeResponse(
                audio_url: "\(request.application.parley.publicURL)/audio/\(name)",
                duration: (speech.audio.duration * 100).rounded() / 100, format: format.rawValue, voice_id: voice,
                expires_at: Timestamp.iso8601(Date().addingTimeInterval(lifetime)))
        }

        /// Serves a preview by its unguessable name until it expires.
        static func download(_ request: Request) async throws -> Response {
            let name = request.parameters.get("file") ?? ""
            guard name.range(of: #"^temp_[A-Za-z0-9_-]{8,64}\.(mp3|wav)$"#, options: .regularExpression) != nil else {
                throw APIError.notFound("NOT_FOUND", "No such audio file")
            }
            let path = (audioDirectory(request.application) as NSString).appendingPathComponent(name)
            let lifetime = request.application.parley.configuration.audioLifetime
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                  let modified = attributes[.modificationDate] as? Date
            else { throw APIError.notFound("NOT_FOUND", "No such audio file") }
            guard modified.addingTimeInterval(lifetime) > Date() else {
                try? FileManager.default.removeItem(atPath: path)
                throw APIError.notFound("NOT_FOUND", "This audio file has expired; synthesise it again")
            }
            let format = SpeechAudioFormat(rawValue: String(name.split(separator: ".").last ?? "")) ?? .mp3
            let response = try await request.fileio.asyncStreamFile(at: path)
            response.headers.replaceOrAdd(name: .contentType, value: format.mimeType)
            response.headers.replaceOrAdd(name: .cacheControl, value: "private, max-age=\(Int(lifetime))")
            return response
        }

        static func audioDirectory(_ app: Application) -> String {
            (app.parley.configuration.dataDirectory as NSString).appendingPathComponent("audio")
        }

        static func removeExpired(in directory: String, lifetime: TimeInterval) {
            let cutoff = Date().addingTimeInterval(-lifetime)
            for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where name.hasPrefix("temp_") {
                let path = (directory as NSString).appendingPathComponent(name)
                if let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date, modified < cutoff {
                    try? FileManager.default.removeItem(atPath: path)
                }
            }
        }
    }
}
