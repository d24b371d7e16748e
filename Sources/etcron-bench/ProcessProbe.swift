import Foundation

/// CPU time and resident memory of another process, read from `/proc/<pid>`.
struct ProcessProbe: Sendable {
    let pid: Int32

    /// User plus system CPU time the process has used so far; nil once it is gone.
    func cpuTime() -> Duration? {
        statTicks(user: 11, system: 12)
    }

    /// User plus system CPU time of the children it has waited for (and theirs it waited
    /// for in turn); nil once it is gone.
    func childrenCPUTime() -> Duration? {
        statTicks(user: 13, system: 14)
    }

    /// The CPU of its children, reaped or running, and of theirs they reaped
    /// (`descendants`: a replica's exec guard and the targets it reaped), and of its running
    /// children themselves (`running`: the guard's own). Nil once the process is gone.
    func childrenUsage() -> (descendants: Duration, running: Duration)? {
        guard var descendants = childrenCPUTime() else { return nil }
        var running = Duration.zero
        for child in liveChildren() {
            let probe = ProcessProbe(pid: child)
            let own = probe.cpuTime() ?? .zero
            running += own
            descendants += own + (probe.childrenCPUTime() ?? .zero)
        }
        return (descendants, running)
    }

    /// The pids whose parent it is (field 4 of `/proc/<pid>/stat`).
    private func liveChildren() -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry in
            guard let candidate = Int32(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return nil }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 1 && Int32(fields[1]) == pid ? candidate : nil
        }
    }

    /// Two clock-tick fields of `/proc/<pid>/stat`, counted after the command name (state
    /// is 0 there: field 3 of the file; utime 14, stime 15, cutime 16, cstime 17), summed.
    private func statTicks(user: Int, system: Int) -> Duration? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > max(user, system), let userTicks = Int64(fields[user]), let systemTicks = Int64(fields[system]) else {
            return nil
        }
        let ticks = Int64(sysconf(Int32(_SC_CLK_TCK)))
        return .milliseconds((userTicks + systemTicks) * 1000 / max(ticks, 1))
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
