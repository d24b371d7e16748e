import ArgumentParser
import CronSchedule
import Foundation

/// `etcron-bench schedule`: parse, next-fire and catch-up throughput of the schedule
/// engine over a realistic mix of 100,000 job schedules, against Foundation's
/// `Calendar.nextDate` on equivalent simple expressions measured in the same run.
struct ScheduleBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule",
        abstract: "Cron schedule engine throughput (parse, next, mostRecent, count) against Foundation."
    )

    @Option(help: "Number of distinct job schedules in the mix.")
    var jobs: Int = 100_000

    @Option(help: "next(after:) calls to time (spread over the mix).")
    var nextCalls: Int = 2_000_000

    @Option(help: "Calendar.nextDate calls for the Foundation baseline (it is slow).")
    var baselineCalls: Int = 20_000

    func run() throws {
        let specs = ScheduleMix.make(count: jobs)
        print("schedule.jobs: \(specs.count) schedules")

        // Zones are loaded once per process; warm the cache so parse measures parsing.
        var zones: [String: CronTimeZone] = [:]
        for name in ScheduleMix.zoneNames { zones[name] = try CronTimeZone(identifier: name) }

        var schedules: [CronSchedule] = []
        schedules.reserveCapacity(specs.count)
        let parseSeconds = try measure {
            for spec in specs {
                schedules.append(try CronSchedule(spec.expression, timeZone: zones[spec.zone]!, seed: spec.seed))
            }
        }
        print("schedule.parse: \(rate(specs.count, parseSeconds)) expr/s")
        print("schedule.distinct: \(Set(schedules).count) schedules")

        // Instants spread over a year, including both 2025 DST changes.
        let base = RFC3339.parse("2025-01-01T00:00:00Z")!.secondsSinceEpoch
        let span: Int64 = 366 * 86_400
        var sink: Int64 = 0
        let nextSeconds = measure {
            var probe = base
            for i in 0..<nextCalls {
                probe = base + (probe - base + 7_919_777) % span
                let fire = schedules[i % schedules.count].next(after: CronInstant(secondsSinceEpoch: probe))
                sink &+= fire?.secondsSinceEpoch ?? 0
            }
        }
        let nextRate = rate(nextCalls, nextSeconds)
        print("schedule.next: \(nextRate) calls/s")

        let outage: Int64 = 30 * 86_400
        let recentCalls = nextCalls / 2
        let recentSeconds = measure {
            var probe = base
            for i in 0..<recentCalls {
                probe = base + (probe - base + 7_919_777) % span
                let upper = CronInstant(secondsSinceEpoch: probe + outage)
                let fire = schedules[i % schedules.count].mostRecent(
                    atOrBefore: upper, notBefore: CronInstant(secondsSinceEpoch: probe))
                sink &+= fire?.secondsSinceEpoch ?? 0
            }
        }
        print("schedule.mostRecent_30d: \(rate(recentCalls, recentSeconds)) calls/s")

        let countCalls = nextCalls / 10
        let countSeconds = measure {
            var probe = base
            for i in 0..<countCalls {
                probe = base + (probe - base + 7_919_777) % span
                sink &+= Int64(schedules[i % schedules.count].count(
                    after: CronInstant(secondsSinceEpoch: probe), atOrBefore: CronInstant(secondsSinceEpoch: probe + outage)))
            }
        }
        print("schedule.count_30d: \(rate(countCalls, countSeconds)) calls/s")

        try baseline(base: base, span: span, sink: &sink)
        blackHole(sink)
    }

    /// Foundation's `Calendar.nextDate(after:matching:matchingPolicy:)` against the
    /// library on the same simple expressions (hourly at a minute, daily at a time) in
    /// the same zones.
    private func baseline(base: Int64, span: Int64, sink: inout Int64) throws {
        var calendars: [Calendar] = []
        var schedules: [CronSchedule] = []
        var components: [DateComponents] = []
        for i in 0..<1_000 {
            let name = ScheduleMix.zoneNames[i % ScheduleMix.zoneNames.count]
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: name)!
            let minute = (i * 7) % 60
            let hour = (i * 5) % 24
            let daily = i % 2 == 0
            calendars.append(calendar)
            components.append(daily ? DateComponents(hour: hour, minute: minute, second: 0) : DateComponents(minute: minute, second: 0))
            schedules.append(try CronSchedule(daily ? "\(minute) \(hour) * * *" : "\(minute) * * * *", timeZone: CronTimeZone(identifier: name)))
        }
        let foundationSeconds = measure {
            var probe = base
            for i in 0..<baselineCalls {
                probe = base + (probe - base + 7_919_777) % span
                let k = i % calendars.count
                let date = calendars[k].nextDate(
                    after: Date(timeIntervalSince1970: TimeInterval(probe)), matching: components[k], matchingPolicy: .nextTime)
                sink &+= Int64(date?.timeIntervalSince1970 ?? 0)
            }
        }
        let libraryCalls = baselineCalls * 50
        let librarySeconds = measure {
            var probe = base
            for i in 0..<libraryCalls {
                probe = base + (probe - base + 7_919_777) % span
                sink &+= schedules[i % schedules.count].next(after: CronInstant(secondsSinceEpoch: probe))?.secondsSinceEpoch ?? 0
            }
        }
        let foundationRate = Double(baselineCalls) / foundationSeconds
        let libraryRate = Double(libraryCalls) / librarySeconds
        print("schedule.baseline.foundation_nextDate: \(Int(foundationRate)) calls/s")
        print("schedule.next_simple: \(Int(libraryRate)) calls/s")
        print("schedule.next_simple_vs_foundation: \(String(format: "%.1f", libraryRate / foundationRate)) x")
    }

    private func measure(_ body: () throws -> Void) rethrows -> Double {
        let clock = ContinuousClock()
        let start = clock.now
        try body()
        let elapsed = clock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    private func rate(_ count: Int, _ seconds: Double) -> Int {
        Int(Double(count) / max(seconds, 1e-9))
    }
}

/// Keeps a value alive so the optimizer cannot drop the work that produced it.
@inline(never)
func blackHole(_ value: Int64) {
    if value == 0x5EED_5EED { print("") }
}

/// A deterministic mix of job schedules like a multi-tenant platform's: every minute,
/// every N minutes, hourly at fixed minutes, business hours on weekdays, daily, monthly,
/// `H` with per-job seeds; about half in UTC, the rest spread over DST and odd-offset zones.
enum ScheduleMix {
    struct Spec {
        var expression: String
        var zone: String
        var seed: String?
    }

    static let zoneNames = [
        "UTC", "America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "Asia/Kathmandu", "Asia/Tokyo",
        "America/Sao_Paulo",
    ]

    static func make(count: Int) -> [Spec] {
        var rng = SplitMix64(seed: 42)
        var specs: [Spec] = []
        specs.reserveCapacity(count)
        for i in 0..<count {
            let zone = rng.next() % 2 == 0 ? "UTC" : zoneNames[Int(rng.next() % UInt64(zoneNames.count))]
            let m = Int(rng.next() % 60)
            let h = Int(rng.next() % 24)
            let seed = "tenant-\(i % 500)/job-\(i)"
            let expression: String
            var useSeed = false
            let d = 1 + rng.next() % 28
            switch rng.next() % 20 {
            case 0: expression = "* * * * *"
            case 1: expression = "\(m % 10)-59 * * * *"
            case 2, 3: expression = "\(m % [2, 5, 10, 15, 30][Int(rng.next() % 5)])-59/\([2, 5, 10, 15, 30][Int(rng.next() % 5)]) * * * *"
            case 4: expression = "*/5 \(h % 6)-\(18 + h % 6) * * *"
            case 5, 6: expression = "\(m) * * * *"
            case 7: expression = "\(m % 30),\(m % 30 + 30) \(h % 4)-23 * * *"
            case 8, 9: expression = "\(m) \(6 + h % 5)-\(15 + h % 6) * * MON-FRI"
            case 10: expression = "*/15 \(6 + h % 4)-\(16 + h % 4) * * 1-5"
            case 11, 12: expression = "\(m) \(h) * * *"
            case 13: expression = "\(m) \(h) \(d) * *"
            case 14: expression = "\(m) \(h) L * *"
            case 15: expression = "\(m) \(h) * * \(d % 7)L"
            case 16: expression = "H * * * *"; useSeed = true
            case 17: expression = "H H * * *"; useSeed = true
            case 18: expression = "H/15 * * * *"; useSeed = true
            default: expression = "H H(8-10) * * 1-5"; useSeed = true
            }
            specs.append(Spec(expression: expression, zone: zone, seed: useSeed ? seed : nil))
        }
        return specs
    }
}

/// A tiny deterministic generator, so every run benchmarks the same mix.
struct SplitMix64 {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
