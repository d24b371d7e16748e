import ArgumentParser
import EtcdClient
import EtcdTestHarness
import EtcronCore
import Foundation

/// `etcron-bench scheduler`: the top of the hour with many jobs.
///
/// Starts one etcd and one real `etcron operator` (with `--executor=false`, so the
/// figures are the scheduler's own), registers `--jobs` jobs of which `--due` fire in the
/// same second (in each of `--bursts` seconds, 10 s apart), and measures from etcd's data
/// how late each decision was, how fast they were made, the leader's CPU and memory, and
/// its CPU while nothing is due. The baselines in the same run, measured last against the
/// same etcd, are batched raw puts: the ceiling a scheduler writing through etcd cannot
/// pass. Rates are quoted as the median burst against the median baseline round.
struct SchedulerBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scheduler",
        abstract: "Decision lag and throughput with many jobs due at once; leader CPU and memory."
    )

    @Option(help: "Jobs registered.")
    var jobs = 100_000

    @Option(help: "Jobs among them due in the same second.")
    var due = 10_000

    @Option(help: "Seconds with --due jobs each, 10 s apart (different jobs each): the burst is short and this machine noisy, so the median burst is quoted, as the baselines' median round is.")
    var bursts = 5

    @Option(help: "Tenants the jobs are spread over.")
    var tenants = 100

    @Option(help: "Seconds of idle (nothing due) over which the leader's idle CPU is measured.")
    var idleSeconds = 20

    @Option(help: "Sync workers of the leader.")
    var workers = 4

    @Option(help: "The etcron executable (default: $ETCRON_BINARY, else etcron next to this executable).")
    var etcron: String?

    func validate() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
        guard bursts >= 1 else { throw ValidationError("--bursts must be at least 1") }
        guard due >= 1, due * bursts <= jobs else {
            throw ValidationError("--due times --bursts (\(due) x \(bursts)) must be between 1 and --jobs (\(jobs))")
        }
        guard tenants >= 1 else { throw ValidationError("--tenants must be at least 1") }
        guard idleSeconds >= 1 else { throw ValidationError("--idle-seconds must be at least 1") }
        guard (1...64).contains(workers) else { throw ValidationError("--workers must be between 1 and 64") }
    }

    func run() async throws {
        let figures = EtcdFigures(label: "scheduler")
        let binary = try FailoverBinary.locate(option: etcron)
        figures.progress("the replica runs \(binary)")
        try await withBenchEtcd { cluster, client in
            try await measure(cluster: cluster, client: client, binary: binary, figures: figures)
        }
    }

    private func measure(cluster: EtcdCluster, client: EtcdClient, binary: String, figures: EtcdFigures) async throws {
        figures.progress("starting the replica")
        let replica = try await SchedulerBenchReplica.start(binary: binary, cluster: cluster, workers: workers)
        defer { Task { await replica.process.kill() } }
        try await replica.waitForLeadership()
        let probe = try replica.probe()
        _ = try await probe.waitUntilQuiet()
        let emptyRSS = probe.residentBytes() ?? 0

        let keys = JobKeys(ReplicaKeys(prefix: "/etcron/"))
        let bench = SchedulerBenchJobs(client: client, keys: keys, tenants: tenants)
        let created = Date()
        let farHour = (Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: created).hour! + 12) % 24
        let quiet = jobs - due * bursts
        figures.progress("registering \(quiet) jobs that are not due (daily at \(farHour):H UTC)")
        let cpuBeforeLoad = probe.cpuTime() ?? .zero
        let registering = try await timed {
            try await bench.register(0..<quiet, createdAt: created) { _ in "H \(farHour) * * *" }
        }
        let ingest = try await probe.waitUntilQuiet()
        figures.rate("scheduler.register", quiet, in: registering, "jobs/s")

        // The due seconds: far enough ahead to register the due jobs and measure idle CPU.
        let first = Int64(Date().timeIntervalSince1970.rounded(.up)) + Int64(idleSeconds) + 20 + Int64(jobs / 10_000)
        let seconds = (0..<bursts).map { first + Int64($0) * 10 }
        for (burst, scheduled) in seconds.enumerated() {
            let when = Date(timeIntervalSince1970: TimeInterval(scheduled))
            let parts = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: when)
            let expression = "\(parts.second!) \(parts.minute!) \(parts.hour!) * * *"
            figures.progress("registering \(due) jobs due at \(when.formatted(.iso8601)) (\(expression))")
            let start = quiet + burst * due
            try await bench.register(start..<(start + due), createdAt: created) { _ in expression }
        }
        _ = try await probe.waitUntilQuiet()
        let loadCPU = (probe.cpuTime() ?? .zero) - cpuBeforeLoad
        let ingestRSS = probe.residentBytes() ?? 0

        // A new leader loads every job with paged reads: restart the replica (SIGTERM,
        // so it resigns at once) and measure the takeover and the memory it settles at.
        figures.progress("restarting the replica: a new leader loads \(jobs) jobs")
        try replica.process.send(.terminate)
        _ = try await replica.process.waitForExit()
        let takeoverStart = ContinuousClock.now
        try await replica.process.restart()
        try await replica.waitForLeadership()
        let leader = try replica.probe()
        _ = try await leader.waitUntilQuiet(window: .milliseconds(250))
        let takeover = ContinuousClock.now - takeoverStart
        let takeoverCPU = leader.cpuTime() ?? .zero
        let loadedRSS = leader.residentBytes() ?? 0

        figures.progress("measuring idle CPU for \(idleSeconds) s")
        let idleStart = leader.cpuTime() ?? .zero
        try await Task.sleep(for: .seconds(idleSeconds))
        let idleCPU = (leader.cpuTime() ?? .zero) - idleStart
        guard Date().timeIntervalSince1970 < TimeInterval(first) - 1 else {
            throw FailoverError("registering and idling overran the due second; lower --idle-seconds")
        }

        let revision = try await client.range(.key(keys.jobs)).header.revision
        let etcd = ProcessProbe(pid: cluster.members[0].pid ?? 0)
        var cpu: [Int64: (leader: Duration, etcd: Duration)] = [:]
        for scheduled in seconds {
            figures.progress("waiting for \(due) decisions at \(Date(timeIntervalSince1970: TimeInterval(scheduled)).formatted(.iso8601))")
            try await Task.sleep(until: .now + .seconds(TimeInterval(scheduled) - Date().timeIntervalSince1970 - 0.5))
            let burstStart = leader.cpuTime() ?? .zero
            let etcdStart = etcd.cpuTime() ?? .zero
            try await Task.sleep(for: .seconds(1))
            _ = try await leader.waitUntilQuiet()
            cpu[scheduled] = ((leader.cpuTime() ?? .zero) - burstStart, (etcd.cpuTime() ?? .zero) - etcdStart)
        }
        let burstRSS = leader.residentBytes() ?? 0
        let result = try await SchedulerDecisionReader(client: client, keys: keys).read(since: revision + 1, scheduled: Set(seconds))

        // The baselines come last, against the same etcd with the same jobs in it: measured
        // first, their hundreds of thousands of writes would slow the etcd the scheduler is
        // then measured against.
        try replica.process.send(.terminate)
        _ = try await replica.process.waitForExit()
        let raw = SchedulerRawCeiling(client: client)
        let loop = try await raw.measure(puts: max(40_000, due * 4), width: 1, etcd: etcd, figures: figures)
        let ceiling = try await raw.measure(puts: max(40_000, due * 4), width: 4, etcd: etcd, figures: figures)
        let shaped = try await raw.measure(puts: max(40_000, due * 4), width: 4, shaped: true, etcd: etcd, figures: figures)

        SchedulerFigures(
            jobs: jobs, due: due, seconds: seconds, result: result, loop: loop, ceilingRounds: ceiling, shaped: shaped, ingest: ingest, loadCPU: loadCPU,
            idleCPU: idleCPU, idleSeconds: idleSeconds, cpu: cpu,
            emptyRSS: emptyRSS, ingestRSS: ingestRSS, loadedRSS: loadedRSS, burstRSS: burstRSS,
            takeover: takeover, takeoverCPU: takeoverCPU
        ).print(to: figures)
    }
}
