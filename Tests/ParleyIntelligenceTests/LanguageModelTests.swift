import Foundation
import ParleyDomain
import Testing

@testable import ParleyIntelligence

/// The hosted providers, spoken to through a local server that answers in each provider's real format.
@Suite("Language models")
struct LanguageModelTests {
    static let fast = RetryPolicy(maxAttempts: 3, baseDelay: 0.01, maxDelay: 0.05, timeout: 2)
    static let request = CompletionRequest(
        system: "You summarise calls.", messages: [ChatMessage(role: .user, content: "Summarise: the pump is old.")], maxTokens: 64, temperature: 0.2)

    static let anthropicReply = """
        {"id":"msg_01","type":"message","role":"assistant","model":"claude-haiku-4-5","content":[{"type":"text","text":"The customer's pump is old."}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":21,"output_tokens":8}}
        """
    static let openAIReply = """
        {"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"The pump is old."},"finish_reason":"stop"}],"usage":{"prompt_tokens":19,"completion_tokens":5,"total_tokens":24}}
        """

    @Test func anthropicSpeaksTheMessagesAPI() async throws {
        let server = ProviderServer(responses: [CannedResponse(status: 200, body: Self.anthropicReply)])
        let base = try await server.start()
        let model = AnthropicLanguageModel(apiKey: "test-key", model: "claude-haiku-4-5", baseURL: base, policy: Self.fast)
        let completion = try await model.complete(Self.request)
        #expect(completion.text == "The customer's pump is old.")
        #expect(completion.inputTokens == 21 && completion.outputTokens == 8 && completion.stopReason == "end_turn")
        let sent = try #require(server.requests.first)
        #expect(sent.method == "POST" && sent.path == "/v1/messages")
        #expect(sent.headers["x-api-key"] == "test-key" && sent.headers["anthropic-version"] == "2023-06-01")
        let json = try #require(sent.json)
        #expect(json["model"] as? String == "claude-haiku-4-5")
        #expect(json["max_tokens"] as? Int == 64)
        #expect(json["system"] as? String == "You summarise calls.")
        let messages = try #require(json["messages"] as? [[String: Any]])
        #expect(messages.count == 1 && messages[0]["role"] as? String == "user")
        await server.stop()
    }

    @Test func openAICompatibleSpeaksChatCompletions() async throws {
        let server = ProviderServer(responses: [CannedResponse(status: 200, body: Self.openAIReply)])
        let base = try await server.start()
        let model = OpenAICompatibleLanguageModel(apiKey: "sk-test", model: "gpt-4o-mini", baseURL: base + "/v1", policy: Self.fast)
        let completion = try await model.complete(Self.request)
        #expect(completion.text == "The pump is old." && completion.stopReason == "stop" && completion.inputTokens == 19)
        let sent = try #require(server.requests.first)
        #expect(sent.path == "/v1/chat/completions" && sent.headers["authorization"] == "Bearer sk-test")
        let messages = try #require(sent.json?["messages"] as? [[String: Any]])
        #expect(messages.map { $0["role"] as? String } == ["system", "user"])
        #expect(sent.json?["max_tokens"] as? Int == 64)
        await server.stop()
    }

    @Test func localServerWithoutKeySendsNoAuthorization() async throws {
        let server = ProviderServer(responses: [CannedResponse(status: 200, body: Self.openAIReply)])
        let base = try await server.start()
        let model = try #require(LanguageModelConfiguration.fromEnvironment(["OPENAI_BASE_URL": base + "/v1", "OPENAI_MODEL": "local"]))
        #expect(model.name == "openai-compatible:local")
        _ = try await model.complete(Self.request)
        #expect(server.requests.first?.headers["authorization"] == nil)
        #expect(server.requests.first?.json?["model"] as? String == "local")
        await server.stop()
    }

    @Test func retriesOverloadAndRateLimitsWithBackoff() async throws {
        let server = ProviderServer(responses: [
            CannedResponse(status: 529, body: #"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#),
            CannedResponse(status: 429, body: #"{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}"#, headers: ["retry-after": "0"]),
            CannedResponse(status: 200, body: Self.anthropicReply),
        ])
        let base = try await server.start()
        let model = AnthropicLanguageModel(apiKey: "k", baseURL: base, policy: Self.fast)
        let completion = try await model.complete(Self.request)
        #expect(completion.text == "The customer's pump is old.")
        #expect(server.requests.count == 3)
        await server.stop()
    }

    @Test func clientErrorsAreNotRetried() async throws {
        let server = ProviderServer(responses: [
            CannedResponse(status: 401, body: #"{"error":{"message":"Incorrect API key provided","type":"invalid_request_error"}}"#),
            CannedResponse(status: 200, body: Self.openAIReply),
        ])
        let base = try await server.start()
        let model = OpenAICompatibleLanguageModel(apiKey: "bad", baseURL: base, policy: Self.fast)
        await #expect(throws: LanguageModelError.http(status: 401, message: "Incorrect API key provided")) {
            try await model.complete(Self.request)
        }
        #expect(server.requests.count == 1)
        await server.stop()
    }

    @Test func givesUpAfterTheLastAttempt() async throws {
        let server = ProviderServer(responses: Array(repeating: CannedResponse(status: 503, body: #"{"error":{"message":"unavailable"}}"#), count: 5))
        let base = try await server.start()
        let model = OpenAICompatibleLanguageModel(apiKey: nil, baseURL: base, policy: Self.fast)
        await #expect(throws: LanguageModelError.http(status: 503, message: "unavailable")) { try await model.complete(Self.request) }
        #expect(server.requests.count == 3)
        await server.stop()
    }

    /// The reply comes 15 s late, far beyond the 0.3 s timeout, so a busy machine cannot reorder them.
    @Test func slowProviderTimesOut() async throws {
        let server = ProviderServer(responses: [CannedResponse(status: 200, body: Self.anthropicReply, delay: 15)])
        let base = try await server.start()
        let model = AnthropicLanguageModel(apiKey: "k", baseURL: base, policy: RetryPolicy(maxAttempts: 1, timeout: 0.3))
        await #expect(throws: LanguageModelError.timedOut(seconds: 0.3)) { try await model.complete(Self.request) }
        await server.stop()
    }

    @Test func malformedResponseIsReported() async throws {
        let server = ProviderServer(responses: [CannedResponse(status: 200, body: #"{"unexpected":true}"#)])
        let base = try await server.start()
        let model = AnthropicLanguageModel(apiKey: "k", baseURL: base, policy: Self.fast)
        await #expect(throws: LanguageModelError.malformedResponse("not a Messages API response")) { try await model.complete(Self.request) }
        await server.stop()
    }

    @Test func noKeyMeansDeterministicOnly() async {
        #expect(LanguageModelConfiguration.fromEnvironment([:]) == nil)
        #expect(LanguageModelConfiguration.fromEnvironment(["ANTHROPIC_API_KEY": "", "OPENAI_API_KEY": ""]) == nil)
        let transcript = Transcript(segments: [TranscriptSegment(id: 1, speaker: .counterpart, text: "We've had to fix this pump three times this year.")])
        let analysis = TextAnalyzer().analyze(transcript)
        let summary = await SummaryWriter(model: nil).summary(for: analysis, transcript: transcript)
        #expect(summary == analysis.summary && summary.method == "extractive")
    }

    @Test func summaryUsesTheModelAndFallsBackWhenItFails() async throws {
        let server = ProviderServer(responses: [
            CannedResponse(status: 200, body: Self.anthropicReply),
            CannedResponse(status: 500, body: #"{"type":"error","error":{"type":"api_error","message":"boom"}}"#),
        ])
        let base = try await server.start()
        let transcript = Transcript(segments: [
            TranscriptSegment(id: 1, speaker: .counterpart, text: "We've had to fix this pump three times this year."),
            TranscriptSegment(id: 2, speaker: .rep, text: "I'll send you a replacement quote by tomorrow."),
        ])
        let analysis = TextAnalyzer().analyze(transcript)
        let model = AnthropicLanguageModel(apiKey: "k", baseURL: base, policy: RetryPolicy(maxAttempts: 1, timeout: 2))
        let enriched = await SummaryWriter(model: model).summary(for: analysis, transcript: transcript)
        #expect(enriched.method == "language_model" && enriched.text == "The customer's pump is old.")
        let prompt = try #require((server.requests.first?.json?["messages"] as? [[String: Any]])?.first?["content"] as? String)
        #expect(prompt.contains("counterpart: We've had to fix this pump three times this year."))
        let fallback = await SummaryWriter(model: model).summary(for: analysis, transcript: transcript)
        #expect(fallback.method == "extractive" && fallback.text == analysis.summary.text)
        #expect(fallback.note?.contains("boom") == true)
        await server.stop()
    }

    @Test func coachingAdviceIsWordedByTheModelAndKeptWhenItAnswersOutOfShape() async throws {
        let advice = #"{\"what_should_happen\": \"Commit to a date for the quote.\", \"example_better_response\": \"You'll have the quote by noon tomorrow.\"}"#
        let reply = Self.anthropicReply.replacingOccurrences(of: "The customer's pump is old.", with: advice)
        let server = ProviderServer(responses: [
            CannedResponse(status: 200, body: reply),
            CannedResponse(status: 200, body: Self.anthropicReply),
        ])
        let base = try await server.start()
        let transcript = Transcript(segments: [
            TranscriptSegment(id: 1, speaker: .counterpart, text: "How much would a new pump cost? It keeps breaking down."),
            TranscriptSegment(id: 2, speaker: .rep, text: "I'm not sure, I'll have to get back to you on that."),
            TranscriptSegment(id: 3, speaker: .counterpart, text: "Okay, thanks."),
        ])
        let moments = TextAnalyzer().analyze(transcript).coachingMoments
        try #require(moments.count >= 2, "\(moments)")
        let model = AnthropicLanguageModel(apiKey: "k", baseURL: base, policy: RetryPolicy(maxAttempts: 1, timeout: 2))
        let worded = await CoachingWriter(model: model, maxMoments: 2).reword(moments)
        #expect(worded[0].whatShouldHappen == "Commit to a date for the quote." && worded[0].category == moments[0].category)
        #expect(worded[0].evidence == moments[0].evidence && worded[0].whatHappened == moments[0].whatHappened)
        // A reply that is not the asked JSON keeps the rules' wording.
        #expect(worded[1] == moments[1])
        let prompt = try #require((server.requests.first?.json?["messages"] as? [[String: Any]])?.first?["content"] as? String)
        #expect(prompt.contains(moments[0].whatHappened))
        #expect(await CoachingWriter(model: nil).reword(moments) == moments)
        await server.stop()
    }
}
