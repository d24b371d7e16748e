import EtcdClient
import EtcronCore

/// What an executor's work shares for one session: the session's lease and identity, the
/// batcher its reads and writes of runs go through, the runs it is executing, and the
/// queue of their start records.
struct ExecutorSession: Sendable {
    let client: any EtcdKV
    let leaseID: Int64
    let replicaID: String
    let keys: JobKeys
    let batcher: RunBatcher
    let active = ActiveRuns()
    let startRecords: StartRecords

    init(client: any EtcdKV, leaseID: Int64, replicaID: String, keys: JobKeys, startRecordDelay: Duration = .seconds(1)) {
        self.client = client
        startRecords = StartRecords(delay: startRecordDelay)
        self.leaseID = leaseID
        self.replicaID = replicaID
        self.keys = keys
        batcher = RunBatcher(client: client)
    }
}
