import Foundation
import ParleyDomain

extension SessionReport {
    /// A made-up but plausible report of `rowCount` sessions over 30 days from `start`, the same
    /// every time (a fixed pseudo-random sequence): for `parley report --demo`, the benchmark and tests.
    public static func sample(
        rowCount: Int, start: Date = Date(timeIntervalSince1970: 1_698_796_800), ownerName: String = "Alex Morgan"
    ) -> SessionReport {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Double {
            // SplitMix64: a tiny generator whose sequence is fixed by its seed on every platform.
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
        }
        let topics = ["Quarterly review", "Product pitch", "Team stand-up", "Investor update", "Conference talk",
                      "Customer demo", "Interview practice", "Wedding toast"]
        let types = ["presentation", "pitch", "meeting", "interview", "practice"]
        let days = 30.0
        let rows = (0..<rowCount).map { index -> Row in
            let offset = days * 86_400 * (Double(index) + next()) / Double(max(1, rowCount))
            let progress = Double(index) / Double(max(1, rowCount - 1))
            let failed = next() < 0.06
            return Row(
                date: start.addingTimeInterval((offset).rounded()),
                title: "\(topics[Int(next() * Double(topics.count))]) #\(index + 1)",
                type: types[Int(next() * Double(types.count))],
                status: failed ? "failed" : "completed",
                duration: (120 + next() * 480).rounded(),
                score: failed ? nil : ((68 + 14 * progress + next() * 12) * 10).rounded() / 10)
        }
        return SessionReport(
            title: "Speaking progress report", ownerName: ownerName,
            period: Period(start: start, end: start.addingTimeInterval(days * 86_400 - 1)), rows: rows)
    }
}
