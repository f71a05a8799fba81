import Fluent
import Foundation
import JWT
import ParleyCore
import ParleyDomain
import ParleyIntelligence
import ParleySpeech
import ParleyStore
import NIOConcurrencyHelpers
import Vapor

/// What the running application shares with every request: configuration, engines and
/// instruments, created once in the composition root.
public final class ParleyContext: Sendable {
    public let configuration: ParleyConfiguration
    let identitySettings: IdentitySettings
    let decoyHash: String
    let metrics = RequestMetrics()
    let rateLimitCounters = RateLimitCounters()
    public let openAPI: OpenAPICatalog
    let startedAt = Date()
    /// Durable job handlers and this process's runners.
    public let jobs: JobWorkers
    /// Live WebSocket conversations of this process.
    public let liveCalls = LiveCalls()
    /// Field conversations heard live while their chunks arrive.
    let fieldLive = FieldLiveHearing()
    /// Real-time events (processing progress, recognised words, metrics) for the sockets of this
    /// process and, on PostgreSQL, of every instance and worker on the same database.
    public let realtime: RealtimeHub
    /// The API surfaces with this deployment's prefixes.
    public let surfaces: MountedSurfaces
    /// The application's use cases, built once here and handed to every surface.
    public let core: CoreServices
    /// Recognition and synthesis, chosen once from the environment.
    public let speech: SpeechEngines
    /// The language model that words the AI prospect's live replies, when one is configured
    /// (nil: the deterministic templates). Tuned for a live call: one attempt, a short timeout.
    public let prospectWording: (any LanguageModel)?
    /// The Twilio carrier when the voice agents call through it (its webhooks and media streams are routes).
    let twilio: TwilioTelephony?
    /// Google sign-in when `GOOGLE_CLIENT_ID` is set (its keys are cached here).
    let google: GoogleSignIn?
    private let boundPublicURL = NIOLockedValueBox<String?>(nil)

    /// The absolute base of every URL the server hands out (`PARLEY_PUBLIC_URL`).
    public var publicURL: String { boundPublicURL.withLockedValue { $0 } ?? configuration.publicURL }

    /// Records the real address after binding to port 0 (tests, `PARLEY_PORT=0`).
    public func didBind(port: Int) {
        guard configuration.port == 0 else { return }
        boundPublicURL.withLockedValue { $0 = "http://\(configuration.host):\(port)" }
    }

    init(configuration: ParleyConfiguration, decoyHash: String, openAPI: OpenAPICatalog, speech: SpeechEngines,
         prospectWording: (any LanguageModel)?, relay: (any EventRelay)?, twilio: TwilioTelephony?, core: CoreServices) {
        self.prospectWording = prospectWording
        self.twilio = twilio
        self.google = configuration.google.map(GoogleSignIn.init(settings:))
        self.realtime = RealtimeHub(relay: relay)
        self.surfaces = MountedSurfaces(prefixes: configuration.surfacePrefixes)
        self.core = core
        self.configuration = configuration
        self.identitySettings = IdentitySettings(
            accessTokenLifetime: configuration.accessTokenLifetime,
            refreshTokenLifetime: configuration.refreshTokenLifetime,
            bcryptCost: configuration.bcryptCost, registration: configuration.registration)
        self.decoyHash = decoyHash
        self.openAPI = openAPI
        self.jobs = JobWorkers(settings: configuration.jobs)
        self.speech = speech
    }

    /// Media and reports live under the data directory; readiness checks it is writable.
    func mediaStorageWritable() -> Bool {
        let probe = (configuration.dataDirectory as NSString).appendingPathComponent(".write-probe")
        guard FileManager.default.createFile(atPath: probe, contents: Data("ok".utf8)) else { return false }
        try? FileManager.default.removeItem(atPath: probe)
        return true
    }
}

extension Application {
    private struct ParleyContextKey: StorageKey {
        typealias Value = ParleyContext
    }

    /// The Parley context; set by `ParleyApplication.configure`.
    public var parley: ParleyContext {
        get {
            guard let context = storage[ParleyContextKey.self] else {
                fatalError("ParleyApplication.configure(_:with:) must run before the application is used")
            }
            return context
        }
        set { storage[ParleyContextKey.self] = newValue }
    }
}

/// The composition root: wires configuration, database, engines, middleware and surfaces.
public enum ParleyApplication {
    /// Configures `app` completely; migrations are registered but not run (see `migrate`).
    /// `speech` lets several applications in one process share engines (and their local
    /// services); by default the application builds its own from the environment and stops them.
    public static func configure(
        _ app: Application, with configuration: ParleyConfiguration, speech shared: SpeechEngines? = nil,
        prospectWording: (any LanguageModel)? = nil, purpose: ApplicationPurpose = .serving
    ) async throws {
        let writes = purpose == .serving
        if writes { try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true) }

        app.databases.use(try configuration.database.configuration(creatingDirectory: writes), as: DatabaseID(string: "main"), isDefault: true)
        app.migrations.add(ParleyMigrations.all)

        // Only a server keeps a generated secret; a command that merely looks (`parley routes`)
        // signs nothing and leaves no file behind.
        let secret = writes
            ? try JWTSecret.resolve(configured: configuration.jwtSecret, dataDirectory: configuration.dataDirectory, logger: app.logger)
            : configuration.jwtSecret ?? IdentityService.randomToken(bytes: 48)
        await app.jwt.keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)

        let cost = configuration.bcryptCost
        let decoy = try await NIOThreadPool.singleton.runIfActive { try Bcrypt.hash(IdentityService.randomToken(), cost: cost) }
        let speech: SpeechEngines
        if let shared {
            speech = shared
        } else {
            do {
                speech = try SpeechEngines.make(try SpeechConfiguration.fromEnvironment())
            } catch {
                throw DomainError.validation(field: "speech configuration", message: error.description)
            }
        }
        var environment = ProcessInfo.processInfo.environment
        environment["PARLEY_LLM_ATTEMPTS"] = environment["PARLEY_LIVE_LLM_ATTEMPTS"] ?? "1"
        environment["PARLEY_LLM_TIMEOUT"] = environment["PARLEY_LIVE_LLM_TIMEOUT"] ?? "2.5"
        // On PostgreSQL, events cross processes through LISTEN/NOTIFY; SQLite is one process's.
        var relay: (any EventRelay)?
        if case .postgres(let url) = configuration.database {
            relay = try PostgresEventRelay(url: url, database: app.db, logger: Logger(label: "parley.events"))
        }
        let wording = prospectWording ?? LanguageModelConfiguration.fromEnvironment(environment)
        let twilio = configuration.twilio.map { settings in
            TwilioTelephony(settings: settings, board: TwilioCallBoard(), rest: TwilioREST(settings: settings)) { [unowned app] in app.parley.publicURL }
        }
        app.parley = ParleyContext(
            configuration: configuration, decoyHash: decoy, openAPI: try OpenAPICatalog.load(), speech: speech,
            prospectWording: wording, relay: relay, twilio: twilio,
            core: CoreServices(
                work: SQLUnitOfWork { [unowned app] in app.db }, stores: SQLStoreAccess { [unowned app] in app.db },
                // The dialler's calls are live turns someone waits on: the live recogniser (greedy, a fitted window).
                engines: Self.engineSupply(speech: speech, wording: wording, prices: configuration.callPrices),
                speech: LiveSpeech(recognizer: speech.liveRecognizer, synthesizer: speech.synthesizer),
                wording: wording, telephony: twilio ?? SimulatedTelephony(realTime: configuration.simulatedCallsInRealTime),
                recordings: URL(fileURLWithPath: configuration.dataDirectory).appendingPathComponent("media/recordings")))

        app.http.server.configuration.hostname = configuration.host
        app.http.server.configuration.port = configuration.port
        // Text (the console's files, JSON, CSV) is gzipped for clients that ask; audio, video and
        // images are not, so recordings keep their exact bytes and their Range requests.
        app.http.server.configuration.responseCompression = .enabledForCompressibleTypes
        app.routes.defaultMaxBodySize = ByteCount(integerLiteral: configuration.maxBodySize)

        // Outermost first: CORS headers reach error responses too; observation sees the
        // final status; the dialect middleware renders every error for its surface.
        app.middleware = Middlewares()
        app.middleware.use(CORSMiddleware(configuration: corsConfiguration(configuration)), at: .beginning)
        app.middleware.use(RequestObservation(metrics: app.parley.metrics))
        app.middleware.use(DialectErrorMiddleware(surfaces: app.parley.surfaces))

        app.parley.jobs.register(RecordingPipeline.handler)
        app.parley.jobs.register(WebhookDelivery.handler)
        app.parley.jobs.register(ClipRendering.handler)
        app.parley.jobs.register(LeadImportJobHandler.handler)
        app.parley.jobs.register(CampaignJobHandlers.tick)
        app.parley.jobs.register(CampaignJobHandlers.dial)
        app.lifecycle.use(JobWorkersLifecycle())
        if shared == nil { app.lifecycle.use(SpeechServicesLifecycle()) }
        app.lifecycle.use(LiveCallsLifecycle())
        app.lifecycle.use(StalledUploadSweep())
        app.lifecycle.use(EventRelayLifecycle())
        try routes(app)
    }

    /// What runs for an agent's engines: the embedded ones always, a hosted one once configured;
    /// a provider named but not configured falls back to what the server runs.
    static func engineSupply(speech: SpeechEngines, wording: (any LanguageModel)?, prices: CallPrices = CallPrices()) -> EngineSupply {
        let stt = speech.recognitionProvider
        let tts = speech.synthesisProvider
        let llm = wording is AnthropicLanguageModel ? "anthropic" : (wording == nil ? "embedded" : "openai")
        return EngineSupply(
            running: [
                .llm: Set(["embedded", llm]),
                .stt: stt == "embedded" ? ["embedded", "whisper"] : [stt],
                .tts: tts == "embedded" ? ["embedded", "espeak", "piper"] : [tts, "embedded"],
            ],
            fallback: [.llm: llm, .stt: stt == "none" ? "embedded" : stt, .tts: tts], prices: prices)
    }

    static func routes(_ app: Application) throws {
        try app.register(collection: OperationsRoutes())
        try app.register(collection: OpenAPIRoutes())
        if let console = ConsoleRoutes.directory(app.parley.configuration) { try app.register(collection: ConsoleRoutes(directory: console)) }
        try app.parley.surfaces.register(on: app)
    }

    /// Runs pending migrations and applies database settings; safe to call repeatedly.
    public static func migrate(_ app: Application) async throws {
        try await DatabaseLocation.prepare(app.db)
        try await app.autoMigrate()
    }

    /// Creates or updates the administrator named by PARLEY_ADMIN_EMAIL/PASSWORD, if set.
    public static func ensureConfiguredAdmin(_ app: Application) async throws {
        let config = app.parley.configuration
        guard let email = config.adminEmail, let password = config.adminPassword else {
            if config.adminEmail != nil || config.adminPassword != nil {
                app.logger.warning("PARLEY_ADMIN_EMAIL and PARLEY_ADMIN_PASSWORD must both be set; no admin created")
            }
            return
        }
        let admin = try await identity(app).ensureAdmin(email: email, password: password)
        app.logger.notice("administrator ready", metadata: ["email": .string(admin.email)])
    }

    /// The identity service outside a request (start-up, CLI).
    public static func identity(_ app: Application) -> IdentityService {
        IdentityService(
            store: FluentIdentityStore(database: app.db), keys: app.jwt.keys,
            settings: app.parley.identitySettings, decoyHash: app.parley.decoyHash)
    }

    static func corsConfiguration(_ configuration: ParleyConfiguration) -> CORSMiddleware.Configuration {
        let origin: CORSMiddleware.AllowOriginSetting = configuration.corsAllowedOrigins == ["*"]
            ? .all : .any(configuration.corsAllowedOrigins)
        let exposedHeaders: [HTTPHeaders.Name] = [
            "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "Retry-After", "X-Request-ID",
        ]
        return CORSMiddleware.Configuration(
            allowedOrigin: origin,
            allowedMethods: [.GET, .POST, .PUT, .PATCH, .DELETE, .OPTIONS],
            allowedHeaders: [.accept, .authorization, .contentType, .origin, .xRequestedWith, "X-API-Key", "X-Request-ID"],
            exposedHeaders: exposedHeaders
        )
    }
}

/// The use cases of `ParleyCore`, composed once over the SQL stores.
public struct CoreServices: Sendable {
    public let intake: RecordingIntake
    public let conversations: ConversationLog
    public let scenarios: ScenarioCatalogue
    public let archive: UserArchive
    public let clips: HighlightClips
    public let drills: DrillSessions
    public let webhooks: WebhookSubscriptions
    public let outbox: WebhookOutbox
    public let leads: LeadBook
    public let leadImports: LeadImports
    public let calls: LeadCalls
    public let agents: VoiceAgentBook
    public let campaigns: CampaignBook
    public let dialler: Dialler
    public let callLogs: CallLogs
    public let webCalls: AgentWebCalls
    public let fieldTeam: FieldTeam
    public let fieldVisits: FieldVisits
    public let fieldAnalytics: FieldAnalytics

    init(work: any UnitOfWork, stores: any StoreAccess, engines: EngineSupply, speech: LiveSpeech, wording: (any LanguageModel)?,
         telephony: any Telephony, recordings: URL) {
        intake = RecordingIntake(work: work, stores: stores)
        conversations = ConversationLog(stores: stores)
        scenarios = ScenarioCatalogue(stores: stores)
        archive = UserArchive(stores: stores)
        clips = HighlightClips(work: work, stores: stores)
        drills = DrillSessions(stores: stores)
        webhooks = WebhookSubscriptions(stores: stores)
        outbox = WebhookOutbox(work: work, stores: stores)
        leads = LeadBook(work: work, stores: stores, render: LeadsAndCalls.LeadJSON.lead)
        leadImports = LeadImports(work: work, stores: stores, book: leads)
        calls = LeadCalls(work: work, stores: stores, leads: leads)
        agents = VoiceAgentBook(stores: stores, supply: engines)
        campaigns = CampaignBook(work: work, stores: stores, agents: agents)
        callLogs = CallLogs(stores: stores)
        webCalls = AgentWebCalls(work: work, stores: stores, agents: agents)
        fieldTeam = FieldTeam(stores: stores)
        fieldVisits = FieldVisits(work: work, stores: stores)
        fieldAnalytics = FieldAnalytics(stores: stores)
        dialler = Dialler(work: work, stores: stores, agents: agents, telephony: telephony, speech: speech, wording: wording, recordings: recordings)
    }
}

/// Starts listening for other processes' events once the server runs, and stops at shutdown.
struct EventRelayLifecycle: LifecycleHandler {
    func didBootAsync(_ application: Application) async throws {
        application.parley.realtime.startReceiving()
    }

    func shutdownAsync(_ application: Application) async {
        application.parley.realtime.stopReceiving()
    }
}

/// What an application is built for: serving (and migrating, working, administering), or only
/// inspecting its routes, which must write nothing to the data directory.
public enum ApplicationPurpose: Sendable {
    case serving
    case inspecting
}

/// The HMAC secret for access tokens: configured, or generated once and kept in the data directory.
enum JWTSecret {
    static func resolve(configured: String?, dataDirectory: String, logger: Logger) throws -> String {
        if let configured { return configured }
        let path = (dataDirectory as NSString).appendingPathComponent("jwt-secret")
        if let existing = try? String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines),
           existing.utf8.count >= 32 {
            logger.warning("PARLEY_JWT_SECRET is not set: using the development secret kept in \(path). Set PARLEY_JWT_SECRET in production.")
            return existing
        }
        let secret = IdentityService.randomToken(bytes: 48)
        guard FileManager.default.createFile(atPath: path, contents: Data(secret.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw DomainError.serviceUnavailable(service: "data directory", reason: "cannot write \(path)")
        }
        logger.warning("PARLEY_JWT_SECRET is not set: generated a development secret in \(path). Set PARLEY_JWT_SECRET in production.")
        return secret
    }
}

/// Stops the local speech services (Whisper, piper) when the application shuts down.
struct SpeechServicesLifecycle: LifecycleHandler {
    func shutdownAsync(_ application: Application) async {
        await application.parley.speech.stop()
    }
}
