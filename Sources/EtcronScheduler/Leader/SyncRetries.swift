import EtcronCore
import Synchronization

/// Per-job backoff for syncs that failed (etcd away, a commit timed out), as Kubernetes'
/// rate-limited work queue does it: each consecutive failure of a job doubles its wait,
/// from `backoff.initial` up to `backoff.maximum`; a success forgets the job. One job
/// that keeps failing is retried ever more slowly, and never delays the others.
final class SyncRetries: Sendable {
    private let failures = Mutex<[JobID: Int]>([:])
    let backoff: Backoff

    init(backoff: Backoff = Backoff(initial: .milliseconds(250), maximum: .seconds(10), jitter: .none)) {
        self.backoff = backoff
    }

    /// Counts a failure of `job`; returns the wait before its next sync.
    func failed(_ job: JobID) -> Duration {
        let count = failures.withLock { failures -> Int in
            failures[job, default: 0] += 1
            return failures[job]!
        }
        return backoff.delay(afterAttempt: count)
    }

    /// Forgets the failures of `jobs`, which synced.
    func succeeded(_ jobs: some Sequence<JobID>) {
        failures.withLock { failures in
            guard !failures.isEmpty else { return }
            for job in jobs { failures[job] = nil }
        }
    }

    /// Consecutive failures of `job` so far.
    func failures(of job: JobID) -> Int {
        failures.withLock { $0[job] ?? 0 }
    }
}
