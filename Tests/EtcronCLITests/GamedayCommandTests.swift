import Foundation
import Testing

/// `etcron gameday all --local`: every scenario twice against a sandbox of real processes
/// (a 3-member etcd and 3 replicas), real signals, and the audit of each window.
@Suite("etcron gameday", .serialized)
struct GamedayCommandTests {
    @Test("every scenario recovers, and every window audits clean with no probe run twice")
    func allScenarios() async throws {
        let result = try await JobCLI.run(["gameday", "all", "--local", "--repeat", "2", "-o", "json"], limit: 600)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stderr)")
        let scenarios = report["scenarios"] as? [[String: Any]] ?? []
        // Partitions need network namespaces (root): where they are missing, they are
        // skipped with the reason, not failed.
        let skipped = report["skipped"] as? [String: String] ?? [:]
        #expect(Set(scenarios.compactMap { $0["scenario"] as? String }).union(skipped.keys) == [
            "kill-leader", "terminate-leader", "pause-leader", "kill-etcd-member", "etcd-quorum-loss", "partition-replica", "partition-leader",
            "executor-crash",
        ])
        #expect(skipped.keys.allSatisfy { $0.hasPrefix("partition-") }, "\(skipped)")
        if getuid() == 0 { #expect(skipped.isEmpty, "as root, partitions run: \(skipped)") }
        for scenario in scenarios {
            #expect(scenario["passed"] as? Bool == true, "\(scenario)")
            // An invoke whose executor was cut off or killed before it started may end
            // without running (lost, or past its deadline); a probe never runs twice.
            let (executions, invokes) = (scenario["executions"] as? Int ?? 0, scenario["invokes"] as? Int ?? 0)
            #expect(invokes > 0 && executions > 0 && executions <= invokes, "\(scenario)")
        }
        #expect(result.status == 0 && report["passed"] as? Bool == true, "\(result.stdout.prefix(3000))")
    }

    @Test("bad arguments are named")
    func badArguments() async throws {
        let noMode = try await JobCLI.run(["gameday", "kill-leader"])
        #expect(noMode.status != 0 && noMode.stderr.contains("--local") && noMode.stderr.contains("--server"))
        let unknown = try await JobCLI.run(["gameday", "unplug-everything", "--local"])
        #expect(unknown.status != 0 && unknown.stderr.contains("unplug-everything"))
    }
}
