import EtcdClient
import EtcronProto
import EtcronReplica
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

    /// An executor.
    public init(
        stopGrace: Duration = .seconds(10), settings: TargetRunnerSettings = TargetRunnerSettings(), jobMetrics: JobMetrics? = nil,
        logger: Logger = Logger(label: "etcron.executor")
    ) {
        self.stopGrace = stopGrace
        self.settings = settings
        self.jobMetrics = jobMetrics
        self.logger = logger
    }

    public func run(client: EtcdClient, session: EtcdSession, replicaID: String, keys: ReplicaKeys) async throws {
        let jobKeys = JobKeys(keys)
        let prefix = jobKeys.assignments(replicaID)
        let existing = try await client.range(.prefix(prefix))
        try await withThrowingTaskGroup(of: Void.self) { group in
            var started: Set<String> = []
            for kv in existing.kvs where started.insert(kv.keyString).inserted {
                group.addTask { await self.execute(pointer: kv, client: client, session: session, replicaID: replicaID, keys: jobKeys) }
            }
            for try await response in client.watch(.prefix(prefix), options: WatchOptions(startRevision: existing.header.revision + 1)) {
                for event in response.events {
                    if event.kind == .delete {
                        started.remove(event.kv.keyString)
                        continue
                    }
                    guard started.insert(event.kv.keyString).inserted else { continue }
                    let pointer = event.kv
                    group.addTask { await self.execute(pointer: pointer, client: client, session: session, replicaID: replicaID, keys: jobKeys) }
                }
            }
        }
    }

    /// Claims, runs and records one assigned run. Never throws: a failure is logged and
    /// the leader's view of the run (pending, or running on a lost executor) decides.
    func execute(pointer: KeyValue, client: EtcdClient, session: EtcdSession, replicaID: String, keys: JobKeys) async {
        let runKey = pointer.valueString
        var logger = self.logger
        logger[metadataKey: "run"] = "\(runKey)"
        do {
            guard let claimed = try await claim(runKey, pointer: pointer.keyString, client: client, session: session, replicaID: replicaID, keys: keys, logger: logger) else {
                return
            }
            let (recorder, spec) = claimed
            let run = await recorder.run
            // Attempts made by earlier executors of this run (lost mid-run, then retried);
            // the claim counted this executor's first. They count against the retry policy.
            let earlier = max(0, Int(run.attempts) - 1)
            let request = RunRequest(run: run, spec: spec, earlierAttempts: earlier, stopGrace: stopGrace)
            let runner = TargetRunner(request, settings: settings, logger: logger, metrics: metrics)
            let metrics = self.metrics
            let outcome = await withTaskGroup(of: RunOutcome?.self) { group in
                group.addTask {
                    await runner.run(onStarted: { startedAt in
                        metrics.recordStartDelay(tenant: run.tenant, scheduledUnix: run.scheduledUnix, startedAt: startedAt)
                        _ = try? await recorder.update { run in
                            if run.startedAtUnixMs == 0 { run.startedAtUnixMs = Int64(startedAt.timeIntervalSince1970 * 1000) }
                        }
                    }, onAttempt: { report in
                        _ = try? await recorder.update { run in run.attempts = Int32(clamping: report.attempt) }
                    })
                }
                group.addTask {
                    await Self.watchForStop(runKey, client: client, recorder: recorder, runner: runner)
                    return nil
                }
                let outcome = await group.next() ?? nil
                group.cancelAll()
                return outcome
            }
            guard let outcome else { return }
            let finished = try await recorder.update(extra: [.delete(.key(pointer.keyString))]) { run in
                outcome.apply(to: &run)
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
    private func claim(
        _ runKey: String, pointer: String, client: EtcdClient, session: EtcdSession, replicaID: String, keys: JobKeys, logger: Logger
    ) async throws -> (RunRecorder, Etcron_V1_JobSpec)? {
        for _ in 0..<Self.claimAttempts {
            guard let kv = try await client.get(runKey), var run = try? Etcron_V1_Run(serializedBytes: kv.value),
                run.state == .pending, run.assignedTo == replicaID
            else {
                try await client.delete(.key(pointer))
                return nil
            }
            let spec = try await client.get(keys.spec(run.tenant, run.job)).flatMap { try? Etcron_V1_JobSpec(serializedBytes: $0.value) }
            if spec == nil || run.stopRequested {
                // Never started: it ends here, fenced on the revision read.
                run.state = spec == nil ? .failed : .stopped
                run.message = spec == nil
                    ? "the job's spec was deleted or is unreadable" : "\(run.message.isEmpty ? "stop requested" : run.message); stopped before it started"
                run.finishedAtUnixMs = Int64(Date().timeIntervalSince1970 * 1000)
                let ended = try await client.txn(Txn(
                    compare: [.modRevision(runKey, .equal, kv.modRevision)],
                    success: [.put(runKey, try run.serializedData()), .delete(.key(pointer))]))
                if ended.succeeded {
                    logger.info("run not started", metadata: ["reason": "\(run.message)"])
                    return nil
                }
                continue
            }
            run.state = .running
            run.claimedAtUnixMs = Int64(Date().timeIntervalSince1970 * 1000)
            run.executorLease = session.leaseID
            // The attempt counts from the claim: if this executor dies from here on, its target
            // may have started, so the leader must treat the attempt as spent (no silent rerun).
            run.attempts += 1
            let result = try await client.txn(Txn(
                compare: [.modRevision(runKey, .equal, kv.modRevision)],
                success: [.put(runKey, try run.serializedData())]))
            if result.succeeded, let spec {
                logger.debug("run claimed")
                return (RunRecorder(client: client, key: runKey, lease: session.leaseID, run: run, revision: result.header.revision), spec)
            }
            logger.info("run changed before it could be claimed; reading it again")
        }
        logger.warning("run kept changing while it was being claimed; leaving it to the leader")
        return nil
    }

    /// Reads and claim transactions tried before a run that keeps changing is left alone.
    static let claimAttempts = 5

    /// Stops the runner when the leader sets `stop_requested` (Replace) on the run. Watches
    /// from the revision after the claim, so a request written before the watch starts is
    /// seen too, and reads each event itself: the recorder may have absorbed the request
    /// already (re-reading after a conflicting write of its own).
    private static func watchForStop(_ runKey: String, client: EtcdClient, recorder: RunRecorder, runner: TargetRunner) async {
        let claimed = recorder.claimRevision
        do {
            for try await response in client.watch(.key(runKey), options: WatchOptions(startRevision: claimed + 1)) {
                for event in response.events where event.kind == .put {
                    await recorder.refresh(event.kv)
                    if let run = try? Etcron_V1_Run(serializedBytes: event.kv.value), run.stopRequested,
                        run.executorLease == recorder.lease
                    {
                        runner.stop(reason: run.message.isEmpty ? "stop requested" : run.message)
                    }
                }
            }
        } catch {}
    }
}
