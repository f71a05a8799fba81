import Foundation
import ParleyDomain

/// How Parley reaches Twilio: the account, the number calls come from, and where its REST API is
/// (a local fake in tests). Secrets come only from the environment.
public struct TwilioSettings: Sendable {
    public var accountSID: String
    public var authToken: String
    /// The caller id (E.164) every call is placed from.
    public var fromNumber: String
    /// `https://api.twilio.com` unless `TWILIO_API_BASE` points elsewhere.
    public var apiBase: String
    /// Seconds a number rings before Twilio gives up (`TWILIO_RING_TIMEOUT`, 5…600).
    public var ringTimeout: Int

    public init(accountSID: String, authToken: String, fromNumber: String, apiBase: String = "https://api.twilio.com", ringTimeout: Int = 30) {
        self.accountSID = accountSID
        self.authToken = authToken
        self.fromNumber = fromNumber
        self.apiBase = apiBase
        self.ringTimeout = ringTimeout
    }

    static func fromEnvironment(_ value: (String) -> String?) throws -> TwilioSettings {
        func required(_ key: String) throws -> String {
            guard let found = value(key) else { throw DomainError.validation(field: key, message: "is required with PARLEY_TELEPHONY=twilio") }
            return found
        }
        let from = try required("TWILIO_FROM_NUMBER")
        guard let number = PhoneNumber.e164(from) else {
            throw DomainError.validation(field: "TWILIO_FROM_NUMBER", message: "must be a phone number in E.164 form (+14155550123), got '\(from)'")
        }
        let base = value("TWILIO_API_BASE") ?? "https://api.twilio.com"
        guard let url = URL(string: base), url.scheme == "https" || url.scheme == "http", url.host != nil else {
            throw DomainError.validation(field: "TWILIO_API_BASE", message: "must be an absolute http(s) URL, got '\(base)'")
        }
        var ring = 30
        if let raw = value("TWILIO_RING_TIMEOUT") {
            guard let seconds = Int(raw), (5...600).contains(seconds) else {
                throw DomainError.validation(field: "TWILIO_RING_TIMEOUT", message: "must be a whole number of seconds in 5...600, got '\(raw)'")
            }
            ring = seconds
        }
        return TwilioSettings(accountSID: try required("TWILIO_ACCOUNT_SID"), authToken: try required("TWILIO_AUTH_TOKEN"), fromNumber: number,
                              apiBase: base.hasSuffix("/") ? String(base.dropLast()) : base, ringTimeout: ring)
    }
}
