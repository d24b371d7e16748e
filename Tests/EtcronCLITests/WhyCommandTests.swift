import EtcdClient
import EtcdTestHarness
import EtcronCore
import EtcronProto
import EtcronTestKit
import Foundation
import SwiftProtobuf
import Testing

/// `etcron why` of the built binary against a real etcd, with records written as a leader
/// leaves them: a skip in the decision log, an invoke held by its (kept) run, and an
/// invoke archived to the log when its run was trimmed.
@Suite("etcron why", .serialized)
struct WhyCommandTests {
    @Test("why merges the log with the decisions runs hold, newest first, with each run's state")
    func explainsBothPlaces() async throws {
        try await withEtcd { cluster in
            let etcd = ["--etcd-endpoints", cluster.clientEndpoints.joined(separator: ",")]
            let client = try EtcdClient(configuration: EtcdClientConfiguration(endpoints: cluster.clientEndpoints))
            let keys = JobKeys(ReplicaKeys(prefix: "/etcron/"))
            let store = JobStore(client: client, keys: keys)
            _ = try await store.apply([JobFixtures.spec(name: "settle")])
            let (tenant, name) = ("payments", "settle")
            func decision(_ time: Int64, _ kind: Etcron_V1_DecisionKind) -> Etcron_V1_Decision {
                var decision = Etcron_V1_Decision()
                decision.scheduledUnix = time
                decision.kind = kind
                decision.decidedAtUnixMs = time * 1000 + 40
                decision.leaderToken = 9
                decision.count = 1
                decision.rangeStartUnix = time
                if kind == .invoke { decision.runID = RunID.scheduled(tenant: tenant, job: name, scheduledUnix: time) }
                return decision
            }
            // 100: invoked, its run trimmed (archived to the log); 200: skipped (log);
            // 300: invoked, its run kept and holding the decision.
            var skipped = decision(200, .skip)
            skipped.reason = .concurrencyPolicy
            skipped.message = "Forbid: run x is still running"
            var run = Etcron_V1_Run()
            run.runID = RunID.scheduled(tenant: tenant, job: name, scheduledUnix: 300)
            run.tenant = tenant
            run.job = name
            run.scheduledUnix = 300
            run.state = .succeeded
            run.leaderToken = 9
            run.decidedAtUnixMs = 300_040
            run.startedAtUnixMs = 300_120
            run.finishedAtUnixMs = 303_520
            _ = try await client.txn(Txn(success: [
                .put(keys.decision(tenant, name, scheduledUnix: 100), try decision(100, .invoke).serializedData()),
                .put(keys.decision(tenant, name, scheduledUnix: 200), try skipped.serializedData()),
                .put(keys.run(tenant, name, runID: run.runID), try run.serializedData()),
            ]))
            await client.close()

            let why = try await JobCLI.run(["why", "\(tenant)/\(name)", "-o", "json"] + etcd)
            #expect(why.status == 0, "\(why.stderr)")
            let rows = try #require(try JSONSerialization.jsonObject(with: Data(why.stdout.utf8)) as? [[String: Any]])
            #expect(rows.map { $0["decision"] as? String } == ["invoke", "skip", "invoke"], "\(why.stdout)")
            #expect(rows.map { $0["runState"] as? String } == ["succeeded", nil, nil], "the trimmed run is gone: \(why.stdout)")
            #expect(rows[1]["reason"] as? String == "concurrencyPolicy")
            #expect(rows[0]["runID"] as? String == run.runID)

            let text = try await JobCLI.run(["why", "\(tenant)/\(name)"] + etcd)
            let lines = text.stdout.split(separator: "\n").map(String.init)
            #expect(lines.count == 4, "a line about the job and one per decision: \(text.stdout)")
            #expect(lines[0].hasPrefix("payments/settle: ") && lines[0].contains("next run at"), "\(lines)")
            #expect(lines[1] == "  1970-01-01T00:05:00Z: ran at 1970-01-01T00:05:00.120Z (start delay 120 ms) and succeeded in 3.4 s", "\(lines)")
            #expect(lines[2] == "  skipped 1970-01-01T00:03:20Z because of the concurrency policy: Forbid: run x is still running", "\(lines)")
            #expect(lines[3].hasPrefix("  1970-01-01T00:01:40Z: ran (run s-") && lines[3].hasSuffix("its record is no longer kept)"), "\(lines)")

            let limited = try await JobCLI.run(["why", "\(tenant)/\(name)", "--limit", "1", "-o", "wide"] + etcd)
            #expect(limited.stdout.split(separator: "\n").count == 4, "two sentences, then a header and the newest decision: \(limited.stdout)")
            #expect(limited.stdout.contains(run.runID) && limited.stdout.contains("(succeeded)"), "\(limited.stdout)")

            // `runs` shows each run's start delay (scheduled time to first start) and duration.
            let runs = try await JobCLI.run(["runs", "\(tenant)/\(name)"] + etcd)
            let runLines = runs.stdout.split(separator: "\n")
            #expect(runLines.first?.contains("START DELAY") == true && runLines.first?.contains("DURATION") == true, "\(runs.stdout)")
            #expect(runLines.count == 2 && runLines[1].contains("120 ms") && runLines[1].contains("3.4s"), "\(runs.stdout)")

            let missing = try await JobCLI.run(["why", "\(tenant)/nothing"] + etcd)
            #expect(missing.status == 1 && missing.stderr.contains("does not exist"), "\(missing.stderr)")
        }
    }
}
