import ArgumentParser
import EtcdClient
import EtcdTestHarness
import EtcronCore
import EtcronProto
import Foundation
import SwiftProtobuf

/// `etcron-bench audit`: `etcron audit` over a day of `--jobs` hourly jobs' records (an
/// invoke whose trimmed run left its outcome, or a skip, per hour), straight from etcd,
/// as its own process: its time and peak memory (ru_maxrss). The baseline, in the same
/// run: reading and decoding every decision record of the day with paged ranges, tenant
/// by tenant.
struct AuditBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Audit a day of many jobs' records: time and peak memory, against a raw read of them.")

    @Option(help: "Jobs registered (hourly).")
    var jobs = 100_000

    @Option(help: "Tenants the jobs are spread over.")
    var tenants = 100

    @Option(help: "Hours of records per job.")
    var hours = 24

    @Option(help: "The etcron executable (default: $ETCRON_BINARY, else etcron next to this executable).")
    var etcron: String?

    func validate() throws {
        guard jobs >= tenants, tenants >= 1 else { throw ValidationError("--jobs must be at least --tenants, which must be at least 1") }
        guard (1...168).contains(hours) else { throw ValidationError("--hours must be from 1 to 168") }
    }

    func run() async throws {
        let figures = EtcdFigures(label: "audit")
        let binary = try FailoverBinary.locate(option: etcron)
        try await withBenchEtcd { cluster, client in
            try await measure(cluster: cluster, client: client, binary: binary, figures: figures)
        }
    }

    private func measure(cluster: EtcdCluster, client: EtcdClient, binary: String, figures: EtcdFigures) async throws {
        let keys = JobKeys(ReplicaKeys(prefix: "/etcron/"))
        let bench = SchedulerBenchJobs(client: client, keys: keys, tenants: tenants)
        let end = (Int64(Date().timeIntervalSince1970) / 3600) * 3600
        let start = end - Int64(hours) * 3600
        figures.progress("registering \(jobs) hourly jobs over \(tenants) tenants")
        try await bench.register(0..<jobs, createdAt: Date(timeIntervalSince1970: Double(start - 60))) { _ in "0 * * * *" }
        figures.progress("writing \(jobs * hours) decisions and \(jobs) statuses")
        let batches = try stride(from: 0, to: jobs, by: 4).map { first in
            try Txn(success: (first..<min(first + 4, jobs)).flatMap { index -> [TxnOperation] in
                let (tenant, name) = (bench.tenant(index), SchedulerBenchJobs.name(index))
                var operations = try (1...hours).map { hour -> TxnOperation in
                    let time = start + Int64(hour) * 3600
                    return .put(keys.decision(tenant, name, scheduledUnix: time), try Self.decision(tenant, name, time, invoke: (index + hour) % 4 != 0).serializedData())
                }
                var status = Etcron_V1_JobStatus()
                status.decidedThroughUnix = end
                operations.append(.put(keys.status(tenant, name), try status.serializedData()))
                return operations
            })
        }
        try await inFlight(batches, width: 4) { txn in _ = try await client.txn(txn) }

        figures.progress("baseline: reading and decoding every decision record")
        let raw = ContinuousClock.now
        var records = 0
        // Tenant by tenant: etcd counts every key left in a range it pages through, so one
        // paged range over millions of records would measure that, not the reading.
        for tenant in Set((0..<jobs).map(bench.tenant)).sorted() {
            try await client.rangePaged(.prefix(keys.decisionLog + tenant + "/"), pageSize: 5000) { kvs in
                for kv in kvs { _ = try Etcron_V1_Decision(serializedBytes: kv.value) }
                records += kvs.count
            }
        }
        let rawTime = ContinuousClock.now - raw

        figures.progress("etcron audit over \(hours) h of \(jobs) jobs")
        let started = ContinuousClock.now
        let (status, output, peakKiB) = try await Self.runMeasured(binary, [
            "audit", "--etcd-endpoints", cluster.clientEndpoints.joined(separator: ","), "--from", String(start), "--to", String(end), "-o", "json",
        ])
        let auditTime = ContinuousClock.now - started
        let report = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any] ?? [:]
        guard status == 0, report["clean"] as? Bool == true else {
            throw FailoverError("etcron audit did not pass (exit \(status)): \(output.prefix(2000))")
        }
        figures.figure("audit_jobs", String(report["jobs"] as? Int ?? 0), "jobs")
        figures.figure("audit_times_checked", String(report["timesChecked"] as? Int ?? 0), "times")
        figures.milliseconds("audit_wall_time", auditTime)
        figures.figure("audit_peak_rss", String(format: "%.1f", Double(peakKiB) / 1024), "MiB")
        figures.figure("audit_records_per_second", String(Int(Double(records) / max(Self.seconds(auditTime), 0.001))), "records/s")
        figures.milliseconds("raw_read_decode_time", rawTime)
        figures.figure("raw_records", String(records), "records")
        figures.ratio("audit_vs_raw_read_time", Self.seconds(auditTime) / max(Self.seconds(rawTime), 0.001))
    }

    /// Runs `path` to its end: its exit status, standard output, and peak resident memory
    /// in KiB (VmHWM of its own address space, read from /proc while it runs: ru_maxrss of a
    /// spawned child also counts the parent's memory it shared before exec).
    static func runMeasured(_ path: String, _ arguments: [String]) async throws -> (Int32, String, Int) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let output = Task.detached { String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) }
        let status = "/proc/\(process.processIdentifier)/status"
        var peak = 0
        while process.isRunning {
            let line = (try? String(contentsOfFile: status, encoding: .utf8))?.split(separator: "\n").first { $0.hasPrefix("VmHWM:") }
            if let line, let kib = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") { peak = max(peak, kib) }
            try await Task.sleep(for: .milliseconds(50))
        }
        process.waitUntilExit()
        return (process.terminationStatus, await output.value, peak)
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func decision(_ tenant: String, _ name: String, _ time: Int64, invoke: Bool) -> Etcron_V1_Decision {
        var decision = Etcron_V1_Decision()
        decision.scheduledUnix = time
        decision.count = 1
        decision.rangeStartUnix = time
        decision.decidedAtUnixMs = time * 1000 + 15
        decision.leaderToken = 1
        if invoke {
            decision.kind = .invoke
            decision.runID = RunID.scheduled(tenant: tenant, job: name, scheduledUnix: time)
            var outcome = Etcron_V1_RunOutcome()
            outcome.state = .succeeded
            outcome.startedAtUnixMs = time * 1000 + 40 + Int64(time % 500)
            outcome.finishedAtUnixMs = outcome.startedAtUnixMs + 1000
            outcome.attempts = 1
            decision.outcome = outcome
        } else {
            decision.kind = .skip
            decision.reason = .concurrencyPolicy
            decision.message = "Forbid: the previous run is still running"
        }
        return decision
    }
}
