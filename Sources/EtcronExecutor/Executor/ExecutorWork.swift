import EtcdClient
import EtcronCore
import EtcronProto
import Foundation
import Logging
import SwiftProtobuf

/// The executor every replica runs while it holds a session: it watches the runs the
/// leader assigned to it, claims each in a transaction (pending and assigned to it, at the
/// revision it read), runs the target, and records started-at, attempts and the terminal
/// result, each write fenced by its own claim. When the session ends, running targets are
/// stopped: the leader then retries them elsewhere, and nothing runs twice at once.
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
        let jobKeys = JobKeys(keys)
        let prefix = jobKeys.assignments(replicaID)
        let existing = try await client.range(.prefix(prefix))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.followMembers(client: client, keys: keys) }
            var started: Set<String> = []
            for kv in existing.kvs where started.insert(kv.keyString).inserted {
                group.addTask { await self.execute(pointer: kv, client: client, leaseID: leaseID, replicaID: replicaID, keys: jobKeys) }
            }
            for try await response in client.watch(.prefix(prefix), options: WatchOptions(startRevision: existing.header.revision + 1)) {
                for event in response.events {
                    if event.kind == .delete {
                        started.remove(event.kv.keyString)
                        continue
                    }
                    guard started.insert(event.kv.keyString).inserted else { continue }
                    let pointer = event.kv
                    group.addTask { await self.execute(pointer: pointer, client: client, leaseID: leaseID, replicaID: replicaID, keys: jobKeys) }
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
    func execute(pointer: KeyValue, client: any EtcdKV, leaseID: Int64, replicaID: String, keys: JobKeys) async {
        let runKey = pointer.valueString
        var logger = self.logger
        logger[metadataKey: "run"] = "\(runKey)"
        do {
            guard let claimed = try await claim(runKey, pointer: pointer.keyString, client: client, leaseID: leaseID, replicaID: replicaID, keys: keys, logger: logger) else {
                return
            }
            let (recorder, spec) = claimed
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
                    request.targetPolicy = try await JobStore(client: client, keys: keys).targetPolicyInForce(tenant: run.tenant).policy
                } catch {
                    request.policyProblem = "cannot read tenant \(run.tenant)'s target policy: \(error.message)"
                }
            }
            let runner = TargetRunner(request, settings: settings, logger: logger, metrics: metrics)
            let metrics = self.metrics
            let outcome = await withTaskGroup(of: RunOutcome?.self) { group in
                group.addTask {
                    await runner.run(onStarted: { startedAt in
                        metrics.recordStartDelay(tenant: run.tenant, scheduledUnix: run.scheduledUnix, startedAt: startedAt)
                        await recorder.record(.start(atUnixMs: Int64(startedAt.timeIntervalSince1970 * 1000)), logger: runLogger)
                    }, onAttempt: { report in
                        await recorder.record(.attempt(Int32(clamping: report.attempt)), logger: runLogger)
                    })
                }
                group.addTask {
                    await self.watchForStop(runKey, client: client, recorder: recorder, runner: runner, logger: runLogger)
                    return nil
                }
                let outcome = await group.next() ?? nil
                group.cancelAll()
                return outcome
            }
            guard let outcome else { return }
            let finished = try await recorder.update(extra: [.delete(.key(pointer.keyString))]) { run in
                try outcome.apply(to: &run)
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

    /// Claims the run in a transaction; nil when it is not (any more) ours to run, in which
    /// case a stale pointer is removed. A run that changed between the read and the claim
    /// (the leader asked it to stop, say) is read again: the pointer stays known to this
    /// executor, so nothing else would make it look again.
    func claim(
        _ runKey: String, pointer: String, client: any EtcdKV, leaseID: Int64, replicaID: String, keys: JobKeys, logger: Logger
    ) async throws -> (RunRecorder, Etcron_V1_JobSpec)? {
        let claim = CompareAndSwap(kv: client, key: runKey, attempts: Self.claimAttempts)
        do {
            return try await claim.run { kv, conflicts in
                if conflicts > 0 { logger.info("run changed before it could be claimed; reading it again") }
                guard let kv, var run = try? Etcron_V1_Run(serializedBytes: kv.value), run.state == .pending, run.assignedTo == replicaID
                else {
                    try await client.delete(.key(pointer))
                    return .done(nil)
                }
                let nowMs = Int64(clock.now().timeIntervalSince1970 * 1000)
                let spec = try await client.get(keys.spec(run.tenant, run.job)).flatMap { try? Etcron_V1_JobSpec(serializedBytes: $0.value) }
                guard let spec, !run.stopRequested else {
                    // Never started: it ends here, fenced on the revision read.
                    let message = spec == nil
                        ? "the job's spec was deleted or is unreadable"
                        : "\(run.message.isEmpty ? "stop requested" : run.message); stopped before it started"
                    try run.apply(.endUnstarted(spec == nil ? .failed : .stopped, atUnixMs: nowMs, message: message))
                    return .write(operations: [.put(runKey, try run.serializedData()), .delete(.key(pointer))]) { _ in
                        logger.info("run not started", metadata: ["reason": "\(message)"])
                        return nil
                    }
                }
                // The attempt counts from the claim: if this executor dies from here on, its
                // target may have started, so the leader must treat the attempt as spent (no
                // silent rerun).
                try run.apply(.claim(executor: replicaID, lease: leaseID, atUnixMs: nowMs))
                let claimed = run
                return .write(operations: [.put(runKey, try run.serializedData())]) { result in
                    logger.debug("run claimed")
                    return (RunRecorder(client: client, key: runKey, lease: leaseID, run: claimed, revision: result.header.revision), spec)
                }
            }
        } catch is CompareAndSwapError {
            logger.warning("run kept changing while it was being claimed; leaving it to the leader")
            return nil
        }
    }

    /// Reads and claim transactions tried before a run that keeps changing is left alone.
    static let claimAttempts = 5

    /// Stops the runner when the leader sets `stop_requested` (Replace) on the run. Watches
    /// from the revision after the claim, so a request written before the watch starts is
    /// seen too, and reads each event itself: the recorder may have absorbed the request
    /// already (re-reading after a conflicting write of its own). A broken watch is logged,
    /// counted and resumed from the last revision seen, so a stop request is never lost.
    func watchForStop(_ runKey: String, client: any EtcdKV, recorder: RunRecorder, runner: TargetRunner, logger: Logger) async {
        var next = recorder.claimRevision + 1
        var backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(5))
        while !Task.isCancelled {
            do {
                for try await response in client.watch(.key(runKey), options: WatchOptions(startRevision: next)) {
                    backoff.reset()
                    for event in response.events {
                        next = max(next, event.kv.modRevision + 1)
                        guard event.kind == .put else { continue }
                        await recorder.refresh(event.kv)
                        if let run = try? Etcron_V1_Run(serializedBytes: event.kv.value), run.stopRequested,
                            run.executorLease == recorder.lease
                        {
                            runner.stop(reason: run.message.isEmpty ? "stop requested" : run.message)
                        }
                    }
                }
                return
            } catch {
                if Task.isCancelled { return }
                metrics.stopWatchFailed()
                logger.warning("watch for stop requests failed; resuming", metadata: ["error": "\(error)", "fromRevision": "\(next)"])
                try? await Task.sleep(for: backoff.next())
            }
        }
    }
}
