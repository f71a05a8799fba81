import Testing
@testable import ParleyDomain

@Suite("Account rules")
struct AccountRulesTests {
    @Test(arguments: ["user@example.com", " User@Example.COM ", "a.b+c@sub.example.co.uk"])
    func acceptsEmails(_ email: String) throws {
        #expect(try AccountRules.normalisedEmail(email) == email.trimmingCharacters(in: .whitespaces).lowercased())
    }

    @Test(arguments: ["", "plain", "@example.com", "a@", "a@b", "a@@b.com", "a b@c.com", "a@.com", "a@b.com."])
    func rejectsEmails(_ email: String) {
        #expect(throws: DomainError.validation(field: "email", message: "Invalid email format")) {
            try AccountRules.normalisedEmail(email)
        }
    }

    @Test func passwordRules() throws {
        try AccountRules.checkPassword("practice123")
        for bad in ["short1", "lettersonly", "12345678901", String(repeating: "ab1", count: 30)] {
            #expect(throws: DomainError.self) { try AccountRules.checkPassword(bad) }
        }
        #expect(throws: DomainError.self) { try AccountRules.checkPassword("me1@example.com", email: "ME1@example.com") }
    }

    @Test func controlCharactersAreRefused() throws {
        #expect(throws: DomainError.self) { try AccountRules.name("Ann\u{0}", field: "first_name") }
        #expect(throws: DomainError.self) { try AccountRules.normalisedEmail("a\u{0}@b.co") }
        #expect(try AccountRules.name("  Zoë  ", field: "first_name") == "Zoë")
    }

    @Test func rolesAreOrdered() {
        #expect(Role.user < Role.supervisor)
        #expect(Role.supervisor < Role.admin)
        #expect(Role.allCases.max() == .admin)
    }
}
