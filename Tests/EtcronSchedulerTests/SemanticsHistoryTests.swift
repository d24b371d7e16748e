import EtcdClient
import EtcdTestHarness
import EtcronCore
import EtcronProto
import EtcronScheduler
import Foundation
import SwiftProtobuf
import Testing

extension SemanticsProcessTests {
    @Test("decisions older than the retention are collected, a deleted job's records once it is quiet that long; per-job series stop at their limit")
    func historyCollection() async throws {
        let retention: Int64 = 3
        let arguments = ["--history-retention", String(retention), "--history-gc-interval", "1", "--job-metrics-limit", "1"]
        try await SemanticsHarness.run(replicas: 1, arguments: arguments) { h in
            let tenant = SemanticsHarness.tenant
            // A kept run holds its invoke's decision for as long as the history limits keep
            // the run (then the decision moves to the log); with one run kept, nothing is
            // held longer than the retention.
            let kept = SemanticsHarness.job("kept", "* * * * * *") {
                $0.history.succeeded = 1
                $0.history.failed = 1
            }
            try await h.apply(kept, SemanticsHarness.job("removed", "* * * * * *"))
            // A spec that cannot be scheduled, written behind the store's back: its history
            // is one `error` decision, with no cursor and no run.
            let broken = SemanticsHarness.job("broken", "61 * * * * *")
            try await h.client.put(h.keys.spec(tenant, "broken"), value: try broken.serializedData())
            try await Task.sleep(for: .seconds(2))
            // Younger than the retention: nothing is collected yet.
            let first = try #require(try await h.decisions("kept").map(\.scheduledUnix).min())
            try await h.store.delete(tenant: tenant, name: "removed")
            try await h.eventually("the broken job's error decision", timeout: .seconds(10)) { () -> Bool? in
                try await h.decisions("broken").isEmpty ? nil : true
            }
            _ = try await h.client.delete(.key(h.keys.spec(tenant, "broken")))
            #expect(!(try await h.decisions("removed")).isEmpty, "a deleted job's history stays readable until collected")

            // Old decisions go; recent ones and the status cursor stay.
            let trimmed = try await h.eventually("the kept job's oldest decisions collected", timeout: .seconds(20)) { () -> [Int64]? in
                let times = try await h.decisions("kept").map(\.scheduledUnix)
                return times.contains(first) ? nil : times
            }
            let times = try #require(trimmed)
            let now = Wall.nowUnix
            #expect(!times.isEmpty && times.allSatisfy { $0 >= now - retention - 3 }, "decisions left: \(times), now \(now)")
            #expect(times.contains { $0 >= now - 2 }, "recent decisions stay: \(times), now \(now)")
            #expect(try await h.client.get(h.keys.status(tenant, "kept")) != nil)

            // Every record of the deleted job goes once it has been quiet for the retention.
            for name in ["removed", "broken"] {
                try await h.eventually("the deleted job \(name)'s records collected", timeout: .seconds(20)) { () -> Bool? in
                    let records = try await h.client.range(.prefix(h.keys.job(tenant, name))).kvs.count
                    let status = try await h.client.get(h.keys.status(tenant, name)) == nil ? 0 : 1
                    let decisions = try await h.decisions(name).count
                    return records + status + decisions == 0 ? true : nil
                }
            }

            // One job has its own series; the other is counted under job="_other".
            let metrics = try await HealthProbe.get(port: h.group.replicas[0].port, path: "/metrics", timeout: .seconds(2)).body
            let decisionLines = metrics.split(separator: "\n").filter { $0.hasPrefix("etcron_job_decisions_total{") }
            let own = ["kept", "removed", "broken"].filter { name in decisionLines.contains { $0.contains("job=\"\(name)\"") } }
            #expect(own.count == 1, "jobs with their own series: \(own)")
            #expect(decisionLines.contains { $0.contains("job=\"_other\"") })
            #expect(metrics.contains("etcron_job_metrics_overflow_total"))
            #expect(metrics.contains("etcron_history_gc_jobs_total{action=\"purge\"} 2"))
        }
    }
}
