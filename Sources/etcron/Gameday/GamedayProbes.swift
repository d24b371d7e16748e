import CronSchedule
import Foundation

/// What the probe jobs' targets recorded, independently of etcron's records: each
/// execution appends `<run ID> <scheduled time, RFC 3339> <start, Unix ms>` to its job's own file.
struct GamedayProbes {
    /// One execution.
    struct Execution: Hashable {
        var job: String
        var runID: String
        var scheduledUnix: Int64
        var startedMs: Int64
    }

    let directory: String

    /// The shell line a probe job runs: append one line to `file`.
    static func command(file: String) -> [String] {
        ["-c", "echo \"$ETCRON_RUN_ID $ETCRON_SCHEDULED_TIME $(date +%s%3N)\" >> '\(file)'"]
    }

    /// Every execution recorded, with scheduled times in `(from, to]`.
    func executions(from: Int64, to: Int64) -> [Execution] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return files.filter { $0.hasSuffix(".log") }.flatMap { file -> [Execution] in
            let job = String(file.dropLast(4))
            let text = (try? String(contentsOfFile: directory + "/" + file, encoding: .utf8)) ?? ""
            return text.split(separator: "\n").compactMap { line -> Execution? in
                let fields = line.split(separator: " ")
                guard fields.count == 3, let scheduled = RFC3339.parse(String(fields[1]))?.secondsSinceEpoch, let started = Int64(fields[2])
                else { return nil }
                guard scheduled > from, scheduled <= to else { return nil }
                return Execution(job: job, runID: String(fields[0]), scheduledUnix: scheduled, startedMs: started)
            }
        }
    }

    /// Scheduled times a probe executed more than once, as `job@time`.
    static func doubles(_ executions: [Execution]) -> [String] {
        Dictionary(grouping: executions) { "\($0.job)@\($0.scheduledUnix)" }.filter { $0.value.count > 1 }.keys.sorted()
    }
}
