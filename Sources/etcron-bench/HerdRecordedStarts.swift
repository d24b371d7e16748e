import EtcdClient
import EtcronCore
import EtcronProto
import SwiftProtobuf

/// The starts of exec runs as their records say (etcron's own record of each start, one
/// per run): how `etcron-bench herd --target exec` sees its runs arrive. Read once the
/// bursts are over: following them while they go on (a watch of the records, or reads)
/// took seconds of etcd's CPU, and the bench's own, in the window it measures.
enum HerdRecordedStarts {
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
