import CronSchedule
import EtcdClient
import EtcdTestHarness
import EtcronCore
import EtcronProto
import EtcronReplica
import EtcronScheduler
import Foundation
import SwiftProtobuf
import Testing

/// End-to-end: real etcd, real `etcron operator` processes, real signals; everything is
/// checked from etcd's own data afterwards.
@Suite("scheduler with real replicas", .serialized)
struct SchedulerProcessTests {
    @Test("jobs firing every second through leader SIGKILL and SIGTERM: one decision per second, no run twice, every invoke finished")
    func everySecondThroughFailovers() async throws {
        let jobCount = Int(ProcessInfo.processInfo.environment["ETCRON_E2E_JOBS"] ?? "") ?? 100
        let seconds = Int(ProcessInfo.processInfo.environment["ETCRON_E2E_SECONDS"] ?? "") ?? 60
        try await withEtcd(members: 1) { cluster in
            let group = try await SchedulerGroup.start(cluster, replicas: 3, leaseTTL: 2)
            defer { Task { await group.stop() } }
            let marks = cluster.rootDirectory + "/executions"
            _ = FileManager.default.createFile(atPath: marks, contents: nil)
            let keys = JobKeys(ReplicaKeys(prefix: "/etcron/"))
            let created = Int64(Date().timeIntervalSince1970)
            for index in 0..<jobCount {
                var spec = Etcron_V1_JobSpec()
                spec.tenant = "team-\(index % 5)"
                spec.name = "job-\(index)"
                spec.schedule = "* * * * * *"
                spec.concurrencyPolicy = .allow
                spec.createdAtUnixMs = created * 1000
                spec.target.exec.command = "/bin/sh"
                spec.target.exec.args = ["-c", "echo \"$ETCRON_RUN_ID\" >> \(marks)"]
                spec.history.succeeded = 1000
                try await group.client.put(keys.spec(spec.tenant, spec.name), value: try spec.serializedData())
            }
            let third = Duration.seconds(seconds / 3)
            try await Task.sleep(for: third)
            let first = try await group.waitForLeader()
            try group.replica(first).process.send(.kill)
            try await Task.sleep(for: .seconds(3))
            try await group.replica(first).process.restart()
            try await Task.sleep(for: third)
            let second = try await group.waitForLeader()
            try group.replica(second).process.send(.terminate)
            try await Task.sleep(for: .seconds(2))
            try await group.replica(second).process.restart()
            try await Task.sleep(for: third)
            // Stop scheduling new times, then let every run finish and every time be decided.
            let end = Int64(Date().timeIntervalSince1970)
            for index in 0..<jobCount {
                let key = keys.spec("team-\(index % 5)", "job-\(index)")
                var spec = try Etcron_V1_JobSpec(serializedBytes: try #require(try await group.client.get(key)).value)
                spec.suspend = true
                try await group.client.put(key, value: try spec.serializedData())
            }
            try await Task.sleep(for: .seconds(6))

            var audited = 0
            var invokes = 0
            var runsSeen: Set<String> = []
            let schedule = try CronSchedule("* * * * * *")
            for index in 0..<jobCount {
                let tenant = "team-\(index % 5)"
                let name = "job-\(index)"
                let decisions = try await SemanticsHarness.decisions(client: group.client, keys: keys, tenant: tenant, name: name)
                let audit = DecisionAudit(schedule: schedule, decisions: decisions, after: created, through: end)
                #expect(audit.isClean, "\(tenant)/\(name): missing \(audit.missing.prefix(5)) duplicated \(audit.duplicated.prefix(5)) unexpected \(audit.unexpected.prefix(5))")
                audited += audit.checked
                #expect(decisions.allSatisfy { $0.kind == .invoke || $0.reason != .unspecified }, "a skip without a reason")
                let runs = try await group.client.range(.prefix(keys.runs(tenant, name))).kvs.map {
                    try Etcron_V1_Run(serializedBytes: $0.value)
                }
                let invoked = decisions.filter { $0.kind == .invoke }
                invokes += invoked.count
                let runIDs = Set(runs.map(\.runID))
                for decision in invoked {
                    #expect(runIDs.contains(decision.runID), "invoke without a run: \(decision.runID)")
                }
                for run in runs {
                    #expect(run.state.isTerminal, "\(run.runID) is still \(run.state)")
                    #expect(runsSeen.insert(run.runID).inserted)
                }
            }
            let executed = try String(contentsOfFile: marks, encoding: .utf8).split(separator: "\n").map(String.init)
            let duplicates = Dictionary(grouping: executed, by: { $0 }).filter { $0.value.count > 1 }.keys
            #expect(duplicates.isEmpty, "runs executed twice: \(duplicates.prefix(5))")
            #expect(Set(executed).isSubset(of: runsSeen))
            print("audited \(audited) scheduled seconds of \(jobCount) jobs; \(invokes) invokes, \(executed.count) executions")
            #expect(audited >= jobCount * (seconds - 5))
            await group.stop()
        }
    }
}
