import Dispatch
import Foundation
import SpawnSupport
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The exec target's own ceiling, for `etcron-bench herd --target exec`: how many
/// `/bin/true` runs this machine starts and reaps per second with nothing else running
/// (the nginx ceiling's counterpart: a herd of exec runs cannot start faster than
/// processes can), through the exec guard as a run is, and without it.
///
/// One spawner per core, each with `outstanding` children alive at once, as an executor
/// has many runs going: a spawner that waited for each child before the next would
/// measure the round trip, not the rate.
enum ExecSpawnCeiling {
    /// Runs/s over `runs` spawns of `guardPath -- /bin/true`.
    static func measure(guardPath: String, runs: Int, outstanding: Int = 16) throws -> Double {
        guard FileManager.default.isExecutableFile(atPath: guardPath) else {
            throw FailoverError("no exec guard at \(guardPath) (build it: swift build -c release --product etcron-exec-guard)")
        }
        return try measure(path: guardPath, argv: [guardPath, "--parent-pid", String(getpid()), "--", "/bin/true", "/bin/true"], runs: runs, outstanding: outstanding)
    }

    /// Runs/s over `runs` spawns of `/bin/true` itself: what the guard's own start costs
    /// is the difference.
    static func measureWithoutGuard(runs: Int, outstanding: Int = 16) throws -> Double {
        try measure(path: "/bin/true", argv: ["/bin/true"], runs: runs, outstanding: outstanding)
    }

    private static func measure(path: String, argv: [String], runs: Int, outstanding: Int) throws -> Double {
        let spawners = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let each = max(1, runs / spawners)
        let failures = Mutex(0)
        let started = ContinuousClock.now
        DispatchQueue.concurrentPerform(iterations: spawners) { _ in
            // Each spawner reaps its own children by pid, oldest first: the bench's other
            // children (etcd, nginx, the replicas) are not ours to reap.
            var alive: [pid_t] = []
            alive.reserveCapacity(outstanding)
            var oldest = 0
            func reapOldest() {
                var status: Int32 = 0
                _ = waitpid(alive[oldest], &status, 0)
                oldest += 1
            }
            for _ in 0..<each {
                if alive.count - oldest >= outstanding { reapOldest() }
                if oldest == alive.count {
                    alive.removeAll(keepingCapacity: true)
                    oldest = 0
                }
                switch CleanSpawn.spawn(path: path, argv: argv, environment: nil, actions: nil, newProcessGroup: false) {
                case .success(let pid): alive.append(pid)
                case .failure: failures.withLock { $0 += 1 }
                }
            }
            while oldest < alive.count { reapOldest() }
        }
        let elapsed = ContinuousClock.now - started
        let failed = failures.withLock { $0 }
        guard failed == 0 else { throw FailoverError("\(failed) of \(each * spawners) starts of \(path) failed") }
        return Double(each * spawners) / max(0.001, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
}
