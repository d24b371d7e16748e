import Foundation

/// CPU time and resident memory of another process, read from `/proc/<pid>`.
struct ProcessProbe: Sendable {
    let pid: Int32

    /// User plus system CPU time the process has used so far; nil once it is gone.
    func cpuTime() -> Duration? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        // Fields after the command name: state is field 3, utime 14, stime 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Int64(fields[11]), let system = Int64(fields[12]) else { return nil }
        let ticks = Int64(sysconf(Int32(_SC_CLK_TCK)))
        return .milliseconds((user + system) * 1000 / max(ticks, 1))
    }

    /// Resident set size in bytes; nil once the process is gone.
    func residentBytes() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 2, let kibibytes = Int(fields[1]) else { return nil }
            return kibibytes * 1024
        }
        return nil
    }

    /// Waits until the process used less than `fraction` of a core over a `window`, so
    /// the work a burst of writes caused (watch events, syncs) is done; gives up after
    /// `limit`. Returns how long it took.
    func waitUntilQuiet(fraction: Double = 0.05, window: Duration = .milliseconds(500), limit: Duration = .seconds(120)) async throws -> Duration {
        let start = ContinuousClock.now
        var last = cpuTime() ?? .zero
        while ContinuousClock.now - start < limit {
            try await Task.sleep(for: window)
            let now = cpuTime() ?? .zero
            if (now - last).seconds < window.seconds * fraction { break }
            last = now
        }
        return ContinuousClock.now - start
    }
}
