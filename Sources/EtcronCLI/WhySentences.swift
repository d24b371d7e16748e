import CronSchedule
import EtcronCore
import EtcronProto
import Foundation

/// The answer to "did my cron run, and if not, why?" in sentences: one line about the job
/// (its schedule, whether it is suspended, its next run) and one per decision, newest
/// first, in the job's time zone. Pure: `etcron why` gives it what it read.
enum WhySentences {
    /// The lines for `decisions` (newest first) of a job with `spec`, whose runs (those
    /// still kept) are `runs`, at `now`.
    static func lines(
        job: JobID, spec: Etcron_V1_JobSpec, schedule: CronSchedule?, decisions: [Etcron_V1_Decision],
        runs: [String: Etcron_V1_Run], now: Date
    ) -> [String] {
        let zone = schedule?.timeZone ?? .utc
        func at(_ unix: Int64) -> String { clock(unix, zone) }
        var lines: [String] = []
        var header = "\(job): \(schedule?.explanation ?? "\"\(spec.schedule)\"")"
        if spec.suspend {
            header += "; suspended, so no run starts until it is resumed"
        } else if let schedule, let next = schedule.next(after: CronInstant(secondsSinceEpoch: Int64(now.timeIntervalSince1970))) {
            header += "; next run at \(RFC3339.format(next, in: zone))"
        }
        lines.append(header)
        if decisions.isEmpty { lines.append("  no decision yet: the job has not been due since it was created") }
        for decision in decisions {
            let time = at(decision.scheduledUnix)
            let range = decision.count > 1 ? "\(at(decision.rangeStartUnix)) to \(time) (\(decision.count) times)" : time
            let sentence: String
            switch (decision.kind, decision.reason) {
            case (.invoke, _):
                sentence = "\(time): " + invoked(decision, run: runs[decision.runID], zone: zone)
            case (_, .concurrencyPolicy):
                sentence = "skipped \(range) because of the concurrency policy: \(decision.message)"
            case (_, .missedDeadline):
                sentence = "missed \(range): \(decision.message)"
            case (_, .suspended):
                sentence = "skipped \(range) because the job was suspended"
            case (_, .quota):
                sentence = "skipped \(range) because of the tenant's quota: \(decision.message)"
            case (_, .error):
                sentence = "could not be scheduled (found at \(at(decision.decidedAtUnixMs / 1000))): \(decision.message)"
            default:
                sentence = "skipped \(range): \(decision.message)"
            }
            lines.append("  " + sentence)
        }
        return lines
    }

    /// What became of an invoke's run.
    private static func invoked(_ decision: Etcron_V1_Decision, run: Etcron_V1_Run?, zone: CronTimeZone) -> String {
        guard let run else { return "ran (run \(decision.runID); its record is no longer kept)" }
        let started = run.startedAtUnixMs > 0
            ? "ran at \(clock(run.startedAtUnixMs, zone, milliseconds: true)) (start delay \(max(0, run.startedAtUnixMs - run.scheduledUnix * 1000)) ms)"
            : "was invoked"
        let took = run.finishedAtUnixMs >= run.startedAtUnixMs && run.startedAtUnixMs > 0
            ? " in \(seconds(run.finishedAtUnixMs - run.startedAtUnixMs))" : ""
        let attempts = run.attempts > 1 ? " after \(run.attempts) attempts" : ""
        let detail = run.message.isEmpty ? "" : ": \(run.message)"
        switch run.state {
        case .succeeded: return "\(started) and succeeded\(attempts)\(took)"
        case .failed: return "\(started) and failed\(attempts)\(took)\(detail)"
        case .timedOut: return "\(started) and timed out\(attempts)\(took)\(detail)"
        case .stopped: return "\(started) and was stopped\(took)\(detail)"
        case .executorLost: return "\(started), but its executor was lost\(detail)"
        case .running: return "\(started) and is still running"
        default: return "was invoked and waits to start\(detail)"
        }
    }

    /// An RFC 3339 time in `zone` (`2026-01-01T10:00:00+01:00`), with milliseconds when
    /// `unix` counts them (`...T10:00:00.120+01:00`).
    private static func clock(_ unix: Int64, _ zone: CronTimeZone, milliseconds: Bool = false) -> String {
        let text = RFC3339.format(CronInstant(secondsSinceEpoch: milliseconds ? unix / 1000 : unix), in: zone)
        guard milliseconds, text.count > 19 else { return text }
        let fraction = String(unix % 1000)
        // `YYYY-MM-DDTHH:MM:SS` is 19 characters; the zone designator follows.
        return text.prefix(19) + "." + String(repeating: "0", count: 3 - fraction.count) + fraction + text.dropFirst(19)
    }

    /// `3.4 s`, `2 min 5 s`.
    private static func seconds(_ milliseconds: Int64) -> String {
        if milliseconds < 60_000 { return String(format: "%.1f s", Double(milliseconds) / 1000) }
        return "\(milliseconds / 60_000) min \(milliseconds % 60_000 / 1000) s"
    }
}
