import Synchronization

/// Cuts an attempt short when its timeout passes or a stop comes, whichever is first, by
/// cancelling the task that performs it; after `finish` nothing more counts. One sleeping
/// task and a stop callback per attempt (instead of a task group racing a sleep against a
/// wait), which matters when a herd starts thousands of attempts at once.
final class AttemptWatchdog<Success: Sendable>: Sendable {
    private struct State {
        var interruption: Interruption?
        var finished = false
        /// The timeout's sleeping task and the stop callback's registration, both made
        /// once `self` exists (they refer to it), let go of by `finish`.
        var timer: Task<Void, Never>?
        var registration: Int?
    }

    private let state = Mutex(State())
    private let work: Task<Success, Never>
    private let stop: RunStopSignal

    /// Watches `work` against `timeout` (not positive or nil: none) and `stop`.
    init(_ work: Task<Success, Never>, timeout: Duration?, stop: RunStopSignal) {
        self.work = work
        self.stop = stop
        if let timeout, timeout > .zero {
            let timer = Task { [weak self] in
                guard (try? await Task.sleep(for: timeout)) != nil else { return }
                self?.interrupt(.timedOut(timeout))
            }
            state.withLock { $0.timer = timer }
        }
        let registration = stop.onStop { [weak self] reason in self?.interrupt(.stopped(reason)) }
        state.withLock { $0.registration = registration }
    }

    /// Waits for the work to end; what cut it short, if anything did before it ended.
    func finish() async -> (Success, Interruption?) {
        let value = await work.value
        let (interruption, timer, registration) = state.withLock { state in
            state.finished = true
            return (state.interruption, state.timer, state.registration)
        }
        timer?.cancel()
        stop.remove(registration)
        return (value, interruption)
    }

    private func interrupt(_ interruption: Interruption) {
        let first = state.withLock { state in
            guard !state.finished, state.interruption == nil else { return false }
            state.interruption = interruption
            return true
        }
        if first { work.cancel() }
    }
}
