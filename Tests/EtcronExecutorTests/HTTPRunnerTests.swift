import EtcdTestHarness
import EtcronProto
import Foundation
import Testing

@testable import EtcronExecutor
import EtcronCore

/// Http targets, against a real HTTP server on loopback.
@Suite("HTTPRunner")
struct HTTPRunnerTests {
    @Test("200 succeeds; the run ID travels as Idempotency-Key, with the scheduled time")
    func okSucceeds() async throws {
        let base = try await HTTPTestServer.shared.url()
        let hooks = HookRecorder()
        let request = RunnerFixtures.request(RunnerFixtures.http(base + "/status/200"), runID: "run-ok-1")
        let outcome = await TargetRunner(request).run(onStarted: hooks.onStarted)
        #expect(outcome.result == .succeeded)
        #expect(outcome.httpStatus == 200)
        #expect(outcome.message == "HTTP 200")
        #expect(outcome.attempts == 1)
        #expect(hooks.startedDates.count == 1)
        let body = RunnerFixtures.text(outcome)
        #expect(body.contains("method=GET\n"))
        #expect(body.contains("idempotency-key=run-ok-1\n"))
        #expect(body.contains("scheduled=2025-01-31T12:00:00Z\n"))
        #expect(body.contains("attempt=1\n"))
    }

    @Test("method, headers and body are sent")
    func postWithBody() async throws {
        let base = try await HTTPTestServer.shared.url()
        let target = RunnerFixtures.http(base + "/status/201", method: "post", headers: ["X-Custom": "yes"], body: "payload")
        let outcome = await TargetRunner(RunnerFixtures.request(target)).run()
        #expect(outcome.result == .succeeded)
        #expect(outcome.httpStatus == 201)
        let body = RunnerFixtures.text(outcome)
        #expect(body.contains("method=POST\n"))
        #expect(body.contains("x-custom=yes\n"))
        #expect(body.contains("body=payload\n"))
    }

    @Test("503 with retries fails after every attempt, all with the same Idempotency-Key")
    func serviceUnavailableRetries() async throws {
        let base = try await HTTPTestServer.shared.url()
        let hooks = HookRecorder()
        let request = RunnerFixtures.request(RunnerFixtures.http(base + "/status/503"), retries: 2)
        let outcome = await TargetRunner(request).run(onAttempt: hooks.onAttempt)
        #expect(outcome.result == .failed)
        #expect(outcome.attempts == 3)
        #expect(outcome.httpStatus == 503)
        #expect(outcome.message == "HTTP 503, expected 2xx (attempt 3 of 3)")
        #expect(hooks.reports.map(\.httpStatus) == [503, 503, 503])
        let body = RunnerFixtures.text(outcome)
        #expect(body.contains("attempt=3\nx-custom=\nhits=3\n") && body.hasSuffix("body=\n"))
        #expect(body.contains("idempotency-key=\(request.runID)\n"))
    }

    @Test("the expected status list is honoured")
    func expectedStatuses() async throws {
        let base = try await HTTPTestServer.shared.url()
        let created = await TargetRunner(
            RunnerFixtures.request(RunnerFixtures.http(base + "/status/201", expected: [201]))
        ).run()
        #expect(created.result == .succeeded)
        let plainOK = await TargetRunner(
            RunnerFixtures.request(RunnerFixtures.http(base + "/status/200", expected: [201, 202]))
        ).run()
        #expect(plainOK.result == .failed)
        #expect(plainOK.message == "HTTP 200, expected 201 or 202")
        let notFoundWanted = await TargetRunner(
            RunnerFixtures.request(RunnerFixtures.http(base + "/status/404", expected: [404]))
        ).run()
        #expect(notFoundWanted.result == .succeeded)
    }

    @Test("a slow handler times out")
    func slowHandlerTimesOut() async throws {
        let base = try await HTTPTestServer.shared.url()
        let started = ContinuousClock.now
        let outcome = await TargetRunner(
            RunnerFixtures.request(RunnerFixtures.http(base + "/slow/10"), timeout: .milliseconds(300))
        ).run()
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(outcome.result == .timedOut)
        #expect(outcome.httpStatus == nil)
        #expect(outcome.message == "no complete response within the 300 ms timeout")
    }

    @Test("a response whose body stops coming times out with its status and the bytes that came")
    func bodyTimesOut() async throws {
        let base = try await HTTPTestServer.shared.url()
        let outcome = await TargetRunner(
            RunnerFixtures.request(RunnerFixtures.http(base + "/trickle/10"), timeout: .milliseconds(500))
        ).run()
        #expect(outcome.result == .timedOut)
        #expect(outcome.httpStatus == 200)
        #expect(outcome.message == "no complete response within the 500 ms timeout (HTTP 200 received, body unfinished)")
        #expect(RunnerFixtures.text(outcome) == "half")
    }

    @Test("a stop before the timeout stops the request; the timeout does not count after it")
    func stopBeforeTimeout() async throws {
        let base = try await HTTPTestServer.shared.url()
        let hooks = HookRecorder()
        let runner = TargetRunner(RunnerFixtures.request(RunnerFixtures.http(base + "/slow/10"), timeout: .seconds(1)))
        let run = Task { await runner.run(onStarted: hooks.onStarted) }
        #expect(try await hooks.waitUntilStarted())
        runner.stop(reason: "replaced")
        let outcome = await run.value
        #expect(outcome.result == .stopped)
        #expect(outcome.message == "replaced: request cancelled")
    }

    /// Settings whose http requests go through `gate`, and the gate's key for `base`'s host.
    private static func gated(_ gate: HTTPHostGate, base: String) -> (TargetRunnerSettings, String) {
        var settings = TargetRunnerSettings()
        settings.http = settings.http.gated(by: gate)
        let url = URL(string: base)!
        return (settings, "http://\(url.host!):\(url.port!)")
    }

    @Test("an attempt waiting for a free connection to its host starts, and its timeout counts, only once its request is sent")
    func startsWhenSent() async throws {
        let base = try await HTTPTestServer.shared.url()
        let gate = HTTPHostGate(permits: 1)
        let (settings, host) = Self.gated(gate, base: base)
        #expect(await gate.enter(host))  // every connection to the host is in use
        let hooks = HookRecorder()
        let runner = TargetRunner(
            RunnerFixtures.request(RunnerFixtures.http(base + "/status/200"), timeout: .milliseconds(300)), settings: settings)
        let run = Task { await runner.run(onStarted: hooks.onStarted, onAttempt: hooks.onAttempt) }
        try await HTTPHostGateTests.waitUntil(gate, waiting: 1, host: host)
        try await Task.sleep(for: .milliseconds(600))
        #expect(hooks.startedDates.isEmpty, "not started while it waits")
        let freed = Date()
        gate.leave(host)
        let outcome = await run.value
        #expect(outcome.result == .succeeded, "\(outcome.message)")
        #expect(outcome.message == "HTTP 200")
        let started = try #require(hooks.startedDates.first)
        let attempt = try #require(hooks.reports.first)
        #expect(started >= freed && attempt.startedAt >= freed, "the start is when the request went out")
        #expect(gate.hostCount == 0)
    }

    @Test("a stop while the attempt waits for a free connection ends it, stopped and never sent")
    func stopWhileWaiting() async throws {
        let base = try await HTTPTestServer.shared.url()
        let gate = HTTPHostGate(permits: 1)
        let (settings, host) = Self.gated(gate, base: base)
        #expect(await gate.enter(host))
        let hooks = HookRecorder()
        let runner = TargetRunner(RunnerFixtures.request(RunnerFixtures.http(base + "/status/200"), timeout: .seconds(30)), settings: settings)
        let run = Task { await runner.run(onStarted: hooks.onStarted) }
        try await HTTPHostGateTests.waitUntil(gate, waiting: 1, host: host)
        try await Task.sleep(for: .milliseconds(200))
        let stopped = Date()
        runner.stop(reason: "replaced")
        let outcome = await run.value
        #expect(outcome.result == .stopped)
        #expect(outcome.message == "replaced: not sent (it waited for a free connection to 127.0.0.1)")
        // An attempt that never reached its target counts as starting when it ended (as one
        // refused by the fence does), not when it began to wait.
        #expect(hooks.startedDates.count == 1 && hooks.startedDates.allSatisfy { $0 >= stopped })
        #expect(gate.load(host) == (inside: 1, waiting: 0), "it left the queue without taking a place")
        gate.leave(host)
        #expect(gate.hostCount == 0)
    }

    @Test("cancelling the run's task cancels its request")
    func taskCancellation() async throws {
        let base = try await HTTPTestServer.shared.url()
        let hooks = HookRecorder()
        let runner = TargetRunner(RunnerFixtures.request(RunnerFixtures.http(base + "/slow/10")))
        let run = Task { await runner.run(onStarted: hooks.onStarted) }
        #expect(try await hooks.waitUntilStarted())
        let cancelled = ContinuousClock.now
        run.cancel()
        let outcome = await run.value
        #expect(ContinuousClock.now - cancelled < .seconds(5))
        #expect(outcome.result == .stopped)
        #expect(outcome.message == "stopped (task cancelled): request cancelled")
    }

    @Test("stop() cancels the request")
    func stopCancels() async throws {
        let base = try await HTTPTestServer.shared.url()
        let hooks = HookRecorder()
        let runner = TargetRunner(RunnerFixtures.request(RunnerFixtures.http(base + "/slow/10"), retries: 2))
        let run = Task { await runner.run(onStarted: hooks.onStarted) }
        #expect(try await hooks.waitUntilStarted())
        let stopped = ContinuousClock.now
        runner.stop(reason: "replaced")
        let outcome = await run.value
        #expect(ContinuousClock.now - stopped < .seconds(5))
        #expect(outcome.result == .stopped)
        #expect(outcome.attempts == 1)
        #expect(outcome.message == "replaced: request cancelled")
    }

    @Test("connection refused is a failed run that names the error")
    func connectionRefused() async throws {
        let port = try LoopbackPorts.allocate()
        let outcome = await TargetRunner(
            RunnerFixtures.request(RunnerFixtures.http("http://127.0.0.1:\(port)/x"))
        ).run()
        #expect(outcome.result == .failed)
        #expect(outcome.httpStatus == nil)
        #expect(outcome.message.hasPrefix("GET http://127.0.0.1:\(port)/x failed: connection refused"))
    }

    @Test("only the last 64 KiB of a large body are kept")
    func largeBody() async throws {
        let base = try await HTTPTestServer.shared.url()
        let outcome = await TargetRunner(RunnerFixtures.request(RunnerFixtures.http(base + "/big/1048576"))).run()
        #expect(outcome.result == .succeeded)
        #expect(outcome.output.count == 64 * 1024)
        #expect(RunnerFixtures.text(outcome).hasSuffix("body=\n"))
        #expect(outcome.outputBytesDropped > 1_048_576 - 64 * 1024)
    }

    @Test("an invalid URL fails without an attempt")
    func invalidURL() async {
        let outcome = await TargetRunner(RunnerFixtures.request(RunnerFixtures.http("ftp://example.com/x"))).run()
        #expect(outcome.result == .failed)
        #expect(outcome.attempts == 0)
        #expect(outcome.message == "http target: url \"ftp://example.com/x\" is not an absolute http or https URL")
    }

    @Test("runs share the replica's connection pool: consecutive requests to one target reuse a kept-alive connection")
    func keepAlive() async throws {
        // A server of its own: no other test's requests share its connections.
        let server = HTTPTestServer()
        let base = try await server.url()
        defer { withExtendedLifetime(server) {} }
        var connections: Set<String> = []
        for _ in 0..<5 {
            let outcome = await TargetRunner(RunnerFixtures.request(RunnerFixtures.http(base + "/status/200"))).run()
            #expect(outcome.result == .succeeded)
            let line = RunnerFixtures.text(outcome).split(separator: "\n").first { $0.hasPrefix("connection=") }
            connections.insert(String(line ?? ""))
        }
        #expect(connections.count == 1, "\(connections)")
    }

    @Test("a 303 turns a POST into a GET without its body; a 307 keeps both")
    func redirectMethods() async throws {
        let base = try await HTTPTestServer.shared.url()
        let next = "\(base)/status/200".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let seeOther = await TargetRunner(RunnerFixtures.request(RunnerFixtures.http(base + "/redirect303/" + next, method: "POST", body: "payload"))).run()
        #expect(seeOther.result == .succeeded && seeOther.httpStatus == 200)
        #expect(RunnerFixtures.text(seeOther).contains("method=GET\n") && RunnerFixtures.text(seeOther).hasSuffix("body=\n"))
        let temporary = await TargetRunner(RunnerFixtures.request(RunnerFixtures.http(base + "/redirect307/" + next, method: "POST", body: "payload"))).run()
        #expect(temporary.result == .succeeded)
        #expect(RunnerFixtures.text(temporary).contains("method=POST\n") && RunnerFixtures.text(temporary).hasSuffix("body=payload\n"))
    }
}
