import EtcdClient
import EtcdTestHarness
import EtcronCore
import Foundation

/// Starts etcd, runs `body` with a job store on it under `keys` (and the cluster, for
/// etcdctl), and always closes the client.
func withJobStore(
    keys: JobKeys, now: @escaping @Sendable () -> Date = { Date() }, _ body: (JobStore, EtcdCluster) async throws -> Void
) async throws {
    try await withEtcd { cluster in
        let client = try EtcdClient(configuration: EtcdClientConfiguration(endpoints: cluster.clientEndpoints))
        do {
            try await body(JobStore(client: client, keys: keys, now: now), cluster)
        } catch {
            await client.close()
            throw error
        }
        await client.close()
    }
}
