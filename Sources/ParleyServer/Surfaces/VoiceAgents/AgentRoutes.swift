import Foundation
import ParleyCore
import ParleyDomain
import Vapor

extension VoiceAgents {
    /// `/agents`: each user's voice agents. Providers are checked against the catalogue; one
    /// named but not configured here is accepted and the agent shows what runs instead.
    enum AgentRoutes {
        /// The document's fields, plus `playbook` (a documented extension: what the agent says
        /// without a language model) and `extraction_schema` (the fields each call is read into).
        struct AgentBody: Decodable {
            var name: String?
            var description: String?
            var llm_provider: String?
            var llm_model: String?
            var stt_provider: String?
            var tts_provider: String?
            var system_prompt: String?
            var language: String?
            var voice_parameters: JSONValue?
            var status: AgentStatus?
            var playbook: PlaybookBody?
            var extraction_schema: [ExtractionFieldBody]?
            var call_control: CallControlBody?
        }

        struct CallControlBody: Decodable {
            var silence_timeout_seconds: Double?
            var max_reprompts: Int?
            var max_duration_seconds: Double?
            var transfer_number: String?
            var transfer_mode: String?
            var transfer_ring_timeout_seconds: Int?
            var send_digits: String?

            var draft: AgentCallControlDraft {
                AgentCallControlDraft(silenceTimeout: silence_timeout_seconds, maxReprompts: max_reprompts, maxDuration: max_duration_seconds,
                                      transferNumber: transfer_number, transferMode: transfer_mode,
                                      transferRingTimeout: transfer_ring_timeout_seconds, sendDigits: send_digits)
            }
        }

        struct ExtractionFieldBody: Decodable {
            var name: String
            var type: String
            var description: String?
            var choices: [String]?

            var draft: ExtractionFieldDraft { ExtractionFieldDraft(name: name, type: type, description: description, choices: choices) }
        }

        struct PlaybookBody: Decodable {
            var caller_name: String?
            var organization: String?
            var product: String?
            var value_proposition: String?
            var questions: [String]?
            var goal: String?
            var voicemail_message: String?

            var draft: AgentPlaybookDraft {
                AgentPlaybookDraft(callerName: caller_name, organization: organization, product: product, valueProposition: value_proposition,
                                   questions: questions, goal: goal, voicemailMessage: voicemail_message)
            }
        }

        static func register(on routes: any RoutesBuilder) {
            let agents = routes.grouped("agents")
            agents.get(use: list)
            agents.post(use: create)
            agents.get(":agent_id", use: read)
            agents.put(":agent_id", use: update)
            agents.delete(":agent_id", use: delete)
        }

        static func agentID(_ request: Request) throws -> UUID {
            try VoiceAgents.uuid(request.parameters.get("agent_id"), notFound: "AGENT_001", entity: "Agent")
        }

        /// The document's agent, with what really runs for each engine (`engines`, an addition).
        static func json(_ agent: VoiceAgent, supply: EngineSupply, full: Bool = true) -> JSONValue {
            var object: [String: JSONValue] = [
                "id": .string(agent.id.uuidString.lowercased()), "name": .string(agent.name),
                "description": agent.description.map(JSONValue.string) ?? .null,
                "llm_provider": .string(agent.llmProvider), "llm_model": agent.llmModel.map(JSONValue.string) ?? .null,
                "status": .string(agent.status.rawValue), "created_at": .string(Timestamp.iso8601(agent.createdAt)),
            ]
            guard full else { return .object(object) }
            object["user_id"] = .string(UserID.make(agent.ownerID))
            object["stt_provider"] = .string(agent.sttProvider)
            object["tts_provider"] = .string(agent.ttsProvider)
            object["system_prompt"] = agent.systemPrompt.map(JSONValue.string) ?? .null
            object["language"] = .string(agent.language)
            object["voice_parameters"] = agent.voiceParameters
            object["updated_at"] = .string(Timestamp.iso8601(agent.updatedAt))
            object["playbook"] = agent.playbook.map(playbook) ?? .null
            let control = agent.callControl
            object["call_control"] = .object([
                "silence_timeout_seconds": .number(control.silenceTimeout), "max_reprompts": .number(Double(control.maxReprompts)),
                "max_duration_seconds": .number(control.maxDuration), "transfer_number": control.transferNumber.map(JSONValue.string) ?? .null,
                "transfer_mode": .string(control.transferMode.rawValue), "transfer_ring_timeout_seconds": .number(Double(control.transferRingTimeout)),
                "send_digits": control.sendDigits.map(JSONValue.string) ?? .null,
            ])
            object["extraction_schema"] = .array(agent.extractionSchema.map { field in
                .object(["name": .string(field.name), "type": .string(field.kind.rawValue),
                         "description": field.description.map(JSONValue.string) ?? .null, "choices": .array(field.choices.map(JSONValue.string))])
            })
            object["engines"] = .object(Dictionary(uniqueKeysWithValues: supply.engines(of: agent).map { engine in
                (engine.kind.rawValue, JSONValue.object([
                    "requested": .string(engine.requested), "running": .string(engine.running),
                    "fallback": .bool(engine.note != nil), "note": engine.note.map(JSONValue.string) ?? .null,
                ]))
            }))
            return .object(object)
        }

        static func playbook(_ playbook: AgentPlaybook) -> JSONValue {
            func text(_ value: String) -> JSONValue { value.isEmpty ? .null : .string(value) }
            return .object([
                "caller_name": text(playbook.callerName), "organization": text(playbook.organization), "product": text(playbook.product),
                "value_proposition": text(playbook.valueProposition), "questions": .array(playbook.questions.map(JSONValue.string)),
                "goal": text(playbook.goal), "voicemail_message": playbook.voicemailMessage.map(JSONValue.string) ?? .null,
            ])
        }

        static func list(_ request: Request) async throws -> Response {
            let user = try request.principal.user
            let (skip, limit) = try VoiceAgents.paging(request, defaultLimit: 10)
            let status = try request.query[String.self, at: "status"].map { raw in
                guard let status = AgentStatus(rawValue: raw) else { throw APIError.validation("status", "must be active or inactive") }
                return status
            }
            let supply = request.core.agents.supply
            let (agents, total) = try await request.core.agents.agents(of: user, search: request.query[String.self, at: "search"], status: status,
                                                                        offset: skip, limit: limit)
            return try request.renderJSON(.object([
                "total": .number(Double(total)), "skip": .number(Double(skip)), "limit": .number(Double(limit)),
                "items": .array(agents.map { json($0, supply: supply, full: false) }),
            ]))
        }

        static func create(_ request: Request) async throws -> Response {
            let user = try request.principal.user
            let body = try request.decodeJSON(AgentBody.self)
            guard let name = body.name else { throw APIError.validation("name", "is required") }
            var draft = AgentDraft(name: name, description: body.description, llmProvider: body.llm_provider, llmModel: body.llm_model,
                                   sttProvider: body.stt_provider, ttsProvider: body.tts_provider, systemPrompt: body.system_prompt,
                                   language: body.language, voiceParameters: body.voice_parameters, status: body.status)
            draft.playbook = body.playbook?.draft
            draft.extractionSchema = body.extraction_schema?.map(\.draft)
            draft.callControl = body.call_control?.draft
            let agent = try await surfacing { try await request.core.agents.create(draft, by: user) }
            return try request.renderJSON(json(agent, supply: request.core.agents.supply), status: .created)
        }

        static func read(_ request: Request) async throws -> Response {
            let user = try request.principal.user
            let id = try agentID(request)
            let agent = try await surfacing { try await request.core.agents.agent(id: id, of: user) }
            return try request.renderJSON(json(agent, supply: request.core.agents.supply))
        }

        static func update(_ request: Request) async throws -> Response {
            let user = try request.principal.user
            let id = try agentID(request)
            let body = try request.decodeJSON(AgentBody.self)
            var changes = AgentChanges()
            changes.name = body.name
            changes.description = body.description.map { $0.isEmpty ? nil : $0 }
            changes.llmProvider = body.llm_provider
            changes.llmModel = body.llm_model.map { $0.isEmpty ? nil : $0 }
            changes.sttProvider = body.stt_provider
            changes.ttsProvider = body.tts_provider
            changes.systemPrompt = body.system_prompt.map { $0.isEmpty ? nil : $0 }
            changes.language = body.language
            changes.voiceParameters = body.voice_parameters
            changes.status = body.status
            changes.playbook = body.playbook.map { .some($0.draft) }
            changes.extractionSchema = body.extraction_schema?.map(\.draft)
            changes.callControl = body.call_control?.draft
            let agent = try await surfacing { try await request.core.agents.update(id: id, changes, by: user) }
            return try request.renderJSON(json(agent, supply: request.core.agents.supply))
        }

        static func delete(_ request: Request) async throws -> Response {
            let user = try request.principal.user
            let id = try agentID(request)
            try await surfacing { try await request.core.agents.delete(id: id, by: user) }
            return Response(status: .noContent)
        }
    }
}
