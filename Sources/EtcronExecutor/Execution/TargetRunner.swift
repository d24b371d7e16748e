import EtcronCore
import EtcronProto
import Foundation
import Logging
import Synchronization

/// Runs one run of a job to its terminal result: the target (exec or http), with the
/// run's retries, per-attempt timeout and stop handling. Knows nothing of etcd: the
/// executor records what the hooks and the outcome tell it.
///
/// ```swift
/// let runner = TargetRunner(request, logger: logger)
/// let outcome = await runner.run(onStarted: { startedAt in /* record started_at */ })
/// // elsewhere, under the Replace policy: runner.stop(reason: "replaced")
/// ```
///
/// Create one per run and call `run` once. `stop(reason:)`, or cancelling the task that
/// awaits `run`, stops it: an exec target's process group gets SIGTERM, then SIGKILL
/// after the request's `stopGrace`; an http request is cancelled; no further attempt is
/// made; the result is `stopped`.
public final class TargetRunner: Sendable {
    /// What this runner runs.
    public let request: RunRequest
    private let settings: TargetRunnerSettings
    private let logger: Logger
    private let metrics: RunMetrics
    private let stopSignal = RunStopSignal()
    private let ran = Atomic<Bool>(false)

    /// A runner for `request`. `logger` gets the run's identity as metadata.
    public init(
        _ request: RunRequest,
        settings: TargetRunnerSettings = TargetRunnerSettings(),
        logger: Logger = Logger(label: "etcron.execution"),
        metrics: RunMetrics = RunMetrics()
    ) {
        self.request = request
        self.settings = settings
        var logger = logger
        // In one change: a handler may redo work per change (swift-log's stream handler
        // renders all its metadata again), and this runs once per run.
        logger.handler.metadata.merge(
            ["run_id": "\(request.runID)", "tenant": "\(request.tenant)", "job": "\(request.job)"]) { _, new in new }
        self.logger = logger
        self.metrics = metrics
    }

    /// Runs the run to its terminal result. Call it once (a second call is a programming
    /// error and traps).
    ///
    /// - Parameters:
    ///   - onStarted: called once, when the first attempt begins (its process spawned or
    ///     its request sent, or its failure to start), with that time; not called if the
    ///     run is stopped first or its target is invalid.
    ///   - onAttempt: called when each attempt ends, before any backoff.
    public func run(
        onStarted: @escaping @Sendable (Date) async -> Void = { _ in },
        onAttempt: @escaping @Sendable (AttemptReport) async -> Void = { _ in }
    ) async -> RunOutcome {
        precondition(!ran.exchange(true, ordering: .relaxed), "TargetRunner.run() may be called only once")
        let stopSignal = stopSignal
        return await withTaskCancellationHandler {
            await runNow(onStarted: onStarted, onAttempt: onAttempt)
        } onCancel: {
            stopSignal.stop("stopped (task cancelled)")
        }
    }

    /// Stops the run; `reason` starts the outcome's message (e.g. "replaced by run X").
    /// The first stop's reason wins; stopping a finished run does nothing.
    public func stop(reason: String = "stopped") {
        if stopSignal.stop(reason) {
            logger.info("stop requested", metadata: ["reason": "\(reason)"])
        }
    }

    /// Whether a stop was requested.
    public var isStopRequested: Bool { stopSignal.reason != nil }

    private func runNow(
        onStarted: @escaping @Sendable (Date) async -> Void,
        onAttempt: @escaping @Sendable (AttemptReport) async -> Void
    ) async -> RunOutcome {
        let runner: any AttemptRunner
        switch Self.plan(request.target) {
        case .success(let planned):
            runner = planned
        case .failure(let invalid):
            let now = Date()
            logger.warning("invalid target", metadata: ["problem": "\(invalid.message)"])
            metrics.runFinished(tenant: request.tenant, result: .failed, duration: nil)
            return RunOutcome(
                result: .failed, attempts: request.earlierAttempts, firstStartedAt: now, finishedAt: now,
                message: invalid.message, earlierAttempts: request.earlierAttempts)
        }
        logger.debug("run starting")
        let loop = RetryLoop(
            request: request, runner: runner, settings: settings, stop: stopSignal,
            logger: logger, metrics: metrics, onStarted: onStarted, onAttempt: onAttempt
        )
        let outcome = await loop.run()
        metrics.runFinished(
            tenant: request.tenant, result: outcome.result, duration: outcome.started ? outcome.duration : nil
        )
        let metadata: Logger.Metadata = [
            "result": "\(outcome.result.rawValue)", "attempts": "\(outcome.attempts)",
            "message": "\(outcome.message)",
        ]
        if outcome.result == .succeeded {
            logger.info("run finished", metadata: metadata)
        } else {
            logger.warning("run finished", metadata: metadata)
        }
        return outcome
    }

    /// A target that can never run.
    struct InvalidTarget: Error {
        var message: String
    }

    /// The attempt runner for `target`, or why there is none.
    static func plan(_ target: Etcron_V1_Target) -> Result<any AttemptRunner, InvalidTarget> {
        switch target.kind {
        case .exec(let exec):
            if let problem = ExecRunner.problem(in: exec) { return .failure(InvalidTarget(message: problem)) }
            return .success(ExecRunner(target: exec))
        case .http(let http):
            if let problem = HTTPRunner.problem(in: http) { return .failure(InvalidTarget(message: problem)) }
            return .success(HTTPRunner(target: http))
        case nil:
            return .failure(InvalidTarget(message: "the job has no target (neither exec nor http)"))
        }
    }
}
