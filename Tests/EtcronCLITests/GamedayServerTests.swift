import EtcdTestHarness
import Foundation
import Testing

/// `etcron gameday --server`: a live install of 3 replicas (real processes, real etcd)
/// rehearsed through its admin-only gameday actions, over real HTTP.
@Suite("etcron gameday --server", .serialized)
struct GamedayServerTests {
    static let admin = "gameday-admin-token"

    @Test("kill-leader against a 3-replica install: the leader steps down, a new one leads, and the window audits clean")
    func killLeader() async throws {
        try await withEtcd { cluster in
            let tokens = cluster.rootDirectory + "/tokens.yaml"
            try "tokens:\n  - {name: sre-drill, sha256: \(APICommandTests.sha256(Self.admin)), role: admin}\n"
                .write(toFile: tokens, atomically: true, encoding: .utf8)
            var replicas: [ManagedProcess] = []
            var ports: [Int] = []
            for id in ["gs-1", "gs-2", "gs-3"] {
                let port = try LoopbackPorts.allocate()
                ports.append(port)
                replicas.append(try await ManagedProcess.start(
                    try EtcronExecutable.locate(),
                    arguments: ["operator", "--etcd-endpoints", cluster.clientEndpoints.joined(separator: ","), "--replica-id", id,
                        "--http-listen", "127.0.0.1:\(port)", "--lease-ttl", "3", "--api-tokens-file", tokens, "--gameday-actions", "true",
                        "--log-level", "warning"],
                    logFile: cluster.rootDirectory + "/\(id).log"))
            }
            defer { for replica in replicas { Task { await replica.kill() } } }
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline {
                let status = try? await JobCLI.run(["status", "--server", "http://127.0.0.1:\(ports[0])", "-o", "json"], environment: ["ETCRON_TOKEN": Self.admin])
                if let status, status.status == 0, status.stdout.contains("\"leader\"") { break }
                try await Task.sleep(for: .milliseconds(200))
            }
            let result = try await JobCLI.run(
                ["gameday", "kill-leader", "--server", "http://127.0.0.1:\(ports[0])", "--repeat", "1", "--jobs", "2", "--lease-ttl", "3",
                 "--probe-url", "http://127.0.0.1:9/", "-o", "json"],
                environment: ["ETCRON_TOKEN": Self.admin], limit: 150)
            let report = try #require(try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stderr)")
            let repetitions = report["repetitions"] as? [[String: Any]] ?? []
            #expect(repetitions.count == 1, "\(report)")
            let run = try #require(repetitions.first)
            #expect(run["scenario"] as? String == "kill-leader" && run["auditClean"] as? Bool == true, "\(run)")
            #expect((run["recoveryMs"] as? Int).map { $0 < 5000 } == true, "a step-down hands over well within the TTL: \(run)")
            #expect((run["note"] as? String)?.contains("stepped down") == true, "\(run)")
            #expect((run["note"] as? String)?.contains("etcron's own run records") == true, "\(run)")
            #expect((run["invokes"] as? Int ?? 0) > 0 && (run["executions"] as? Int ?? 0) > 0, "\(run)")
            #expect(result.status == 0 && report["passed"] as? Bool == true, "\(result.stdout.prefix(3000)) \(result.stderr.suffix(2000))")
            for replica in replicas { await replica.kill() }
        }
    }

    @Test("server mode skips what needs signals or namespaces, naming why, and needs a token")
    func skipsAndRefusals() async throws {
        let noToken = try await JobCLI.run(["gameday", "kill-leader", "--server", "http://127.0.0.1:1"])
        #expect(noToken.status != 0 && noToken.stderr.contains("--token"), "\(noToken.stderr)")
        let both = try await JobCLI.run(["gameday", "kill-leader", "--server", "http://127.0.0.1:1", "--local", "--token", "t"])
        #expect(both.status != 0 && both.stderr.contains("--local and --server"), "\(both.stderr)")
        let skipped = try await JobCLI.run(["gameday", "etcd-quorum-loss", "--server", "http://127.0.0.1:1", "--token", "t", "-o", "json"])
        let report = try #require(try JSONSerialization.jsonObject(with: Data(skipped.stdout.utf8)) as? [String: Any], "\(skipped.stderr)")
        #expect((report["skipped"] as? [String: String])?["etcd-quorum-loss"]?.contains("--local") == true, "\(report)")
    }
}
