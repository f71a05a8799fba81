import Foundation
import ParleyCore
import ParleyDomain
import Vapor

/// The Voice Agents API (api-docs/voice-agents.md), mounted at the root as documented: its own
/// register, login, me and refresh-token on the shared identity, agents, campaigns, the
/// do-not-call list, call logs and analytics. Bodies are bare objects as its endpoint examples
/// show; errors are its envelope with its codes (`AUTH_001`…`SERVER_001`).
enum VoiceAgents {
    static let id = "voice-agents"

    @Sendable static func register(on root: any RoutesBuilder, unprefixed: any RoutesBuilder, app: Application) throws {
        let context = app.parley
        let limits = context.configuration.rateLimits.voiceAgents
        AgentAuthRoutes.register(on: root, limit: context.rateLimiting(limits.authentication), general: context.rateLimiting(limits.general))
        let signedIn = root.grouped(BearerAuthentication(), context.rateLimiting(limits.general))
        AgentRoutes.register(on: signedIn)
        CampaignRoutes.register(on: signedIn)
        DoNotCallRoutes.register(on: signedIn)
        CallLogRoutes.register(on: signedIn, open: root.grouped(context.rateLimiting(limits.general)))
        WebCallSocket.register(on: root)
        TwilioRoutes.register(on: unprefixed, telephony: context.twilio)
    }

    /// The document's error body: `{success: false, data: null, error: {code, message, details}, timestamp}`.
    struct ErrorDialect: ParleyServer.ErrorDialect {
        struct Body: Encodable, Sendable {
            struct Failure: Encodable, Sendable {
                var code: String
                var message: String
                /// The document shows a sentence; the field at fault leads it when there is one.
                var details: String
                var field: String?
            }
            var success = false
            var data: String? = nil
            var error: Failure
            var timestamp: String

            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(success, forKey: .success)
                try container.encodeNil(forKey: .data)
                try container.encode(error, forKey: .error)
                try container.encode(timestamp, forKey: .timestamp)
            }

            enum CodingKeys: String, CodingKey { case success, data, error, timestamp }
        }

        func body(for error: APIError, request: Request) -> any Encodable & Sendable {
            Body(error: .init(code: ErrorCodes.code(for: error), message: error.message,
                              details: error.field.map { "\($0): \(error.message)" } ?? error.message, field: error.field),
                 timestamp: Timestamp.iso8601(Date()))
        }
    }

    /// The document's codes; statuses it has no code for get one in the same pattern.
    enum ErrorCodes {
        static func code(for error: APIError) -> String {
            if error.code.hasPrefix("AGENT_") || error.code.hasPrefix("CAMPAIGN_") || error.code.hasPrefix("CALL_0") { return error.code }
            switch error.status.code {
            case 401:
                switch error.code {
                case "AUTH_TOKEN_EXPIRED": return "AUTH_002"
                case "AUTH_TOKEN_INVALID", "AUTH_REQUIRED": return "AUTH_003"
                default: return "AUTH_001"
                }
            case 403: return "AUTH_004"
            case 404: return "NOT_FOUND_001"
            case 409: return "CONFLICT_001"
            case 413: return "PAYLOAD_001"
            case 429: return "RATE_LIMIT_001"
            case 400, 405, 415, 422: return "VALIDATION_001"
            case 500..<600: return "SERVER_001"
            default: return "VALIDATION_001"
            }
        }

        /// The core's not-found, conflict and refusal errors as the document codes them.
        static func surfaced(_ error: any Error) -> any Error {
            switch error {
            case DomainError.notFound(let entity):
                switch entity {
                case "agent": APIError(.notFound, code: "AGENT_001", "Agent not found")
                case "campaign": APIError(.notFound, code: "CAMPAIGN_001", "Campaign not found")
                case "call": APIError(.notFound, code: "CALL_001", "Call log not found")
                default: error
                }
            case DomainError.conflict(let message): APIError(.conflict, code: "AGENT_002", message)
            case let refusal as CampaignRefusal: APIError(.conflict, code: "CAMPAIGN_002", refusal.message)
            default: error
            }
        }
    }

    /// Runs `work`, turning the core's errors into the document's codes.
    static func surfacing<T>(_ work: () async throws -> T) async throws -> T {
        do { return try await work() } catch { throw ErrorCodes.surfaced(error) }
    }

    /// Ids as the document shows them: UUID strings. A user's is derived from their number, so
    /// it is stable and read back without a lookup (`00000000-0000-8000-8000-00000000002a` is user 42).
    enum UserID {
        static func make(_ id: Int) -> String {
            let hex = String(UInt64(id), radix: 16)
            let padded = String(repeating: "0", count: max(0, 12 - hex.count)) + hex
            return "00000000-0000-8000-8000-\(padded)"
        }
    }

    /// A UUID path or query parameter; a malformed one is not found, as no such row can exist.
    static func uuid(_ text: String?, notFound code: String, entity: String) throws -> UUID {
        guard let text, let id = UUID(uuidString: text) else { throw APIError(.notFound, code: code, "\(entity) not found") }
        return id
    }

    /// Offset paging as the document spells it: `skip` and `limit`.
    static func paging(_ request: Request, defaultLimit: Int) throws -> (skip: Int, limit: Int) {
        (try request.pagingValue("skip", default: 0, range: 0...10_000_000), try request.pagingValue("limit", default: defaultLimit, range: 1...100))
    }
}
