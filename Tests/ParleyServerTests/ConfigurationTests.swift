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

    @Test func telephonyAndCallPrices() throws {
        let defaults = try ParleyConfiguration.fromEnvironment([:])
        #expect(defaults.twilio == nil && defaults.callPrices.perMinute.isEmpty)
        let twilio = try ParleyConfiguration.fromEnvironment([
            "PARLEY_TELEPHONY": "twilio", "TWILIO_ACCOUNT_SID": "AC123", "TWILIO_AUTH_TOKEN": "secret", "TWILIO_FROM_NUMBER": "+1 (415) 555-0199",
            "PARLEY_CALL_PRICES": "twilio=0.014, Deepgram=0.0043,cartesia=0.03",
        ])
        #expect(twilio.twilio?.fromNumber == "+14155550199")
        #expect(twilio.twilio?.apiBase == "https://api.twilio.com")
        #expect(twilio.callPrices.perMinute == ["twilio": 0.014, "deepgram": 0.0043, "cartesia": 0.03])
        // Two minutes on Twilio with Deepgram listening and the embedded voice speaking.
        #expect(twilio.callPrices.cost(seconds: 120, providers: ["twilio", "deepgram", "embedded"]) == 0.0366)
        #expect(twilio.callPrices.cost(seconds: 120, providers: ["simulated", "embedded", "espeak"]) == 0)

        for (environment, field) in [
            (["PARLEY_TELEPHONY": "carrier-pigeon"], "PARLEY_TELEPHONY"),
            (["PARLEY_TELEPHONY": "twilio", "TWILIO_FROM_NUMBER": "+14155550199", "TWILIO_AUTH_TOKEN": "x"], "TWILIO_ACCOUNT_SID"),
            (["PARLEY_TELEPHONY": "twilio", "TWILIO_FROM_NUMBER": "call me", "TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": "x"], "TWILIO_FROM_NUMBER"),
            (["PARLEY_CALL_PRICES": "twilio=cheap"], "PARLEY_CALL_PRICES"),
            (["PARLEY_CALL_PRICES": "twilio=-1"], "PARLEY_CALL_PRICES"),
        ] {
            do {
                _ = try ParleyConfiguration.fromEnvironment(environment)
                Issue.record("\(environment) was accepted")
            } catch DomainError.validation(let name, _) {
                #expect(name == field)
            }
        }
    }
}
