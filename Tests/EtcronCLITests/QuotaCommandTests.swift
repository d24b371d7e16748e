import EtcdTestHarness
import Foundation
import Testing

/// `etcron quota` of the built binary against a real etcd.
@Suite("Quota commands", .serialized)
struct QuotaCommandTests {
    @Test("quota set, get (one tenant, all, json, yaml) and delete; apply is refused at max-jobs; bad input exits 2 naming the flag")
    func commands() async throws {
        try await withEtcd { cluster in
            let etcd = ["--etcd-endpoints", cluster.clientEndpoints.joined(separator: ",")]

            let none = try await JobCLI.run(["quota", "get"] + etcd)
            #expect(none.status == 0 && none.stdout.isEmpty && none.stderr.contains("no quotas"), "\(none.stderr)")
            let noneJSON = try await JobCLI.run(["quota", "get", "-o", "json"] + etcd)
            #expect(noneJSON.stdout == "[\n\n]\n" || noneJSON.stdout == "[]\n", "\(noneJSON.stdout)")

            let setDefault = try await JobCLI.run(["quota", "set", "--default", "--max-jobs", "1", "--max-running-runs", "4", "--note", "platform default"] + etcd)
            #expect(setDefault.status == 0, "\(setDefault.stderr)")
            #expect(setDefault.stdout == "quota * (default) created: max jobs 1, max running runs 4\n")
            let setTenant = try await JobCLI.run(["quota", "set", "payments", "--max-jobs", "2"] + etcd)
            #expect(setTenant.stdout == "quota payments created: max jobs 2, max running runs unlimited\n", "\(setTenant.stderr)")
            let unchanged = try await JobCLI.run(["quota", "set", "payments", "--max-jobs", "2"] + etcd)
            #expect(unchanged.stdout == "quota payments unchanged: max jobs 2, max running runs unlimited\n")

            let list = try await JobCLI.run(["quota", "get"] + etcd)
            #expect(list.status == 0, "\(list.stderr)")
            let lines = list.stdout.split(separator: "\n").map(String.init)
            #expect(lines.count == 3, "\(list.stdout)")
            #expect(lines.first?.hasPrefix("TENANT       SOURCE   MAX JOBS  MAX RUNNING RUNS  UPDATED") == true, "\(list.stdout)")
            #expect(lines.dropFirst().first?.hasPrefix("* (default)  default  1         4") == true, "\(list.stdout)")
            #expect(lines.last?.hasPrefix("payments     tenant   2         unlimited") == true, "\(list.stdout)")
            #expect(list.stdout.contains("platform default"))

            // One tenant: the quota in force, from its own record or the default.
            let own = try await JobCLI.run(["quota", "get", "payments", "-o", "json"] + etcd)
            let ownView = try #require(try JSONSerialization.jsonObject(with: Data(own.stdout.utf8)) as? [String: Any], "\(own.stdout) \(own.stderr)")
            #expect(ownView["tenant"] as? String == "payments" && ownView["source"] as? String == "tenant")
            #expect(ownView["maxJobs"] as? Int == 2 && ownView["maxRunningRuns"] as? Int == 0)
            let fallback = try await JobCLI.run(["quota", "get", "analytics", "-o", "yaml"] + etcd)
            #expect(fallback.stdout.contains("source: default") && fallback.stdout.contains("maxJobs: 1"), "\(fallback.stdout)")
            #expect(fallback.stdout.contains("tenant: analytics") && fallback.stdout.contains("note: platform default"))
            let all = try await JobCLI.run(["quota", "get", "-o", "json"] + etcd)
            let views = try #require(try JSONSerialization.jsonObject(with: Data(all.stdout.utf8)) as? [[String: Any]])
            #expect(views.map { $0["tenant"] as? String } == ["*", "payments"])

            // The apply is refused at the tenant's limit (exit 1, naming tenant, count and limit).
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("etcron-quota-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let jobs = directory.appendingPathComponent("jobs.yaml").path
            try (1...3).map { "- {tenant: payments, name: j\($0), schedule: '@daily', target: {exec: {command: /bin/true}}}" }
                .joined(separator: "\n").write(toFile: jobs, atomically: true, encoding: .utf8)
            let refused = try await JobCLI.run(["apply", "-f", jobs] + etcd)
            #expect(refused.status == 1, "\(refused.stdout) \(refused.stderr)")
            #expect(refused.stderr.contains(#"tenant "payments" would have 3 jobs (0 stored + 3 new); its limit is 2; nothing was applied"#), "\(refused.stderr)")
            #expect(try await JobCLI.run(["quota", "set", "payments", "--max-jobs", "unlimited"] + etcd).status == 0)
            let applied = try await JobCLI.run(["apply", "-f", jobs] + etcd)
            #expect(applied.status == 0, "\(applied.stderr)")

            // Bad input: exit 2, naming the flag or argument and the reason; nothing written.
            let bad = try await JobCLI.run(["quota", "set", "payments", "--max-jobs", "-1", "--max-running-runs", "ten"] + etcd)
            #expect(bad.status == 2)
            #expect(bad.stderr.contains("--max-jobs: must be 0 (unlimited) or more, not -1"), "\(bad.stderr)")
            #expect(bad.stderr.contains(#"--max-running-runs: "ten" is not a whole number"#), "\(bad.stderr)")
            let badTenant = try await JobCLI.run(["quota", "set", "Payments", "--max-jobs", "1"] + etcd)
            #expect(badTenant.status == 2 && badTenant.stderr.contains(#"TENANT: "Payments" is not a DNS subdomain"#), "\(badTenant.stderr)")
            let both = try await JobCLI.run(["quota", "delete", "payments", "--default"] + etcd)
            #expect(both.status == 2 && both.stderr.contains("TENANT: give a tenant or --default, not both"), "\(both.stderr)")
            let nothing = try await JobCLI.run(["quota", "set", "payments"] + etcd)
            #expect(nothing.status == 2 && nothing.stderr.contains("give at least one of --max-jobs, --max-running-runs and --note"), "\(nothing.stderr)")
            let star = try await JobCLI.run(["quota", "get", "*"] + etcd)
            #expect(star.status == 2 && star.stderr.contains(#"TENANT: "*" is not a DNS subdomain"#), "\(star.stderr)")

            #expect(try await JobCLI.run(["quota", "delete", "payments"] + etcd).stdout == "quota payments deleted\n")
            let missing = try await JobCLI.run(["quota", "delete", "payments"] + etcd)
            #expect(missing.status == 1 && missing.stderr.contains(#"the quota of tenant "payments" not found"#), "\(missing.stderr)")
            #expect(try await JobCLI.run(["quota", "delete", "--default"] + etcd).stdout == "quota * (default) deleted\n")
            let empty = try await JobCLI.run(["quota", "get", "payments"] + etcd)
            #expect(empty.stdout.contains("payments  none    unlimited"), "\(empty.stdout)")
        }
    }
}
