import CronSchedule
import Foundation
import Testing

/// The library against ``ReferenceEvaluator`` on random expressions and windows.
@Suite("Differential: library agrees with a second-by-second reference")
struct DifferentialTests {
    static let zones = [
        "America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "Asia/Kathmandu", "UTC", "America/Sao_Paulo",
        "Pacific/Chatham",
    ]

    /// Checks one expression in one window: next, previous, count and mostRecent all
    /// agree with the reference.
    static func check(_ expression: RandomExpression, zoneName: String, from: Int, through: Int) throws {
        let zone = try CronTimeZone(identifier: zoneName)
        if let error = parseError(expression.text, tz: zoneName) {
            // Random day fields can match no date at all; nothing else may be refused.
            #expect(error.code == .neverFires, "\(expression.text): \(error)")
            return
        }
        let schedule = try CronSchedule(expression.text, timeZone: zone)
        var reference = ReferenceEvaluator(expression, timeZone: TimeZone(identifier: zoneName)!)
        let expected = reference.fires(after: from, through: through)

        var forward: [Int] = []
        var cursor = CronInstant(secondsSinceEpoch: Int64(from))
        while let fire = schedule.next(after: cursor), fire.secondsSinceEpoch <= through {
            forward.append(Int(fire.secondsSinceEpoch))
            cursor = fire
        }
        let context = "\(expression.text) in \(zoneName) after \(CronInstant(secondsSinceEpoch: Int64(from)))"
        #expect(forward == expected, "next: \(context): \(difference(forward, expected, zone))")

        var backward: [Int] = []
        cursor = CronInstant(secondsSinceEpoch: Int64(through) + 1)
        while let fire = schedule.previous(before: cursor), fire.secondsSinceEpoch > from {
            backward.append(Int(fire.secondsSinceEpoch))
            cursor = fire
        }
        #expect(Array(backward.reversed()) == expected, "previous: \(context): \(difference(backward.reversed(), expected, zone))")

        let counted = schedule.count(
            after: CronInstant(secondsSinceEpoch: Int64(from)), atOrBefore: CronInstant(secondsSinceEpoch: Int64(through)))
        #expect(counted == expected.count, "count: \(context)")

        let recent = schedule.mostRecent(
            atOrBefore: CronInstant(secondsSinceEpoch: Int64(through)), notBefore: CronInstant(secondsSinceEpoch: Int64(from + 1)))
        #expect(recent.map { Int($0.secondsSinceEpoch) } == expected.last, "mostRecent: \(context)")
    }

    /// The first place two lists of fire times differ, readably.
    static func difference(_ actual: [Int], _ expected: [Int], _ zone: CronTimeZone) -> String {
        func show(_ list: [Int], _ index: Int) -> String {
            index < list.count ? RFC3339.format(CronInstant(secondsSinceEpoch: Int64(list[index])), in: zone) : "none"
        }
        let index = zip(actual, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(actual.count, expected.count)
        return "at #\(index) library \(show(actual, index)), reference \(show(expected, index)) (\(actual.count) vs \(expected.count) fires)"
    }

    /// A window start: half the time just before a DST change Foundation knows of,
    /// otherwise anywhere in 1990-2037.
    static func windowStart(zone: String, using rng: inout SeededGenerator) -> Int {
        let random = Int.random(in: 631_152_000...2_114_380_800, using: &rng)  // 1990...2037
        if Bool.random(using: &rng),
           let change = TimeZone(identifier: zone)!.nextDaylightSavingTimeTransition(after: Date(timeIntervalSince1970: TimeInterval(random))) {
            return Int(change.timeIntervalSince1970) - Int.random(in: 0...(20 * 3600), using: &rng)
        }
        return random
    }

    @Test("5-field schedules agree over one-day windows, around DST changes and not")
    func fiveFieldAgree() throws {
        var rng = SeededGenerator(seed: 0xC0FFEE)
        for index in 0..<1_500 {
            let expression = RandomExpression.random(using: &rng, allowSeconds: false, frequent: index % 3 == 0)
            let zone = Self.zones[index % Self.zones.count]
            let from = Self.windowStart(zone: zone, using: &rng)
            try Self.check(expression, zoneName: zone, from: from, through: from + 86_400)
        }
    }

    @Test("Fixed-time schedules at the hours DST changes touch agree across the change")
    func fixedAcrossChangesAgree() throws {
        var rng = SeededGenerator(seed: 0xD57)
        let changing = Self.zones.filter { $0 != "UTC" && $0 != "Asia/Kathmandu" }
        for index in 0..<400 {
            let expression = RandomExpression.random(using: &rng, allowSeconds: false, fixedAtDSTHours: true)
            let zone = changing[index % changing.count]
            let random = Int.random(in: 631_152_000...2_114_380_800, using: &rng)
            // Sao Paulo has had no DST since 2019; such a draw just checks ordinary days.
            let change = TimeZone(identifier: zone)!.nextDaylightSavingTimeTransition(
                after: Date(timeIntervalSince1970: TimeInterval(random))) ?? Date(timeIntervalSince1970: TimeInterval(random))
            let from = Int(change.timeIntervalSince1970) - Int.random(in: 3600...(20 * 3600), using: &rng)
            try Self.check(expression, zoneName: zone, from: from, through: from + 86_400)
        }
    }

    @Test("6-field schedules agree second by second over four-hour windows")
    func sixFieldAgree() throws {
        var rng = SeededGenerator(seed: 0xBADC0DE)
        var checked = 0
        while checked < 120 {
            let expression = RandomExpression.random(using: &rng, allowSeconds: true, frequent: true)
            guard expression.hasSeconds else { continue }
            let zone = Self.zones[checked % Self.zones.count]
            var from = Self.windowStart(zone: zone, using: &rng)
            from += 12 * 3600 - 2 * 3600  // centre the 4 h window on the change when there is one
            try Self.check(expression, zoneName: zone, from: from, through: from + 4 * 3600)
            checked += 1
        }
    }

    @Test("Sparse schedules agree over ten-day windows")
    func sparseAgree() throws {
        var rng = SeededGenerator(seed: 0x5EED)
        for index in 0..<150 {
            // Hours not `*`: a few fires a day at most, so ten days stay cheap.
            let expression = RandomExpression.random(using: &rng, allowSeconds: false)
            if expression.hourStar { continue }
            let zone = Self.zones[index % Self.zones.count]
            let from = Self.windowStart(zone: zone, using: &rng) - 5 * 86_400
            try Self.check(expression, zoneName: zone, from: from, through: from + 10 * 86_400)
        }
    }
}
