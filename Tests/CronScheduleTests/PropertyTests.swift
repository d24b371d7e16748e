import CronSchedule
import Testing

@Suite("Properties over random expressions, instants and zones")
struct PropertyTests {
    static let zones = ["UTC", "America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "Asia/Kathmandu", "Pacific/Chatham"]

    /// Random schedules that parse (day patterns that never fire are skipped),
    /// each with a random zone and a random instant in 1950-2150.
    static func cases(count: Int, seed: UInt64) -> [(CronSchedule, CronInstant)] {
        var rng = SeededGenerator(seed: seed)
        var result: [(CronSchedule, CronInstant)] = []
        while result.count < count {
            let zone = try! CronTimeZone(identifier: zones[Int.random(in: 0..<zones.count, using: &rng)])
            let text: String
            if Int.random(in: 0..<10, using: &rng) == 0 {
                text = "@every \(Int.random(in: 1...100_000, using: &rng))s"
            } else {
                text = RandomExpression.random(using: &rng).text
            }
            let anchor = CronInstant(secondsSinceEpoch: Int64.random(in: -1_000_000_000...2_000_000_000, using: &rng))
            guard let schedule = try? CronSchedule(text, timeZone: zone, anchor: anchor) else { continue }
            let instant = CronInstant(secondsSinceEpoch: Int64.random(in: -631_152_000...5_680_281_600, using: &rng))
            result.append((schedule, instant))
        }
        return result
    }

    @Test("next(after: t) > t and nothing fires in between")
    func nextIsStrictlyAfter() {
        for (schedule, t) in Self.cases(count: 3_000, seed: 1) {
            guard let next = schedule.next(after: t) else {
                Issue.record("no next for \(schedule) after \(t)")
                continue
            }
            #expect(next > t, "\(schedule) after \(t)")
            #expect(schedule.previous(before: next).map { $0 <= t } ?? true, "\(schedule) after \(t)")
            #expect(schedule.count(after: t, atOrBefore: next) == 1, "\(schedule) after \(t)")
        }
    }

    @Test("previous(before: t) < t and next of it comes back to the first fire at or after t")
    func previousIsStrictlyBefore() {
        for (schedule, t) in Self.cases(count: 3_000, seed: 2) {
            guard let previous = schedule.previous(before: t) else {
                Issue.record("no previous for \(schedule) before \(t)")
                continue
            }
            #expect(previous < t, "\(schedule) before \(t)")
            let next = schedule.next(after: previous)
            #expect(next.map { $0 >= t } ?? false, "\(schedule) before \(t)")
        }
    }

    @Test("The iterator is strictly increasing and previous walks it back exactly")
    func iteratorIncreasing() {
        for (schedule, t) in Self.cases(count: 300, seed: 3) {
            let list = Array(schedule.fireTimes(after: t).prefix(30))
            #expect(list.count == 30, "\(schedule)")
            #expect(zip(list, list.dropFirst()).allSatisfy { $0 < $1 }, "\(schedule)")
            var back: [CronInstant] = []
            var cursor = list.last!.adding(seconds: 1)
            while back.count < list.count, let previous = schedule.previous(before: cursor) {
                back.append(previous)
                cursor = previous
            }
            #expect(Array(back.reversed()) == list, "\(schedule) after \(t)")
        }
    }

    @Test("mostRecent agrees with walking previous, and count with walking next")
    func mostRecentAndCount() {
        var rng = SeededGenerator(seed: 4)
        for (schedule, t) in Self.cases(count: 1_500, seed: 5) {
            let window = Int64.random(in: 0...(3 * 86_400), using: &rng)
            let lower = t.adding(seconds: -window)
            let walked = schedule.previous(before: t.adding(seconds: 1)).flatMap { $0 >= lower ? $0 : nil }
            #expect(schedule.mostRecent(atOrBefore: t, notBefore: lower) == walked, "\(schedule) in \(lower)...\(t)")

            var count = 0
            var cursor = lower
            while count <= 5_000, let next = schedule.next(after: cursor), next <= t {
                count += 1
                cursor = next
            }
            if count <= 5_000 {
                #expect(schedule.count(after: lower, atOrBefore: t) == count, "\(schedule) in \(lower)...\(t)")
            }
        }
    }

    @Test("mostRecent costs the same for a million missed times as for one")
    func mostRecentIsNotIterative() throws {
        let schedule = try CronSchedule("* * * * * *", timeZoneIdentifier: "Europe/Berlin")
        let now = at("2025-06-01T12:00:00Z")
        let clock = ContinuousClock()
        let start = clock.now
        for _ in 0..<1_000 {
            _ = schedule.mostRecent(atOrBefore: now, notBefore: at("2020-01-01T00:00:00Z"))
            _ = schedule.count(after: at("2020-01-01T00:00:00Z"), atOrBefore: now)
        }
        #expect(clock.now - start < .seconds(2))
        #expect(schedule.count(after: at("2025-05-31T12:00:00Z"), atOrBefore: now) == 86_400)
    }

    @Test("Schedules and zones are usable from many tasks at once")
    func concurrentUse() async throws {
        let names = Self.zones + ["Asia/Tokyo", "America/Sao_Paulo", "Europe/London"]
        let results = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<64 {
                group.addTask {
                    let zone = try CronTimeZone(identifier: names[index % names.count])
                    let schedule = try CronSchedule("0 9 * * 1-5", timeZone: zone)
                    return RFC3339.format(schedule.next(after: at("2025-06-01T00:00:00Z"))!, in: zone)
                }
            }
            var all: [String] = []
            for try await result in group { all.append(result) }
            return all
        }
        #expect(Set(results).count == names.count)
    }
}
