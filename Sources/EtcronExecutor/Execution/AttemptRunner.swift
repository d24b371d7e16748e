import EtcronCore
import Foundation
import Logging

/// Runs single attempts of one kind of target (exec or http).
protocol AttemptRunner: Sendable {
    /// Runs one attempt to its end. Never throws: every problem is a failed result.
    func runAttempt(_ context: AttemptContext) async -> AttemptResult
}

/// What an attempt needs besides its target.
struct AttemptContext: Sendable {
    /// The attempt's number in its run (1 for the first; see `RunRequest.earlierAttempts`).
    var number: Int
    var request: RunRequest
    var settings: TargetRunnerSettings
    var stop: RunStopSignal
    var logger: Logger
    /// Called as soon as the target has started (process spawned, request sent).
    var didStart: @Sendable (Date) async -> Void
}

/// How one attempt ended.
struct AttemptResult: Sendable {
    var result: RunResult
    var startedAt: Date
    var finishedAt: Date
    var exitCode: Int32?
    var signal: Int32?
    var httpStatus: Int?
    var output: OutputRingBuffer
    var message: String

    /// An attempt that failed before its target could start.
    static func notStarted(_ message: String, at date: Date = Date(), capacity: Int) -> AttemptResult {
        AttemptResult(
            result: .failed, startedAt: date, finishedAt: date,
            output: OutputRingBuffer(capacity: capacity), message: message
        )
    }
}

/// Why an attempt was cut short by its watchdog.
enum Interruption: Sendable, Equatable {
    /// The per-attempt timeout passed.
    case timedOut(Duration)
    /// A stop was requested, for this reason.
    case stopped(String)

    /// Waits until the attempt must be cut short: its timeout passes or a stop comes.
    /// Returns nil when the waiting task is cancelled (the attempt ended by itself).
    /// A timeout that is not positive counts as none.
    static func next(timeout: Duration?, stop: RunStopSignal) async -> Interruption? {
        let timeout = timeout.flatMap { $0 > .zero ? $0 : nil }
        return switch await stop.wait(upTo: timeout) {
        case .elapsed: .timedOut(timeout ?? .zero)
        case .stopped(let reason): .stopped(reason)
        case .cancelled: nil
        }
    }

    /// The result an attempt cut short this way has.
    var result: RunResult {
        switch self {
        case .timedOut: .timedOut
        case .stopped: .stopped
        }
    }
}
