import Dispatch
import Foundation
import SpawnSupport

#if canImport(Glibc)
import Glibc
#endif

/// The exec target's own ceiling, for `etcron-bench herd --target exec`: how many
/// `/bin/true` runs through the exec guard this machine starts and reaps per second, one
/// spawner per core, with nothing else running (the nginx ceiling's counterpart: a herd of
/// exec runs cannot start faster than processes can).
enum ExecSpawnCeiling {
    /// Runs/s over `runs` spawns of `guardPath -- /bin/true`.
    static func measure(guardPath: String, runs: Int) -> Double {
        let spawners = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let each = max(1, runs / spawners)
        let argv = [guardPath, "--parent-pid", String(getpid()), "--", "/bin/true", "/bin/true"]
        let started = ContinuousClock.now
        DispatchQueue.concurrentPerform(iterations: spawners) { _ in
            for _ in 0..<each {
                guard case .success(let pid) = CleanSpawn.spawn(path: guardPath, argv: argv, environment: nil, actions: nil, newProcessGroup: false)
                else { continue }
                var status: Int32 = 0
                _ = waitpid(pid, &status, 0)
            }
        }
        let elapsed = ContinuousClock.now - started
        return Double(each * spawners) / max(0.001, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
}
