import EtcronCore
import EtcronProto

/// A run's retry policy with defaults filled in: how many extra attempts, and how long to
/// wait before each: the core ``Backoff``, doubling from `initial` up to `maximum`, without
/// jitter (runs of different jobs are already spread by their schedules).
public struct RetryBackoff: Sendable, Hashable {
    /// The wait before the first retry when the policy gives none.
    public static let defaultInitial = Duration.seconds(1)
    /// The longest wait when the policy gives none.
    public static let defaultMaximum = Duration.seconds(60)

    /// Attempts after the first (0 = no retries).
    public var maxRetries: Int
    /// The waits.
    public var backoff: Backoff

    /// The wait before the first retry.
    public var initial: Duration { backoff.initial }
    /// The longest wait.
    public var maximum: Duration { backoff.maximum }

    /// The policy's values; 0 backoffs take the defaults, negative retries count as none,
    /// and a maximum below the initial wait is raised to it.
    public init(_ policy: Etcron_V1_RetryPolicy) {
        maxRetries = max(0, Int(policy.maxRetries))
        let initial = policy.initialBackoffMs > 0 ? .milliseconds(policy.initialBackoffMs) : Self.defaultInitial
        let maximum = policy.maxBackoffMs > 0 ? .milliseconds(policy.maxBackoffMs) : Self.defaultMaximum
        backoff = Backoff(initial: initial, maximum: maximum, jitter: .none)
    }

    /// The wait after failed attempt `attempt` (1-based): initial × 2^(attempt-1), capped.
    public func delay(afterAttempt attempt: Int) -> Duration {
        backoff.delay(afterAttempt: attempt)
    }
}
