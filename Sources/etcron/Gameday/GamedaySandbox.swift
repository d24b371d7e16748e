import EtcdClient
import EtcdTestHarness
import EtcronCore
import EtcronProto
import Foundation

/// The local sandbox `etcron gameday --local` breaks: a 3-member etcd and 3 replicas on
/// loopback, probe jobs every second whose targets record each execution in a file of
/// their own, and a long job for the executor crash.
final class GamedaySandbox: Sendable {
    static let tenant = "gameday"
    static let replicaIDs = ["gd-1", "gd-2", "gd-3"]

    let cluster: EtcdCluster
    let client: EtcdClient
    let store: JobStore
    let keys = ReplicaKeys(prefix: "/etcron/")
    let probes: GamedayProbes
    let leaseTTL: Int
    let executable: String
    /// The replicas' network namespaces, when partitions are rehearsed.
    let network: GamedayNetwork?
    /// The replicas by ID.
    let replicas: [String: ManagedProcess]

    private init(
        cluster: EtcdCluster, client: EtcdClient, probes: GamedayProbes, leaseTTL: Int, executable: String, network: GamedayNetwork?,
        replicas: [String: ManagedProcess]
    ) {
        self.network = network
        self.replicas = replicas
        self.cluster = cluster
        self.client = client
        self.store = JobStore(client: client, keys: JobKeys(ReplicaKeys(prefix: "/etcron/")))
        self.probes = probes
        self.leaseTTL = leaseTTL
        self.executable = executable
    }

    /// Starts etcd, the replicas (each in a network namespace of its own with `network`)
    /// and `jobs` probe jobs, and waits for a leader.
    static func start(jobs: Int, leaseTTL: Int, network: GamedayNetwork?, say: (String) -> Void) async throws -> GamedaySandbox {
        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        var configuration = EtcdClusterConfiguration(members: 3)
        configuration.extraClientHosts = network?.links.map(\.hostAddress) ?? []
        let cluster = try await EtcdCluster.start(configuration)
        let client = try EtcdClient(configuration: EtcdClientConfiguration(endpoints: cluster.clientEndpoints))
        let directory = cluster.rootDirectory + "/probes"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        say("sandbox: etcd \(cluster.clientEndpoints.joined(separator: ",")), data in \(cluster.rootDirectory)")
        var replicas: [String: ManagedProcess] = [:]
        for (index, id) in replicaIDs.enumerated() {
            let port = try LoopbackPorts.allocate()
            let link = network?.links[index]
            let operatorArguments = [
                "operator", "--etcd-endpoints", (link.map { cluster.clientEndpoints(on: $0.hostAddress) } ?? cluster.clientEndpoints).joined(separator: ","),
                "--replica-id", id, "--http-listen", "\(link?.replicaAddress ?? "127.0.0.1"):\(port)", "--lease-ttl", String(leaseTTL),
                "--log-level", "warning",
            ]
            replicas[id] = try await ManagedProcess.start(
                link == nil ? executable : GamedayNetwork.ip,
                arguments: link.map { ["netns", "exec", $0.namespace, executable] + operatorArguments } ?? operatorArguments,
                logFile: cluster.rootDirectory + "/\(id).log")
        }
        if network != nil { say("sandbox: each replica in a network namespace of its own (veth 10.213.K.1 <-> 10.213.K.2)") }
        let sandbox = GamedaySandbox(
            cluster: cluster, client: client, probes: GamedayProbes(directory: directory), leaseTTL: leaseTTL, executable: executable,
            network: network, replicas: replicas)
        var specs: [Etcron_V1_JobSpec] = (1...max(1, jobs)).map { index in
            var spec = Etcron_V1_JobSpec()
            spec.tenant = tenant
            spec.name = "probe-\(index)"
            spec.schedule = "* * * * * *"
            spec.description_p = "gameday probe: records each execution in its own file"
            spec.target.exec.command = "/bin/sh"
            spec.target.exec.args = GamedayProbes.command(file: directory + "/probe-\(index).log")
            return spec
        }
        var long = Etcron_V1_JobSpec()
        long.tenant = tenant
        long.name = "long-run"
        long.schedule = "0 0 1 1 *"
        long.description_p = "gameday: a long manual run whose executor is killed"
        long.retry.maxRetries = 1
        long.target.exec.command = "/bin/sleep"
        long.target.exec.args = ["6"]
        specs.append(long)
        _ = try await sandbox.store.apply(specs)
        _ = try await sandbox.waitForLeader(other: nil, timeout: .seconds(30))
        say("sandbox: 3 replicas, \(jobs) probe job(s) every second")
        return sandbox
    }

    /// The current leader (replica ID and fencing token), if any.
    func leader() async -> (id: String, token: Int64)? {
        guard let status = try? await ClusterStatus.read(client: client, keys: keys), let leader = status.leader else { return nil }
        return (leader.replicaID, leader.fencingToken)
    }

    /// Waits for a leader whose fencing token is not `other`'s; returns it.
    func waitForLeader(other: Int64?, timeout: Duration) async throws -> (id: String, token: Int64) {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let leader = await leader(), leader.token != other { return leader }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw GamedayFailure("no new leader within \(timeout)")
    }

    func replica(_ id: String) throws -> ManagedProcess {
        guard let process = replicas[id] else { throw GamedayFailure("no replica \(id) in the sandbox") }
        return process
    }

    /// Restarts every replica that is not running.
    func restartStopped() async throws {
        for process in replicas.values where !process.isRunning {
            try await process.start()
        }
    }

    /// How far the leader has decided `probe`'s times: its status's cursor, or its newest
    /// decision (the status is written with skips and trims, not with every invoke).
    func decidedThrough(_ probe: String) async throws -> Int64 {
        let description = try await store.describe(tenant: Self.tenant, name: probe, limit: 1)
        return max(description.status?.decidedThroughUnix ?? 0, description.decisions.first?.value.scheduledUnix ?? 0)
    }

    /// The index of the etcd member that leads, else the first.
    func etcdLeader() async -> Int { await cluster.leader() ?? 0 }

    func shutdown() async {
        for process in replicas.values { try? process.send(.continue) }
        for process in replicas.values { try? process.send(.terminate) }
        for process in replicas.values { _ = try? await process.waitForExit(timeout: .seconds(5)) }
        for process in replicas.values { await process.kill() }
        await client.close()
        await cluster.shutdown()
        network?.remove()
    }

    /// Whether `id` has a live membership record.
    func isMember(_ id: String) async -> Bool {
        (try? await ClusterStatus.read(client: client, keys: keys))?.members.contains { $0.replicaID == id } ?? false
    }
}

/// A gameday step that could not be carried out.
struct GamedayFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
