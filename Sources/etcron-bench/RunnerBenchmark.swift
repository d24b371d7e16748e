import ArgumentParser
import AsyncHTTPClient
import EtcronCore
import EtcronExecutor
import EtcronProto
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import SwiftProtobuf

/// `etcron-bench runner`: the executor's cost of one http run, without etcd. Runs
/// `--runs` runs of an http target (POST to a local nginx) through `TargetRunner`, as an
/// executor does once a run is claimed, `--concurrency` at a time, and prints this
/// process's CPU per run and the runs per second. The baseline in the same run: the same
/// requests sent by async-http-client alone (one `execute` per request, the body read to
/// its end), so the figure shows what etcron adds to the HTTP client it is built on.
///
/// The herd's executors spend most of their CPU here; this isolates it from the noise of
/// a whole herd (etcd, the leader, three replicas on two cores).
struct RunnerBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runner", abstract: "An executor's CPU per http run (TargetRunner) against async-http-client alone.")

    @Option(help: "Runs measured (each side).")
    var runs = 20_000

    @Option(help: "Runs in flight at once (a herd starts thousands together).")
    var concurrency = 2_000

    @Option(help: "Rounds of each side, alternating; the figures are their medians.")
    var rounds = 3

    @Option(help: "Per-attempt timeout of the runs in seconds (0: none).")
    var timeout = 30

    func validate() throws {
        guard runs >= 1, concurrency >= 1, rounds >= 1, timeout >= 0 else {
            throw ValidationError("--runs, --concurrency and --rounds must be at least 1, --timeout at least 0")
        }
    }

    func run() async throws {
        let figures = EtcdFigures(label: "runner")
        let directory = FileManager.default.temporaryDirectory.path + "/etcron-bench-runner-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let target = try await HerdTarget.start(in: directory)
        do {
            try await measure(url: target.url + "/run", figures: figures)
        } catch {
            await target.stop()
            throw error
        }
        await target.stop()
    }

    private func measure(url: String, figures: EtcdFigures) async throws {
        let client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: TargetRunnerSettings.httpClientConfiguration())
        do {
            try await compare(client: client, url: url, figures: figures)
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    private func compare(client: HTTPClient, url: String, figures: EtcdFigures) async throws {
        figures.progress("warming up both sides (\(min(runs, 2_000)) runs each)")
        _ = try await runnerSide(url: url, count: min(runs, 2_000), label: "warm")
        _ = try await bareSide(client: client, url: url, count: min(runs, 2_000))
        var runner: [Side] = []
        var bare: [Side] = []
        for round in 1...rounds {
            figures.progress("round \(round) of \(rounds): \(runs) runs through TargetRunner, then \(runs) bare requests")
            runner.append(try await runnerSide(url: url, count: runs, label: "r\(round)"))
            bare.append(try await bareSide(client: client, url: url, count: runs))
        }
        let runnerMedian = Side.median(runner)
        let bareMedian = Side.median(bare)
        figures.figure("runner_http_cpu_per_run", String(format: "%.1f", runnerMedian.cpuPerOperation), "us")
        figures.figure("runner_http_runs_per_second", String(Int(runnerMedian.perSecond)), "runs/s")
        figures.figure("bare_client_cpu_per_request", String(format: "%.1f", bareMedian.cpuPerOperation), "us")
        figures.figure("bare_client_requests_per_second", String(Int(bareMedian.perSecond)), "req/s")
        figures.ratio("runner_cpu_vs_bare_client", runnerMedian.cpuPerOperation / max(bareMedian.cpuPerOperation, 1e-9))
    }

    /// One side's round: CPU of this process per operation, and operations per second.
    struct Side {
        var cpuPerOperation: Double
        var perSecond: Double

        static func median(_ sides: [Side]) -> Side {
            let cpu = sides.map(\.cpuPerOperation).sorted()
            let rate = sides.map(\.perSecond).sorted()
            return Side(cpuPerOperation: cpu[cpu.count / 2], perSecond: rate[rate.count / 2])
        }
    }

    private func runnerSide(url: String, count: Int, label: String) async throws -> Side {
        let target = Etcron_V1_Target.with {
            $0.http.url = url
            $0.http.method = "POST"
            $0.http.body = Data("{}".utf8)
        }
        let timeout: Duration? = timeout > 0 ? .seconds(timeout) : nil
        // One of each for all runs, as an executor has (settings read the environment and
        // HOME; the metrics keep the instruments they made).
        let settings = TargetRunnerSettings()
        let metrics = RunMetrics()
        // As the herd's replicas run: warnings only (each run logs its result at info).
        let logger = {
            var logger = Logger(label: "etcron.execution")
            logger.logLevel = .warning
            return logger
        }()
        return try await timed(count: count) { index in
            let request = RunRequest(
                runID: "bench-\(label)-\(index)", tenant: "bench", job: "job-\(index % 1_000)", scheduledUnix: 1_800_000_000,
                target: target, attemptTimeout: timeout)
            return await TargetRunner(request, settings: settings, logger: logger, metrics: metrics).run().result == .succeeded
        }
    }

    private func bareSide(client: HTTPClient, url: String, count: Int) async throws -> Side {
        try await timed(count: count) { index in
            var request = HTTPClientRequest(url: url)
            request.method = .POST
            request.headers.add(name: "Idempotency-Key", value: "bench-bare-\(index)")
            request.body = .bytes(ByteBuffer(string: "{}"))
            guard let response = try? await client.execute(request, timeout: .seconds(30)) else { return false }
            guard (try? await response.body.collect(upTo: 1 << 16)) != nil else { return false }
            return (200...299).contains(response.status.code)
        }
    }

    /// Runs `operation` `count` times, `concurrency` at once; fails if any did not succeed.
    private func timed(count: Int, _ operation: @escaping @Sendable (Int) async -> Bool) async throws -> Side {
        let cpuBefore = processCPUTime()
        let start = ContinuousClock.now
        let failures = try await inFlightResults(Array(0..<count), width: concurrency, operation).filter { !$0 }.count
        let elapsed = ContinuousClock.now - start
        let cpu = processCPUTime() - cpuBefore
        guard failures == 0 else { throw FailoverError("\(failures) of \(count) requests did not succeed") }
        return Side(cpuPerOperation: cpu.seconds * 1e6 / Double(count), perSecond: Double(count) / max(elapsed.seconds, 1e-9))
    }
}
