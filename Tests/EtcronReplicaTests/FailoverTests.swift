import EtcdClient
import EtcdTestHarness
import EtcronCore
import EtcronReplica
import Foundation
import Testing

extension ReplicaProcessSuites {
    @Suite("leadership")
    struct FailoverTests {
        @Test("three replicas elect exactly one leader, and `etcron status` agrees")
        func oneLeader() async throws {
            try await withReplicas { group in
                let leader = try await group.waitForLeader()
                try await Task.sleep(for: .milliseconds(500))
                let roles = await group.roles()
                #expect(roles.values.filter { $0 == "leader" }.count == 1, "\(roles)")
                #expect(roles[leader] == "leader")
                #expect(roles.values.filter { $0 == "follower" }.count == 2, "\(roles)")
                let output = try await runEtcron(["status", "-o", "json", "--etcd-endpoints", group.cluster.clientEndpoints.joined(separator: ",")])
                #expect(output.status == 0, "\(output.stderr)")
                let status = try JSONDecoder.iso8601.decode(ClusterStatus.self, from: Data(output.stdout.utf8))
                #expect(status.leader?.replicaID == leader)
                #expect(status.members.count == 3)
                #expect(status.members.filter { $0.role == "leader" }.map(\.replicaID) == [leader])
                #expect(status.leader?.lastHeartbeatAt != nil)
                let text = try await runEtcron(["status", "--etcd-endpoints", group.cluster.clientEndpoints.joined(separator: ",")])
                #expect(text.stdout.contains("LEADER"))
                #expect(text.stdout.contains(leader))
            }
        }

        @Test("SIGKILL of the leader: a new leader within the lease TTL + 1 s; the restarted replica rejoins as follower")
        func sigkill() async throws {
            try await withReplicas(leaseTTL: 2) { group in
                let leader = try await group.waitForLeader()
                let killed = ContinuousClock.now
                try group.replica(leader).process.send(.kill)
                let successor = try await group.waitForLeader(excluding: leader)
                let elapsed = ContinuousClock.now - killed
                print("failover after SIGKILL took \(elapsed) (lease TTL \(group.leaseTTL) s)")
                #expect(elapsed <= .seconds(group.leaseTTL + 1), "failover took \(elapsed)")
                #expect(successor != leader)
                try await group.replica(leader).process.restart()
                try await group.waitForRole(leader, "follower")
                #expect(await group.leaderID() == successor)
            }
        }

        @Test("SIGTERM of the leader: it resigns and a new leader takes over in under a second")
        func sigterm() async throws {
            try await withReplicas(leaseTTL: 10) { group in
                let leader = try await group.waitForLeader()
                let terminated = ContinuousClock.now
                try group.replica(leader).process.send(.terminate)
                let successor = try await group.waitForLeader(excluding: leader)
                let elapsed = ContinuousClock.now - terminated
                print("handover after SIGTERM took \(elapsed)")
                #expect(elapsed < .seconds(1), "handover took \(elapsed)")
                let exit = try await group.replica(leader).process.waitForExit(timeout: .seconds(10))
                #expect(exit == .exited(code: 0))
                #expect(successor != leader)
                let status = try await ClusterStatus.read(client: group.client, keys: group.keys)
                #expect(!status.members.contains { $0.replicaID == leader }, "the stopped replica's record was revoked")
            }
        }

        @Test("a leader frozen past its TTL cannot write after its successor won, and steps down by itself")
        func frozenLeaderIsFenced() async throws {
            try await withReplicas(leaseTTL: 2) { group in
                let leader = try await group.waitForLeader()
                try await Task.sleep(for: .seconds(1))
                try group.replica(leader).process.send(.stop)
                let successor = try await group.waitForLeader(excluding: leader)
                // Let the successor write several heartbeats while the old leader sleeps.
                try await Task.sleep(for: .seconds(2))
                try group.replica(leader).process.send(.continue)
                try await group.waitForRole(leader, "follower", timeout: .seconds(15))
                try await Task.sleep(for: .seconds(2))
                let history = try await group.heartbeatHistory()
                let oldToken = try #require(history.first { $0.replica == leader }?.token)
                let firstOfSuccessor = try #require(history.firstIndex { $0.replica == successor })
                let lateWrites = history[firstOfSuccessor...].filter { $0.replica == leader && $0.token == oldToken }
                #expect(lateWrites.isEmpty, "heartbeats of the deposed leader after its successor's first: \(lateWrites.map(\.revision))")
                #expect(history[firstOfSuccessor...].allSatisfy { $0.replica == successor }, "only the successor writes after its win")
                #expect(await group.leaderID() == successor)
                let roles = await group.roles()
                #expect(roles.values.filter { $0 == "leader" }.count == 1, "\(roles)")
            }
        }

        @Test("replicas started while etcd is down wait for it, then elect a leader")
        func etcdDownAtStart() async throws {
            try await withEtcd(members: 1) { cluster in
                try await cluster.stop(0)
                let group = try await ReplicaGroup.start(cluster, count: 2, leaseTTL: 2)
                try await Task.sleep(for: .seconds(2))
                for replica in group.replicas {
                    #expect(replica.process.isRunning, "\(replica.id) exited while etcd was down")
                    #expect(await replica.role() == nil, "\(replica.id) claims readiness without etcd")
                    let readiness = try await HealthProbe.get(port: replica.port, path: "/readyz")
                    #expect(readiness.status == 503)
                    #expect(readiness.body.contains("waiting for etcd"), "\(readiness.body)")
                }
                try await cluster.restart(0)
                let leader = try await group.waitForLeader(timeout: .seconds(20))
                #expect(group.replicas.contains { $0.id == leader })
                await group.stop()
            }
        }
    }
}

extension JSONDecoder {
    static var iso8601: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}

/// The result of running the etcron binary once.
struct CommandOutput: Sendable {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs `etcron` with `arguments` and collects its output (10 s limit).
func runEtcron(_ arguments: [String], environment: [String: String] = [:]) async throws -> CommandOutput {
    let binary = try EtcronExecutable.locate()
    return try await Task.detached {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let timer = DispatchWorkItem { process.terminate() }
        DispatchQueue.global().asyncAfter(deadline: .now() + 10, execute: timer)
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        timer.cancel()
        return CommandOutput(
            status: process.terminationStatus,
            stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }.value
}
