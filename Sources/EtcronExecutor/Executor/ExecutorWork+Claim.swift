import EtcdClient
import EtcronCore
import EtcronProto
import Foundation
import Logging
import SwiftProtobuf

extension ExecutorWork {
    /// Claims the run; nil when it is not (any more) ours to run, in which case its own
    /// pointer, if any, is removed. A run handed in a batch is claimed at the revision the
    /// batch was written at, and its job's spec is read in the claim's own nested
    /// transaction (which requires the spec to exist); a run with a pointer of its own is
    /// read first, with its spec (batched with other runs' reads). A run that changed in
    /// the meantime (the leader asked it to stop, say) is decided again on the record the
    /// failed claim read back. With `adoptOwnClaim` (a retry after an etcd error, whose
    /// claim may have been written without its answer arriving), the run is read again, and
    /// a run this session claimed and never started is taken as claimed.
    func claim(
        _ assignment: Assignment, entry: ActiveRuns.Entry, session: ExecutorSession, adoptOwnClaim: Bool = false, logger: Logger
    ) async throws -> (RunRecorder, Etcron_V1_JobSpec)? {
        let batcher = session.batcher
        let runKey = assignment.runKey
        guard case .run(let job, _) = RecordKey(runKey, keys: session.keys) else {
            logger.warning("assignment names no run; dropped", metadata: ["run": "\(runKey)"])
            try await drop(entry, batcher: batcher)
            return nil
        }
        let specKey = session.keys.spec(job.tenant, job.name)
        var current: KeyValue?
        /// The spec, once read (nil inside: absent or unreadable).
        var spec: Etcron_V1_JobSpec??
        if case .handed(let run, _) = assignment, !adoptOwnClaim {
            current = run
        } else {
            let read = try await batcher.read([runKey, specKey])
            current = read[0]
            spec = .some(read[1].flatMap { try? Etcron_V1_JobSpec(serializedBytes: $0.value) })
        }
        for conflicts in 0..<Self.claimAttempts {
            if conflicts > 0 { logger.info("run changed before it could be claimed; deciding again on what it is now") }
            if adoptOwnClaim, let kv = current, case .some(let spec?) = spec, let run = try? Etcron_V1_Run(serializedBytes: kv.value),
                run.state == .running, run.assignedTo == session.replicaID, run.executorLease == session.leaseID, run.startedAtUnixMs == 0
            {
                logger.info("the claim was written before its answer was lost; going on with it")
                return (RunRecorder(batcher: batcher, key: runKey, lease: session.leaseID, run: run, revision: kv.modRevision), spec)
            }
            guard let kv = current, var run = try? Etcron_V1_Run(serializedBytes: kv.value), run.state == .pending,
                run.assignedTo == session.replicaID
            else {
                try await drop(entry, batcher: batcher)
                return nil
            }
            let nowMs = Int64(clock.now().timeIntervalSince1970 * 1000)
            if run.stopRequested || spec == .some(nil) {
                // Never started: it ends here, fenced on the revision read.
                let message = !run.stopRequested
                    ? "the job's spec was deleted or is unreadable"
                    : "\(run.message.isEmpty ? "stop requested" : run.message); stopped before it started"
                try run.apply(.endUnstarted(run.stopRequested ? .stopped : .failed, atUnixMs: nowMs, message: message))
                let end = RunBatcher.Write(key: runKey, revision: kv.modRevision, operations: [.put(runKey, try run.serializedData())] + entry.pointerDeletes)
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
            var write = RunBatcher.Write(key: runKey, revision: kv.modRevision, operations: [.put(runKey, try run.serializedData())])
            if spec == nil {
                write.requires = [.version(specKey, .greater, 0)]
                write.reads = [specKey]
            }
            let (outcome, reads) = try await batcher.writeReading(write)
            if spec == nil {
                spec = .some(reads.first?.flatMap { try? Etcron_V1_JobSpec(serializedBytes: $0.value) })
            }
            switch outcome {
            case .written(let revision):
                let recorder = RunRecorder(batcher: batcher, key: runKey, lease: session.leaseID, run: run, revision: revision)
                guard case .some(let spec?) = spec else {
                    // Claimed with its spec present but unreadable: it fails here.
                    let message = "the job's spec is unreadable"
                    _ = try await recorder.update(extra: entry.pointerDeletes) { run in
                        try run.apply(.finish(.failed, atUnixMs: nowMs))
                        run.message = message
                    }
                    logger.warning("run not started", metadata: ["reason": "\(message)"])
                    return nil
                }
                logger.debug("run claimed")
                return (recorder, spec)
            case .conflict(let now):
                current = now
            }
        }
        logger.warning("run kept changing while it was being claimed; leaving it to the leader")
        return nil
    }

    /// Lets go of a run that is not this executor's to run: its own pointer, if one was
    /// seen, is removed.
    private func drop(_ entry: ActiveRuns.Entry, batcher: RunBatcher) async throws {
        guard let pointer = entry.pointer else { return }
        _ = try await batcher.write(RunBatcher.Write(key: pointer, revision: nil, operations: [.delete(.key(pointer))]))
    }

    /// Claims tried before a run that keeps changing is left alone.
    static let claimAttempts = 5
}
