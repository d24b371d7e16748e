/// Exponential backoff with a cap and full jitter, for retrying etcd while it is away.
struct Backoff: Sendable {
    private let initial: Duration
    private let maximum: Duration
    private var attempt = 0

    init(initial: Duration = .milliseconds(100), maximum: Duration = .seconds(5)) {
        self.initial = initial
        self.maximum = maximum
    }

    /// The next delay: initial × 2^attempt, capped, with jitter so replicas spread out.
    mutating func next() -> Duration {
        let factor = 1 << min(attempt, 16)
        attempt += 1
        let ceiling = min(maximum, initial * factor)
        let millis = max(1, Int(ceiling / .milliseconds(1)))
        return .milliseconds(Int.random(in: (millis / 2)...millis))
    }

    /// Starts over after a success.
    mutating func reset() {
        attempt = 0
    }
}
