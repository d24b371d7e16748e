import EtcronCore
import EtcronProto
import Foundation
import MetricsTestKit
import Testing

@testable import EtcronExecutor

#if canImport(Glibc)
import Glibc
#endif

/// Exec targets, with real processes.
@Suite("ExecRunner")
struct ExecRunnerTests {
    @Test("exit 0 succeeds; output, hooks and times are reported")
    func exitZeroSucceeds() async throws {
        let hooks = HookRecorder()
        let runner = TargetRunner(RunnerFixtures.request(RunnerFixtures.sh("echo hello; echo oops >&2")))
        let outcome = await runner.run(onStarted: hooks.onStarted, onAttempt: hooks.onAttempt)
        #expect(outcome.result == .succeeded)
        #expect(outcome.exitCode == 0)
        #expect(outcome.attempts == 1)
        #expect(outcome.message == "exit status 0")
        #expect(RunnerFixtures.text(outcome) == "hello\noops\n")
        #expect(hooks.startedDates == [outcome.firstStartedAt])
        #expect(hooks.reports.map(\.attempt) == [1])
        #expect(hooks.reports.first?.retryAfter == nil)
        #expect(outcome.firstStartedAt <= outcome.finishedAt)
        #expect(outcome.result.runState == .succeeded)
    }

    @Test("exit 3 fails with exit code 3")
    func exitThreeFails() async {
        let outcome = await TargetRunner(RunnerFixtures.request(RunnerFixtures.sh("exit 3"))).run()
        #expect(outcome.result == .failed)
        #expect(outcome.exitCode == 3)
        #expect(outcome.signal == nil)
        #expect(outcome.message == "exit status 3")
        #expect(outcome.attempts == 1)
    }

    @Test("the child gets etcron's variables and the job's env over a minimal environment")
    func environment() async {
        let target = RunnerFixtures.exec("env", env: ["GREETING": "hello world", "ETCRON_RUN_ID": "forged"])
        let settings = TargetRunnerSettings(
            inheritedEnvironment: ExecEnvironment.minimal(from: [
                "PATH": "/usr/bin:/bin", "HOME": "/root", "AWS_SECRET_ACCESS_KEY": "leak", "LC_ALL": "C",
            ])
        )
        let outcome = await TargetRunner(RunnerFixtures.request(target, runID: "run-42"), settings: settings).run()
        #expect(outcome.result == .succeeded)
        let lines = Set(RunnerFixtures.text(outcome).split(separator: "\n").map(String.init))
        #expect(lines.isSuperset(of: [
            "ETCRON_RUN_ID=run-42", "ETCRON_JOB=nightly-report", "ETCRON_TENANT=team-a",
            "ETCRON_SCHEDULED_TIME=2025-01-31T12:00:00Z", "ETCRON_ATTEMPT=1",
            "GREETING=hello world", "PATH=/usr/bin:/bin", "HOME=/root", "LC_ALL=C",
        ]))
        #expect(!lines.contains { $0.hasPrefix("AWS_SECRET_ACCESS_KEY=") })
        #expect(!lines.contains("ETCRON_RUN_ID=forged"))
    }

    @Test("the working directory is honoured and a bare command is found in PATH")
    func workingDirectory() async throws {
        let directory = try RunnerFixtures.scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let outcome = await TargetRunner(
            RunnerFixtures.request(RunnerFixtures.exec("pwd", workingDirectory: directory))
        ).run()
        #expect(outcome.result == .succeeded)
        #expect(RunnerFixtures.text(outcome) == directory + "\n")
    }

    @Test("only the last 64 KiB of a chatty child's output is kept, without deadlock")
    func outputIsBounded() async throws {
        // seq prints about 1.3 MB; the runner must keep reading so the child never blocks.
        let started = ContinuousClock.now
        let outcome = await TargetRunner(
            RunnerFixtures.request(RunnerFixtures.sh("seq 1 200000; echo tail >&2"), timeout: .seconds(15))
        ).run()
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(outcome.result == .succeeded)
        #expect(outcome.output.count == 64 * 1024)
        let text = RunnerFixtures.text(outcome)
        #expect(text.hasSuffix("199999\n200000\ntail\n"))
        let total = (1...200_000).reduce(0) { $0 + String($1).utf8.count + 1 } + "tail\n".utf8.count
        #expect(outcome.outputBytesDropped == Int64(total - 64 * 1024))
    }

    @Test("a timeout SIGTERMs the whole process group, grandchildren included")
    func timeoutKillsTheGroup() async throws {
        let directory = try RunnerFixtures.scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let pidFile = directory + "/grandchild.pid"
        let request = RunnerFixtures.request(
            RunnerFixtures.sh("sleep 30 & echo $! > \"$1\"; sleep 30", pidFile), timeout: .milliseconds(300)
        )
        let started = ContinuousClock.now
        let outcome = await TargetRunner(request).run()
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(outcome.result == .timedOut)
        #expect(outcome.signal == SIGTERM)
        #expect(outcome.message == "killed by SIGTERM after the 300 ms timeout")
        #expect(outcome.result.runState == .timedOut)
        let grandchild = try #require(try await RunnerFixtures.pid(in: pidFile))
        #expect(try await RunnerFixtures.eventually { !RunnerFixtures.isAlive(grandchild) })
    }

    @Test("a child that ignores SIGTERM is SIGKILLed after the grace")
    func ignoredTermIsKilled() async {
        let request = RunnerFixtures.request(
            RunnerFixtures.sh("trap '' TERM; sleep 30; sleep 30"), timeout: .milliseconds(200), grace: .milliseconds(400)
        )
        let started = ContinuousClock.now
        let outcome = await TargetRunner(request).run()
        let elapsed = ContinuousClock.now - started
        #expect(elapsed >= .milliseconds(600))
        #expect(elapsed < .seconds(5))
        #expect(outcome.result == .timedOut)
        #expect(outcome.signal == SIGKILL)
        #expect(outcome.message == "killed by SIGKILL after the 200 ms timeout (SIGTERM was ignored for 400 ms)")
    }

    @Test("a child that exits on SIGTERM with a status of its own is still timed out")
    func handledTermIsTimedOut() async {
        let request = RunnerFixtures.request(
            RunnerFixtures.sh("trap 'exit 7' TERM; sleep 30 & wait"), timeout: .milliseconds(200)
        )
        let outcome = await TargetRunner(request).run()
        #expect(outcome.result == .timedOut)
        #expect(outcome.exitCode == 7)
        #expect(outcome.message == "timed out after 200 ms; exit status 7 after SIGTERM")
    }

    @Test("two failures then a success: succeeded after 3 attempts, with backoff reported")
    func retriesThenSucceeds() async throws {
        let directory = try RunnerFixtures.scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let script = """
            n=$(cat "$1" 2>/dev/null || echo 0); n=$((n + 1)); echo $n > "$1"
            echo "try $n as attempt $ETCRON_ATTEMPT"; [ $n -ge 3 ]
            """
        let hooks = HookRecorder()
        let request = RunnerFixtures.request(RunnerFixtures.sh(script, directory + "/count"), retries: 5, initialBackoffMs: 20)
        let outcome = await TargetRunner(request).run(onStarted: hooks.onStarted, onAttempt: hooks.onAttempt)
        #expect(outcome.result == .succeeded)
        #expect(outcome.attempts == 3)
        #expect(hooks.startedDates.count == 1)
        #expect(hooks.startedDates.first == outcome.firstStartedAt)
        #expect(hooks.reports.map(\.result) == [.failed, .failed, .succeeded])
        #expect(hooks.reports.map(\.retryAfter) == [.milliseconds(20), .milliseconds(40), nil])
        #expect(hooks.reports.map(\.exitCode) == [1, 1, 0])
        let text = RunnerFixtures.text(outcome)
        #expect(text.contains("try 1 as attempt 1\n"))
        #expect(text.contains("--- etcron: attempt 1 of 6: exit status 1; next attempt in 20 ms ---"))
        #expect(text.hasSuffix("try 3 as attempt 3\n"))
    }

    @Test("retries exhausted: failed after max+1 attempts, one terminal result in metrics")
    func retriesExhausted() async {
        let metrics = TestMetrics()
        let request = RunnerFixtures.request(RunnerFixtures.sh("echo nope; exit 1"), retries: 2)
        let outcome = await TargetRunner(request, metrics: RunMetrics(factory: metrics)).run()
        #expect(outcome.result == .failed)
        #expect(outcome.attempts == 3)
        #expect(outcome.exitCode == 1)
        #expect(outcome.message == "exit status 1 (attempt 3 of 3)")
        let tenant = [("tenant", "team-a")]
        #expect(metrics.counterTotal(label: "etcron_runs_started_total", dimensions: tenant) == 1)
        #expect(metrics.counterTotal(label: "etcron_run_attempts_total", dimensions: tenant) == 3)
        #expect(metrics.counterTotal(label: "etcron_runs_finished_total", dimensions: tenant + [("result", "failed")]) == 1)
        #expect(metrics.counters(label: "etcron_runs_finished_total").count == 1)
        #expect(metrics.timers(label: "etcron_run_duration_seconds", dimensions: tenant).first?.values.count == 1)
    }

    @Test("stop() during a run stops it: SIGTERM to the group, result stopped, no retry")
    func stopDuringRun() async throws {
        let hooks = HookRecorder()
        let runner = TargetRunner(RunnerFixtures.request(RunnerFixtures.exec("sleep", ["30"]), retries: 3))
        let run = Task { await runner.run(onStarted: hooks.onStarted, onAttempt: hooks.onAttempt) }
        #expect(try await hooks.waitUntilStarted())
        let stopped = ContinuousClock.now
        runner.stop(reason: "replaced by run-2")
        let outcome = await run.value
        #expect(ContinuousClock.now - stopped < .seconds(5))
        #expect(outcome.result == .stopped)
        #expect(outcome.attempts == 1)
        #expect(outcome.message == "replaced by run-2: killed by SIGTERM")
        #expect(outcome.result.runState == .stopped)
        #expect(runner.isStopRequested)
    }

    @Test("cancelling the task that runs the run stops it")
    func cancellationStops() async throws {
        let hooks = HookRecorder()
        let runner = TargetRunner(RunnerFixtures.request(RunnerFixtures.exec("sleep", ["30"])))
        let run = Task { await runner.run(onStarted: hooks.onStarted) }
        #expect(try await hooks.waitUntilStarted())
        run.cancel()
        let outcome = await run.value
        #expect(outcome.result == .stopped)
        #expect(outcome.message == "stopped (task cancelled): killed by SIGTERM")
    }

    @Test("a stop while waiting to retry ends the run at once")
    func stopDuringBackoff() async throws {
        let hooks = HookRecorder()
        let runner = TargetRunner(RunnerFixtures.request(RunnerFixtures.sh("exit 2"), retries: 3, initialBackoffMs: 30_000))
        let run = Task { await runner.run(onAttempt: hooks.onAttempt) }
        #expect(try await RunnerFixtures.eventually { !hooks.reports.isEmpty })
        runner.stop()
        let outcome = await run.value
        #expect(outcome.result == .stopped)
        #expect(outcome.attempts == 1)
        #expect(outcome.exitCode == 2)
        #expect(outcome.message == "stopped while waiting to retry; attempt 1: exit status 2")
    }

    @Test("a run stopped before it starts makes no attempt")
    func stopBeforeStart() async {
        let hooks = HookRecorder()
        let runner = TargetRunner(RunnerFixtures.request(RunnerFixtures.exec("true")))
        runner.stop(reason: "job deleted")
        let outcome = await runner.run(onStarted: hooks.onStarted)
        #expect(outcome.result == .stopped)
        #expect(outcome.attempts == 0)
        #expect(hooks.startedDates.isEmpty)
        #expect(outcome.message == "job deleted before the first attempt")
    }

    @Test("a missing executable is a failed run with a clear message", arguments: [
        ("/nope", "command \"/nope\" not found"),
        ("etcron-no-such-command", "command \"etcron-no-such-command\" not found in PATH"),
        ("/tmp", "command \"/tmp\" is a directory"),
    ])
    func missingExecutable(command: String, message: String) async {
        let hooks = HookRecorder()
        let outcome = await TargetRunner(RunnerFixtures.request(RunnerFixtures.exec(command), retries: 1, initialBackoffMs: 1))
            .run(onStarted: hooks.onStarted)
        #expect(outcome.result == .failed)
        #expect(outcome.attempts == 2)
        #expect(outcome.exitCode == nil)
        #expect(outcome.message.hasPrefix(message))
        #expect(hooks.startedDates.count == 1)
    }

    @Test("a file that is not executable fails with a clear message")
    func notExecutable() async throws {
        let directory = try RunnerFixtures.scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "echo hi\n".write(toFile: directory + "/script.sh", atomically: true, encoding: .utf8)
        chmod(directory + "/script.sh", 0o644)
        // As root, access(X_OK) is true only if some execute bit is set; this one has none.
        let outcome = await TargetRunner(
            RunnerFixtures.request(RunnerFixtures.exec("./script.sh", workingDirectory: directory))
        ).run()
        #expect(outcome.result == .failed)
        #expect(outcome.message == "command \"./script.sh\" is not executable")
    }

    @Test("a missing working directory fails the attempt with a clear message")
    func missingWorkingDirectory() async {
        let outcome = await TargetRunner(
            RunnerFixtures.request(RunnerFixtures.exec("true", workingDirectory: "/no/such/dir"))
        ).run()
        #expect(outcome.result == .failed)
        #expect(outcome.message == "working directory \"/no/such/dir\" does not exist or is not a directory")
    }

    @Test("an invalid target fails without any attempt")
    func invalidTarget() async {
        let missing = await TargetRunner(RunnerFixtures.request(Etcron_V1_Target())).run()
        #expect(missing.result == .failed)
        #expect(missing.attempts == 0)
        #expect(missing.message == "the job has no target (neither exec nor http)")
        let empty = await TargetRunner(RunnerFixtures.request(RunnerFixtures.exec(""))).run()
        #expect(empty.message == "exec target: command is empty")
        let badEnv = await TargetRunner(RunnerFixtures.request(RunnerFixtures.exec("true", env: ["A=B": "c"]))).run()
        #expect(badEnv.message == "exec target: env: invalid variable name \"A=B\"")
    }

    @Test("what the command leaves running in its group is killed when it exits")
    func leftoversAreKilled() async throws {
        let directory = try RunnerFixtures.scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let pidFile = directory + "/leftover.pid"
        let started = ContinuousClock.now
        let outcome = await TargetRunner(
            RunnerFixtures.request(RunnerFixtures.sh("sleep 30 & echo $! > \"$1\"; echo done", pidFile))
        ).run()
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(outcome.result == .succeeded)
        #expect(RunnerFixtures.text(outcome) == "done\n")
        let leftover = try #require(try await RunnerFixtures.pid(in: pidFile))
        #expect(try await RunnerFixtures.eventually { !RunnerFixtures.isAlive(leftover) })
    }

    @Test("a process that left the group and holds the output pipe does not hold up the run")
    func escapedProcessDoesNotBlock() async throws {
        let settings = TargetRunnerSettings(outputDrainWindow: .milliseconds(200))
        let started = ContinuousClock.now
        let outcome = await TargetRunner(
            RunnerFixtures.request(RunnerFixtures.sh("setsid sleep 10 & echo started")), settings: settings
        ).run()
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(outcome.result == .succeeded)
        #expect(RunnerFixtures.text(outcome) == "started\n")
    }
}
