import Foundation
import ParleyDomain
import ParleyServer
import Testing

/// Settings read from the environment: defaults, values, and refusals that name the variable.
@Suite("Configuration from the environment")
struct ConfigurationTests {
    @Test func sessionAndWebhookSettings() throws {
        let defaults = try ParleyConfiguration.fromEnvironment([:])
        #expect(defaults.openSessionLimit == 3)
        #expect(!defaults.webhooksMayTargetPrivateNetworks)

        let set = try ParleyConfiguration.fromEnvironment(["PARLEY_OPEN_SESSION_LIMIT": "8", "PARLEY_WEBHOOK_ALLOW_PRIVATE": "1"])
        #expect(set.openSessionLimit == 8)
        #expect(set.webhooksMayTargetPrivateNetworks)
        #expect(try !ParleyConfiguration.fromEnvironment(["PARLEY_WEBHOOK_ALLOW_PRIVATE": "off"]).webhooksMayTargetPrivateNetworks)

        for (name, value) in [("PARLEY_OPEN_SESSION_LIMIT", "0"), ("PARLEY_OPEN_SESSION_LIMIT", "many"), ("PARLEY_WEBHOOK_ALLOW_PRIVATE", "maybe")] {
            do {
                _ = try ParleyConfiguration.fromEnvironment([name: value])
                Issue.record("\(name)=\(value) was accepted")
            } catch DomainError.validation(let field, _) {
                #expect(field == name)
            }
        }
    }
}
