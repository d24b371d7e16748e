import ArgumentParser
import CronSchedule
import Foundation

/// `etcron schedule`: evaluates a cron expression locally, without a cluster, so a
/// schedule can be checked before it is applied.
public struct ScheduleCommand: AsyncParsableCommand {
    /// The command, before its arguments are parsed.
    public init() {}
    public static let configuration = CommandConfiguration(
        commandName: "schedule",
        abstract: "Check a cron expression: list its next fire times or explain it in English.",
        subcommands: [ScheduleNextCommand.self, ScheduleExplainCommand.self]
    )
}

/// The expression and how to read it, shared by `next` and `explain`.
struct ScheduleExpressionOptions: ParsableArguments {
    @Argument(help: "A cron expression: 5 or 6 fields, an @descriptor, or '@every <duration>'.")
    var expression: String

    @Option(name: .customLong("tz"), help: "IANA time zone the expression is read in.")
    var timeZone: String = "UTC"

    @Option(help: "What H hashes: the job's tenant and name, e.g. acme/payroll.")
    var seed: String?

    /// Parses the schedule; on a bad expression or zone prints the error to stderr and
    /// exits with status 2.
    func schedule(anchor: CronInstant = .unixEpoch) throws -> CronSchedule {
        do {
            let zone = try CronTimeZone(identifier: timeZone)
            return try CronSchedule(expression, timeZone: zone, seed: seed, anchor: anchor)
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }
}

/// Prints fire times as RFC 3339 with the zone's offset.
func printFireTimes(of schedule: CronSchedule, after start: CronInstant, count: Int) {
    var printed = 0
    for fire in schedule.fireTimes(after: start).prefix(count) {
        print(RFC3339.format(fire, in: schedule.timeZone))
        printed += 1
    }
    if printed < count {
        FileHandle.standardError.write(Data("note: the schedule fires no further time\n".utf8))
    }
}

/// `etcron schedule next '<expr>' [--tz ZONE] [--from RFC3339] [--count N] [--seed NAME]`.
public struct ScheduleNextCommand: ParsableCommand {
    /// The command, before its arguments are parsed.
    public init() {}
    public static let configuration = CommandConfiguration(
        commandName: "next",
        abstract: "Print the next fire times of an expression, one RFC 3339 time per line."
    )

    @OptionGroup var options: ScheduleExpressionOptions

    @Option(help: "Start after this RFC 3339 instant (default: now). Also the @every anchor.")
    var from: String?

    @Option(help: "How many fire times to print.")
    var count: Int = 5

    public func validate() throws {
        guard (1...100_000).contains(count) else { throw ValidationError("--count must be between 1 and 100000") }
        if let from, RFC3339.parse(from) == nil {
            throw ValidationError("--from must be an RFC 3339 time such as 2025-11-02T01:30:00-04:00, got \"\(from)\"")
        }
    }

    public func run() throws {
        // The one clock read of the schedule engine: the default start.
        let start = from.flatMap(RFC3339.parse) ?? CronInstant(Date())
        let schedule = try options.schedule(anchor: start)
        printFireTimes(of: schedule, after: start, count: count)
    }
}

/// `etcron schedule explain '<expr>' [--tz ZONE] [--seed NAME]`.
public struct ScheduleExplainCommand: ParsableCommand {
    /// The command, before its arguments are parsed.
    public init() {}
    public static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Describe an expression in plain English and print its next 5 fire times."
    )

    @OptionGroup var options: ScheduleExpressionOptions

    public func run() throws {
        let now = CronInstant(Date())
        let schedule = try options.schedule(anchor: now)
        print(schedule.explanation)
        print("canonical: \(schedule.expression)")
        if schedule.firesAtFixedWallClockTimes && schedule.timeZone.hasTransitions {
            print("DST: fixed wall-clock time; a skipped time fires once after the jump, a repeated one once")
        } else if schedule.timeZone.hasTransitions && schedule.intervalSeconds == nil {
            print("DST: follows elapsed time; a skipped time does not fire, a repeated one fires twice")
        }
        print("next:")
        printFireTimes(of: schedule, after: now, count: 5)
    }
}
