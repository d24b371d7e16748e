import Dispatch
import EtcronCore
import EtcronExecutor
import EtcronProto
import Foundation
import Logging
import SpawnSupport
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The exec target's own ceiling, for `etcron-bench herd --target exec`: how many
/// `/bin/true` runs this machine starts and reaps per second with nothing else running
/// (the nginx ceiling's counterpart: a herd of exec runs cannot start faster than
/// processes can), through an executor's exec path and its guard as a run is, and by bare
/// `posix_spawn`.
///
/// 32 runs at once, as an executor has many runs going: a spawner that waited for each
/// child before the next would measure the round trip, not the rate.
enum ExecSpawnCeiling {
    /// Runs/s over `runs` exec runs of `/bin/true` through `TargetRunner` and the guard at
    /// `guardPath` (started once, as a replica's is), without etcd.
    static func measure(guardPath: String, runs: Int, outstanding: Int = 32) async throws -> Double {
        guard FileManager.default.isExecutableFile(atPath: guardPath) else {
            throw FailoverError("no exec guard at \(guardPath) (build it: swift build -c release --product etcron-exec-guard)")
        }
        let settings = TargetRunnerSettings(execGuard: ExecGuard.Launcher(executable: guardPath))
        var target = Etcron_V1_Target()
        target.exec.command = "/bin/true"
        let request = RunRequest(runID: "ceiling", tenant: "bench", job: "true", scheduledUnix: 0, target: target)
        // The level an executor logs at by default: a run's start and end are not logged.
        let logger = {
            var logger = Logger(label: "etcron.execution")
            logger.logLevel = .warning
            return logger
        }()
        // One run first: it starts the guard.
        _ = await TargetRunner(request, settings: settings, logger: logger).run()
        let started = ContinuousClock.now
        let failed = await withTaskGroup(of: Bool.self) { group in
            var failed = 0
            for index in 0..<runs {
                if index >= outstanding, await group.next() == false { failed += 1 }
                group.addTask { await TargetRunner(request, settings: settings, logger: logger).run().result == .succeeded }
            }
            for await succeeded in group where !succeeded { failed += 1 }
            return failed
        }
        let elapsed = ContinuousClock.now - started
        guard failed == 0 else { throw FailoverError("\(failed) of \(runs) runs of /bin/true through the exec guard failed") }
        return Double(runs) / max(0.001, elapsed.seconds)
    }

    /// Runs/s over `runs` spawns of `/bin/true` itself, one spawner per core with
    /// `outstanding` children alive each: what the executor and the guard add is the
    /// difference.
    static func measureWithoutGuard(runs: Int, outstanding: Int = 16) throws -> Double {
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
                switch CleanSpawn.spawn(path: "/bin/true", argv: ["/bin/true"], environment: nil, actions: nil, newProcessGroup: false) {
                case .success(let pid): alive.append(pid)
                case .failure: failures.withLock { $0 += 1 }
                }
            }
            while oldest < alive.count { reapOldest() }
        }
        let elapsed = ContinuousClock.now - started
        let failed = failures.withLock { $0 }
        guard failed == 0 else { throw FailoverError("\(failed) of \(each * spawners) starts of /bin/true failed") }
        return Double(each * spawners) / max(0.001, elapsed.seconds)
    }
}
