import EtcronCore
import Synchronization

/// A one-shot, thread-safe "stop this run" flag that async code can wait on.
///
/// Set by `TargetRunner.stop(reason:)` or by cancelling the task that runs the run; read
/// by the retry loop (no further attempts) and by each attempt's watchdog (signal the
/// process group, cancel the request).
final class RunStopSignal: Sendable {
    /// How a bounded wait for a stop ended.
    enum Wait: Sendable, Equatable {
        /// The duration passed without a stop.
        case elapsed
        /// A stop was requested, with this reason.
        case stopped(String)
        /// The waiting task was cancelled.
        case cancelled
    }

    private struct State {
        var reason: String?
        var waiters: [Int: CheckedContinuation<String?, Never>] = [:]
        var handlers: [Int: @Sendable (String) -> Void] = [:]
        var nextWaiter = 0
    }

    private let state = Mutex(State())

    /// Requests the stop. The first reason wins; returns whether this call set it.
    @discardableResult
    func stop(_ reason: String) -> Bool {
        let woken = state.withLock { state -> ([CheckedContinuation<String?, Never>], [@Sendable (String) -> Void])? in
            guard state.reason == nil else { return nil }
            state.reason = reason
            defer {
                state.waiters = [:]
                state.handlers = [:]
            }
            return (Array(state.waiters.values), Array(state.handlers.values))
        }
        guard let (waiters, handlers) = woken else { return false }
        for waiter in waiters { waiter.resume(returning: reason) }
        for handler in handlers { handler(reason) }
        return true
    }

    /// Calls `handler` (once, on the stopping thread) when the stop comes, at once if it
    /// came already; returns the registration to `remove`, nil when it was called at once.
    func onStop(_ handler: @escaping @Sendable (String) -> Void) -> Int? {
        enum Registration {
            case registered(Int)
            case stoppedAlready(String)
        }
        let registration = state.withLock { state -> Registration in
            if let reason = state.reason { return .stoppedAlready(reason) }
            state.nextWaiter += 1
            state.handlers[state.nextWaiter] = handler
            return .registered(state.nextWaiter)
        }
        switch registration {
        case .registered(let id):
            return id
        case .stoppedAlready(let reason):
            handler(reason)
            return nil
        }
    }

    /// Forgets a handler registered with `onStop` (nil: nothing to forget).
    func remove(_ registration: Int?) {
        guard let registration else { return }
        _ = state.withLock { $0.handlers.removeValue(forKey: registration) }
    }

    /// The stop's reason, or nil while no stop was requested.
    var reason: String? { state.withLock { $0.reason } }

    /// Waits for a stop and returns its reason; returns nil if the task is cancelled first.
    func wait() async -> String? {
        let id = state.withLock { state in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<String?, Never>) in
                // Registration and the cancellation check share the lock with `onCancel`,
                // so a cancellation either finds the waiter or is seen here.
                let immediate: String?? = state.withLock { state in
                    if let reason = state.reason { return .some(reason) }
                    if Task.isCancelled { return .some(nil) }
                    state.waiters[id] = continuation
                    return .none
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume(returning: nil)
        }
    }

    /// Waits for a stop, at most `duration` (nil: no limit).
    func wait(upTo duration: Duration?) async -> Wait {
        guard let duration else {
            return await wait().map(Wait.stopped) ?? .cancelled
        }
        return await withTaskGroup(of: Wait.self) { group in
            group.addTask {
                do {
                    try await Task.sleep(for: duration)
                    return .elapsed
                } catch {
                    return .cancelled
                }
            }
            group.addTask { await self.wait().map(Wait.stopped) ?? .cancelled }
            let first = await group.next() ?? .cancelled
            group.cancelAll()
            return first
        }
    }
}
