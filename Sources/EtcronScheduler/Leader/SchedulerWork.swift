import EtcdClient
import EtcronCore

/// The leader-only work of etcron: the scheduler (and the fenced heartbeat), for one term.
public struct SchedulerWork: LeaderWork {
    /// How the scheduler runs.
    public struct Options: Sendable {
        /// Sync workers; a job is always synced by the same one.
        public var workers: Int = 4
        /// Syncs one worker keeps in flight (each waiting for its commit), so that many
        /// jobs' decisions share each transaction.
        public var commitsPerWorker: Int = 256
        /// Jobs a worker takes from its shard at once, decides one after another, and
        /// submits together: one wait, one hand-off and one commit hop per chunk instead
        /// of per job, when many are due.
        public var syncChunk: Int = 64
        /// How long decisions are kept, and a deleted job's records after its last activity.
        public var historyRetention: Duration = .seconds(7 * 24 * 3600)
        /// Time between garbage-collection passes.
        public var historyGCInterval: Duration = .seconds(600)
        /// Per-job decision series (behind their cardinality guard); nil for none.
        public var jobMetrics: JobMetrics?
        /// The time (a test's `ManualClock`, else the system's).
        public var clock: any WallClock = SystemClock()
        /// The waits before a job whose sync failed is synced again (per job, doubling from
        /// 250 ms; at most 10 s, so a job due every minute is not held back by an etcd blip).
        public var syncRetry = Backoff(initial: .milliseconds(250), maximum: .seconds(10), jitter: .none)

        /// Defaults.
        public init() {}
    }

    /// The options.
    public var options: Options

    /// Scheduler work with `options`.
    public init(options: Options = Options()) {
        self.options = options
    }

    public func run(_ leadership: Leadership) async throws {
        try await LeaderScheduler(leadership: leadership, options: options).run()
    }
}
