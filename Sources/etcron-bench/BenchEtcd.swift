import EtcdClient
import EtcdTestHarness

/// A local etcd of its own and a client of it for one benchmark run; the client is closed
/// (and etcd stopped) after `body`, also when it throws.
func withBenchEtcd(_ body: (EtcdCluster, EtcdClient) async throws -> Void) async throws {
    try await withEtcd { cluster in
        let client = try EtcdClient(configuration: EtcdClientConfiguration(endpoints: cluster.clientEndpoints))
        do {
            try await body(cluster, client)
        } catch {
            await client.close()
            throw error
        }
        await client.close()
    }
}
