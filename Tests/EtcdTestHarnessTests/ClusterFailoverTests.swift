import EtcdTestHarness
import Testing

extension EtcdSuites {
    @Suite("Three members")
    struct ClusterFailoverTests {
        @Test("A 3-member cluster elects one leader, fails over when it is SIGKILLed, and takes it back")
        func leaderFailover() async throws {
            try await withEtcd(members: 3) { cluster in
                TestSupport.report("3-member cluster healthy in \(TestSupport.ms(cluster.startupDuration)) ms")
                #expect(cluster.members.count == 3)
                #expect(cluster.clientEndpoints.count == 3)
                #expect(cluster.grpcTarget == "ipv4:" + cluster.members.map { "127.0.0.1:\($0.clientPort)" }.joined(separator: ","))
                let leader = try await cluster.waitForLeader()
                #expect(await cluster.leader() == leader)
                try await cluster.etcdctl("put", "/etcron/before", "1")

                let killedAt = ContinuousClock.now
                try await cluster.kill(leader, signal: .kill)
                #expect(!cluster.members[leader].isRunning)
                let newLeader = try await cluster.waitForLeader(timeout: .seconds(10))
                let elected = ContinuousClock.now - killedAt
                try await cluster.etcdctl("put", "/etcron/after", "2")
                let writable = ContinuousClock.now - killedAt
                TestSupport.report("leader m\(leader) SIGKILLed: m\(newLeader) leads after \(TestSupport.ms(elected)) ms, first write done after \(TestSupport.ms(writable)) ms")
                #expect(newLeader != leader)

                let restartedAt = ContinuousClock.now
                try await cluster.restart(leader)
                TestSupport.report("m\(leader) rejoined healthy \(TestSupport.ms(ContinuousClock.now - restartedAt)) ms after restart")
                #expect(cluster.members.allSatisfy { $0.isRunning })
                try await cluster.waitUntilHealthy(timeout: .seconds(5))
                let rejoined = cluster.etcdctl.with(endpoints: [cluster.members[leader].clientURL])
                #expect(try await rejoined("get", "/etcron/after", "--print-value-only") == "2\n")
                #expect(try await cluster.waitForLeader() == newLeader, "pre-vote: the rejoining member does not depose the leader")

                let changes = await cluster.leaderChangesSeen()
                TestSupport.report("leader changes seen per member: \(changes.sorted { $0.key < $1.key })")
                // Survivors saw the first election and the failover; the restarted member one.
                #expect(changes.values.allSatisfy { $0 <= 2 }, "no leader flapping")
            }
        }

        @Test("A 3-member cluster keeps its leader while a test runs (no flapping)")
        func noFlapping() async throws {
            try await withEtcd(members: 3) { cluster in
                let leader = try await cluster.waitForLeader()
                let before = await cluster.leaderChangesSeen()
                for index in 0..<20 {
                    try await cluster.etcdctl("put", "/etcron/tick", "\(index)")
                }
                try await Task.sleep(for: .milliseconds(500))
                let after = await cluster.leaderChangesSeen()
                TestSupport.report("leader changes seen at the first leader: \(before.sorted { $0.key < $1.key }.map(\.value)), after 20 puts and 0.5 s: \(after.sorted { $0.key < $1.key }.map(\.value))")
                #expect(after.count == 3)
                #expect(before == after, "a leader change happened during the test")
                #expect(try await cluster.waitForLeader() == leader)
            }
        }
    }
}
