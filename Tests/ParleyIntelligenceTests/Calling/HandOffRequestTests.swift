import ParleyIntelligence
import Testing

/// A callee asking for a person, against lines that only sound close.
@Suite("Hand-off requests")
struct HandOffRequestTests {
    @Test(arguments: [
        "Can I speak to a real person please?", "I'd like to talk to someone in sales.", "Transfer me to your manager.",
        "Just put me through to a human.", "Is there a live agent I can talk with?", "Get me a representative.",
        "Connect me with your billing team.",
    ])
    func asksForAPerson(_ line: String) {
        #expect(HandOffRequest.asksForPerson(line), "\(line)")
    }

    @Test(arguments: [
        "Are you a robot?", "We spend hours every week on scheduling.", "Send me an email with the details.",
        "I'm not the person who decides that.", "Please don't call again.",
    ])
    func doesNot(_ line: String) {
        #expect(!HandOffRequest.asksForPerson(line), "\(line)")
    }
}
