import Foundation
import ParleyDomain

/// The providers an agent may name for each engine: every one the Voice Agents document names
/// and every one this server implements. Naming one that is not configured here is allowed: its
/// calls run on the server's engine instead, and the agent and each call log say so.
public enum ProviderCatalogue {
    public static let known: [EngineKind: [String]] = [
        .llm: ["embedded", "openai", "anthropic"],
        .stt: ["embedded", "whisper", "openai", "deepgram"],
        .tts: ["embedded", "espeak", "piper", "openai", "elevenlabs", "cartesia"],
    ]

    /// The catalogue's spelling of `name`, or nil when it is not a provider this server knows.
    public static func provider(_ name: String, for kind: EngineKind) -> String? {
        let key = name.trimmingCharacters(in: .whitespaces).lowercased()
        return known[kind]?.contains(key) == true ? key : nil
    }
}

/// What the server runs for each engine right now (decided once, in the composition root):
/// the providers that are configured and the one every other request falls back to.
public struct EngineSupply: Sendable {
    /// Per engine: the provider names that run as named (e.g. `deepgram` once its key is set).
    public var running: [EngineKind: Set<String>]
    /// Per engine: what runs instead of a provider that is not configured (`embedded`, or the
    /// hosted engine the server is configured with).
    public var fallback: [EngineKind: String]
    /// What a minute of each hosted provider costs, for the calls' `cost`.
    public var prices: CallPrices

    public init(running: [EngineKind: Set<String>], fallback: [EngineKind: String], prices: CallPrices = CallPrices()) {
        self.running = running
        self.fallback = fallback
        self.prices = prices
    }

    /// What a call of `seconds` cost: the carrier's minutes plus those of each engine that ran.
    public func cost(of agent: VoiceAgent, seconds: Double, telephony: String) -> Double {
        prices.cost(seconds: seconds, providers: [telephony] + engines(of: agent).map(\.running))
    }

    /// Which provider runs an agent's engine, and why when it is not the one named.
    public func engine(_ kind: EngineKind, requested: String) -> AgentEngine {
        if running[kind]?.contains(requested) == true { return AgentEngine(kind: kind, requested: requested, running: requested, note: nil) }
        let fallback = fallback[kind] ?? "embedded"
        if fallback == requested { return AgentEngine(kind: kind, requested: requested, running: requested, note: nil) }
        return AgentEngine(kind: kind, requested: requested, running: fallback,
                           note: "\(requested) is not configured on this server; calls use \(fallback) instead")
    }

    public func engines(of agent: VoiceAgent) -> [AgentEngine] {
        EngineKind.allCases.map { engine($0, requested: agent.provider($0)) }
    }
}

/// Prices per minute of call by provider, from configuration (`PARLEY_CALL_PRICES`, e.g.
/// `twilio=0.014,deepgram=0.0043,cartesia=0.03`, in the operator's currency). The embedded
/// engines, the simulated callee and web calls cost nothing whatever the table says.
public struct CallPrices: Sendable, Equatable {
    public var perMinute: [String: Double]

    /// Providers that run on this server's own hardware.
    static let free: Set<String> = ["embedded", "espeak", "piper", "whisper", "simulated", "web"]

    public init(perMinute: [String: Double] = [:]) {
        self.perMinute = perMinute
    }

    /// The cost of `seconds` of call on these providers, to a hundredth of a cent.
    public func cost(seconds: Double, providers: [String]) -> Double {
        let rate = providers.filter { !Self.free.contains($0) }.reduce(0) { $0 + (perMinute[$1] ?? 0) }
        return (rate * max(0, seconds) / 60 * 10_000).rounded() / 10_000
    }

    /// Reads `name=price,…`; a malformed entry is named.
    public static func parse(_ text: String) throws -> CallPrices {
        var prices: [String: Double] = [:]
        for entry in text.split(separator: ",") {
            let parts = entry.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard parts.count == 2, !parts[0].isEmpty, let price = Double(parts[1]), price >= 0, price.isFinite else {
                throw DomainError.validation(field: "PARLEY_CALL_PRICES", message: "entries are provider=price per minute (twilio=0.014), got '\(entry)'")
            }
            prices[parts[0]] = price
        }
        return CallPrices(perMinute: prices)
    }
}

/// One engine of an agent as it runs: the provider named and the one that really runs.
public struct AgentEngine: Sendable, Codable, Hashable {
    public var kind: EngineKind
    public var requested: String
    public var running: String
    /// Why `running` differs from `requested`; nil when they are the same.
    public var note: String?
}

/// An agent as a client describes it on creation.
public struct AgentDraft: Sendable {
    public var name: String
    public var description: String?
    public var llmProvider: String?
    public var llmModel: String?
    public var sttProvider: String?
    public var ttsProvider: String?
    public var systemPrompt: String?
    public var language: String?
    public var voiceParameters: JSONValue?
    public var status: AgentStatus?
    public var playbook: AgentPlaybookDraft?
    /// Fields each finished call is read into (`extraction_schema`).
    public var extractionSchema: [ExtractionFieldDraft]?
    public var callControl: AgentCallControlDraft?

    public init(name: String, description: String? = nil, llmProvider: String? = nil, llmModel: String? = nil, sttProvider: String? = nil,
                ttsProvider: String? = nil, systemPrompt: String? = nil, language: String? = nil, voiceParameters: JSONValue? = nil,
                status: AgentStatus? = nil, playbook: AgentPlaybookDraft? = nil) {
        self.name = name
        self.description = description
        self.llmProvider = llmProvider
        self.llmModel = llmModel
        self.sttProvider = sttProvider
        self.ttsProvider = ttsProvider
        self.systemPrompt = systemPrompt
        self.language = language
        self.voiceParameters = voiceParameters
        self.status = status
        self.playbook = playbook
    }
}

/// A playbook as given: any field left out takes its default.
public struct AgentPlaybookDraft: Sendable, Codable, Hashable {
    public var callerName: String?
    public var organization: String?
    public var product: String?
    public var valueProposition: String?
    public var questions: [String]?
    public var goal: String?
    public var voicemailMessage: String?

    public init(callerName: String? = nil, organization: String? = nil, product: String? = nil, valueProposition: String? = nil,
                questions: [String]? = nil, goal: String? = nil, voicemailMessage: String? = nil) {
        self.callerName = callerName
        self.organization = organization
        self.product = product
        self.valueProposition = valueProposition
        self.questions = questions
        self.goal = goal
        self.voicemailMessage = voicemailMessage
    }
}

/// A partial change to an agent: nil leaves a field as it is.
public struct AgentChanges: Sendable {
    public var name: String?
    public var description: String??
    public var llmProvider: String?
    public var llmModel: String??
    public var sttProvider: String?
    public var ttsProvider: String?
    public var systemPrompt: String??
    public var language: String?
    public var voiceParameters: JSONValue?
    public var status: AgentStatus?
    public var playbook: AgentPlaybookDraft??
    public var extractionSchema: [ExtractionFieldDraft]?
    /// Changes to how calls are run; fields left out keep their values.
    public var callControl: AgentCallControlDraft?

    public init() {}
}

/// Call control as a client gives it: each field left out keeps its value (or the default);
/// `transferNumber` and `sendDigits` set to an empty string are removed.
public struct AgentCallControlDraft: Sendable, Hashable {
    public var silenceTimeout: Double?
    public var maxReprompts: Int?
    public var maxDuration: Double?
    public var transferNumber: String?
    public var transferMode: String?
    public var transferRingTimeout: Int?
    public var sendDigits: String?

    public init(silenceTimeout: Double? = nil, maxReprompts: Int? = nil, maxDuration: Double? = nil, transferNumber: String? = nil,
                transferMode: String? = nil, transferRingTimeout: Int? = nil, sendDigits: String? = nil) {
        self.silenceTimeout = silenceTimeout
        self.maxReprompts = maxReprompts
        self.maxDuration = maxDuration
        self.transferNumber = transferNumber
        self.transferMode = transferMode
        self.transferRingTimeout = transferRingTimeout
        self.sendDigits = sendDigits
    }
}

/// An extraction field as a client gives it; checked into an `ExtractionField`.
public struct ExtractionFieldDraft: Sendable, Hashable {
    public var name: String
    public var type: String
    public var description: String?
    public var choices: [String]?

    public init(name: String, type: String, description: String? = nil, choices: [String]? = nil) {
        self.name = name
        self.type = type
        self.description = description
        self.choices = choices
    }
}

/// Voice agents: each user's own, named uniquely per user, with providers from the catalogue.
public struct VoiceAgentBook: Sendable {
    public static let maxPerPage = 100
    static let maxNameLength = 100
    static let maxPromptLength = 20_000

    let stores: any StoreAccess
    public let supply: EngineSupply

    public init(stores: any StoreAccess, supply: EngineSupply) {
        self.stores = stores
        self.supply = supply
    }

    /// The user's agent; `DomainError.notFound` for an unknown id or someone else's.
    public func agent(id: UUID, of user: User) async throws -> VoiceAgent {
        guard let agent = try await stores.agents.agent(id: id, organizationID: user.organizationID), agent.ownerID == user.id else {
            throw DomainError.notFound(entity: "agent")
        }
        return agent
    }

    public func agents(of user: User, search: String?, status: AgentStatus?, offset: Int, limit: Int) async throws -> (agents: [VoiceAgent], total: Int) {
        let query = AgentQuery(organizationID: user.organizationID, ownerID: user.id, search: search?.trimmingCharacters(in: .whitespaces),
                               status: status, offset: max(0, offset), limit: min(max(limit, 1), Self.maxPerPage))
        async let page = stores.agents.agents(query)
        async let total = stores.agents.countAgents(query)
        return (try await page, try await total)
    }

    public func create(_ draft: AgentDraft, by user: User) async throws -> VoiceAgent {
        var agent = VoiceAgent(
            organizationID: user.organizationID, ownerID: user.id, name: draft.name, description: draft.description,
            llmProvider: draft.llmProvider ?? "embedded", llmModel: draft.llmModel, sttProvider: draft.sttProvider ?? "embedded",
            ttsProvider: draft.ttsProvider ?? "embedded", systemPrompt: draft.systemPrompt, language: draft.language ?? "en",
            voiceParameters: draft.voiceParameters ?? .object([:]), status: draft.status ?? .active, playbook: nil)
        agent.playbook = try draft.playbook.map { try Self.playbook($0) }
        agent.extractionSchema = try Self.schema(draft.extractionSchema ?? [])
        if let control = draft.callControl { agent.callControl = try Self.callControl(control, over: agent.callControl) }
        agent = try Self.checked(agent)
        try await stores.agents.createAgent(agent)
        return agent
    }

    public func update(id: UUID, _ changes: AgentChanges, by user: User) async throws -> VoiceAgent {
        var agent = try await self.agent(id: id, of: user)
        if let value = changes.name { agent.name = value }
        if let value = changes.description { agent.description = value }
        if let value = changes.llmProvider { agent.llmProvider = value }
        if let value = changes.llmModel { agent.llmModel = value }
        if let value = changes.sttProvider { agent.sttProvider = value }
        if let value = changes.ttsProvider { agent.ttsProvider = value }
        if let value = changes.systemPrompt { agent.systemPrompt = value }
        if let value = changes.language { agent.language = value }
        if let value = changes.voiceParameters { agent.voiceParameters = value }
        if let value = changes.status { agent.status = value }
        if let value = changes.playbook { agent.playbook = try value.map { try Self.playbook($0) } }
        if let value = changes.extractionSchema { agent.extractionSchema = try Self.schema(value) }
        if let value = changes.callControl { agent.callControl = try Self.callControl(value, over: agent.callControl) }
        agent.updatedAt = Date()
        agent = try Self.checked(agent)
        try await stores.agents.updateAgent(agent)
        return agent
    }

    public func delete(id: UUID, by user: User) async throws {
        _ = try await agent(id: id, of: user)
        guard try await stores.agents.deleteAgent(id: id, organizationID: user.organizationID) else { throw DomainError.notFound(entity: "agent") }
    }

    /// Call control within sensible bounds, each offending field named (`call_control.max_duration_seconds`).
    static func callControl(_ draft: AgentCallControlDraft, over current: AgentCallControl) throws -> AgentCallControl {
        var control = current
        func field(_ name: String) -> String { "call_control.\(name)" }
        if let value = draft.silenceTimeout {
            guard (3...60).contains(value) else { throw DomainError.validation(field: field("silence_timeout_seconds"), message: "must be from 3 to 60 seconds") }
            control.silenceTimeout = value
        }
        if let value = draft.maxReprompts {
            guard (0...5).contains(value) else { throw DomainError.validation(field: field("max_reprompts"), message: "must be from 0 to 5") }
            control.maxReprompts = value
        }
        if let value = draft.maxDuration {
            guard (30...3600).contains(value) else { throw DomainError.validation(field: field("max_duration_seconds"), message: "must be from 30 to 3600 seconds") }
            control.maxDuration = value
        }
        if let value = draft.transferNumber {
            if value.isEmpty {
                control.transferNumber = nil
            } else {
                guard let number = PhoneNumber.e164(value) else {
                    throw DomainError.validation(field: field("transfer_number"), message: "must be a phone number in E.164 form (+14155550123)")
                }
                control.transferNumber = number
            }
        }
        if let value = draft.transferMode {
            guard let mode = AgentCallControl.TransferMode(rawValue: value) else {
                throw DomainError.validation(field: field("transfer_mode"), message: "must be cold or announced")
            }
            control.transferMode = mode
        }
        if let value = draft.transferRingTimeout {
            guard (5...60).contains(value) else { throw DomainError.validation(field: field("transfer_ring_timeout_seconds"), message: "must be from 5 to 60 seconds") }
            control.transferRingTimeout = value
        }
        if let value = draft.sendDigits {
            guard value.isEmpty || (value.count <= 32 && value.allSatisfy({ "0123456789*#w".contains($0) })) else {
                throw DomainError.validation(field: field("send_digits"), message: "must be up to 32 of 0-9, *, # and w (a half-second wait)")
            }
            control.sendDigits = value.isEmpty ? nil : value
        }
        return control
    }

    /// At most 20 fields, each named once as an identifier, of a known type; a choice has 2 to 20
    /// distinct choices. The offending entry is named (`extraction_schema[2].choices`).
    static func schema(_ drafts: [ExtractionFieldDraft]) throws -> [ExtractionField] {
        guard drafts.count <= 20 else { throw DomainError.validation(field: "extraction_schema", message: "at most 20 fields") }
        var names = Set<String>()
        return try drafts.enumerated().map { index, draft in
            let at = "extraction_schema[\(index)]"
            let name = draft.name.trimmingCharacters(in: .whitespaces)
            guard (1...40).contains(name.count), name.first?.isLetter == true,
                  name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
                throw DomainError.validation(field: "\(at).name", message: "must be 1 to 40 letters, digits or underscores, starting with a letter")
            }
            guard names.insert(name.lowercased()).inserted else { throw DomainError.validation(field: "\(at).name", message: "'\(name)' is named twice") }
            guard let kind = ExtractionField.Kind(rawValue: draft.type.lowercased()) else {
                throw DomainError.validation(field: "\(at).type", message: "must be one of text, number, boolean, choice")
            }
            let description = draft.description?.trimmingCharacters(in: .whitespacesAndNewlines)
            guard (description?.count ?? 0) <= 300 else { throw DomainError.validation(field: "\(at).description", message: "must be at most 300 characters") }
            var choices: [String] = []
            if kind == .choice {
                choices = (draft.choices ?? []).map { $0.trimmingCharacters(in: .whitespaces) }
                guard (2...20).contains(choices.count), Set(choices.map { $0.lowercased() }).count == choices.count,
                      choices.allSatisfy({ (1...60).contains($0.count) }) else {
                    throw DomainError.validation(field: "\(at).choices", message: "a choice field needs 2 to 20 different choices of 1 to 60 characters")
                }
            } else if draft.choices?.isEmpty == false {
                throw DomainError.validation(field: "\(at).choices", message: "only a choice field has choices")
            }
            return ExtractionField(name: name, kind: kind, description: description?.isEmpty == true ? nil : description, choices: choices)
        }
    }

    /// The playbook an agent's calls follow: its own fields where given, defaults from its
    /// name and description elsewhere.
    public static func playbook(for agent: VoiceAgent, organization: String) -> AgentPlaybook {
        let given = agent.playbook
        // A stored playbook keeps fields it was not given as empty text.
        func field(_ value: String?) -> String? { value.flatMap { $0.isEmpty ? nil : $0 } }
        let firstWord = agent.name.split(separator: " ").first.map(String.init) ?? "Alex"
        // "Sales Agent" is a role, not a name: such agents introduce themselves as Alex.
        let roleWords: Set<String> = ["sales", "support", "agent", "assistant", "bot", "voice", "ai", "the", "a", "an"]
        return AgentPlaybook(
            callerName: field(given?.callerName) ?? (roleWords.contains(firstWord.lowercased()) ? "Alex" : firstWord),
            organization: field(given?.organization) ?? organization,
            product: field(given?.product) ?? "our service",
            valueProposition: field(given?.valueProposition) ?? agent.description.map { Self.clause($0) } ?? "save time and serve customers better",
            questions: given.flatMap { $0.questions.isEmpty ? nil : $0.questions } ?? [],
            goal: field(given?.goal) ?? "call",
            voicemailMessage: given?.voicemailMessage)
    }

    /// A description ("Handles customer support.") as a clause after "we help teams like yours".
    static func clause(_ description: String) -> String {
        var text = description.trimmingCharacters(in: .whitespacesAndNewlines)
        while text.hasSuffix(".") { text.removeLast() }
        guard let first = text.first else { return "save time and serve customers better" }
        return first.lowercased() + text.dropFirst()
    }

    static func playbook(_ draft: AgentPlaybookDraft) throws -> AgentPlaybook {
        func text(_ value: String?, _ field: String, max: Int = 300) throws -> String? {
            guard let value = value?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
            guard value.count <= max else { throw DomainError.validation(field: "playbook.\(field)", message: "must be at most \(max) characters") }
            return value
        }
        if let questions = draft.questions, questions.count > 10 {
            throw DomainError.validation(field: "playbook.questions", message: "at most 10 questions")
        }
        // Missing fields stay empty strings here; `playbook(for:organization:)` fills them.
        return AgentPlaybook(
            callerName: try text(draft.callerName, "caller_name", max: 60) ?? "", organization: try text(draft.organization, "organization") ?? "",
            product: try text(draft.product, "product") ?? "", valueProposition: try text(draft.valueProposition, "value_proposition") ?? "",
            questions: try (draft.questions ?? []).enumerated().compactMap { try text($0.element, "questions[\($0.offset)]") },
            goal: try text(draft.goal, "goal", max: 60) ?? "", voicemailMessage: try text(draft.voicemailMessage, "voicemail_message", max: 1_000))
    }

    /// The agent with its text trimmed and its providers spelled as the catalogue does, or the field at fault.
    static func checked(_ agent: VoiceAgent) throws -> VoiceAgent {
        var agent = agent
        agent.name = agent.name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !agent.name.isEmpty, agent.name.count <= maxNameLength else {
            throw DomainError.validation(field: "name", message: "must be 1 to \(maxNameLength) characters")
        }
        if let description = agent.description, description.count > 2_000 {
            throw DomainError.validation(field: "description", message: "must be at most 2000 characters")
        }
        for (kind, field) in [(EngineKind.llm, "llm_provider"), (.stt, "stt_provider"), (.tts, "tts_provider")] {
            guard let known = ProviderCatalogue.provider(agent.provider(kind), for: kind) else {
                let names = ProviderCatalogue.known[kind, default: []].joined(separator: ", ")
                throw DomainError.validation(field: field, message: "'\(agent.provider(kind))' is not a known provider; use one of \(names)")
            }
            switch kind {
            case .llm: agent.llmProvider = known
            case .stt: agent.sttProvider = known
            case .tts: agent.ttsProvider = known
            }
        }
        if let model = agent.llmModel, model.count > 100 { throw DomainError.validation(field: "llm_model", message: "must be at most 100 characters") }
        if let prompt = agent.systemPrompt, prompt.count > maxPromptLength {
            throw DomainError.validation(field: "system_prompt", message: "must be at most \(maxPromptLength) characters")
        }
        let language = agent.language.trimmingCharacters(in: .whitespaces)
        guard (2...12).contains(language.count), language.allSatisfy({ $0.isLetter || $0 == "-" || $0 == "_" }) else {
            throw DomainError.validation(field: "language", message: "must be a language code such as en or en-US")
        }
        agent.language = language
        guard case .object = agent.voiceParameters else {
            throw DomainError.validation(field: "voice_parameters", message: "must be a JSON object")
        }
        return agent
    }
}
