import EtcdClient
import EtcdTestHarness
import EtcronCore
import EtcronProto
import EtcronTestKit
import Foundation
import SwiftProtobuf
import Testing

/// `etcron audit` of the built binary: records written straight into a real etcd (a
/// duplicate decision, a gap, a run started twice, a schedule changed mid-window), and a
/// live replica's own records, read straight from etcd and through the API.
@Suite("etcron audit", .serialized)
struct AuditCommandTests {
    static let keys = JobKeys(ReplicaKeys(prefix: "/etcron/"))
    /// A whole minute, long past.
    static let t0: Int64 = 1_699_999_980

    static func spec(_ name: String, _ schedule: String) -> Etcron_V1_JobSpec {
        var spec = JobFixtures.spec(tenant: "a", name: name, schedule: schedule)
        spec.createdAtUnixMs = t0 * 1000 - 30_000
        spec.scheduleSinceUnixMs = spec.createdAtUnixMs
        return spec
    }

    static func decision(_ name: String, _ time: Int64, _ kind: Etcron_V1_DecisionKind) -> Etcron_V1_Decision {
        var decision = Etcron_V1_Decision()
        decision.scheduledUnix = time
        decision.kind = kind
        decision.reason = kind == .skip ? .concurrencyPolicy : .unspecified
        decision.count = 1
        decision.rangeStartUnix = time
        decision.decidedAtUnixMs = time * 1000 + 20
        decision.leaderToken = 7
        if kind == .invoke { decision.runID = RunID.scheduled(tenant: "a", job: name, scheduledUnix: time) }
        return decision
    }

    static func write(_ client: EtcdClient, _ spec: Etcron_V1_JobSpec, log: [Etcron_V1_Decision], runs: [Etcron_V1_Run], through: Int64) async throws {
        _ = try await client.put(keys.spec("a", spec.name), value: try spec.serializedData())
        for decision in log {
            _ = try await client.put(keys.decision("a", spec.name, scheduledUnix: decision.scheduledUnix), value: try decision.serializedData())
        }
        for run in runs { _ = try await client.put(keys.run("a", spec.name, runID: run.runID), value: try run.serializedData()) }
        var status = Etcron_V1_JobStatus()
        status.decidedThroughUnix = through
        _ = try await client.put(keys.status("a", spec.name), value: try status.serializedData())
        _ = try await client.put(keys.tenantIndex("a"), value: Data())
    }

    @Test("a duplicate decision, a gap and a run started twice are found and exit 1; a schedule change mid-window is no false gap")
    func findsViolations() async throws {
        try await withEtcd { cluster in
            let client = try EtcdClient(configuration: EtcdClientConfiguration(endpoints: cluster.clientEndpoints))
            let t0 = Self.t0
            // a/broken, every minute over (t0, t0+600]: 120 decided twice (a skip in the log,
            // an invoke its run holds), 240 never, 180 started by two runs.
            var log = (1...10).filter { $0 != 4 && $0 != 3 }.map { Self.decision("broken", t0 + Int64($0) * 60, .skip) }
            var held = Etcron_V1_Run()
            held.runID = RunID.scheduled(tenant: "a", job: "broken", scheduledUnix: t0 + 120)
            held.scheduledUnix = t0 + 120
            held.state = .succeeded
            held.startedAtUnixMs = (t0 + 120) * 1000 + 90
            held.hold(Self.decision("broken", t0 + 120, .invoke))
            log.append(Self.decision("broken", t0 + 180, .invoke))
            var first = Etcron_V1_Run()
            first.runID = RunID.scheduled(tenant: "a", job: "broken", scheduledUnix: t0 + 180)
            first.scheduledUnix = t0 + 180
            first.state = .succeeded
            first.startedAtUnixMs = (t0 + 180) * 1000 + 100
            var second = first
            second.runID = "s-second-start"
            try await Self.write(client, Self.spec("broken", "* * * * *"), log: log, runs: [held, first, second], through: t0 + 600)

            // a/changed: every 2 minutes until t0+300, then every 5 minutes, as the store
            // records a change of schedule.
            var changed = Self.spec("changed", "*/5 * * * *")
            var era = Etcron_V1_ScheduleEra()
            era.schedule = "*/2 * * * *"
            era.sinceUnixMs = changed.createdAtUnixMs
            era.untilUnixMs = (t0 + 300) * 1000 + 500
            changed.scheduleHistory = [era]
            changed.scheduleSinceUnixMs = era.untilUnixMs
            // t0 is 22:13 UTC: even minutes 22:14, 22:16, 22:18 under the old schedule, then
            // 22:20 under the new one.
            let times = [t0 + 60, t0 + 180, t0 + 300, t0 + 420]
            try await Self.write(
                client, changed, log: times.map { Self.decision("changed", $0, .skip) }, runs: [], through: t0 + 600)

            let etcd = ["--etcd-endpoints", cluster.clientEndpoints.joined(separator: ",")]
            let window = ["--from", String(t0), "--to", String(t0 + 600)]
            let all = try await JobCLI.run(["audit"] + etcd + window + ["-o", "json"])
            #expect(all.status == 1, "\(all.stderr)")
            let report = try #require(try JSONSerialization.jsonObject(with: Data(all.stdout.utf8)) as? [String: Any])
            let findings = (report["findings"] as? [[String: Any]] ?? []).map {
                "\($0["kind"] as? String ?? "")|\($0["job"] as? String ?? "")|\(($0["scheduledUnix"] as? Int).map { Int64($0) - t0 } ?? -1)"
            }
            #expect(findings.contains("duplicate|a/broken|120"), "\(findings)")
            #expect(findings.contains("gap|a/broken|240"), "\(findings)")
            #expect(findings.contains("startedTwice|a/broken|180"), "\(findings)")
            #expect(!findings.contains { $0.contains("a/changed") }, "\(findings)")
            #expect(report["jobs"] as? Int == 2 && report["clean"] as? Bool == false)

            let clean = try await JobCLI.run(["audit"] + etcd + window + ["--job", "a/changed"])
            #expect(clean.status == 0, "\(clean.stdout)\(clean.stderr)")
            #expect(clean.stdout.contains("CLEAN") && clean.stdout.contains("scheduled times checked 4"), "\(clean.stdout)")
            let table = try await JobCLI.run(["audit"] + etcd + window + ["--job", "a/broken"])
            #expect(table.status == 1 && table.stdout.contains("VIOLATIONS FOUND") && table.stdout.contains("s-second-start"), "\(table.stdout)")
            #expect(try await JobCLI.run(["audit"] + etcd + ["--from", "yesterday"]).stderr.contains("--from"))
            await client.close()
        }
    }

    @Test("a live replica's own records audit clean, straight from etcd and through the API")
    func liveReplicaIsClean() async throws {
        try await withEtcd { cluster in
            let tokens = cluster.rootDirectory + "/tokens.yaml"
            try "tokens:\n  - {name: root, sha256: \(APICommandTests.sha256("audit-admin")), role: admin}\n"
                .write(toFile: tokens, atomically: true, encoding: .utf8)
            let port = try LoopbackPorts.allocate()
            let replica = try await ManagedProcess.start(
                try EtcronExecutable.locate(),
                arguments: ["operator", "--etcd-endpoints", cluster.clientEndpoints.joined(separator: ","), "--replica-id", "audit-1",
                    "--http-listen", "127.0.0.1:\(port)", "--lease-ttl", "2", "--api-tokens-file", tokens],
                logFile: cluster.rootDirectory + "/audit-1.log")
            defer { Task { await replica.kill() } }
            let client = try EtcdClient(configuration: EtcdClientConfiguration(endpoints: cluster.clientEndpoints))
            let store = JobStore(client: client, keys: Self.keys)
            var every = JobFixtures.spec(tenant: "a", name: "every-second", schedule: "* * * * * *")
            every.target.exec.command = "/bin/true"
            _ = try await store.apply([every])
            try await Task.sleep(for: .seconds(8))
            let now = Int64(Date().timeIntervalSince1970)
            let window = ["--from", String(now - 6), "--to", String(now - 2)]
            let direct = try await JobCLI.run(["audit", "--etcd-endpoints", cluster.clientEndpoints.joined(separator: ",")] + window)
            #expect(direct.status == 0 && direct.stdout.contains("CLEAN") && direct.stdout.contains("invokes 4"), "\(direct.stdout)\(direct.stderr)")
            let viaAPI = try await JobCLI.run(["audit", "--server", "http://127.0.0.1:\(port)", "-o", "json"] + window, environment: ["ETCRON_TOKEN": "audit-admin"])
            let report = try #require(try JSONSerialization.jsonObject(with: Data(viaAPI.stdout.utf8)) as? [String: Any], "\(viaAPI.stderr)")
            #expect(viaAPI.status == 0 && report["clean"] as? Bool == true && report["invokes"] as? Int == 4, "\(viaAPI.stdout)")
            await client.close()
            await replica.kill()
        }
    }
}
