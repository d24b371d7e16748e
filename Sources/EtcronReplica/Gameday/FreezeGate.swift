import Synchronization

/// A replica frozen by a gameday freeze: until the thaw, everything that acts for it (its
/// etcd calls through ``FrozenKV``, its reactions to its session and election) waits, as
/// in a process stopped with SIGSTOP; afterwards it carries on and finds out what changed.
public final class FreezeGate: Sendable {
    private let thaw = Mutex<ContinuousClock.Instant?>(nil)

    /// A gate that is open.
    public init() {}

    /// Holds everything that waits on the gate until `until`.
    public func freeze(until: ContinuousClock.Instant) {
        thaw.withLock { $0 = max($0 ?? until, until) }
    }

    /// Whether the gate is closed now.
    public var isFrozen: Bool {
        thaw.withLock { $0.map { $0 > .now } ?? false }
    }

    /// Returns at once while open; otherwise at the thaw (or when the task is cancelled).
    public func wait() async {
        while let end = thaw.withLock({ $0 }), end > .now {
            if Task.isCancelled { return }
            try? await Task.sleep(until: end, clock: .continuous)
        }
    }
}
