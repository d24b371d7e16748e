import EtcronCore
import EtcronProto
import Foundation

/// How a run ended: one terminal result, whatever the number of attempts.
public struct RunOutcome: Sendable {
    /// The last attempt's result, or `stopped` if a stop came while waiting to retry.
    public var result: RunResult
    /// Attempts of the run, `earlierAttempts` included (equal to them only if the run was
    /// stopped before this runner's first attempt or its target is invalid).
    public var attempts: Int
    /// Attempts made before this runner took the run over (by executors lost mid-run).
    public var earlierAttempts: Int
    /// When the first attempt began: start delay = `firstStartedAt` - scheduled time.
    /// If no attempt was made, equal to `finishedAt`.
    public var firstStartedAt: Date
    /// When the run reached its result.
    public var finishedAt: Date
    /// The last attempt's exit status, if its process exited normally.
    public var exitCode: Int32?
    /// The signal that ended the last attempt's process, if one did.
    public var signal: Int32?
    /// The last attempt's HTTP status, if it got a response.
    public var httpStatus: Int?
    /// The last 64 KiB (by default) of the output of all attempts: combined stdout and
    /// stderr for exec targets, the response body for http targets. When there was more
    /// than one attempt, an `--- etcron: ... ---` line separates them.
    public var output: Data
    /// Output bytes that were produced but not kept in `output`.
    public var outputBytesDropped: Int64
    /// What happened, for people: "exit status 3", "HTTP 503, expected 2xx",
    /// "killed by SIGTERM after the 30 s timeout".
    public var message: String

    /// Describes an outcome; see the properties.
    public init(
        result: RunResult,
        attempts: Int,
        firstStartedAt: Date,
        finishedAt: Date,
        exitCode: Int32? = nil,
        signal: Int32? = nil,
        httpStatus: Int? = nil,
        output: Data = Data(),
        outputBytesDropped: Int64 = 0,
        message: String,
        earlierAttempts: Int = 0
    ) {
        self.result = result
        self.attempts = attempts
        self.firstStartedAt = firstStartedAt
        self.finishedAt = finishedAt
        self.exitCode = exitCode
        self.signal = signal
        self.httpStatus = httpStatus
        self.output = output
        self.outputBytesDropped = outputBytesDropped
        self.message = message
        self.earlierAttempts = earlierAttempts
    }

    /// Whether this runner made at least one attempt.
    public var started: Bool { attempts > earlierAttempts }

    /// How long the run took from its first start to its result.
    public var duration: Duration {
        .nanoseconds(Int64((finishedAt.timeIntervalSince(firstStartedAt) * 1e9).rounded()))
    }

    /// Writes the outcome into a run record: its result (the `finish` transition, so only a
    /// running run takes one), attempts (the run's, earlier ones included), finish time,
    /// exit code, HTTP status, output and message; the start time too if the record lacks
    /// one.
    public func apply(to run: inout Etcron_V1_Run) throws(IllegalRunTransition) {
        try run.apply(.attempt(Int32(clamping: attempts)))
        if started {
            try run.apply(.start(atUnixMs: Self.unixMilliseconds(firstStartedAt)))
        }
        try run.apply(.finish(result, atUnixMs: Self.unixMilliseconds(finishedAt)))
        run.exitCode = exitCode ?? 0
        run.httpStatus = Int32(clamping: httpStatus ?? 0)
        run.output = output
        run.message = message
    }

    static func unixMilliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }
}

/// One attempt of a run, as reported to the `onAttempt` hook when it ends.
public struct AttemptReport: Sendable {
    /// The attempt's number in its run: 1 for the first, and after a handover from a lost
    /// executor, counting that executor's attempts too.
    public var attempt: Int
    /// How the attempt ended.
    public var result: RunResult
    /// When the attempt began.
    public var startedAt: Date
    /// When it ended.
    public var finishedAt: Date
    /// Its process's exit status, if it exited normally.
    public var exitCode: Int32?
    /// The signal that ended its process, if one did.
    public var signal: Int32?
    /// Its HTTP status, if it got a response.
    public var httpStatus: Int?
    /// What happened, for people.
    public var message: String
    /// The wait before the next attempt; nil when this attempt was the last.
    public var retryAfter: Duration?
}
