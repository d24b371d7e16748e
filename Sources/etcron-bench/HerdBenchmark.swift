import ArgumentParser
import CronSchedule
import EtcdClient
import EtcdTestHarness
import EtcronCore
import EtcronProto
import EtcronExecutor
import Foundation
import SwiftProtobuf

/// `etcron-bench herd`: the top of the hour end to end. Registers `--jobs` jobs of which
/// `--due` fire in the same second, all POSTing to a local nginx whose access log records
/// each request's arrival (`$msec`) and `Idempotency-Key` (the run ID); starts
/// `--replicas` executing replicas; lets the second come (`--bursts` times, `--burst-gap`
/// apart, different jobs each time: the start delays are the bursts' medians, the CPU
/// figures per burst); and reads the log (with
/// `--target exec`, `/bin/true` through the exec guard, the starts the runs' records hold):
/// start delay (arrival minus scheduled time) p50, p99, max, runs started per second, runs received
/// against due, duplicates, etcd writes per run, the replicas' CPU. Baselines in the same
/// run: nginx's own ceiling (wrk, GET, 64 connections) and the raw batched-put rate of
/// etcd (Txns of 128, one at a time).
struct HerdBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "herd", abstract: "Many runs due in one second, from scheduled time to the target: start delay and throughput.")

    @Option(help: "Jobs registered.")
    var jobs = 100_000

    @Option(help: "Jobs due in the same second.")
    var due = 10_000

    @Option(help: "Executing replicas.")
    var replicas = 3

    @Option(help: "Tenants the jobs are spread over.")
    var tenants = 100

    /// What the due jobs run.
    enum Target: String, ExpressibleByArgument, CaseIterable {
        /// POST to the local nginx; arrivals from its access log.
        case http
        /// `/bin/true` through the exec guard; starts from the runs' records.
        case exec
    }

    @Option(help: "http (POST to a local nginx) or exec (/bin/true through the exec guard).")
    var target: Target = .http

    @Option(help: "Seconds to wait after the last due second for the runs to arrive.")
    var wait = 40

    @Option(help: "Due seconds (bursts of --due jobs each, different jobs); the start delays printed are their medians.")
    var bursts = 3

    @Option(help: "Seconds between the bursts' due seconds.")
    var burstGap = 15

    @Option(help: "The etcron executable (default: $ETCRON_BINARY, else etcron next to this executable).")
    var etcron: String?

    func validate() throws {
        guard jobs >= due, due >= 1, jobs >= tenants, tenants >= 1 else {
            throw ValidationError("--jobs must be at least --due (at least 1) and --tenants (at least 1)")
        }
        guard bursts >= 1, jobs >= due * bursts else { throw ValidationError("--bursts must be at least 1, and --jobs at least --due times --bursts") }
        guard burstGap >= 5 else { throw ValidationError("--burst-gap must be at least 5 seconds") }
        guard (1...9).contains(replicas) else { throw ValidationError("--replicas must be from 1 to 9") }
    }

    func run() async throws {
        let figures = EtcdFigures(label: "herd")
        let binary = try FailoverBinary.locate(option: etcron)
        let wrk = try APIWrk.locate()
        try await withBenchEtcd { cluster, client in
            let target = try await HerdTarget.start(in: cluster.rootDirectory)
            defer { Task { await target.stop() } }
            try await measure(cluster: cluster, client: client, binary: binary, target: target, wrk: wrk, figures: figures)
            await target.stop()
        }
    }

    private func measure(
        cluster: EtcdCluster, client: EtcdClient, binary: String, target: HerdTarget, wrk: APIWrk, figures: EtcdFigures
    ) async throws {
        figures.progress("baseline: nginx's own ceiling (wrk, 64 connections, 5 s)")
        let ceiling = try wrk.run(target.url + "/ceiling", header: "X-Bench: ceiling", connections: 64, seconds: 5)
        var spawnCeiling: (guarded: Double, bare: Double)?
        if self.target == .exec {
            figures.progress("baseline: /bin/true through the executor's exec path and its guard (32 at once), and bare (one spawner per core, 16 children each)")
            // The guard built with this bench (its protocol is the bench's executor's).
            guard let launcher = ExecGuard.Launcher.besideThisProgram() else {
                throw FailoverError("no \(ExecGuard.executableName) beside etcron-bench (build it: swift build -c release --product etcron-exec-guard)")
            }
            spawnCeiling = (
                try await ExecSpawnCeiling.measure(guardPath: launcher.executable, runs: 4000), try ExecSpawnCeiling.measureWithoutGuard(runs: 4000)
            )
        }

        let keys = JobKeys(ReplicaKeys(prefix: "/etcron/"))
        let bench = SchedulerBenchJobs(client: client, keys: keys, tenants: tenants)
        // The due second: after the replicas have started and loaded every job.
        let dueUnix = Int64(Date().timeIntervalSince1970) + 45 + Int64(jobs / 10_000)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let dueTimes = (0..<bursts).map { dueUnix + Int64($0 * burstGap) }
        let dueSchedules = dueTimes.map { time in
            let fields = calendar.dateComponents([.second, .minute, .hour, .day, .month], from: Date(timeIntervalSince1970: Double(time)))
            return "\(fields.second!) \(fields.minute!) \(fields.hour!) \(fields.day!) \(fields.month!) *"
        }
        figures.progress(
            "registering \(jobs) jobs, \(due) due at \(RFC3339.utc(milliseconds: dueUnix * 1000)) (\(dueSchedules[0]) UTC)"
                + (bursts > 1 ? " and as many again every \(burstGap) s, \(bursts) bursts" : ""))
        let createdAt = Date()
        let specs = try (0..<jobs).map { index -> TxnOperation in
            var spec = bench.spec(index, schedule: index < due * bursts ? dueSchedules[index / due] : "0 0 1 1 *", createdAt: createdAt)
            spec.concurrencyPolicy = .allow
            if self.target == .http {
                spec.target.http.method = "POST"
                spec.target.http.url = target.url + "/run"
                spec.target.http.body = Data("{}".utf8)
            }
            return .put(keys.spec(spec.tenant, spec.name), try spec.serializedData())
        }
        let batches = stride(from: 0, to: specs.count, by: 128).map { Txn(success: Array(specs[$0..<min($0 + 128, specs.count)])) }
        try await inFlight(batches, width: 4) { txn in _ = try await client.txn(txn) }
        for first in stride(from: 0, to: tenants, by: 128) {
            _ = try await client.txn(Txn(success: (first..<min(first + 128, tenants)).map { .put(keys.tenantIndex(bench.tenant($0)), Data()) }))
        }

        figures.progress("starting \(replicas) executing replicas")
        var processes: [ManagedProcess] = []
        defer { for process in processes { Task { await process.kill() } } }
        var ports: [Int] = []
        for index in 1...replicas {
            let port = try LoopbackPorts.allocate()
            ports.append(port)
            processes.append(try await ManagedProcess.start(
                binary,
                arguments: [
                    "operator", "--etcd-endpoints", cluster.clientEndpoints.joined(separator: ","), "--replica-id", "herd-\(index)",
                    "--http-listen", "127.0.0.1:\(port)", "--lease-ttl", "10", "--log-level", "warning",
                    // JSON lines, as the Helm chart installs replicas (the text format's handler
                    // renders a logger's metadata each time it is set: once or twice a run).
                    "--log-format", "json",
                ],
                logFile: cluster.rootDirectory + "/herd-\(index).log"))
        }
        let leader = try await Self.waitForLeader(ports: ports, processes: processes)
        let now = Int64(Date().timeIntervalSince1970)
        guard now < dueUnix - 2 else {
            throw FailoverError("the replicas took too long to start: the due second \(dueUnix) is \(now - dueUnix + 2) s too close")
        }
        figures.progress("leader herd-\(leader + 1); waiting \(dueUnix - now) s for the due second")
        try await Task.sleep(for: .seconds(dueUnix - now - 1))
        let etcd = ProcessProbe(pid: cluster.members[0].pid ?? 0)
        let before = Usage(processes: processes, etcd: etcd, target: target)
        let revisionBefore = try await client.range(.key("herd/none")).header.revision
        for (number, time) in dueTimes.enumerated() {
            let untilDue = Double(time - 1) - Date().timeIntervalSince1970
            if untilDue > 0 { try await Task.sleep(for: .milliseconds(Int64(untilDue * 1000))) }
            switch self.target {
            case .http:
                // Until this burst's runs arrived, or (before the last) shortly before the
                // next; polled cheaply (a line count), so that the bench takes little of the
                // CPU it measures.
                let deadline = ContinuousClock.now + .seconds(number == bursts - 1 ? wait + 1 : burstGap - 2)
                while ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(500))
                    if target.received() >= due * (number + 1) { break }
                }
            case .exec:
                // Not followed while the bursts go on: a watch of the records (or a read)
                // costs etcd, and this process, CPU in the very window measured. Each burst
                // has the gap; the records are read once after the last.
                try await Task.sleep(for: .seconds(burstGap - 2))
            }
        }
        try await Task.sleep(for: .seconds(2))  // duplicates arriving late
        var after = Usage(processes: processes, etcd: etcd, target: target)
        var arrivals: [HerdTarget.Arrival]
        switch self.target {
        case .http:
            arrivals = target.arrivals()
        case .exec:
            // Read again while runs are missing, up to --wait after the last due second; the
            // CPU window then ends before the last read.
            arrivals = try await HerdRecordedStarts.read(client: client, keys: keys)
            let deadline = Double((dueTimes.last ?? 0) + Int64(wait))
            while Set(arrivals.map(\.key)).count < due * bursts, Date().timeIntervalSince1970 < deadline {
                try await Task.sleep(for: .seconds(2))
                after = Usage(processes: processes, etcd: etcd, target: target)
                arrivals = try await HerdRecordedStarts.read(client: client, keys: keys)
            }
        }
        let revisionAfter = try await client.range(.key("herd/none")).header.revision

        let stages = try await HerdStages.read(client: client, keys: keys)
        let raw = try await SchedulerRawCeiling(client: client).measure(
            puts: 40_000, width: 1, rounds: 3, etcd: etcd, figures: figures
        ).rates

        let distinct = Set(arrivals.map(\.key)).count
        figures.figure("herd_due", String(due * bursts), "runs")
        figures.figure("herd_received", String(distinct), "runs")
        figures.figure("herd_duplicates", String(arrivals.count - distinct), "requests")
        HerdBursts(arrivals: arrivals, dueTimes: dueTimes).report(to: figures)
        // Each transaction is one revision however many runs it writes.
        figures.figure("herd_etcd_revisions_per_run", String(format: "%.2f", Double(revisionAfter - revisionBefore) / Double(max(distinct, 1))), "revisions")
        stages.report(to: figures, leader: "herd-\(leader + 1)")
        // CPU per burst: the whole window's, divided by the bursts.
        func perBurst(_ before: Duration?, _ after: Duration?) -> String {
            String(format: "%.2f", ((after ?? .zero) - (before ?? .zero)).seconds / Double(bursts))
        }
        for (index, (start, end)) in zip(before.replicas, after.replicas).enumerated() {
            figures.figure("herd_replica_\(index + 1)\(index == leader ? "_leader" : "")_cpu", perBurst(start, end), "s")
        }
        // Where the rest of the two cores went in the same window.
        figures.figure("herd_etcd_cpu", perBurst(before.etcd, after.etcd), "s")
        figures.figure("herd_target_cpu", perBurst(before.target, after.target), "s")
        if self.target == .exec {
            // Each replica's exec guard and the targets it reaped.
            let children = zip(before.children, after.children).reduce(Duration.zero) { $0 + (($1.1 ?? .zero) - ($1.0 ?? .zero)) }
            figures.figure("herd_exec_children_cpu", perBurst(.zero, children), "s")
            // Of which the guards' own (their targets' is the rest).
            let guards = zip(before.guards, after.guards).reduce(Duration.zero) { $0 + (($1.1 ?? .zero) - ($1.0 ?? .zero)) }
            figures.figure("herd_exec_guard_cpu", perBurst(.zero, guards), "s")
        }
        figures.figure("target_ceiling_rps", String(Int(ceiling.requestsPerSecond)), "req/s")
        if let spawnCeiling {
            figures.figure("exec_spawn_ceiling", String(Int(spawnCeiling.guarded)), "runs/s")
            figures.figure("exec_spawn_ceiling_without_guard", String(Int(spawnCeiling.bare)), "runs/s")
            // The soonest the last of a burst could start if spawning were all the machine did.
            figures.figure("exec_spawn_floor_for_due", String(Int(Double(due) / spawnCeiling.guarded * 1000)), "ms")
            figures.figure("exec_spawn_floor_for_due_without_guard", String(Int(Double(due) / spawnCeiling.bare * 1000)), "ms")
        }
        figures.figure("raw_put_loop_median", String(Int(raw.sorted()[raw.count / 2])), "puts/s")
        for process in processes { await process.kill() }
    }

    /// The CPU used so far by each replica, its children (its exec guard and what the guard
    /// reaped), etcd and the target.
    private struct Usage {
        var replicas: [Duration?]
        var children: [Duration?]
        /// The replicas' running children's own CPU: their exec guards.
        var guards: [Duration?]
        var etcd: Duration?
        var target: Duration?

        init(processes: [ManagedProcess], etcd: ProcessProbe, target: HerdTarget) {
            replicas = processes.map { $0.pid.flatMap { ProcessProbe(pid: $0).cpuTime() } }
            let usage = processes.map { $0.pid.flatMap { ProcessProbe(pid: $0).childrenUsage() } }
            children = usage.map { $0?.descendants }
            guards = usage.map { $0?.running }
            self.etcd = etcd.cpuTime()
            self.target = target.cpuTime()
        }
    }

    /// The index of the replica that leads.
    private static func waitForLeader(ports: [Int], processes: [ManagedProcess]) async throws -> Int {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            for (index, port) in ports.enumerated() {
                if let response = try? await HealthProbe.get(port: port, path: "/readyz", timeout: .milliseconds(500)),
                    response.status == 200, response.body.contains("\"leader\"")
                {
                    return index
                }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw FailoverError("no replica became leader within 60 s: \(processes.first?.tail() ?? "")")
    }
}
