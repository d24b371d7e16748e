import DequeModule
import Foundation
import Logging
import Synchronization

/// Writes a run's start time a moment after its target started, unless its result (which
/// carries it) was written first, so a short run costs etcd one write fewer. One queue and
/// one sleeping task per executor session: a burst of 10,000 runs used to start a task and
/// a timer for each, all waking a second later, in the middle of the burst, to find their
/// runs finished. Every run waits the same delay, so the queue is in due order.
final class StartRecords: Sendable {
    private struct Pending {
        var key: String
        var recorder: RunRecorder
        var atUnixMs: Int64
        var due: ContinuousClock.Instant
        var logger: Logger
    }

    private struct State {
        var queue: Deque<Pending> = []
        /// The runs in `queue` still running (a finished run's entry is skipped when due).
        var running: Set<String> = []
        var waiter: CheckedContinuation<Void, Never>?
        var closed = false
    }

    private let state = Mutex(State())
    /// How long after its start a run's start time is written.
    let delay: Duration

    /// How much later than due a start may be written, so one wake writes many.
    let slack: Duration

    init(delay: Duration) {
        self.delay = delay
        slack = min(delay / 4, .milliseconds(250))
    }

    /// Writes the start of the run `key` (at `atUnixMs`) after the delay, if it is still
    /// running then.
    func started(_ key: String, recorder: RunRecorder, atUnixMs: Int64, logger: Logger) {
        let pending = Pending(key: key, recorder: recorder, atUnixMs: atUnixMs, due: .now + delay, logger: logger)
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard !state.closed else { return nil }
            state.queue.append(pending)
            state.running.insert(key)
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// The run `key` has its result: its start needs no write of its own.
    func finished(_ key: String) {
        state.withLock { _ = $0.running.remove(key) }
    }

    /// Writes starts as they fall due, until the task is cancelled (the session ended).
    func run() async {
        while !Task.isCancelled {
            guard let head = await next() else { return }
            if head.due > .now {
                // A little past the head's due time, so starts that come in a stream (each
                // request as its host's gate lets it out) are written a batch per wake
                // rather than one wake per start.
                try? await Task.sleep(until: head.due + slack, clock: .continuous)
                continue
            }
            let due = state.withLock { state -> [Pending] in
                let now = ContinuousClock.now
                var due: [Pending] = []
                while let first = state.queue.first, first.due <= now {
                    state.queue.removeFirst()
                    if state.running.remove(first.key) != nil { due.append(first) }
                }
                return due
            }
            // Each write waits for its batch: one run's must not hold up the others'.
            for pending in due {
                Task { await pending.recorder.recordStartIfRunning(atUnixMs: pending.atUnixMs, logger: pending.logger) }
            }
        }
    }

    /// The earliest pending start, waiting for one; nil once cancelled.
    private func next() async -> Pending? {
        await withTaskCancellationHandler {
            while true {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let wait = state.withLock { state -> Bool in
                        guard state.queue.isEmpty, !state.closed else { return false }
                        state.waiter = continuation
                        return true
                    }
                    if !wait { continuation.resume() }
                }
                let (first, closed) = state.withLock { ($0.queue.first, $0.closed) }
                if closed { return nil }
                if let first { return first }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                state.closed = true
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }
    }
}
