import Foundation
import ParleyIntelligence
import ParleySpeech
import ParleyStore
import Vapor

/// `/health`, `/readiness` and `/metrics`, at the root as the documents place them.
struct OperationsRoutes: RouteCollection {
    struct Health: Content {
        var status: String
        var timestamp: String
        var version: String
        var services: [String: String]
        var uptime: Int
    }

    func boot(routes: any RoutesBuilder) throws {
        routes.get("health", use: health)
        routes.get("readiness", use: readiness)
        routes.get("metrics", use: metrics)
    }

    /// Liveness plus dependency status; 503 when the database does not answer.
    func health(_ request: Request) async throws -> Response {
        let context = request.application.parley
        let database = await DatabaseLocation.ping(request.db)
        let body = Health(
            status: database ? "healthy" : "unhealthy",
            timestamp: Timestamp.iso8601(Date()),
            version: context.configuration.version,
            services: Self.services(database: database, context: context),
            uptime: Int(Date().timeIntervalSince(context.startedAt))
        )
        return try await body.encodeResponse(status: database ? .ok : .serviceUnavailable, for: request)
    }

    /// The document's entries (`database`, `redis`, `elevenlabs`, `claude`) and what Parley
    /// really runs: a provider it does not use says `not_used`, a configured hosted one
    /// `configured` (its health is not probed on every call), the embedded engines `embedded`.
    static func services(database: Bool, context: ParleyContext) -> [String: String] {
        let synthesis = context.speech.synthesisProvider
        let recognition = context.speech.recognitionProvider
        let wording = context.prospectWording
        return [
            "database": database ? "healthy" : "unhealthy",
            "redis": "not_used",
            "elevenlabs": synthesis == "elevenlabs" ? "configured" : "not_used",
            "claude": wording is AnthropicLanguageModel ? "configured" : "not_used",
            "speech_recognition": recognition == "none" ? "off" : recognition,
            "speech_synthesis": synthesis,
            "language_model": wording is AnthropicLanguageModel ? "anthropic" : (wording == nil ? "embedded" : "openai_compatible"),
        ]
    }

    /// Whether this instance should receive traffic: database reachable, storage writable.
    func readiness(_ request: Request) async throws -> Response {
        let database = await DatabaseLocation.ping(request.db)
        let storage = request.application.parley.mediaStorageWritable()
        let body = ["database": database ? "ok" : "unavailable", "storage": storage ? "ok" : "unavailable", "cache": "ok"]
        return try await body.encodeResponse(status: database && storage ? .ok : .serviceUnavailable, for: request)
    }

    func metrics(_ request: Request) async throws -> Response {
        var text = request.application.parley.metrics.registry.emitToString()
        text += ProcessMetrics.render()
        return Response(status: .ok, headers: ["Content-Type": "text/plain; version=0.0.4; charset=utf-8"], body: .init(string: text))
    }
}
