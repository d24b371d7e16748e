import EtcronCLI
import EtcronCore
import EtcronProto
import Foundation

/// One repetition of one scenario against a live install (`--server`), through its API
/// with an admin token: the fault is an admin-only gameday action (step down, freeze
/// past the lease TTL, crash the executor of a long run), the new leader is read from
/// `/v1/cluster`, executions are counted from etcron's own run records, and the window is
/// audited by `etcron audit --server`.
struct GamedayServerRehearsal {
    let client: GamedayClient
    let probes: GamedayServerProbes
    /// The install's session lease TTL in seconds (a freeze lasts longer).
    let leaseTTL: Int
    /// Audits `(from, to]` of the probes' tenant.
    let audit: @Sendable (Int64, Int64) async throws -> GamedayAudit.Outcome
    let say: (String) -> Void

    func run(_ scenario: GamedayScenario, repetition: Int) async throws -> GamedayRehearsal.Result {
        let from = Int64(Date().timeIntervalSince1970)
        try await Task.sleep(for: .seconds(2))  // some steady state before the fault
        let recovery: Int64
        var note: String
        switch scenario {
        case .killLeader, .terminateLeader, .pauseLeader:
            guard let leader = try await client.leader() else { throw GamedayFailure("no leader before the fault") }
            let freeze = scenario == .pauseLeader ? Int32(min(300, leaseTTL + 3)) : nil
            let fault = ContinuousClock.now
            let action = if let freeze { try await client.freeze(seconds: freeze) } else { try await client.stepDown() }
            say("  \(scenario.rawValue): \(freeze.map { "freeze \($0) s" } ?? "step down") asked of leader \(leader.id) (token \(leader.token)), action \(action.id) by \(action.requestedBy)")
            let next = try await waitForLeader(other: leader.token, timeout: .seconds(leaseTTL * 4 + 10))
            recovery = GamedayRehearsal.ms(ContinuousClock.now - fault)
            say("  new leader \(next.id) (token \(next.token)) after \(recovery) ms")
            if let freeze {
                try await Task.sleep(until: fault + .seconds(Int64(freeze) + 2), clock: .continuous)
            }
            note = "\(leader.id) \(try await outcome(of: action))"
        case .executorCrash:
            let runID = try await client.trigger(tenant: probes.tenant, name: GamedayServerProbes.longRun, note: "gameday executor-crash")
            let run = try await waitForRunning(runID)
            let fault = ContinuousClock.now
            let action = try await client.crashExecutor(tenant: probes.tenant, job: GamedayServerProbes.longRun, runID: runID)
            say("  executor-crash: crash asked of \(run.assignedTo), which runs \(runID), action \(action.id) by \(action.requestedBy)")
            let ended = try await waitForRetryOrEnd(runID, after: run)
            recovery = GamedayRehearsal.ms(ContinuousClock.now - fault)
            note = "\(run.assignedTo) \(try await outcome(of: action)); run \(runID): \(ended)"
        default:
            throw GamedayFailure("\(scenario.rawValue) cannot be rehearsed through the API")
        }
        note += "; probes counted from etcron's own run records (server mode)"
        try await Task.sleep(for: .seconds(2))
        let to = Int64(Date().timeIntervalSince1970) - 1
        try await waitDecidedThrough(to, timeout: .seconds(30))
        return try await measure(scenario, repetition: repetition, from: from, to: to, recovery: recovery, note: note)
    }

    // MARK: - Waiting

    private func waitForLeader(other: Int64, timeout: Duration) async throws -> (id: String, token: Int64) {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let leader = try? await client.leader(), leader.token != other { return leader }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw GamedayFailure("no new leader within \(timeout)")
    }

    /// What the acting replica recorded it did (waits briefly for it).
    private func outcome(of action: GamedayClient.Action) async throws -> String {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if let outcome = try await client.action(id: action.id)?.outcome { return outcome }
            try await Task.sleep(for: .milliseconds(100))
        }
        return "recorded no outcome for action \(action.id) within 10 s"
    }

    private func waitForRunning(_ runID: String) async throws -> Etcron_V1_Run {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if let run = try await client.run(tenant: probes.tenant, job: GamedayServerProbes.longRun, runID: runID),
                run.state == .running, run.startedAtUnixMs > 0, !run.assignedTo.isEmpty
            {
                return run
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw GamedayFailure("the long run did not start within 30 s")
    }

    private func waitForRetryOrEnd(_ runID: String, after crashed: Etcron_V1_Run) async throws -> String {
        let deadline = ContinuousClock.now + .seconds(Int64(leaseTTL) * 4 + 30)
        while ContinuousClock.now < deadline {
            if let run = try await client.run(tenant: probes.tenant, job: GamedayServerProbes.longRun, runID: runID) {
                if run.state == .running, run.attempts > crashed.attempts || run.assignedTo != crashed.assignedTo { return "retried on \(run.assignedTo) by its retry policy" }
                if run.state.isTerminal { return "ended \(run.state) after \(run.attempts) attempt(s): \(run.message)" }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw GamedayFailure("run \(runID) was neither retried nor ended after its executor crashed")
    }

    private func waitDecidedThrough(_ time: Int64, timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        for probe in probes.names {
            while (try? await client.decidedThrough(tenant: probes.tenant, job: probe)) ?? 0 < time {
                guard ContinuousClock.now < deadline else { throw GamedayFailure("\(probes.tenant)/\(probe) not decided through \(time) within \(timeout)") }
                try await Task.sleep(for: .milliseconds(200))
            }
        }
    }

    // MARK: - Measuring

    private func measure(
        _ scenario: GamedayScenario, repetition: Int, from: Int64, to: Int64, recovery: Int64, note: String
    ) async throws -> GamedayRehearsal.Result {
        var (gap, lag): (Int64, Int64) = (0, 0)
        for probe in probes.names {
            let figures = GamedayDecisionFigures.of(try await client.decisions(tenant: probes.tenant, job: probe, limit: 1000), from: from, to: to)
            (gap, lag) = (max(gap, figures.longestGapMs), max(lag, figures.maxLagMs))
        }
        let executions = try await probes.executions(from: from, to: to)
        let delays = GamedayReport.figures(executions.map { max(0, $0.startedMs - $0.scheduledUnix * 1000) })
        let audit = try await audit(from, to)
        return GamedayRehearsal.Result(
            scenario: scenario, repetition: repetition, recoveryMs: recovery, longestDecisionGapMs: gap, maxDecisionLagMs: lag,
            startDelayP50Ms: delays.p50, startDelayP99Ms: delays.p99, startDelayMaxMs: delays.max,
            executions: executions.count, invokes: audit.invokes, doubleExecutions: GamedayProbes.doubles(executions),
            auditClean: audit.clean, auditViolations: audit.violations, note: note)
    }
}
