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

/// One etcd member and real `etcron operator` replicas for the semantics tests, with the
/// job store to change jobs and readers for what the leader and the executors recorded.
struct SemanticsHarness: Sendable {
    static let tenant = "sem"

    let cluster: EtcdCluster
    let group: SchedulerGroup
    let keys = JobKeys(ReplicaKeys(prefix: "/etcron/"))
    let store: JobStore

    var client: EtcdClient { group.client }
    /// A directory for files the jobs' children write.
    var scratch: String { cluster.rootDirectory }

    /// Starts etcd and `replicas` replicas (lease TTL 2 s, and `arguments`), waits for a
    /// leader, runs `body`, and stops everything, also when `body` throws (then the
    /// replicas' log tails are printed).
    static func run(replicas: Int, arguments: [String] = [], _ body: (SemanticsHarness) async throws -> Void) async throws {
        try await withEtcd(members: 1) { cluster in
            let group = try await SchedulerGroup.start(cluster, replicas: replicas, leaseTTL: 2, arguments: arguments)
            let store = JobStore(client: group.client, keys: JobKeys(ReplicaKeys(prefix: "/etcron/")))
            let harness = SemanticsHarness(cluster: cluster, group: group, store: store)
            do {
                _ = try await group.waitForLeader()
                try await body(harness)
            } catch {
                for replica in group.replicas { print("--- \(replica.id):\n\(replica.process.tail(lines: 40))") }
                await harness.stop()
                throw error
            }
            await harness.stop()
        }
    }

    /// SIGTERM first, so that executors stop the targets they run (a SIGKILL would leave
    /// them running, orphaned), then SIGKILL what is left.
    func stop() async {
        for replica in group.replicas { try? replica.process.send(.terminate) }
        for replica in group.replicas { _ = try? await replica.process.waitForExit(timeout: .seconds(5)) }
        await group.stop()
    }

    // MARK: - Jobs

    /// A spec in the test tenant running `script` with `/bin/sh -c`.
    static func job(
        _ name: String, _ schedule: String, policy: Etcron_V1_ConcurrencyPolicy = .allow, script: String = "true",
        configure: (inout Etcron_V1_JobSpec) -> Void = { _ in }
    ) -> Etcron_V1_JobSpec {
        var spec = Etcron_V1_JobSpec()
        spec.tenant = tenant
        spec.name = name
        spec.schedule = schedule
        spec.concurrencyPolicy = policy
        spec.target.exec.command = "/bin/sh"
        spec.target.exec.args = ["-c", script]
        configure(&spec)
        return spec
    }

    /// Creates or updates jobs through the job store (validated, fenced); returns when the
    /// writes are acknowledged.
    func apply(_ specs: Etcron_V1_JobSpec...) async throws {
        _ = try await store.apply(specs)
    }

    /// The second the latest of `names` was created in: their times after it are due. The
    /// store's clock, not the test's (a test reading the time before an apply that crosses
    /// a second boundary would expect a decision for a second no job existed in yet).
    func createdUnix(_ names: String...) async throws -> Int64 {
        var created: Int64 = 0
        for name in names { created = max(created, try await spec(name).createdAtUnixMs / 1000) }
        return created
    }

    /// The stored spec of a job.
    func spec(_ name: String) async throws -> Etcron_V1_JobSpec {
        try #require(try await store.get(tenant: Self.tenant, name: name)).spec
    }

    // MARK: - Records

    /// Every decision of a job, by scheduled time: the log's and those its runs hold, read
    /// at one revision.
    func decisions(_ name: String) async throws -> [Etcron_V1_Decision] {
        try await Self.decisions(client: client, keys: keys, tenant: Self.tenant, name: name)
    }

    /// Every decision of `tenant/name`, by scheduled time, read from etcd's raw records.
    static func decisions(client: EtcdClient, keys: JobKeys, tenant: String, name: String) async throws -> [Etcron_V1_Decision] {
        let result = try await client.txn(Txn(success: [.get(.prefix(keys.decisions(tenant, name))), .get(.prefix(keys.runs(tenant, name)))]))
        let ranges = result.responses.map(\.range)
        let log = try (ranges[0]?.kvs ?? []).map { try Etcron_V1_Decision(serializedBytes: $0.value) }
        let runs = try (ranges[1]?.kvs ?? []).map { try Etcron_V1_Run(serializedBytes: $0.value) }
        return DecisionPlacement.merge(log: log, runs: runs)
    }

    /// Every run record of a job, by run ID.
    func runs(_ name: String) async throws -> [Etcron_V1_Run] {
        try await client.range(.prefix(keys.runs(Self.tenant, name))).kvs.map { try Etcron_V1_Run(serializedBytes: $0.value) }
    }

    /// Checks invariant 2 for a job over `(after, through]` and returns the audit.
    @discardableResult
    func audit(_ name: String, _ schedule: String, after: Int64, through: Int64, sourceLocation: SourceLocation = #_sourceLocation) async throws -> DecisionAudit {
        let audit = DecisionAudit(
            schedule: try CronSchedule(schedule, seed: "\(Self.tenant)/\(name)"), decisions: try await decisions(name), after: after, through: through)
        #expect(
            audit.isClean,
            "\(name): missing \(audit.missing.prefix(5)) duplicated \(audit.duplicated.prefix(5)) unexpected \(audit.unexpected.prefix(5))",
            sourceLocation: sourceLocation)
        return audit
    }

    // MARK: - Waiting

    /// Polls `condition` every 50 ms until it holds; fails the test (and returns nil) if it
    /// does not within `timeout`.
    @discardableResult
    func eventually<Value>(
        _ what: String, timeout: Duration = .seconds(15), sourceLocation: SourceLocation = #_sourceLocation,
        _ condition: () async throws -> Value?
    ) async throws -> Value? {
        let deadline = ContinuousClock.now + timeout
        repeat {
            if let value = try await condition() { return value }
            try await Task.sleep(for: .milliseconds(50))
        } while ContinuousClock.now < deadline
        Issue.record("timed out after \(timeout) waiting for \(what)", sourceLocation: sourceLocation)
        return nil
    }

    /// Sleeps until the middle of a wall-clock second (a little over 400 ms from its
    /// ticks either side), so that a change made then is clearly between two scheduled
    /// times of an every-second job.
    static func sleepToMidSecond() async throws {
        let fraction = Date().timeIntervalSince1970.truncatingRemainder(dividingBy: 1)
        let wait = fraction < 0.5 ? 0.5 - fraction : 1.5 - fraction
        try await Task.sleep(for: .milliseconds(Int64(wait * 1000)))
    }
}

/// Wall-clock helpers in the units the records use.
enum Wall {
    /// Now, in Unix milliseconds.
    static var nowMs: Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
    /// Now, in whole Unix seconds.
    static var nowUnix: Int64 { Int64(Date().timeIntervalSince1970) }
}

extension Etcron_V1_Decision {
    /// "12:00:01 invoke" / "12:00:02 skip concurrencyPolicy x3", for messages.
    var summary: String {
        let kind = self.kind == .invoke ? "invoke" : "skip \(reason.label)"
        return "\(scheduledUnix % 100) \(kind)\(count > 1 ? " x\(count)" : "")"
    }
}
