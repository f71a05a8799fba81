import Foundation
import ParleyDomain
import Testing

/// The rules campaigns dial by: numbers in E.164, and calling hours in the callee's time zone.
@Suite("Voice Agents: phone numbers and calling hours")
struct CampaignRulesTests {
    @Test func numbersAreNormalisedToE164OrRefused() {
        #expect(PhoneNumber.e164("+1 (415) 555-0123") == "+14155550123")
        #expect(PhoneNumber.e164("0044 20 7946 0958") == "+442079460958")
        #expect(PhoneNumber.e164(" +33.1.23.45.67.89 ") == "+33123456789")
        for bad in ["4155550123", "+0123456789", "+1 415 CALL NOW", "+1234", "+1234567890123456", ""] {
            #expect(PhoneNumber.e164(bad) == nil, "\(bad)")
        }
    }

    /// 09:00–17:00 weekdays in New York, checked at instants whose local time is known.
    @Test func callingHoursFollowTheCalleesTimeZone() throws {
        let hours = CallingHours(timeZone: "America/New_York", start: 9 * 60, end: 17 * 60, weekdays: [2, 3, 4, 5, 6])
        let iso = { (text: String) in try Date(text, strategy: .iso8601) }
        #expect(hours.contains(try iso("2026-12-07T14:30:00Z")))    // Monday 09:30 in New York
        #expect(!hours.contains(try iso("2026-12-07T13:30:00Z")))   // Monday 08:30
        #expect(!hours.contains(try iso("2026-12-07T22:00:00Z")))   // Monday 17:00: the end is not inside
        #expect(!hours.contains(try iso("2026-12-06T15:00:00Z")))   // Sunday
        // Saturday noon in New York: the next opening is Monday 09:00 there (14:00 UTC).
        let saturday = try iso("2026-12-05T17:00:00Z"), monday = try iso("2026-12-07T14:00:00Z")
        #expect(hours.nextOpening(after: saturday) == monday)
        // A window past midnight, and one with no days at all.
        let night = CallingHours(timeZone: "UTC", start: 22 * 60, end: 2 * 60, weekdays: Array(1...7))
        let late = try iso("2026-12-07T23:30:00Z"), early = try iso("2026-12-08T01:00:00Z"), after = try iso("2026-12-08T03:00:00Z")
        #expect(night.contains(late) && night.contains(early))
        #expect(!night.contains(after))
        #expect(CallingHours(timeZone: "UTC", start: 0, end: 60, weekdays: []).nextOpening(after: Date()) == nil)
    }
}
