import EtcdClient
import EtcronCore
import EtcronProto
import Foundation
import Logging
import SwiftProtobuf

/// The executor every replica runs while it holds a session: it watches the runs the
/// leader assigned to it (one watch of its assignment pointers and batches), claims each (pending and
/// assigned to it, at the revision it read), runs the target, and records started-at,
/// attempts and the terminal result, each write fenced by its own claim. Reads and writes
/// of runs go through one batcher (`RunBatcher`), so a burst of runs shares transactions.
/// A stop request reaches a running run through its pointer, which the leader touches.
/// When the session ends, running targets are stopped: the leader then retries them
/// elsewhere, and nothing runs twice at once.
public struct ExecutorWork: SessionWork {
    /// Grace between SIGTERM and SIGKILL when a run is stopped.
    public var stopGrace: Duration
    let logger: Logger
    let metrics = RunMetrics()
    /// Per-job series (behind their cardinality guard); nil for none.
    let jobMetrics: JobMetrics?
    /// How targets are run (output limit, environment, the exec guard).
    let settings: TargetRunnerSettings
    /// The time claims and results are stamped with.
    let clock: any WallClock
    /// How long after its target starts a run's start time is written, unless its result
    /// (which carries it) is written first: a short run costs one write fewer.
    var startRecordDelay: Duration = .seconds(1)

    /// An executor.
    public init(
        stopGrace: Duration = .seconds(10), settings: TargetRunnerSettings = TargetRunnerSettings(), jobMetrics: JobMetrics? = nil,
        clock: any WallClock = SystemClock(), logger: Logger = Logger(label: "etcron.executor")
    ) {
        self.clock = clock
        self.stopGrace = stopGrace
        self.settings = settings
        self.jobMetrics = jobMetrics
        self.logger = logger
    }

    public func run(client: any EtcdKV, leaseID: Int64, replicaID: String, keys: ReplicaKeys) async throws {
        let session = ExecutorSession(
            client: client, leaseID: leaseID, replicaID: replicaID, keys: JobKeys(keys), startRecordDelay: startRecordDelay)
        let prefix = session.keys.assignments(replicaID)
        let existing = try await client.range(.prefix(prefix))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.followMembers(client: client, keys: keys) }
            group.addTask { await session.startRecords.run() }
            for kv in existing.kvs {
                dispatch(kv, session: session, group: &group)
            }
            for try await response in client.watch(.prefix(prefix), options: WatchOptions(startRevision: existing.header.revision + 1)) {
                for event in response.events where event.kind == .put {
                    dispatch(event.kv, session: session, group: &group)
                }
            }
        }
    }

    /// Keeps the http fence's list of the replicas' listeners (their advertised addresses)
    /// current: no http target may call a replica, whatever name reaches it.
    private func followMembers(client: any EtcdKV, keys: ReplicaKeys) async throws {
        var members: [String: String] = [:]
        func publish() {
            settings.httpFence.setMemberEndpoints(HTTPFence.endpoints(members.values.sorted()))
        }
        let initial = try await client.range(.prefix(keys.members))
        for kv in initial.kvs {
            if let member = try? Etcron_V1_Member(serializedBytes: kv.value), !member.address.isEmpty { members[kv.keyString] = member.address }
        }
        publish()
        for try await response in client.watch(.prefix(keys.members), options: WatchOptions(startRevision: initial.header.revision + 1)) {
            for event in response.events {
                if event.kind == .put, let member = try? Etcron_V1_Member(serializedBytes: event.kv.value), !member.address.isEmpty {
                    members[event.kv.keyString] = member.address
                } else {
                    members[event.kv.keyString] = nil
                }
            }
            publish()
        }
    }

    /// Claims, runs and records one assigned run. Never throws: a failure is logged and
    /// the leader's view of the run (pending, or running on a lost executor) decides.
    func execute(_ assignment: Assignment, entry: ActiveRuns.Entry, session: ExecutorSession) async {
        await claimRunRecord(assignment, entry: entry, session: session)
        session.active.end(assignment.runKey)
        if case .handed(_, let batch) = assignment, batch.finishOne() {
            await remove(batch: batch.key, session: session)
        }
    }

    private func claimRunRecord(_ assignment: Assignment, entry: ActiveRuns.Entry, session: ExecutorSession) async {
        let runKey = assignment.runKey
        var logger = self.logger
        logger[metadataKey: "run"] = "\(runKey)"
        do {
            let claimed = try await retryingEtcd("claim", logger: logger) { again in
                try await claim(assignment, entry: entry, session: session, adoptOwnClaim: again, logger: logger)
            }
            guard let (recorder, spec) = claimed else { return }
            let run = await recorder.run
            let runLogger = logger
            // Attempts made by earlier executors of this run (lost mid-run, then retried);
            // the claim counted this executor's first. They count against the retry policy.
            let earlier = max(0, Int(run.attempts) - 1)
            var request = RunRequest(run: run, spec: spec, earlierAttempts: earlier, stopGrace: stopGrace)
            if spec.policyBound {
                // An editor's job: its tenant's policy is checked again on every attempt;
                // when it cannot be read, the attempts fail saying so (never run unchecked).
                do {
                    request.targetPolicy = try await JobStore(client: session.client, keys: session.keys).targetPolicyInForce(tenant: run.tenant).policy
                } catch {
                    request.policyProblem = "cannot read tenant \(run.tenant)'s target policy: \(error.message)"
                }
            }
            let runner = TargetRunner(request, settings: settings, logger: logger, metrics: metrics)
            if entry.attach(recorder, runner) {
                await reread(recorder, runner: runner, session: session)
            }
            let metrics = self.metrics
            let startRecords = session.startRecords
            let outcome = await runner.run(onStarted: { startedAt in
                metrics.recordStartDelay(tenant: run.tenant, scheduledUnix: run.scheduledUnix, startedAt: startedAt)
                // The claim marked the run running; its start time follows a moment later
                // unless the result (which carries it) is written first.
                startRecords.started(runKey, recorder: recorder, atUnixMs: Int64(startedAt.timeIntervalSince1970 * 1000), logger: runLogger)
            }, onAttempt: { report in
                // Attempts so far, while a retry follows; the last one goes with the result.
                guard report.retryAfter != nil else { return }
                await recorder.record(.attempt(Int32(clamping: report.attempt)), logger: runLogger)
            })
            startRecords.finished(runKey)
            let finished = try await retryingEtcd("result", logger: logger) { _ in
                try await recorder.update(extra: entry.pointerDeletes) { run in
                    try outcome.apply(to: &run)
                }
            }
            if finished {
                jobMetrics?.runFinished(JobID(tenant: run.tenant, name: run.job), result: outcome.result, at: outcome.finishedAt)
            } else {
                logger.warning("run result not recorded: the run is no longer this executor's (declared lost?)")
            }
        } catch {
            logger.warning("run not executed", metadata: ["error": "\(error)"])
        }
    }

    /// Runs `body` again after an etcd error (a shared Txn that failed, etcd away for a
    /// moment), with backoff, until it succeeds or the session ends (the task is
    /// cancelled): one failed batch must not leave its runs assigned but never claimed, or
    /// finished but never recorded. `body` is told whether it is a retry.
    func retryingEtcd<T>(_ what: String, logger: Logger, _ body: (_ again: Bool) async throws -> T) async throws -> T {
        var backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(5))
        var again = false
        while true {
            do {
                return try await body(again)
            } catch let error as EtcdError {
                try Task.checkCancellation()
                logger.warning("run \(what) not written; retrying", metadata: ["error": "\(error)"])
                try await Task.sleep(for: backoff.next())
                again = true
            }
        }
    }

    /// Reads a running run again after the leader touched its pointer, and stops it if
    /// the leader asks (Replace).
    func reread(_ recorder: RunRecorder, runner: TargetRunner, session: ExecutorSession) async {
        do {
            guard let kv = try await session.batcher.read([recorder.key]).first ?? nil else { return }
            await recorder.refresh(kv)
            if let run = try? Etcron_V1_Run(serializedBytes: kv.value), run.stopRequested, run.executorLease == recorder.lease {
                runner.stop(reason: run.message.isEmpty ? "stop requested" : run.message)
            }
        } catch {
            metrics.stopReadFailed()
            logger.warning("a touched run could not be read again; its stop request, if any, is missed", metadata: ["error": "\(error)"])
        }
    }
}
