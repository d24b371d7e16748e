import EtcdClient
import EtcronCore
import EtcronProto
import SwiftProtobuf
import Synchronization

/// The starts of exec runs as their records say (etcron's own record of each start, one
/// per run), followed by a watch on the jobs from a revision on: how `etcron-bench herd
/// --target exec` sees its runs arrive while a burst goes on, at the cost of the changes
/// alone (a read of every record each time took seconds of etcd's CPU in the window it
/// measures). The figures come from one full read at the end (`read`).
final class HerdRecordedStarts: Sendable {
    /// Each run's first start seen, by run ID.
    private final class Seen: Sendable {
        let starts = Mutex<[String: Int64]>([:])
    }

    private let seen = Seen()
    private let follower: Task<Void, Never>

    /// Follows the run records under `keys`' jobs changed after `revision`.
    init(client: EtcdClient, keys: JobKeys, after revision: Int64) {
        let seen = self.seen
        var options = WatchOptions()
        options.startRevision = revision + 1
        options.noDelete = true
        follower = Task {
            do {
                for try await response in client.watch(.prefix(keys.jobs), options: options) {
                    let started = response.events.compactMap { Self.start($0.kv, keys: keys) }
                    guard !started.isEmpty else { continue }
                    seen.starts.withLock { known in
                        for start in started where known[start.key] == nil { known[start.key] = start.arrivalMs }
                    }
                }
            } catch {
                // Cancelled at the end, or the watch failed: the final read still counts every start.
            }
        }
    }

    deinit { follower.cancel() }

    /// Runs seen started so far.
    var count: Int { seen.starts.withLock { $0.count } }

    /// Stops following.
    func stop() { follower.cancel() }

    /// Every run's recorded start, read from etcd once.
    static func read(client: EtcdClient, keys: JobKeys) async throws -> [HerdTarget.Arrival] {
        var starts: [HerdTarget.Arrival] = []
        try await client.rangePaged(.prefix(keys.jobs), pageSize: 5000) { kvs in
            starts += kvs.compactMap { start($0, keys: keys) }
        }
        return starts
    }

    /// The start a run record holds (its run ID as the key); nil for other records and
    /// runs not started.
    private static func start(_ kv: KeyValue, keys: JobKeys) -> HerdTarget.Arrival? {
        guard case .run(_, let runID)? = RecordKey(kv.keyString, keys: keys),
            let run = try? Etcron_V1_Run(serializedBytes: kv.value), run.startedAtUnixMs > 0
        else { return nil }
        return HerdTarget.Arrival(arrivalMs: run.startedAtUnixMs, key: runID)
    }
}
