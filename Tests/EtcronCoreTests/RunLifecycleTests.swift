import EtcronCore
import EtcronProto
import Testing

/// The run state machine: the transitions the leader and the executor make, and the ones
/// refused because the run's state does not allow them.
@Suite("Run lifecycle")
struct RunLifecycleTests {
    static func pending() -> Etcron_V1_Run {
        Etcron_V1_Run(runID: "s-1", tenant: "t", job: "j", scheduledUnix: 60, manual: false, createdAtUnixMs: 60_100, leaderToken: 7)
    }

    @Test("a run goes pending, assigned, claimed, started and finished; each step records what it says")
    func happyPath() throws {
        var run = Self.pending()
        #expect(run.state == .pending && run.isActive && run.leaderToken == 7)
        try run.apply(.assign(executor: "r1"))
        #expect(run.assignedTo == "r1")
        try run.apply(.claim(executor: "r1", lease: 42, atUnixMs: 61_000))
        #expect(run.state == .running && run.executorLease == 42 && run.attempts == 1 && run.claimedAtUnixMs == 61_000)
        try run.apply(.start(atUnixMs: 61_005))
        try run.apply(.start(atUnixMs: 70_000))
        #expect(run.startedAtUnixMs == 61_005, "the first start is the one kept")
        try run.apply(.attempt(2))
        try run.apply(.finish(.succeeded, atUnixMs: 62_000))
        #expect(run.state == .succeeded && !run.isActive && run.finishedAtUnixMs == 62_000 && run.attempts == 2)
    }

    @Test("a lost executor's run is retried (pending, unassigned) or ends executorLost")
    func lostExecutor() throws {
        var run = Self.pending()
        try run.apply(.assign(executor: "r1"))
        try run.apply(.claim(executor: "r1", lease: 42, atUnixMs: 1))
        var retried = run
        try retried.apply(.retryAfterLostExecutor(message: "lost"))
        #expect(retried.state == .pending && retried.assignedTo.isEmpty && retried.executorLease == 0 && retried.attempts == 1)
        try retried.apply(.assign(executor: "r2"))
        try retried.apply(.claim(executor: "r2", lease: 43, atUnixMs: 2))
        #expect(retried.attempts == 2, "the lost attempt counts")
        try run.apply(.loseExecutor(atUnixMs: 3, message: "lost for good"))
        #expect(run.state == .executorLost && run.finishedAtUnixMs == 3 && run.state.countsAsFailure)
    }

    @Test("transitions the state does not allow are refused and change nothing")
    func refused() throws {
        var run = Self.pending()
        let before = run
        #expect(throws: IllegalRunTransition.self) { try run.apply(.claim(executor: "r1", lease: 1, atUnixMs: 1)) }  // not assigned to r1
        #expect(throws: IllegalRunTransition.self) { try run.apply(.finish(.succeeded, atUnixMs: 1)) }  // never ran
        #expect(throws: IllegalRunTransition.self) { try run.apply(.unassign(message: "x")) }  // not assigned
        #expect(throws: IllegalRunTransition.self) { try run.apply(.loseExecutor(atUnixMs: 1, message: "x")) }
        #expect(throws: IllegalRunTransition.self) { try run.apply(.endUnstarted(.succeeded, atUnixMs: 1, message: "x")) }
        #expect(run == before)
        try run.apply(.assign(executor: "r1"))
        #expect(throws: IllegalRunTransition.self) { try run.apply(.assign(executor: "r2") ) }  // assigned already
        #expect(throws: IllegalRunTransition.self) { try run.apply(.claim(executor: "r2", lease: 1, atUnixMs: 1)) }  // someone else's
        try run.apply(.requestStop(message: "Replace"))
        #expect(throws: IllegalRunTransition.self) { try run.apply(.claim(executor: "r1", lease: 1, atUnixMs: 1)) }  // asked to stop
        try run.apply(.endUnstarted(.stopped, atUnixMs: 5, message: "stopped before it started"))
        #expect(run.state == .stopped)
        for transition: RunTransition in [.requestStop(message: ""), .missDeadline(atUnixMs: 1, message: ""), .start(atUnixMs: 1), .attempt(3)] {
            var finished = run
            #expect(throws: IllegalRunTransition.self) { try finished.apply(transition) }
            #expect(finished == run)
        }
    }

    @Test("a pending run never started misses its deadline; one that ran once does not")
    func deadline() throws {
        var run = Self.pending()
        try run.apply(.missDeadline(atUnixMs: 9, message: "missedDeadline"))
        #expect(run.state == .failed && run.message == "missedDeadline")
        var started = Self.pending()
        started.startedAtUnixMs = 5
        #expect(throws: IllegalRunTransition.self) { try started.apply(.missDeadline(atUnixMs: 9, message: "x")) }
    }

    @Test("an invoke's decision is held by its run and given back whole; manual runs hold none")
    func heldDecision() {
        var run = Self.pending()
        let decision = Etcron_V1_Decision.invoke(scheduledUnix: 60, runID: "s-1", decidedAtUnixMs: 60_100, leaderToken: 7, message: "m")
        run.hold(decision)
        #expect(run.heldDecision == decision)
        var manual = run
        manual.manual = true
        #expect(manual.heldDecision == nil)
        let skip = Etcron_V1_Decision.skip(scheduledUnix: 120, reason: .quota, message: "q", decidedAtUnixMs: 1, leaderToken: 7)
        #expect(DecisionPlacement.statusToWrite(Etcron_V1_JobStatus(), decisions: [decision], trimsRuns: false) == nil)
        #expect(DecisionPlacement.statusToWrite(Etcron_V1_JobStatus(), decisions: [decision, skip], trimsRuns: false) != nil)
        #expect(DecisionPlacement.statusToWrite(Etcron_V1_JobStatus(), decisions: [decision], trimsRuns: true) != nil)
        #expect(DecisionPlacement.statusToWrite(nil, decisions: [skip], trimsRuns: true) == nil)
    }
}
