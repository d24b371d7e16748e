import Synchronization

/// Cuts an attempt short when its timeout passes or a stop comes, whichever is first, by
/// cancelling the task that performs it; after `finish` nothing more counts. One sleeping
/// task and a stop callback per attempt (instead of a task group racing a sleep against a
/// wait), which matters when a herd starts thousands of attempts at once. The timeout may
/// start later than the watch (`arm`): an http attempt's starts when its request goes out.
final class AttemptWatchdog<Success: Sendable>: Sendable {
    private struct State {
        var interruption: Interruption?
        var finished = false
        /// The work, once `watch` was given it.
        var work: Task<Success, Never>?
        /// The timeout's sleeping task and the stop callback's registration, both made
        /// once `self` exists (they refer to it), let go of by `finish`.
        var timer: Task<Void, Never>?
        var registration: Int?
    }

    private let state = Mutex(State())
    private let stop: RunStopSignal

    /// Watches `work` against `stop`, and against `timeout` (not positive or nil: none)
    /// from now on.
    convenience init(_ work: Task<Success, Never>, timeout: Duration?, stop: RunStopSignal) {
        self.init(stop: stop)
        watch(work)
        arm(timeout: timeout)
    }

    /// A watchdog for work given to `watch`, against `stop` from now on; its timeout
    /// starts when `arm` is called.
    init(stop: RunStopSignal) {
        self.stop = stop
        let registration = stop.onStop { [weak self] reason in self?.interrupt(.stopped(reason)) }
        state.withLock { $0.registration = registration }
    }

    /// The work to cut short (once): the task may call `arm` itself. A stop that came
    /// before cancels it at once.
    func watch(_ work: Task<Success, Never>) {
        let interrupted = state.withLock { state in
            state.work = work
            return state.interruption != nil
        }
        if interrupted { work.cancel() }
    }

    /// Starts the timeout (not positive or nil: none); once only, and not after `finish`.
    func arm(timeout: Duration?) {
        guard let timeout, timeout > .zero else { return }
        let timer = Task { [weak self] in
            guard (try? await Task.sleep(for: timeout)) != nil else { return }
            self?.interrupt(.timedOut(timeout))
        }
        let armed = state.withLock { state in
            guard !state.finished, state.timer == nil else { return false }
            state.timer = timer
            return true
        }
        if !armed { timer.cancel() }
    }

    /// Waits for the work (given to `watch` first) to end; what cut it short, if anything
    /// did before it ended.
    func finish() async -> (Success, Interruption?) {
        guard let work = state.withLock({ $0.work }) else { preconditionFailure("AttemptWatchdog.finish before watch") }
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
        let work = state.withLock { state -> Task<Success, Never>? in
            guard !state.finished, state.interruption == nil else { return nil }
            state.interruption = interruption
            return state.work
        }
        work?.cancel()
    }
}
