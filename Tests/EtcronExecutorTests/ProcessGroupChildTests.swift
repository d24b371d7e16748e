import Foundation
import Testing

@testable import EtcronExecutor

#if canImport(Glibc)
import Glibc
#endif

/// A child and its group, served by one thread polling its pidfd or (where the kernel has
/// no pidfds) by a reader and a reaper: both ways end it the same.
@Suite("ProcessGroupChild")
struct ProcessGroupChildTests {
    private static func spawn(_ script: String, _ args: [String] = [], pidfd: Bool, drainWindow: Duration = .seconds(2)) throws
        -> ProcessGroupChild
    {
        try ProcessGroupChild.spawn(
            path: "/bin/sh", argv: ["sh", "-c", script, "sh"] + args, environment: ["PATH=/usr/bin:/bin"],
            workingDirectory: "/", outputLimit: 1024, drainWindow: drainWindow, usingPidfd: pidfd)
    }

    private static func text(_ termination: ChildTermination) -> String {
        String(decoding: termination.output.data, as: UTF8.self)
    }

    @Test("the exit status and the output", arguments: [true, false])
    func exitAndOutput(pidfd: Bool) async throws {
        let child = try Self.spawn("echo out; echo err >&2; exit 3", pidfd: pidfd)
        let termination = await child.termination()
        #expect(termination.exit == .exited(3))
        #expect(Self.text(termination) == "out\nerr\n")
        #expect(!child.signalGroup(SIGTERM), "the leader is reaped: its group is no longer signalled")
    }

    @Test("a signal ends it as that signal", arguments: [true, false])
    func signalled(pidfd: Bool) async throws {
        let child = try Self.spawn("echo ready; exec sleep 30", pidfd: pidfd)
        try await Task.sleep(for: .milliseconds(100))
        #expect(child.signalGroup(SIGTERM))
        let termination = await child.termination()
        #expect(termination.exit == .signaled(SIGTERM))
    }

    @Test("what the leader left running in its group is killed once it exits", arguments: [true, false])
    func leftoversKilled(pidfd: Bool) async throws {
        let directory = try RunnerFixtures.scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let pidFile = directory + "/leftover.pid"
        let started = ContinuousClock.now
        // A drain window longer than the wait allowed: the leftover, which holds the pipe,
        // must be killed at the exit, not after the window. The bounds are far apart: a
        // test process busy elsewhere (the whole suite stalled 16 s once in CI) must not
        // pass for either.
        let child = try Self.spawn("sleep 300 & echo $! > \"$1\"; echo done", [pidFile], pidfd: pidfd, drainWindow: .seconds(120))
        let termination = await child.termination()
        #expect(ContinuousClock.now - started < .seconds(60), "the leftover holds the pipe until it is killed")
        #expect(termination.exit == .exited(0))
        #expect(Self.text(termination) == "done\n")
        let leftover = try #require(try await RunnerFixtures.pid(in: pidFile))
        #expect(try await RunnerFixtures.eventually { !RunnerFixtures.isAlive(leftover) })
    }

    @Test("output closed before the exit: the exit is still waited for", arguments: [true, false])
    func outputClosedFirst(pidfd: Bool) async throws {
        let started = ContinuousClock.now
        let child = try Self.spawn("echo early; exec >/dev/null 2>&1; sleep 0.4; exit 4", pidfd: pidfd)
        let termination = await child.termination()
        #expect(ContinuousClock.now - started >= .milliseconds(400))
        #expect(termination.exit == .exited(4))
        #expect(Self.text(termination) == "early\n")
    }

    @Test("a process that left the group and holds the pipe ends the drain after its window", arguments: [true, false])
    func escapedHolder(pidfd: Bool) async throws {
        let directory = try RunnerFixtures.scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let pidFile = directory + "/holder.pid"
        let started = ContinuousClock.now
        // The holder outlives the run by far (setsid: out of reach of the group kill).
        let child = try Self.spawn("setsid sleep 300 & echo $! > \"$1\"; echo started", [pidFile], pidfd: pidfd, drainWindow: .milliseconds(200))
        let termination = await child.termination()
        if let holder = try await RunnerFixtures.pid(in: pidFile) { kill(holder, SIGKILL) }
        #expect(ContinuousClock.now - started < .seconds(60))
        #expect(termination.exit == .exited(0))
        #expect(Self.text(termination) == "started\n")
    }
}
