import Foundation

/// The time as the leader and the executor read it, injected so that their bookkeeping is
/// tested with a clock the test moves (`ManualClock` in EtcronTestKit) rather than by
/// waiting: schedules are wall-clock times, so this is wall-clock time.
public protocol WallClock: Sendable {
    /// Now.
    func now() -> Date
    /// Returns at `deadline` (at once if it passed); throws `CancellationError` when the
    /// task is cancelled first.
    func sleep(until deadline: Date) async throws
}

/// The system's clock.
public struct SystemClock: WallClock {
    /// The system's clock.
    public init() {}

    public func now() -> Date { Date() }

    public func sleep(until deadline: Date) async throws {
        let seconds = deadline.timeIntervalSinceNow
        guard seconds > 0 else { return try Task.checkCancellation() }
        try await Task.sleep(for: .nanoseconds(Int64(seconds * 1e9)))
    }
}
