import EtcdClient
import EtcdTestHarness
import EtcronReplica
import Foundation
import Testing

extension ReplicaProcessSuites {
    @Suite("etcd member failures")
    struct QuorumTests {
        @Test("etcd member kills keep one leader; quorum loss stops the leader; quorum back, one leader again")
        func memberFailures() async throws {
            try await withReplicas(etcdMembers: 3, leaseTTL: 3) { group in
                let cluster = group.cluster
                _ = try await group.waitForLeader()
                // Kill the etcd leader member, then a follower member, restarting each.
                let etcdLeader = try await cluster.waitForLeader()
                try await cluster.kill(etcdLeader)
                try await cluster.restart(etcdLeader)
                let currentLeader = try await cluster.waitForLeader()
                let follower = try #require((0..<3).first { $0 != currentLeader })
                try await cluster.kill(follower)
                try await cluster.restart(follower)
                _ = try await group.waitForLeader()
                try await Task.sleep(for: .seconds(1))
                for replica in group.replicas {
                    #expect(replica.process.isRunning, "\(replica.id) died during etcd member failures")
                }
                var roles = await group.roles()
                #expect(roles.values.filter { $0 == "leader" }.count == 1, "\(roles)")

                // Quorum loss: two of three members down.
                let leader = try #require(roles.first { $0.value == "leader" }?.key)
                let survivor = try await cluster.waitForLeader()
                let doomed = (0..<3).filter { $0 != survivor }
                let lost = ContinuousClock.now
                for member in doomed { try await cluster.kill(member) }
                try await waitUntil(timeout: .seconds(15), "the leader to stop acting after quorum loss") {
                    await group.replica(leader).role() != "leader"
                }
                let stepDown = ContinuousClock.now - lost
                print("leader stopped acting \(stepDown) after quorum loss")
                #expect(stepDown < .seconds(10), "stepping down took \(stepDown)")
                roles = await group.roles()
                #expect(!roles.values.contains("leader"), "\(roles)")
                for replica in group.replicas {
                    #expect(replica.process.isRunning, "\(replica.id) died during quorum loss")
                }
                for member in doomed { try await cluster.restart(member) }
                _ = try await group.waitForLeader(timeout: .seconds(30))
                try await Task.sleep(for: .milliseconds(500))
                roles = await group.roles()
                #expect(roles.values.filter { $0 == "leader" }.count == 1, "\(roles)")
            }
        }
    }
}

func waitUntil(timeout: Duration, _ what: String, _ condition: () async -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if await condition() { return }
        try await Task.sleep(for: .milliseconds(25))
    }
    throw HarnessError(.timedOut, "timed out after \(timeout) waiting for \(what)")
}
