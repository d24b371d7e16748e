import EtcronProto
import Foundation
import Logging
import MetricsTestKit
import Synchronization
import Testing

@testable import EtcronExecutor
import EtcronCore

/// The pure pieces of execution: ring buffer, backoff, environment, texts, records.
@Suite("Execution units")
struct ExecutionUnitTests {
    @Test("the ring buffer keeps exactly the last bytes, whatever the chunking")
    func ringBuffer() {
        var generator = SystemRandomNumberGenerator()
        for capacity in [1, 7, 64] {
            var ring = OutputRingBuffer(capacity: capacity)
            var everything: [UInt8] = []
            for _ in 0..<200 {
                let chunk = (0..<Int.random(in: 0...(capacity * 2), using: &generator)).map { _ in UInt8.random(in: 0...255) }
                everything += chunk
                chunk.withUnsafeBytes { ring.append($0) }
                #expect(ring.data == Data(everything.suffix(capacity)))
                #expect(ring.totalBytes == Int64(everything.count))
                #expect(ring.droppedBytes == Int64(everything.count - min(everything.count, capacity)))
            }
        }
        var empty = OutputRingBuffer(capacity: 0)
        empty.append("ignored")
        #expect(empty.data.isEmpty)
        #expect(empty.droppedBytes == 7)
    }

    @Test("appending one ring to another keeps its drop count")
    func ringIntoRing() {
        var small = OutputRingBuffer(capacity: 4)
        small.append("abcdef")
        var big = OutputRingBuffer(capacity: 10)
        big.append("12")
        big.append(contentsOf: small)
        #expect(String(decoding: big.data, as: UTF8.self) == "12cdef")
        #expect(big.totalBytes == 8)
        #expect(big.droppedBytes == 2)
    }

    @Test("backoff doubles from the initial wait up to the maximum, with defaults")
    func backoff() {
        var policy = Etcron_V1_RetryPolicy()
        policy.maxRetries = 5
        policy.initialBackoffMs = 100
        policy.maxBackoffMs = 500
        let backoff = RetryBackoff(policy)
        #expect((1...5).map(backoff.delay(afterAttempt:)) == [100, 200, 400, 500, 500].map(Duration.milliseconds))
        let defaults = RetryBackoff(Etcron_V1_RetryPolicy())
        #expect(defaults.maxRetries == 0)
        #expect(defaults.initial == .seconds(1))
        #expect(defaults.maximum == .seconds(60))
        #expect(defaults.delay(afterAttempt: 100) == .seconds(60))
        policy.maxRetries = -3
        policy.maxBackoffMs = 10
        let odd = RetryBackoff(policy)
        #expect(odd.maxRetries == 0)
        #expect(odd.maximum == .milliseconds(100))
    }

    @Test("children inherit only a minimal environment")
    func minimalEnvironment() {
        let kept = ExecEnvironment.minimal(from: ["HOME": "/h", "DATABASE_PASSWORD": "x", "LC_TIME": "C", "TZ": "UTC"])
        #expect(kept == ["HOME": "/h", "LC_TIME": "C", "TZ": "UTC", "PATH": ExecEnvironment.defaultPath])
    }

    @Test("texts: RFC 3339 times, durations and signal names")
    func texts() {
        #expect(ExecutionText.scheduledTime(unix: 0) == "1970-01-01T00:00:00Z")
        #expect(ExecutionText.scheduledTime(unix: RunnerFixtures.scheduledUnix) == "2025-01-31T12:00:00Z")
        #expect(ExecutionText.duration(.milliseconds(300)) == "300 ms")
        #expect(ExecutionText.duration(.seconds(30)) == "30 s")
        #expect(ExecutionText.duration(.milliseconds(1500)) == "1.5 s")
        #expect(ExecutionText.duration(.seconds(600)) == "10 min")
        #expect(ExecutionText.signalName(15) == "SIGTERM")
        #expect(ExecutionText.signalName(9) == "SIGKILL")
    }

    @Test("an outcome fills a run record")
    func applyToRun() throws {
        let start = Date(timeIntervalSince1970: 1_738_324_801.5)
        let outcome = RunOutcome(
            result: .timedOut, attempts: 2, firstStartedAt: start, finishedAt: start.addingTimeInterval(3),
            signal: 15, output: Data("out".utf8), message: "killed by SIGTERM after the 3 s timeout"
        )
        var run = Etcron_V1_Run()
        run.state = .running
        try outcome.apply(to: &run)
        #expect(run.state == .timedOut)
        #expect(run.attempts == 2)
        #expect(run.startedAtUnixMs == 1_738_324_801_500)
        #expect(run.finishedAtUnixMs == 1_738_324_804_500)
        #expect(run.output == Data("out".utf8))
        #expect(run.message == "killed by SIGTERM after the 3 s timeout")
        #expect(outcome.duration == .seconds(3))
        #expect(RunResult.allCases.map(\.runState) == [.succeeded, .failed, .timedOut, .stopped])
    }

    @Test("a request is built from a run record and its job's spec")
    func requestFromRecords() {
        var run = Etcron_V1_Run()
        run.runID = "r1"
        run.tenant = "t"
        run.job = "j"
        run.scheduledUnix = 42
        var spec = Etcron_V1_JobSpec()
        spec.target = RunnerFixtures.exec("true")
        spec.retry.maxRetries = 2
        spec.attemptTimeoutSeconds = 30
        let request = RunRequest(run: run, spec: spec)
        #expect(request.runID == "r1")
        #expect(request.scheduledUnix == 42)
        #expect(request.retry.maxRetries == 2)
        #expect(request.attemptTimeout == .seconds(30))
        #expect(request.stopGrace == .seconds(10))
        spec.attemptTimeoutSeconds = 0
        #expect(RunRequest(run: run, spec: spec).attemptTimeout == nil)
    }

    @Test("start delay is recorded per tenant, never negative")
    func startDelay() {
        let metrics = TestMetrics()
        let runMetrics = RunMetrics(factory: metrics)
        runMetrics.recordStartDelay(tenant: "t", scheduledUnix: 100, startedAt: Date(timeIntervalSince1970: 102.5))
        runMetrics.recordStartDelay(tenant: "t", scheduledUnix: 100, startedAt: Date(timeIntervalSince1970: 99))
        let timer = metrics.timers(label: "etcron_run_start_delay_seconds", dimensions: [("tenant", "t")]).first
        #expect(timer?.values == [2_500_000_000, 0])
    }

    @Test("a run taken over from a lost executor makes only the attempts its policy has left, numbered on")
    func remainingAttemptsAfterHandover() async throws {
        // Policy: 2 retries, so 3 attempts in all; every attempt fails.
        let failing = { (earlier: Int) in
            RunRequest(
                runID: "r", tenant: "t", job: "j", scheduledUnix: 0, target: RunnerFixtures.exec("false"),
                retry: { var policy = Etcron_V1_RetryPolicy(); policy.maxRetries = 2; policy.initialBackoffMs = 1; return policy }(),
                earlierAttempts: earlier)
        }
        #expect(failing(0).remainingAttempts == 3)
        #expect(failing(1).remainingAttempts == 2)
        #expect(failing(3).remainingAttempts == 1, "a handed-over run is always tried once more")
        #expect(failing(-2).earlierAttempts == 0)

        for (earlier, expected) in [(0, [1, 2, 3]), (1, [2, 3]), (2, [3]), (5, [6])] {
            let attempts = FailingAttempts()
            let hooks = HookRecorder()
            let loop = RetryLoop(
                request: failing(earlier), runner: attempts, settings: TargetRunnerSettings(), stop: RunStopSignal(),
                logger: Logger(label: "test"), metrics: RunMetrics(), onStarted: hooks.onStarted, onAttempt: hooks.onAttempt)
            let outcome = await loop.run()
            #expect(attempts.numbers == expected, "earlier \(earlier)")
            #expect(hooks.reports.map(\.attempt) == expected)
            #expect(outcome.result == .failed)
            #expect(outcome.attempts == expected.last)
            #expect(outcome.earlierAttempts == earlier)
            #expect(outcome.started)
            var run = Etcron_V1_Run()
            run.state = .running
            try outcome.apply(to: &run)
            #expect(run.attempts == Int32(expected.last!))
            if expected.count > 1 { #expect(outcome.message.hasSuffix("(attempt \(expected.last!) of \(expected.last!))")) }
        }

        // Stopped before its first attempt here: the run's count stays at the earlier attempts.
        let stop = RunStopSignal()
        stop.stop("replaced")
        let stopped = await RetryLoop(
            request: failing(1), runner: FailingAttempts(), settings: TargetRunnerSettings(), stop: stop,
            logger: Logger(label: "test"), metrics: RunMetrics(), onStarted: { _ in }, onAttempt: { _ in }
        ).run()
        #expect(stopped.result == .stopped)
        #expect(stopped.attempts == 1)
        #expect(!stopped.started)
        #expect(stopped.message == "replaced before attempt 2")
    }
}

/// An attempt runner whose attempts all fail at once; it records their numbers.
private final class FailingAttempts: AttemptRunner {
    private let made = Mutex<[Int]>([])

    var numbers: [Int] { made.withLock { $0 } }

    func runAttempt(_ context: AttemptContext) async -> AttemptResult {
        made.withLock { $0.append(context.number) }
        await context.didStart(Date())
        var result = AttemptResult.notStarted("exit status 1", capacity: 16)
        result.exitCode = 1
        return result
    }
}
