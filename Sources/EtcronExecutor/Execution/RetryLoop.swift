import EtcronCore
import Foundation
import Logging
import Synchronization

/// Drives the attempts of one run: runs them one after another with backoff in between
/// until one succeeds, is stopped, or the retries run out, and folds them into one
/// outcome (the last attempt's result).
///
/// Attempts an earlier executor made of the run (it was lost mid-run) count: numbering
/// continues after them and only the request's `remainingAttempts` are made, so a run
/// never gets more than its policy's attempts in total (but always at least one more).
struct RetryLoop: Sendable {
    var request: RunRequest
    var runner: any AttemptRunner
    var settings: TargetRunnerSettings
    var stop: RunStopSignal
    var logger: Logger
    var metrics: RunMetrics
    var onStarted: @Sendable (Date) async -> Void
    var onAttempt: @Sendable (AttemptReport) async -> Void

    func run() async -> RunOutcome {
        let backoff = RetryBackoff(request.retry)
        let earlier = request.earlierAttempts
        // Attempt numbers are the run's: this loop makes attempts earlier+1 ... totalAttempts.
        let totalAttempts = earlier + request.remainingAttempts
        let startOnce = StartOnce(onStarted: onStarted, metrics: metrics, tenant: request.tenant)
        var output = OutputRingBuffer(capacity: settings.outputLimit)
        var last: AttemptResult?
        var attempts = earlier
        var stoppedWhileWaiting: String?

        while attempts < totalAttempts {
            if let reason = stop.reason {
                if last != nil { stoppedWhileWaiting = reason }
                break
            }
            attempts += 1
            let context = AttemptContext(
                number: attempts, request: request, settings: settings, stop: stop,
                logger: logger, didStart: { await startOnce.fire($0) }
            )
            let attempt = await runner.runAttempt(context)
            await startOnce.fire(attempt.startedAt)
            metrics.attemptMade(tenant: request.tenant)
            output.append(contentsOf: attempt.output)
            last = attempt

            let retryable = attempt.result == .failed || attempt.result == .timedOut
            let retryAfter = retryable && attempts < totalAttempts ? backoff.delay(afterAttempt: attempts) : nil
            await onAttempt(Self.report(attempt, number: attempts, retryAfter: retryAfter))
            guard let retryAfter else { break }
            logger.notice("attempt failed; retrying", metadata: [
                "attempt": "\(attempts)", "message": "\(attempt.message)",
                "retry_after": "\(ExecutionText.duration(retryAfter))",
            ])
            output.append("\n--- etcron: attempt \(attempts) of \(totalAttempts): \(attempt.message); next attempt in \(ExecutionText.duration(retryAfter)) ---\n")
            if case .stopped(let reason) = await stop.wait(upTo: retryAfter) {
                stoppedWhileWaiting = reason
                break
            } else if let reason = stop.reason {
                stoppedWhileWaiting = reason
                break
            }
        }
        return outcome(
            last: last, attempts: attempts, of: totalAttempts, firstStart: startOnce.firstStart, output: output,
            stoppedWhileWaiting: stoppedWhileWaiting
        )
    }

    private func outcome(
        last: AttemptResult?, attempts: Int, of totalAttempts: Int, firstStart: Date?, output: OutputRingBuffer,
        stoppedWhileWaiting: String?
    ) -> RunOutcome {
        let now = Date()
        let earlier = request.earlierAttempts
        guard let last else {
            return RunOutcome(
                result: .stopped, attempts: earlier, firstStartedAt: now, finishedAt: now,
                message: "\(stop.reason ?? "stopped") before \(earlier == 0 ? "the first attempt" : "attempt \(earlier + 1)")",
                earlierAttempts: earlier
            )
        }
        var message = last.message
        var result = last.result
        if let reason = stoppedWhileWaiting {
            result = .stopped
            message = "\(reason) while waiting to retry; attempt \(attempts): \(last.message)"
        } else if attempts > 1 {
            message += " (attempt \(attempts) of \(totalAttempts))"
        }
        return RunOutcome(
            result: result,
            attempts: attempts,
            firstStartedAt: firstStart ?? last.startedAt,
            finishedAt: stoppedWhileWaiting == nil ? last.finishedAt : now,
            exitCode: last.exitCode,
            signal: last.signal,
            httpStatus: last.httpStatus,
            output: output.data,
            outputBytesDropped: output.droppedBytes,
            message: message,
            earlierAttempts: earlier
        )
    }

    private static func report(_ attempt: AttemptResult, number: Int, retryAfter: Duration?) -> AttemptReport {
        AttemptReport(
            attempt: number, result: attempt.result, startedAt: attempt.startedAt,
            finishedAt: attempt.finishedAt, exitCode: attempt.exitCode, signal: attempt.signal,
            httpStatus: attempt.httpStatus, message: attempt.message, retryAfter: retryAfter
        )
    }
}

/// Calls `onStarted` (and counts the run as started) exactly once, with the first
/// attempt's start time.
final class StartOnce: Sendable {
    private let startedAt = Mutex<Date?>(nil)
    private let onStarted: @Sendable (Date) async -> Void
    private let metrics: RunMetrics
    private let tenant: String

    init(onStarted: @escaping @Sendable (Date) async -> Void, metrics: RunMetrics, tenant: String) {
        self.onStarted = onStarted
        self.metrics = metrics
        self.tenant = tenant
    }

    /// The first start, once there was one.
    var firstStart: Date? { startedAt.withLock { $0 } }

    func fire(_ date: Date) async {
        let first = startedAt.withLock { value -> Bool in
            guard value == nil else { return false }
            value = date
            return true
        }
        guard first else { return }
        metrics.runStarted(tenant: tenant)
        await onStarted(date)
    }
}
