import EtcdTestHarness
import EtcronCore
import EtcronProto
import Foundation

/// One repetition of one scenario: inject the fault, measure, restore, wait for the
/// leader to decide through the window, then audit it and count the probes' executions.
struct GamedayRehearsal {
    let sandbox: GamedaySandbox
    let say: (String) -> Void

    /// What one repetition measured.
    struct Result: Codable {
        var scenario: GamedayScenario
        var repetition: Int
        /// From the fault to a new leader (leader faults), to a leader deciding again
        /// (etcd faults), or to the crashed run's retry starting (executor crash), in ms.
        var recoveryMs: Int64?
        var longestDecisionGapMs: Int64
        var maxDecisionLagMs: Int64
        var startDelayP50Ms: Int64?
        var startDelayP99Ms: Int64?
        var startDelayMaxMs: Int64?
        var executions: Int
        var invokes: Int
        var doubleExecutions: [String]
        var auditClean: Bool
        var auditViolations: [String: Int]
        var note: String
        var passed: Bool { auditClean && doubleExecutions.isEmpty }
    }

    func run(_ scenario: GamedayScenario, repetition: Int) async throws -> Result {
        let from = Int64(Date().timeIntervalSince1970)
        try await Task.sleep(for: .seconds(2))  // some steady state before the fault
        var note = ""
        var recovery: Int64?
        let ttl = Duration.seconds(sandbox.leaseTTL)
        switch scenario {
        case .killLeader, .terminateLeader, .pauseLeader:
            guard let leader = await sandbox.leader() else { throw GamedayFailure("no leader before the fault") }
            let process = try sandbox.replica(leader.id)
            let signal: ProcessSignal = scenario == .killLeader ? .kill : scenario == .terminateLeader ? .terminate : .stop
            say("  \(scenario.rawValue): \(signal) to leader \(leader.id) (token \(leader.token))")
            let fault = ContinuousClock.now
            try process.send(signal)
            let next = try await sandbox.waitForLeader(other: leader.token, timeout: ttl * 4 + .seconds(10))
            recovery = Self.ms(ContinuousClock.now - fault)
            say("  new leader \(next.id) (token \(next.token)) after \(recovery!) ms")
            if scenario == .pauseLeader {
                try await Task.sleep(for: .seconds(1))
                try process.send(.continue)
                note = "paused past its lease, resumed as a follower"
            } else {
                _ = try? await process.waitForExit(timeout: .seconds(15))
                try await sandbox.restartStopped()
                note = "restarted as a follower"
            }
        case .killEtcdMember:
            let member = await sandbox.etcdLeader()
            say("  kill-etcd-member: SIGKILL etcd member \(member) (the etcd leader)")
            let fault = ContinuousClock.now
            try await sandbox.cluster.kill(member)
            recovery = try await waitForDecisions(after: Int64(Date().timeIntervalSince1970), since: fault)
            try await Task.sleep(for: .seconds(3))
            try await sandbox.cluster.restart(member)
            note = "etcd member \(member) killed and restarted"
        case .etcdQuorumLoss:
            let members = [0, 1, 2].filter { $0 != 2 }
            say("  etcd-quorum-loss: stopping etcd members \(members) for 6 s")
            for member in members { try await sandbox.cluster.stop(member) }
            try await Task.sleep(for: .seconds(6))
            let restore = ContinuousClock.now
            for member in members { try await sandbox.cluster.restart(member) }
            recovery = try await waitForDecisions(after: Int64(Date().timeIntervalSince1970), since: restore)
            note = "quorum lost for 6 s; recovery counted from the restart"
        case .partitionLeader, .partitionReplica:
            guard let network = sandbox.network else { throw GamedayFailure("\(scenario.rawValue) needs the sandbox's network namespaces") }
            guard let leader = await sandbox.leader() else { throw GamedayFailure("no leader before the fault") }
            let target = scenario == .partitionLeader ? leader.id : GamedaySandbox.replicaIDs.first { $0 != leader.id }!
            let index = GamedaySandbox.replicaIDs.firstIndex(of: target)!
            say("  \(scenario.rawValue): cutting \(target)\(target == leader.id ? " (the leader)" : "") off etcd")
            let fault = ContinuousClock.now
            try network.set(index, up: false)
            if scenario == .partitionLeader {
                let next = try await sandbox.waitForLeader(other: leader.token, timeout: ttl * 4 + .seconds(10))
                recovery = Self.ms(ContinuousClock.now - fault)
                say("  new leader \(next.id) (token \(next.token)) after \(recovery!) ms")
            } else {
                let deadline = ContinuousClock.now + ttl * 4 + .seconds(10)
                while await sandbox.isMember(target), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
                recovery = Self.ms(ContinuousClock.now - fault)
                say("  \(target)'s session expired after \(recovery!) ms; the leader reassigns its runs")
            }
            try await Task.sleep(for: .seconds(1))
            try network.set(index, up: true)
            let deadline = ContinuousClock.now + ttl * 4 + .seconds(15)
            while !(await sandbox.isMember(target)), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
            note = "\(target) cut off for \(recovery! / 1000 + 1) s, healed, \(await sandbox.isMember(target) ? "back as a member" : "NOT back yet")"
        case .executorCrash:
            let runID = try await sandbox.store.trigger(tenant: GamedaySandbox.tenant, name: "long-run", note: "gameday executor-crash")
            let run = try await waitForRunning(triggerID: runID)
            say("  executor-crash: SIGKILL \(run.assignedTo), which runs \(run.runID)")
            let process = try sandbox.replica(run.assignedTo)
            let fault = ContinuousClock.now
            try process.send(.kill)
            let ended = try await waitForRetryOrEnd(run.runID, after: run)
            recovery = Self.ms(ContinuousClock.now - fault)
            note = "run \(run.runID): \(ended)"
            try await sandbox.restartStopped()
        case .all:
            throw GamedayFailure("all is expanded before it runs")
        }
        try await Task.sleep(for: .seconds(2))
        let to = Int64(Date().timeIntervalSince1970) - 1
        try await waitDecidedThrough(to, timeout: .seconds(30))
        return try await measure(scenario, repetition: repetition, from: from, to: to, recovery: recovery, note: note)
    }

    // MARK: - Waiting

    /// Waits until some probe's decision is made for a time after `after`; the ms since `since`.
    private func waitForDecisions(after: Int64, since: ContinuousClock.Instant) async throws -> Int64 {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if let decided = try? await sandbox.decidedThrough("probe-1"), decided > after {
                return Self.ms(ContinuousClock.now - since)
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw GamedayFailure("the leader made no decision within 60 s after the fault")
    }

    private func waitDecidedThrough(_ time: Int64, timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        let probes = (try await sandbox.store.list(tenant: GamedaySandbox.tenant)).jobs.filter { $0.id.name.hasPrefix("probe-") }
        for probe in probes {
            while true {
                if let decided = try? await sandbox.decidedThrough(probe.id.name), decided >= time { break }
                guard ContinuousClock.now < deadline else { throw GamedayFailure("\(probe.id) not decided through \(time) within \(timeout)") }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    private func waitForRunning(triggerID: String) async throws -> Etcron_V1_Run {
        let runID = RunID.manual(tenant: GamedaySandbox.tenant, job: "long-run", triggerID: triggerID)
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            let runs = try await sandbox.store.runs(tenant: GamedaySandbox.tenant, name: "long-run", ids: [runID])
            if let run = runs[runID], run.state == .running, run.startedAtUnixMs > 0, !run.assignedTo.isEmpty { return run }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw GamedayFailure("the long run did not start within 30 s")
    }

    /// Waits until the crashed run is running again elsewhere or has ended; what happened.
    private func waitForRetryOrEnd(_ runID: String, after crashed: Etcron_V1_Run) async throws -> String {
        let deadline = ContinuousClock.now + .seconds(Int64(sandbox.leaseTTL) * 4 + 30)
        while ContinuousClock.now < deadline {
            if let run = try await sandbox.store.runs(tenant: GamedaySandbox.tenant, name: "long-run", ids: [runID])[runID] {
                if run.state == .running, run.assignedTo != crashed.assignedTo {
                    return "retried on \(run.assignedTo) by its retry policy"
                }
                if run.state.isTerminal { return "ended \(run.state) after \(run.attempts) attempt(s): \(run.message)" }
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw GamedayFailure("run \(runID) was neither retried nor ended after its executor died")
    }

    // MARK: - Measuring

    private func measure(
        _ scenario: GamedayScenario, repetition: Int, from: Int64, to: Int64, recovery: Int64?, note: String
    ) async throws -> Result {
        var gap: Int64 = 0
        var lag: Int64 = 0
        let probes = (try await sandbox.store.list(tenant: GamedaySandbox.tenant)).jobs.filter { $0.id.name.hasPrefix("probe-") }
        for probe in probes {
            let decisions = try await sandbox.store.decisions(tenant: probe.id.tenant, name: probe.id.name, limit: 1000).values
            let figures = GamedayDecisionFigures.of(Array(decisions), from: from, to: to)
            (gap, lag) = (max(gap, figures.longestGapMs), max(lag, figures.maxLagMs))
        }
        let executions = sandbox.probes.executions(from: from, to: to)
        let delays = GamedayReport.figures(executions.map { max(0, $0.startedMs - $0.scheduledUnix * 1000) })
        let audit = try await GamedayAudit.run(sandbox: sandbox, from: from, to: to)
        return Result(
            scenario: scenario, repetition: repetition, recoveryMs: recovery, longestDecisionGapMs: gap, maxDecisionLagMs: lag,
            startDelayP50Ms: delays.p50, startDelayP99Ms: delays.p99, startDelayMaxMs: delays.max,
            executions: executions.count, invokes: audit.invokes, doubleExecutions: GamedayProbes.doubles(executions),
            auditClean: audit.clean, auditViolations: audit.violations, note: note)
    }

    static func ms(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }
}
