import Synchronization

/// A one-shot broadcast: `fire()` wakes every task waiting at that moment (a step-down
/// for the term that leads, a crash for the session that runs); nobody waiting, nothing
/// happens.
final class GamedaySignal: Sendable {
    private struct Waiters {
        var next = 0
        var waiting: [Int: CheckedContinuation<Void, any Error>] = [:]
    }

    private let waiters = Mutex(Waiters())

    /// Waits until the next `fire()`.
    /// - Throws: `CancellationError` when the task is cancelled first.
    func wait() async throws {
        let id = waiters.withLock { waiters -> Int in
            defer { waiters.next += 1 }
            return waiters.next
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let cancelled = waiters.withLock { waiters -> Bool in
                    if Task.isCancelled { return true }
                    waiters.waiting[id] = continuation
                    return false
                }
                if cancelled { continuation.resume(throwing: CancellationError()) }
            }
        } onCancel: {
            let waiter = waiters.withLock { $0.waiting.removeValue(forKey: id) }
            waiter?.resume(throwing: CancellationError())
        }
    }

    /// Wakes every waiter; true if there was one.
    @discardableResult
    func fire() -> Bool {
        let woken = waiters.withLock { waiters -> [CheckedContinuation<Void, any Error>] in
            defer { waiters.waiting = [:] }
            return Array(waiters.waiting.values)
        }
        woken.forEach { $0.resume() }
        return !woken.isEmpty
    }
}
