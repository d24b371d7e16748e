import Logging

/// Killing, stopping and restarting individual members.
extension EtcdCluster {
    /// Sends `signal` to member `index` and waits up to `timeout` for its effect: the exit
    /// for a signal that ends the process, the frozen state for SIGSTOP, the thawed state
    /// for SIGCONT (other non-fatal signals are not waited for).
    ///
    /// SIGTERM makes etcd shut down gracefully, which takes about 7 s once its peers are
    /// gone; prefer `stop(_:)` (SIGKILL) unless the graceful path is under test.
    public func kill(_ index: Int, signal: ProcessSignal = .kill, timeout: Duration = .seconds(15)) async throws {
        try checkNotShutDown("signal member \(index)")
        let member = try member(index)
        try member.process.send(signal)
        if !signal.leavesProcessAlive {
            try await member.process.waitForExit(timeout: timeout)
        } else if signal == .stop || signal == .continue {
            let deadline = ContinuousClock.now + timeout
            while member.process.isStopped != (signal == .stop) {
                if ContinuousClock.now >= deadline {
                    throw HarnessError(.timedOut, "etcd member \(member.name) did not react to \(signal) within \(timeout)")
                }
                try await Task.sleep(for: .milliseconds(1))
            }
        }
        configuration.logger.debug("signalled etcd member", metadata: ["member": "\(member.name)", "signal": "\(signal)"])
    }

    /// SIGKILLs member `index` and waits for it to exit; a no-op if it is not running.
    public func stop(_ index: Int) async throws {
        try checkNotShutDown("stop member \(index)")
        try await member(index).process.kill()
    }

    /// Restarts member `index` with the same data directory and ports (SIGKILLing it first
    /// if it is still running) and waits until it reports healthy again.
    ///
    /// A restarted member is healthy once it has rejoined a leader, so restarting one
    /// member of a cluster that has lost quorum waits for quorum to return.
    public func restart(_ index: Int, timeout: Duration = .seconds(20)) async throws {
        try checkNotShutDown("restart member \(index)")
        let member = try member(index)
        try await member.process.restart()
        try await member.waitUntilHealthy(until: ContinuousClock.now + timeout)
        configuration.logger.debug("restarted etcd member", metadata: ["member": "\(member.name)", "pid": "\(member.pid ?? 0)"])
    }

    /// Waits until every running member (or those in `indices`) reports healthy.
    public func waitUntilHealthy(_ indices: [Int]? = nil, timeout: Duration = .seconds(20)) async throws {
        let chosen = try (indices ?? members.filter(\.isRunning).map(\.index)).map { try member($0) }
        let deadline = ContinuousClock.now + timeout
        try await withThrowingTaskGroup(of: Void.self) { group in
            for member in chosen {
                group.addTask { try await member.waitUntilHealthy(until: deadline) }
            }
            try await group.waitForAll()
        }
    }
}
