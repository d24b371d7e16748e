import EtcdTestHarness
import Foundation
import Synchronization
import Testing

extension EtcdSuites {
    @Suite("Single member")
    struct SingleMemberTests {
        @Test("One member starts healthy and serves put/get through etcdctl")
        func putGet() async throws {
            let started = ContinuousClock.now
            try await withEtcd(members: 1) { cluster in
                TestSupport.report("1-member cluster healthy in \(TestSupport.ms(cluster.startupDuration)) ms")
                let member = try #require(cluster.members.first)
                #expect(member.isRunning)
                #expect(await member.isHealthy())
                #expect(member.clientURL == "http://127.0.0.1:\(member.clientPort)")
                #expect(cluster.clientEndpoints == ["127.0.0.1:\(member.clientPort)"])
                #expect(cluster.grpcTarget == "ipv4:127.0.0.1:\(member.clientPort)")
                #expect(FileManager.default.fileExists(atPath: member.dataDirectory))

                try await cluster.etcdctl("put", "/etcron/greeting", "hello")
                let value = try await cluster.etcdctl("get", "/etcron/greeting", "--print-value-only")
                #expect(value == "hello\n")

                // Any bytes as a value, through standard input.
                try await cluster.etcdctl.run(["put", "/etcron/raw"], input: Data([0xFF, 0x00, 0x7B]))
                let hex = try await cluster.etcdctl("get", "/etcron/raw", "--print-value-only", "--hex")
                #expect(hex.trimmingCharacters(in: .whitespacesAndNewlines) == "\\xff\\x00\\x7b")

                #expect(await cluster.leader() == 0)
            }
            TestSupport.report("1-member start, put/get and shutdown took \(TestSupport.ms(ContinuousClock.now - started)) ms")
        }

        @Test("Shutdown removes the data directories and leaves no etcd process; a second shutdown is harmless")
        func shutdownCleansUp() async throws {
            let cluster = try await EtcdCluster.start(members: 1)
            let pids = cluster.members.compactMap(\.pid)
            let root = cluster.rootDirectory
            #expect(pids.count == 1)
            #expect(pids.allSatisfy(TestSupport.isAlive))

            await cluster.shutdown()
            #expect(cluster.hasShutDown)
            #expect(!FileManager.default.fileExists(atPath: root))
            for pid in pids {
                #expect(!FileManager.default.fileExists(atPath: "/proc/\(pid)"), "etcd \(pid) is gone and reaped")
            }
            #expect(!cluster.members[0].isRunning)
            await cluster.shutdown()
            await #expect(throws: HarnessError.self) { try await cluster.restart(0) }
        }

        @Test("withEtcd shuts the cluster down when its body throws")
        func withEtcdShutsDownOnError() async throws {
            struct Expected: Error {}
            let seen = SeenCluster()
            await #expect(throws: Expected.self) {
                try await withEtcd(members: 1) { cluster in
                    seen.set(cluster.rootDirectory, cluster.members.compactMap(\.pid))
                    throw Expected()
                }
            }
            let (root, pids) = try #require(seen.value)
            #expect(!FileManager.default.fileExists(atPath: root))
            #expect(pids.allSatisfy { !TestSupport.isAlive($0) })
        }

        @Test("A member can be frozen with SIGSTOP and resumed with SIGCONT")
        func stopAndContinueMember() async throws {
            try await withEtcd(members: 1) { cluster in
                try await cluster.kill(0, signal: .stop)
                #expect(cluster.members[0].process.isStopped)
                #expect(await !cluster.members[0].isHealthy(timeout: .milliseconds(200)))
                try await cluster.kill(0, signal: .continue)
                try await cluster.waitUntilHealthy(timeout: .seconds(5))
                #expect(try await cluster.etcdctl("put", "k", "v") == "OK\n")
            }
        }

        @Test("Restart keeps the data directory and ports")
        func restartKeepsData() async throws {
            try await withEtcd(members: 1) { cluster in
                try await cluster.etcdctl("put", "kept", "yes")
                let before = cluster.members[0].pid
                try await cluster.stop(0)
                #expect(!cluster.members[0].isRunning)
                try await cluster.restart(0)
                #expect(cluster.members[0].pid != before)
                #expect(try await cluster.etcdctl("get", "kept", "--print-value-only") == "yes\n")
            }
        }

        @Test("A member that cannot start fails the start with its log tail")
        func startFailureShowsLogTail() async throws {
            let error = await #expect(throws: HarnessError.self) {
                _ = try await EtcdCluster.start(EtcdClusterConfiguration(extraArguments: ["--no-such-etcd-flag"]))
            }
            #expect(error?.code == .processExited)
            #expect(error?.message.contains("etcd member m0") == true)
            #expect(error?.message.contains("flag provided but not defined") == true)
        }

        @Test("A port taken by someone else is retried with fresh ports, then reported as address in use")
        func addressInUse() async throws {
            try await withEtcd(members: 1) { occupant in
                // Every attempt points the metrics listener at a port the occupant holds.
                let taken = "http://127.0.0.1:\(occupant.members[0].metricsPort)"
                var configuration = EtcdClusterConfiguration(extraArguments: ["--listen-metrics-urls", taken])
                configuration.startAttempts = 2
                let error = await #expect(throws: HarnessError.self) {
                    _ = try await EtcdCluster.start(configuration)
                }
                #expect(error?.code == .addressInUse)
                #expect(error?.message.contains("address already in use") == true)
            }
        }

        @Test("A missing etcd is reported with an install hint")
        func etcdNotFound() async throws {
            let error = await #expect(throws: HarnessError.self) {
                _ = try await EtcdCluster.start(EtcdClusterConfiguration(etcdPath: "etcd-not-installed"))
            }
            #expect(error?.code == .executableNotFound)
            #expect(error?.message == "etcd-not-installed not found on PATH; install the etcd-server package")
        }
    }
}

/// Carries what a `withEtcd` body saw out of it.
private final class SeenCluster: Sendable {
    private let storage = Mutex<(String, [Int32])?>(nil)
    func set(_ root: String, _ pids: [Int32]) { storage.withLock { $0 = (root, pids) } }
    var value: (String, [Int32])? { storage.withLock { $0 } }
}
