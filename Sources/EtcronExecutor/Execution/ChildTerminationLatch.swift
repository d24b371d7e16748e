import Synchronization

/// A child's state, as far as waiting for its termination goes.
protocol ChildTerminationState: Sendable {
    /// The termination, once everything it needs is known.
    var termination: ChildTermination? { get }
    /// Who waits for it.
    var waiters: [CheckedContinuation<ChildTermination, Never>] { get set }
}

/// Waiting for a child's termination and completing it, for every kind of exec child.
enum ChildTerminationLatch {
    /// Waits until `state`'s termination is complete.
    static func wait<State: ChildTerminationState>(_ state: borrowing Mutex<State>) async -> ChildTermination {
        await withCheckedContinuation { continuation in
            let ready: ChildTermination? = state.withLock { state in
                if let termination = state.termination { return termination }
                state.waiters.append(continuation)
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// Applies `update` under the lock; when that completes the termination, wakes the
    /// waiters and returns true (once).
    static func update<State: ChildTerminationState>(_ state: borrowing Mutex<State>, _ update: (inout State) -> Void) -> Bool {
        let (termination, waiters): (ChildTermination?, [CheckedContinuation<ChildTermination, Never>]) =
            state.withLock { state in
                let wasComplete = state.termination != nil
                update(&state)
                guard !wasComplete, let termination = state.termination else { return (nil, []) }
                defer { state.waiters = [] }
                return (termination, state.waiters)
            }
        guard let termination else { return false }
        for waiter in waiters { waiter.resume(returning: termination) }
        return true
    }
}
