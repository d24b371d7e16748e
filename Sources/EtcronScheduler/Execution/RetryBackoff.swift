import EtcronProto

/// A run's retry policy with defaults filled in: how many extra attempts, and how long to
/// wait before each (exponential, doubling from `initial` up to `maximum`, no jitter:
/// runs of different jobs are already spread by their schedules).
public struct RetryBackoff: Sendable, Hashable {
    /// The wait before the first retry when the policy gives none.
    public static let defaultInitial = Duration.seconds(1)
    /// The longest wait when the policy gives none.
    public static let defaultMaximum = Duration.seconds(60)

    /// Attempts after the first (0 = no retries).
    public var maxRetries: Int
    /// The wait before the first retry.
    public var initial: Duration
    /// The longest wait.
    public var maximum: Duration

    /// The policy's values; 0 backoffs take the defaults, negative retries count as none,
    /// and a maximum below the initial wait is raised to it.
    public init(_ policy: Etcron_V1_RetryPolicy) {
        maxRetries = max(0, Int(policy.maxRetries))
        initial = policy.initialBackoffMs > 0 ? .milliseconds(policy.initialBackoffMs) : Self.defaultInitial
        let maximum = policy.maxBackoffMs > 0 ? .milliseconds(policy.maxBackoffMs) : Self.defaultMaximum
        self.maximum = max(maximum, initial)
    }

    /// The wait after failed attempt `attempt` (1-based): initial × 2^(attempt-1), capped.
    public func delay(afterAttempt attempt: Int) -> Duration {
        var delay = initial
        for _ in 1..<max(1, attempt) {
            delay *= 2
            if delay >= maximum { return maximum }
        }
        return min(delay, maximum)
    }
}
