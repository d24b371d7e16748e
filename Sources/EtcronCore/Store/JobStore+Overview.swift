import EtcdClient
import EtcronProto

/// What a list of jobs shows of each beyond its spec: the leader's status and the newest
/// run (scheduled or manual).
public struct JobOverview: Sendable, Hashable {
    /// What the leader knows (nil before its first decision, or when its record is corrupt).
    public var status: Etcron_V1_JobStatus?
    /// The job's newest run by creation (nil when it has none).
    public var latestRun: Etcron_V1_Run?

    /// An overview.
    public init(status: Etcron_V1_JobStatus?, latestRun: Etcron_V1_Run?) {
        self.status = status
        self.latestRun = latestRun
    }
}

extension JobStore {
    /// The overviews of `ids` (the jobs of one page of a listing), in Txns of
    /// `readBatch / 2` jobs, each job's status and newest run read as two gets: a page of
    /// 50 jobs costs one round trip, however many jobs are stored. Undecodable records
    /// are reported and left out of their overview.
    public func overviews(of ids: [JobID]) async throws(JobStoreError) -> [JobID: JobOverview] {
        var newest = RangeOptions()
        newest.limit = 1
        newest.sortTarget = .createRevision
        newest.sortOrder = .descending
        var overviews: [JobID: JobOverview] = [:]
        let perTxn = Self.readBatch / 2
        for start in stride(from: 0, to: ids.count, by: perTxn) {
            let batch = ids[start..<min(start + perTxn, ids.count)]
            let txn = Txn(success: batch.flatMap { id -> [TxnOperation] in
                [.get(.key(keys.status(id.tenant, id.name))), .get(.prefix(keys.runs(id.tenant, id.name)), newest)]
            })
            let result: TxnResult
            do {
                result = try await client.txn(txn)
            } catch {
                throw .etcd(error, while: "reading the status and latest run of \(batch.count) jobs")
            }
            for (offset, id) in batch.enumerated() {
                let status = result.responses[2 * offset].range?.kvs.first.flatMap {
                    try? decode(Etcron_V1_JobStatus.self, $0, record: "status").get()
                }
                let run = result.responses[2 * offset + 1].range?.kvs.first.flatMap {
                    try? decode(Etcron_V1_Run.self, $0, record: "run").get()
                }
                overviews[id] = JobOverview(status: status, latestRun: run)
            }
        }
        return overviews
    }
}
