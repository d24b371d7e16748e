import EtcdClient
import EtcronCore
import EtcronProto
import Foundation
import Logging
import SwiftProtobuf

extension ExecutorWork {
    /// Claims the run; nil when it is not (any more) ours to run, in which case a stale
    /// pointer is removed. The run and its job's spec are read together (batched with
    /// other runs' reads); a run that changed between the read and the claim (the leader
    /// asked it to stop, say) is decided again on the record the failed claim read back.
    /// With `adoptOwnClaim` (a retry after an etcd error, whose claim may have been written
    /// without its answer arriving), a run this session claimed and never started is
    /// taken as claimed.
    func claim(
        _ runKey: String, pointer: String, session: ExecutorSession, adoptOwnClaim: Bool = false, logger: Logger
    ) async throws -> (RunRecorder, Etcron_V1_JobSpec)? {
        let batcher = session.batcher
        guard case .run(let job, _) = RecordKey(runKey, keys: session.keys) else {
            logger.warning("assignment pointer names no run; removed", metadata: ["pointer": "\(pointer)"])
            _ = try await batcher.write(RunBatcher.Write(key: pointer, revision: nil, operations: [.delete(.key(pointer))]))
            return nil
        }
        let read = try await batcher.read([runKey, session.keys.spec(job.tenant, job.name)])
        var current = read[0]
        let spec = read[1].flatMap { try? Etcron_V1_JobSpec(serializedBytes: $0.value) }
        for conflicts in 0..<Self.claimAttempts {
            if conflicts > 0 { logger.info("run changed before it could be claimed; deciding again on what it is now") }
            if adoptOwnClaim, let kv = current, let spec, let run = try? Etcron_V1_Run(serializedBytes: kv.value), run.state == .running,
                run.assignedTo == session.replicaID, run.executorLease == session.leaseID, run.startedAtUnixMs == 0
            {
                logger.info("the claim was written before its answer was lost; going on with it")
                return (RunRecorder(batcher: batcher, key: runKey, lease: session.leaseID, run: run, revision: kv.modRevision), spec)
            }
            guard let kv = current, var run = try? Etcron_V1_Run(serializedBytes: kv.value), run.state == .pending,
                run.assignedTo == session.replicaID
            else {
                _ = try await batcher.write(RunBatcher.Write(key: pointer, revision: nil, operations: [.delete(.key(pointer))]))
                return nil
            }
            let nowMs = Int64(clock.now().timeIntervalSince1970 * 1000)
            guard let spec, !run.stopRequested else {
                // Never started: it ends here, fenced on the revision read.
                let message = spec == nil
                    ? "the job's spec was deleted or is unreadable"
                    : "\(run.message.isEmpty ? "stop requested" : run.message); stopped before it started"
                try run.apply(.endUnstarted(spec == nil ? .failed : .stopped, atUnixMs: nowMs, message: message))
                let end = RunBatcher.Write(key: runKey, revision: kv.modRevision, operations: [.put(runKey, try run.serializedData()), .delete(.key(pointer))])
                switch try await batcher.write(end) {
                case .written:
                    logger.info("run not started", metadata: ["reason": "\(message)"])
                    return nil
                case .conflict(let now):
                    current = now
                    continue
                }
            }
            // The attempt counts from the claim: if this executor dies from here on, its
            // target may have started, so the leader must treat the attempt as spent (no
            // silent rerun).
            try run.apply(.claim(executor: session.replicaID, lease: session.leaseID, atUnixMs: nowMs))
            switch try await batcher.write(RunBatcher.Write(key: runKey, revision: kv.modRevision, operations: [.put(runKey, try run.serializedData())])) {
            case .written(let revision):
                logger.debug("run claimed")
                return (RunRecorder(batcher: batcher, key: runKey, lease: session.leaseID, run: run, revision: revision), spec)
            case .conflict(let now):
                current = now
            }
        }
        logger.warning("run kept changing while it was being claimed; leaving it to the leader")
        return nil
    }

    /// Claims tried before a run that keeps changing is left alone.
    static let claimAttempts = 5
}
