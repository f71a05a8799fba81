import Foundation
import ParleyCore
import ParleyDomain
import ParleyStore

/// Everything the server reads from its environment, with the defaults of API-CONVENTIONS.md.
public struct ParleyConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var dataDirectory: String
    public var database: DatabaseLocation
    public var publicURL: String
    /// HMAC secret for access tokens; nil means "generate one and keep it in the data directory".
    public var jwtSecret: String?
    public var accessTokenLifetime: TimeInterval
    public var refreshTokenLifetime: TimeInterval
    public var bcryptCost: Int
    public var adminEmail: String?
    public var adminPassword: String?
    /// Largest request body accepted for JSON routes, in bytes (uploads have their own limit).
    public var maxBodySize: Int
    public var corsAllowedOrigins: [String]
    public var rateLimits: RateLimitSettings
    public var jobs: JobWorkerSettings
    public var version: String
    /// Largest media upload in bytes (`PARLEY_MAX_UPLOAD_SIZE`); bigger uploads get 413.
    public var maxUploadSize: Int64 = 500 << 20
    /// Seconds a synthesised audio file stays downloadable at its `audio_url` (`PARLEY_AUDIO_TTL`).
    public var audioLifetime: TimeInterval = 3600
    /// Whether webhooks may go to loopback and private-network addresses (`PARLEY_WEBHOOK_ALLOW_PRIVATE`):
    /// off, so users cannot make the server call into its own network; on for local development.
    public var webhooksMayTargetPrivateNetworks = false
    /// Practice sessions a rep may hold open (created, active or paused) at once (`PARLEY_OPEN_SESSION_LIMIT`).
    public var openSessionLimit = 3
    /// Seconds an upload may go without receiving a byte before it is settled as interrupted
    /// and its partial file removed (`PARLEY_UPLOAD_STALL_TIMEOUT`); checked at start and every minute.
    public var uploadStallTimeout: TimeInterval = 300
    /// Where the browser console's files are read from: the copy built into the binary by
    /// default, a source folder (`PARLEY_CONSOLE_DIR`) while working on it.
    public var consoleDirectory: String?
    /// The embedded telephony's pace (`PARLEY_SIMULATED_CALLS`): `fast` (default) or `realtime`,
    /// where each side takes as long to speak as its audio lasts.
    public var simulatedCallsInRealTime = false
    /// Twilio places the voice agents' calls when set (`PARLEY_TELEPHONY=twilio` with
    /// `TWILIO_ACCOUNT_SID`, `TWILIO_AUTH_TOKEN`, `TWILIO_FROM_NUMBER`); nil: the simulated callee.
    public var twilio: TwilioSettings?
    /// Prices per minute of call by provider (`PARLEY_CALL_PRICES`); empty: every call costs 0.
    public var callPrices = CallPrices()
    /// Google sign-in (`GOOGLE_CLIENT_ID`, several separated by commas; `GOOGLE_JWKS_URL` for
    /// Google's keys); nil: not configured, and the endpoint says so.
    public var google: GoogleSignInSettings?
    /// Prefixes moved from their defaults, by surface id (`PARLEY_PREFIX_IDENTITY` for the shared
    /// `/auth/*`, `PARLEY_PREFIX_SALES_TRAINER`,
    /// `PARLEY_PREFIX_SPEECH_COACHING`, `PARLEY_PREFIX_ADMIN`; `/` mounts a surface at the root).
    public var surfacePrefixes: [String: String] = [:]
    /// Who may register (`PARLEY_REGISTRATION`): `open` (into the default organization), `invitation`
    /// (only with an admin's invitation) or `closed` (admins create accounts).
    public var registration: RegistrationPolicy = .open

    /// Reads the configuration from environment variables; invalid values are reported by name.
    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) throws -> ParleyConfiguration {
        func value(_ key: String) -> String? {
            guard let raw = env[key]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
            return raw
        }
        func integer(_ key: String, default fallback: Int, range: ClosedRange<Int>) throws -> Int {
            guard let raw = value(key) else { return fallback }
            guard let number = Int(raw), range.contains(number) else {
                throw DomainError.validation(field: key, message: "must be a whole number in \(range.lowerBound)...\(range.upperBound), got '\(raw)'")
            }
            return number
        }
        let host = value("PARLEY_HOST") ?? "127.0.0.1"
        let port = try integer("PARLEY_PORT", default: 8000, range: 0...65535)
        let dataDirectory = value("PARLEY_DATA_DIR") ?? "./data"
        let database = try DatabaseLocation.parse(value("DATABASE_URL"), dataDirectory: dataDirectory)
        let publicURL = value("PARLEY_PUBLIC_URL") ?? "http://\(host):\(port)"
        guard let parsed = URL(string: publicURL), parsed.scheme == "http" || parsed.scheme == "https", parsed.host != nil else {
            throw DomainError.validation(field: "PARLEY_PUBLIC_URL", message: "must be an absolute http(s) URL, got '\(publicURL)'")
        }
        let secret = value("PARLEY_JWT_SECRET")
        if let secret, secret.utf8.count < 32 {
            throw DomainError.validation(field: "PARLEY_JWT_SECRET", message: "must be at least 32 bytes long")
        }
        let origins = (value("PARLEY_CORS_ORIGINS") ?? "*").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        var limits = RateLimitSettings.documented
        if let raw = value("PARLEY_RATE_LIMITS") {
            switch raw.lowercased() {
            case "off", "false", "0": limits.enabled = false
            case "on", "true", "1": limits.enabled = true
            default: throw DomainError.validation(field: "PARLEY_RATE_LIMITS", message: "must be 'on' or 'off', got '\(raw)'")
            }
        }
        if let store = value("PARLEY_RATE_LIMIT_STORE") {
            switch store.lowercased() {
            case "memory": limits.shared = false
            case "database": limits.shared = true
            default: throw DomainError.validation(field: "PARLEY_RATE_LIMIT_STORE", message: "must be 'memory' or 'database', got '\(store)'")
            }
        }
        limits.general.limit = try integer("PARLEY_RATE_LIMIT_GENERAL", default: limits.general.limit, range: 1...Int(Int32.max))
        limits.authentication.limit = try integer("PARLEY_RATE_LIMIT_AUTH", default: limits.authentication.limit, range: 1...Int(Int32.max))
        var jobs = JobWorkerSettings()
        jobs.concurrency = try integer("PARLEY_WORKERS", default: jobs.concurrency, range: 0...64)
        jobs.callConcurrency = try integer("PARLEY_CALL_WORKERS", default: jobs.callConcurrency, range: 0...500)
        jobs.lease = TimeInterval(try integer("PARLEY_JOB_LEASE", default: Int(jobs.lease), range: 5...3600))
        var configuration = ParleyConfiguration(
            host: host, port: port, dataDirectory: dataDirectory, database: database,
            publicURL: publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL,
            jwtSecret: secret,
            accessTokenLifetime: TimeInterval(try integer("PARLEY_ACCESS_TOKEN_TTL", default: 8 * 3600, range: 60...(30 * 86400))),
            refreshTokenLifetime: TimeInterval(try integer("PARLEY_REFRESH_TOKEN_TTL", default: 30 * 86400, range: 3600...(365 * 86400))),
            bcryptCost: try integer("PARLEY_BCRYPT_COST", default: 12, range: 4...16),
            adminEmail: value("PARLEY_ADMIN_EMAIL"), adminPassword: value("PARLEY_ADMIN_PASSWORD"),
            maxBodySize: try integer("PARLEY_MAX_BODY_SIZE", default: 1 << 20, range: 1024...(64 << 20)),
            corsAllowedOrigins: origins, rateLimits: limits, jobs: jobs,
            version: ParleyVersion.current
        )
        configuration.maxUploadSize = Int64(try integer("PARLEY_MAX_UPLOAD_SIZE", default: Int(configuration.maxUploadSize), range: 1024...(Int(Int32.max) * 4)))
        configuration.audioLifetime = TimeInterval(try integer("PARLEY_AUDIO_TTL", default: Int(configuration.audioLifetime), range: 1...(7 * 86_400)))
        if let raw = value("PARLEY_WEBHOOK_ALLOW_PRIVATE") {
            switch raw.lowercased() {
            case "1", "true", "on", "yes": configuration.webhooksMayTargetPrivateNetworks = true
            case "0", "false", "off", "no": configuration.webhooksMayTargetPrivateNetworks = false
            default: throw DomainError.validation(field: "PARLEY_WEBHOOK_ALLOW_PRIVATE", message: "must be 1 or 0, got '\(raw)'")
            }
        }
        configuration.consoleDirectory = value("PARLEY_CONSOLE_DIR")
        if let raw = value("PARLEY_SIMULATED_CALLS") {
            guard ["fast", "realtime"].contains(raw.lowercased()) else {
                throw DomainError.validation(field: "PARLEY_SIMULATED_CALLS", message: "must be fast or realtime, got '\(raw)'")
            }
            configuration.simulatedCallsInRealTime = raw.lowercased() == "realtime"
        }
        switch value("PARLEY_TELEPHONY")?.lowercased() ?? "simulated" {
        case "simulated": break
        case "twilio": configuration.twilio = try TwilioSettings.fromEnvironment(value)
        case let other: throw DomainError.validation(field: "PARLEY_TELEPHONY", message: "must be simulated or twilio, got '\(other)'")
        }
        if let prices = value("PARLEY_CALL_PRICES") { configuration.callPrices = try CallPrices.parse(prices) }
        if let clients = value("GOOGLE_CLIENT_ID") {
            var google = GoogleSignInSettings(clientIDs: clients.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
            if let url = value("GOOGLE_JWKS_URL") {
                guard let parsed = URL(string: url), parsed.scheme == "https" || parsed.scheme == "http", parsed.host != nil else {
                    throw DomainError.validation(field: "GOOGLE_JWKS_URL", message: "must be an absolute http(s) URL, got '\(url)'")
                }
                google.jwksURL = url
            }
            configuration.google = google
        }
        configuration.openSessionLimit = try integer("PARLEY_OPEN_SESSION_LIMIT", default: configuration.openSessionLimit, range: 1...100)
        for id in Surface.all.map(\.id) {
            let key = "PARLEY_PREFIX_" + id.uppercased().replacingOccurrences(of: "-", with: "_")
            guard let raw = value(key) else { continue }
            let parts = raw.split(separator: "/")
            guard raw.hasPrefix("/"), parts.allSatisfy({ $0.allSatisfy { $0.isLetter || $0.isNumber || "-_.".contains($0) } }) else {
                throw DomainError.validation(field: key, message: "must be a path such as /api/v1 or / (letters, digits, - _ .), got '\(raw)'")
            }
            configuration.surfacePrefixes[id] = "/" + parts.joined(separator: "/")
        }
        if let raw = value("PARLEY_REGISTRATION") {
            guard let policy = RegistrationPolicy(rawValue: raw.lowercased()) else {
                throw DomainError.validation(field: "PARLEY_REGISTRATION", message: "expected open, invitation or closed, got '\(raw)'")
            }
            configuration.registration = policy
        }
        configuration.uploadStallTimeout = TimeInterval(try integer(
            "PARLEY_UPLOAD_STALL_TIMEOUT", default: Int(configuration.uploadStallTimeout), range: 0...86_400))
        return configuration
    }
}

/// The version reported by `/health` and `parley --version`.
public enum ParleyVersion {
    public static let current = "0.1.0"
}
