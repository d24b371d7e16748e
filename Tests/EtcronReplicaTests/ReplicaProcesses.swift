import EtcdClient
import EtcdTestHarness
import EtcronCore
import EtcronReplica
import Foundation
import Testing

/// Every test that runs etcron replicas as real processes, one at a time (they kill
/// processes and measure failover; on 2 cores they must not compete with each other).
@Suite("replica processes", .serialized)
struct ReplicaProcessSuites {}


/// One `etcron operator` process in a test.
struct Replica: Sendable {
    let id: String
    let port: Int
    let process: ManagedProcess

    /// The role the replica reports on /readyz, or nil when it is not ready or not answering.
    func role() async -> String? {
        guard let response = try? await HealthProbe.get(port: port, path: "/readyz", timeout: .milliseconds(500)),
            response.status == 200,
            let object = try? JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: Any]
        else { return nil }
        return object["role"] as? String
    }
}

/// A group of replicas against one etcd cluster, with a client to read what they wrote.
final class ReplicaGroup: Sendable {
    let cluster: EtcdCluster
    let client: EtcdClient
    let replicas: [Replica]
    let leaseTTL: Int
    let keys = ReplicaKeys(prefix: "/etcron/")

    private init(cluster: EtcdCluster, client: EtcdClient, replicas: [Replica], leaseTTL: Int) {
        self.cluster = cluster
        self.client = client
        self.replicas = replicas
        self.leaseTTL = leaseTTL
    }

    /// Starts `count` replicas with a short lease TTL.
    static func start(_ cluster: EtcdCluster, count: Int = 3, leaseTTL: Int = 2, extraArguments: [String] = []) async throws -> ReplicaGroup {
        let binary = try EtcronExecutable.locate()
        var replicas: [Replica] = []
        for index in 1...count {
            let port = try LoopbackPorts.allocate()
            let id = "replica-\(index)"
            let process = try await ManagedProcess.start(
                binary,
                arguments: [
                    "operator", "--etcd-endpoints", cluster.clientEndpoints.joined(separator: ","),
                    "--replica-id", id, "--http-listen", "127.0.0.1:\(port)", "--lease-ttl", String(leaseTTL),
                    "--log-level", "debug",
                ] + extraArguments,
                logFile: cluster.rootDirectory + "/\(id).log")
            replicas.append(Replica(id: id, port: port, process: process))
        }
        var configuration = EtcdClientConfiguration(endpoints: cluster.clientEndpoints)
        configuration.requestTimeout = .seconds(2)
        let client = try EtcdClient(configuration: configuration)
        return ReplicaGroup(cluster: cluster, client: client, replicas: replicas, leaseTTL: leaseTTL)
    }

    /// Stops every replica (SIGKILL) and closes the client.
    func stop() async {
        for replica in replicas { await replica.process.kill() }
        await client.close()
    }

    func replica(_ id: String) -> Replica {
        replicas.first { $0.id == id }!
    }

    /// The leader as etcd records it, if one is elected and its replica is a member.
    func leaderID() async -> String? {
        guard let status = try? await ClusterStatus.read(client: client, keys: keys) else { return nil }
        return status.leader?.replicaID
    }

    /// Waits until a leader other than `excluded` is elected and reports itself leading.
    func waitForLeader(excluding excluded: String? = nil, timeout: Duration = .seconds(20)) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let leader = await leaderID(), leader != excluded, await replica(leader).role() == "leader" {
                return leader
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw HarnessError(.timedOut, "no leader (other than \(excluded ?? "none")) within \(timeout); logs:\n"
            + replicas.map { "\($0.id): \($0.process.tail(lines: 15))" }.joined(separator: "\n"))
    }

    /// Waits until `id` reports `role` on /readyz.
    func waitForRole(_ id: String, _ role: String, timeout: Duration = .seconds(20)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if await replica(id).role() == role { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw HarnessError(.timedOut, "\(id) did not become \(role) within \(timeout); log:\n\(replica(id).process.tail(lines: 30))")
    }

    /// The roles every replica reports right now.
    func roles() async -> [String: String] {
        var roles: [String: String] = [:]
        for replica in replicas {
            roles[replica.id] = await replica.role() ?? "unready"
        }
        return roles
    }

    /// Every version of the leader heartbeat record in etcd's history, oldest first, with
    /// the revision that wrote it.
    func heartbeatHistory() async throws -> [(revision: Int64, replica: String, token: Int64)] {
        let now = try await client.range(.key(keys.leaderHeartbeat)).header.revision
        var history: [(Int64, String, Int64)] = []
        for try await response in client.watch(.key(keys.leaderHeartbeat), options: WatchOptions(startRevision: 1)) {
            for event in response.events where event.kind == .put {
                let beat = try HeartbeatRecord(event.kv.value)
                history.append((event.revision, beat.replicaID, beat.token))
            }
            if response.revision >= now { break }
        }
        return history
    }
}

/// Runs `body` with an etcd cluster and a replica group, always cleaning up.
func withReplicas(
    etcdMembers: Int = 1, count: Int = 3, leaseTTL: Int = 2,
    _ body: (ReplicaGroup) async throws -> Void
) async throws {
    try await withEtcd(members: etcdMembers) { cluster in
        let group = try await ReplicaGroup.start(cluster, count: count, leaseTTL: leaseTTL)
        do {
            try await body(group)
        } catch {
            await group.stop()
            throw error
        }
        await group.stop()
    }
}
