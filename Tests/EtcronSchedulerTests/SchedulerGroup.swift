import EtcdClient
import EtcdTestHarness
import EtcronCore
import EtcronReplica
import Foundation

/// `etcron operator` replicas for scheduler tests (a trimmed copy of the replica tests'
/// helper, which lives in another test target).
final class SchedulerGroup: Sendable {
    struct Replica: Sendable {
        let id: String
        let port: Int
        let process: ManagedProcess

        func role() async -> String? {
            guard let response = try? await HealthProbe.get(port: port, path: "/readyz", timeout: .milliseconds(500)),
                response.status == 200,
                let object = try? JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: Any]
            else { return nil }
            return object["role"] as? String
        }
    }

    let client: EtcdClient
    let replicas: [Replica]

    private init(client: EtcdClient, replicas: [Replica]) {
        self.client = client
        self.replicas = replicas
    }

    /// Starts `count` replicas with `arguments` added to each one's command line.
    static func start(_ cluster: EtcdCluster, replicas count: Int, leaseTTL: Int, arguments extra: [String] = []) async throws -> SchedulerGroup {
        let binary = try EtcronExecutable.locate()
        var replicas: [Replica] = []
        for index in 1...count {
            let port = try LoopbackPorts.allocate()
            let id = "replica-\(index)"
            let process = try await ManagedProcess.start(
                binary,
                arguments: [
                    "operator", "--etcd-endpoints", cluster.clientEndpoints.joined(separator: ","), "--replica-id", id,
                    "--http-listen", "127.0.0.1:\(port)", "--lease-ttl", String(leaseTTL),
                ] + extra,
                logFile: cluster.rootDirectory + "/\(id).log")
            replicas.append(Replica(id: id, port: port, process: process))
        }
        let client = try EtcdClient(configuration: EtcdClientConfiguration(endpoints: cluster.clientEndpoints))
        return SchedulerGroup(client: client, replicas: replicas)
    }

    func replica(_ id: String) -> Replica {
        replicas.first { $0.id == id }!
    }

    func waitForLeader(timeout: Duration = .seconds(20)) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            for replica in replicas where await replica.role() == "leader" {
                return replica.id
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw HarnessError(.timedOut, "no leader within \(timeout)")
    }

    func stop() async {
        for replica in replicas { await replica.process.kill() }
        await client.close()
    }
}
