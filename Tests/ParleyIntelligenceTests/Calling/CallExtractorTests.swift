import Foundation
import ParleyDomain
import ParleyIntelligence
import Testing

/// Reading an agent's extraction schema out of a call: by the rules, and by a language model
/// (a local server speaking the OpenAI chat protocol) whose answers are checked per kind.
@Suite("Call extraction")
struct CallExtractorTests {
    static let schema = [
        ExtractionField(name: "email", kind: .text, description: "Where to send the details"),
        ExtractionField(name: "technicians", kind: .number, description: "How many technicians the company has"),
        ExtractionField(name: "interested", kind: .boolean, description: "Whether they want a demo"),
        ExtractionField(name: "plan", kind: .choice, description: "The plan they lean towards", choices: ["Basic", "Pro", "Enterprise"]),
        ExtractionField(name: "current_tool", kind: .text, description: "What they use for scheduling today"),
        ExtractionField(name: "budget", kind: .number, description: "Monthly budget in dollars"),
    ]

    static let call: [CallExtractor.Line] = [
        .init(isAgent: true, text: "Hi, this is Sam from Fieldwise. Do you have a minute?"),
        .init(isAgent: false, text: "Sure, go ahead."),
        .init(isAgent: true, text: "What do you use for scheduling today?"),
        .init(isAgent: false, text: "Mostly a whiteboard and a shared spreadsheet."),
        .init(isAgent: true, text: "How many technicians are on your team?"),
        .init(isAgent: false, text: "We have twenty five of them across two depots."),
        .init(isAgent: true, text: "Would you like a short demo next week?"),
        .init(isAgent: false, text: "Yes, that would be useful. The pro plan looks about right for us."),
        .init(isAgent: true, text: "Great. Where should I send the invitation?"),
        .init(isAgent: false, text: "Send it to dana.reyes@northwind.example please."),
    ]

    @Test func theRulesReadTheCalleesAnswers() {
        let values = CallExtractor().read(Self.schema, from: Self.call)
        #expect(values["email"] == .string("dana.reyes@northwind.example"))
        #expect(values["technicians"] == .number(25))
        #expect(values["interested"] == .bool(true))
        #expect(values["plan"] == .string("Pro"))
        #expect(values["current_tool"] == .string("Mostly a whiteboard and a shared spreadsheet."))
        #expect(values["budget"] == .null, "nobody spoke of a budget")
    }

    @Test func noAndNumbersInTheirManyForms() {
        let lines: [CallExtractor.Line] = [
            .init(isAgent: true, text: "Would you like a demo?"),
            .init(isAgent: false, text: "No, we're not looking right now."),
            .init(isAgent: true, text: "Understood. Roughly what budget do you have per month?"),
            .init(isAgent: false, text: "About $1,500 a month, maybe 2k at most."),
        ]
        let values = CallExtractor().read([
            ExtractionField(name: "wants_demo", kind: .boolean, description: "Whether they want a demo"),
            ExtractionField(name: "budget", kind: .number, description: "Monthly budget"),
        ], from: lines)
        #expect(values["wants_demo"] == .bool(false))
        #expect(values["budget"] == .number(1500))
    }

    @Test func aModelsAnswerIsCheckedPerKindAndTheRulesFillTheRest() async throws {
        // The model gets the plan wrong (not a choice) and the number as text; it leaves email out.
        let answer = #"Here you go: {"technicians": "about 25", "interested": true, "plan": "Premium", "current_tool": "whiteboard and spreadsheet", "budget": null}"#
        let reply = #"{"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"#
            + String(decoding: try JSONEncoder().encode(answer), as: UTF8.self) + #"},"finish_reason":"stop"}]}"#
        let server = ProviderServer(responses: [CannedResponse(status: 200, body: reply)])
        let base = try await server.start()
        let model = OpenAICompatibleLanguageModel(apiKey: "sk-test", model: "gpt-4o-mini", baseURL: base + "/v1", policy: LanguageModelTests.fast)
        let (values, source) = await CallExtractor().read(Self.schema, from: Self.call, using: model)
        #expect(source == "model")
        #expect(values["technicians"] == .number(25))
        #expect(values["interested"] == .bool(true))
        #expect(values["plan"] == .string("Pro"), "not a choice: the rules' value stays")
        #expect(values["current_tool"] == .string("whiteboard and spreadsheet"))
        #expect(values["email"] == .string("dana.reyes@northwind.example"), "left out by the model: the rules fill it")
        let sent = try #require(server.requests.first?.json)
        let prompt = (sent["messages"] as? [[String: Any]])?.last?["content"] as? String ?? ""
        #expect(prompt.contains("plan (choice: one of Basic, Pro, Enterprise)") && prompt.contains("Callee: Send it to dana.reyes"))
        await server.stop()

        // A model that fails leaves the rules to answer, and says so.
        let broken = ProviderServer(responses: Array(repeating: CannedResponse(status: 500, body: "{}"), count: 3))
        let brokenBase = try await broken.start()
        let failing = OpenAICompatibleLanguageModel(apiKey: "sk-test", model: "gpt-4o-mini", baseURL: brokenBase + "/v1", policy: LanguageModelTests.fast)
        let fallback = await CallExtractor().read(Self.schema, from: Self.call, using: failing)
        #expect(fallback.source == "rules" && fallback.values["plan"] == .string("Pro"))
        await broken.stop()
    }
}
