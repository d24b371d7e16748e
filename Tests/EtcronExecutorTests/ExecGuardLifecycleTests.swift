import EtcdTestHarness
import ExecGuardWire
import Foundation
import Logging
import SpawnSupport
import Testing

@testable import EtcronExecutor

#if canImport(Glibc)
import Glibc
#endif

/// The replica's one exec guard: how it ends and what ends with it. (That a SIGKILLed
/// executor's targets die with it is proven with real replicas in `SemanticsExecutorTests`.)
@Suite("the exec guard's lifecycle")
struct ExecGuardLifecycleTests {
    let launcher: ExecGuard.Launcher

    init() throws {
        let etcron = try EtcronExecutable.locate()
        launcher = ExecGuard.Launcher(
            executable: URL(fileURLWithPath: etcron).deletingLastPathComponent().appendingPathComponent(ExecGuard.executableName).path)
    }

    /// Starts `sh -c script` through `host`, which writes the pid of a `sleep 300` it
    /// leaves in its group to a file; returns the child and that pid.
    private func startWithLeftover(_ host: ExecGuardHost, in directory: String) async throws -> (GuardedChild, Int32) {
        let pidFile = directory + "/leftover-\(UUID().uuidString.prefix(6)).pid"
        let child = try (await host.start(
            path: "/bin/sh", argv: ["sh", "-c", "sleep 300 & echo $! > \"$1\"; wait", "sh", pidFile], environment: ["PATH=/usr/bin:/bin"],
            directory: "/", outputLimit: 1024, drainWindow: .seconds(2))).get()
        return (child, try #require(try await RunnerFixtures.pid(in: pidFile)))
    }

    @Test("a guard killed mid-run: its runs fail saying so, their groups are killed, and the next start gets a new guard")
    func guardKilled() async throws {
        let directory = try RunnerFixtures.scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let host = ExecGuardHost(launcher: launcher)
        let (first, firstLeftover) = try await startWithLeftover(host, in: directory)
        let (second, secondLeftover) = try await startWithLeftover(host, in: directory)
        let guardPID = try host.connection().get().guardPID
        #expect(kill(guardPID, SIGKILL) == 0)
        for child in [first, second] {
            let termination = await child.termination()
            #expect(termination.exit == .unknown("the exec guard (pid \(guardPID)) was killed by SIGKILL while the command ran; its process group was killed"))
            #expect(await !child.signalGroup(SIGTERM))
        }
        for pid in [first.pid, firstLeftover, second.pid, secondLeftover] {
            #expect(try await RunnerFixtures.eventually { !RunnerFixtures.isAlive(pid) }, "pid \(pid) outlived its guard")
        }

        let next = try (await host.start(
            path: "/bin/echo", argv: ["echo", "again"], environment: [], directory: "/", outputLimit: 1024, drainWindow: .seconds(2))).get()
        let termination = await next.termination()
        #expect(termination.exit == .exited(0))
        #expect(String(decoding: termination.output.data, as: UTF8.self) == "again\n")
        #expect(try host.connection().get().guardPID != guardPID)
    }

    @Test("a guard whose executor closes its socket kills every group it runs and exits")
    func socketClosed() async throws {
        let directory = try RunnerFixtures.scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let host = ExecGuardHost(launcher: launcher)
        let (child, leftover) = try await startWithLeftover(host, in: directory)
        let connection = try host.connection().get()
        connection.shutDown()
        let termination = await child.termination()
        #expect(termination.exit == .unknown("the exec guard (pid \(connection.guardPID)) ended while the command ran; its process group was killed"))
        for pid in [child.pid, leftover, connection.guardPID] {
            #expect(try await RunnerFixtures.eventually { !RunnerFixtures.isAlive(pid) }, "pid \(pid) outlived the socket")
        }
    }

    @Test("what the leader left in its group is killed at its exit; a signal after the exit is not sent")
    func leftoversAtExit() async throws {
        let directory = try RunnerFixtures.scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let host = ExecGuardHost(launcher: launcher)
        let pidFile = directory + "/leftover.pid"
        let started = ContinuousClock.now
        // A drain window longer than the wait allowed (see ProcessGroupChildTests).
        let child = try (await host.start(
            path: "/bin/sh", argv: ["sh", "-c", "sleep 300 & echo $! > \"$1\"; echo done", "sh", pidFile], environment: [],
            directory: "/", outputLimit: 1024, drainWindow: .seconds(120))).get()
        let termination = await child.termination()
        #expect(ContinuousClock.now - started < .seconds(60), "the leftover holds the pipe until it is killed")
        #expect(termination.exit == .exited(0))
        #expect(String(decoding: termination.output.data, as: UTF8.self) == "done\n")
        let leftover = try #require(try await RunnerFixtures.pid(in: pidFile))
        #expect(try await RunnerFixtures.eventually { !RunnerFixtures.isAlive(leftover) })
        #expect(await !child.signalGroup(SIGTERM))
    }

    @Test("a guard that cannot start is a run that did not start, with the reason")
    func missingGuard() async {
        let host = ExecGuardHost(launcher: ExecGuard.Launcher(executable: "/nonexistent/etcron-exec-guard"))
        let result = await host.start(path: "/bin/true", argv: ["true"], environment: [], directory: "/", outputLimit: 1024, drainWindow: .seconds(1))
        guard case .failure(let failure) = result else {
            Issue.record("started without a guard")
            return
        }
        #expect(failure == .guardUnavailable("cannot start the exec guard /nonexistent/etcron-exec-guard: No such file or directory"))
    }
}
