import Foundation
import Synchronization

extension InMemoryEtcd {
    /// A consumer parked in `next()`, and what to resume it with once the lock is released
    /// (resuming under the lock would run foreign code, such as a cancellation handler
    /// that takes the lock again, inside it).
    struct Wakeup: Sendable {
        let continuation: CheckedContinuation<WatchResponse?, any Error>
        let result: Result<WatchResponse?, any Error>

        static func resumeAll(_ wakeups: [Wakeup]) {
            for wakeup in wakeups { wakeup.continuation.resume(with: wakeup.result) }
        }
    }

    /// One registered watch: what it covers, and what it has not handed out yet.
    struct Watcher: Sendable {
        let span: KeySpan
        let options: WatchOptions
        /// The first revision it delivers.
        let start: Int64
        /// Responses published but not yet taken, oldest first.
        var pending: [WatchResponse] = []
        /// The consumer waiting in `next()`; only while `pending` is empty.
        var waiter: CheckedContinuation<WatchResponse?, any Error>?
        /// The error that ends it once `pending` is drained; nothing is published after it.
        var failure: EtcdError?

        /// The part of `batch` this watcher sees, as one response, or nil if none. A
        /// previous value is sent only when asked for and still readable (etcd reads it at
        /// the revision before the event).
        func response(for batch: Batch, compactRevision: Int64) -> WatchResponse? {
            guard batch.revision >= start else { return nil }
            var events: [WatchEvent] = []
            for var event in batch.events where span.contains(event.kv.key) {
                if event.kind == .put && options.noPut || event.kind == .delete && options.noDelete { continue }
                if !options.previousKV || event.revision - 1 < compactRevision { event.previous = nil }
                events.append(event)
            }
            return events.isEmpty ? nil : WatchResponse(events: events, revision: batch.revision)
        }
    }

    /// A watch's sequence; each iterator is its own registration, as each iteration of the
    /// real client's sequence opens its own stream.
    struct WatchSequence: AsyncSequence, Sendable {
        typealias Element = WatchResponse
        typealias Failure = any Error

        let etcd: InMemoryEtcd
        let keys: KeyRange
        let options: WatchOptions
        let start: Int64

        func makeAsyncIterator() -> Iterator {
            Iterator(registration: WatchRegistration(etcd: etcd, id: etcd.register(keys, options, start: start)))
        }

        struct Iterator: AsyncIteratorProtocol {
            let registration: WatchRegistration

            mutating func next() async throws -> WatchResponse? {
                try await registration.next()
            }
        }
    }

    /// Ties a watcher to its iterator's lifetime: dropping the iterator (a `break` out of
    /// the loop, a finished task) unregisters it.
    final class WatchRegistration: Sendable {
        let etcd: InMemoryEtcd
        let id: Int

        init(etcd: InMemoryEtcd, id: Int) {
            self.etcd = etcd
            self.id = id
        }

        deinit {
            etcd.unregister(id)
        }

        /// The next response; nil once cancelled or ended. Cancelling the waiting task
        /// unregisters the watcher and resumes this with nil.
        func next() async throws -> WatchResponse? {
            try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { continuation in
                    etcd.take(id, continuation)
                }
            } onCancel: {
                etcd.unregister(id)
            }
        }
    }

    /// Registers a watcher and queues the history it must replay, in the same critical
    /// section, so that no change falls between replay and live delivery.
    func register(_ keys: KeyRange, _ options: WatchOptions, start: Int64) -> Int {
        state.withLock { state in
            let id = state.nextWatcherID
            state.nextWatcherID += 1
            var watcher = Watcher(span: KeySpan(keys), options: options, start: start)
            let compactRevision = state.store.compactRevision
            if start < compactRevision {
                // The real client's message and code for the same situation.
                watcher.failure = EtcdError(
                    .compacted,
                    "watch of \(keys): revision \(start) was compacted (store compacted at \(compactRevision)); re-list and watch again",
                    compactRevision: compactRevision)
            } else {
                let first = state.log.partitioningIndex { $0.revision >= start }
                let replaying = watcher
                watcher.pending = state.log[first...].compactMap { replaying.response(for: $0, compactRevision: compactRevision) }
            }
            state.watchers[id] = watcher
            return id
        }
    }

    /// Hands the watcher's next response to `continuation`, or parks it until one is
    /// published; nil once the watcher is gone (cancelled, ended or dropped).
    func take(_ id: Int, _ continuation: CheckedContinuation<WatchResponse?, any Error>) {
        let ready: Result<WatchResponse?, any Error>? = state.withLock { state in
            guard var watcher = state.watchers[id] else { return .success(nil) }
            if !watcher.pending.isEmpty {
                let response = watcher.pending.removeFirst()
                state.watchers[id] = watcher
                return .success(response)
            }
            if let failure = watcher.failure {
                state.watchers[id] = nil
                return .failure(failure)
            }
            watcher.waiter = continuation
            state.watchers[id] = watcher
            return nil
        }
        if let ready { continuation.resume(with: ready) }
    }

    /// Removes a watcher; a consumer parked in `next()` gets nil.
    func unregister(_ id: Int) {
        let waiter = state.withLock { $0.watchers.removeValue(forKey: id)?.waiter }
        waiter?.resume(returning: nil)
    }

    /// Ends every open watch with `error` once it has handed out what it already holds, as
    /// etcd cancels a watcher that fell behind a compaction (the real client then throws
    /// `compacted`), so a test can exercise a consumer's re-list path.
    public func failWatches(with error: EtcdError) {
        let wakeups: [Wakeup] = state.withLock { state in
            var wakeups: [Wakeup] = []
            for (id, var watcher) in state.watchers {
                if let waiter = watcher.waiter {
                    wakeups.append(Wakeup(continuation: waiter, result: .failure(error)))
                    state.watchers[id] = nil
                } else {
                    watcher.failure = watcher.failure ?? error
                    state.watchers[id] = watcher
                }
            }
            return wakeups
        }
        Wakeup.resumeAll(wakeups)
    }
}

extension InMemoryEtcd.State {
    /// Queues `batch` for every watcher that sees part of it; returns the consumers to
    /// resume, which the caller does after releasing the lock.
    mutating func publish(_ batch: InMemoryEtcd.Batch) -> [InMemoryEtcd.Wakeup] {
        var wakeups: [InMemoryEtcd.Wakeup] = []
        for (id, var watcher) in watchers where watcher.failure == nil {
            guard let response = watcher.response(for: batch, compactRevision: store.compactRevision) else { continue }
            if let waiter = watcher.waiter {
                watcher.waiter = nil
                wakeups.append(InMemoryEtcd.Wakeup(continuation: waiter, result: .success(response)))
            } else {
                watcher.pending.append(response)
            }
            watchers[id] = watcher
        }
        return wakeups
    }
}

extension Array {
    /// Binary search in an array partitioned by `belongsInSecondPartition`: the index of
    /// its first element that does (`count` if none).
    fileprivate func partitioningIndex(where belongsInSecondPartition: (Element) -> Bool) -> Int {
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if belongsInSecondPartition(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
