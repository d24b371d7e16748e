/// Exponential backoff with a cap and optional jitter: etcron's one backoff, for retrying
/// etcd while it is away, a write that lost a race, a failed sync, and a run's retries.
///
/// The delay after failed attempt `n` (1-based) is `initial × 2^(n-1)`, capped at
/// `maximum`, then jittered: `.none` keeps it (a run's retry policy: runs of different jobs
/// are already spread by their schedules), `.half` picks from its upper half (replicas
/// reconnecting spread out but still back off), `.full` from zero to it (a crowd of
/// writers racing for one key spreads out fully).
public struct Backoff: Sendable, Hashable {
    /// How much of the delay is randomised.
    public enum Jitter: Sendable, Hashable {
        /// None: the delay is exact.
        case none
        /// Uniform in `[delay / 2, delay]`.
        case half
        /// Uniform in `[0, delay]`.
        case full
    }

    /// The delay after the first failure.
    public var initial: Duration
    /// The longest delay.
    public var maximum: Duration
    /// How the delay is randomised.
    public var jitter: Jitter
    /// Failures so far (what `next()` counts).
    public private(set) var failures = 0

    /// A backoff from `initial` doubling up to `maximum` (raised to `initial` if lower).
    public init(initial: Duration = .milliseconds(100), maximum: Duration = .seconds(5), jitter: Jitter = .half) {
        self.initial = initial
        self.maximum = max(maximum, initial)
        self.jitter = jitter
    }

    /// The un-jittered delay after failed attempt `attempt` (1-based): initial × 2^(attempt-1), capped.
    public func ceiling(afterAttempt attempt: Int) -> Duration {
        var delay = initial
        for _ in 1..<max(1, attempt) {
            delay *= 2
            if delay >= maximum { return maximum }
        }
        return min(delay, maximum)
    }

    /// The delay after failed attempt `attempt`, jittered.
    public func delay(afterAttempt attempt: Int) -> Duration {
        let ceiling = ceiling(afterAttempt: attempt)
        let nanoseconds = max(0, Int64(ceiling / .nanoseconds(1)))
        switch jitter {
        case .none: return ceiling
        case .half: return .nanoseconds(Int64.random(in: (nanoseconds / 2)...nanoseconds))
        case .full: return .nanoseconds(Int64.random(in: 0...nanoseconds))
        }
    }

    /// Counts a failure and returns the delay before the next attempt.
    public mutating func next() -> Duration {
        failures += 1
        return delay(afterAttempt: failures)
    }

    /// Starts over after a success.
    public mutating func reset() {
        failures = 0
    }
}
