import EtcdClient
import EtcronCore
import EtcronProto
import Foundation
import Logging
import SwiftProtobuf
import Synchronization

/// One run handed to this executor, and where it came from.
enum Assignment: Sendable {
    /// A pointer of the run's own (`assignments/<me>/<run id>`, whose value is the run's
    /// key): the run is read before it is claimed.
    case pointer(KeyValue)
    /// A run named in an assignment batch, as the Txn that wrote the batch wrote it (its
    /// mod revision is the batch's): claimed without reading it first.
    case handed(run: KeyValue, batch: BatchProgress)

    var runKey: String {
        switch self {
        case .pointer(let kv): kv.valueString
        case .handed(let run, _): run.keyString
        }
    }
}

/// How many runs of one assignment batch this executor is still working on: the batch's
/// record is deleted once the last is done with.
final class BatchProgress: Sendable {
    let key: String
    private let remaining: Mutex<Int>

    init(key: String, runs: Int) {
        self.key = key
        remaining = Mutex(runs)
    }

    /// Counts one run done; true for the last.
    func finishOne() -> Bool {
        remaining.withLock { remaining in
            remaining -= 1
            return remaining == 0
        }
    }
}

extension ExecutorWork {
    /// Acts on one put under this executor's assignments: a run's own pointer starts the
    /// run (or, for a run already in hand, is a touch: the run is read again), a batch
    /// starts each run it names.
    func dispatch(_ kv: KeyValue, session: ExecutorSession, group: inout ThrowingTaskGroup<Void, any Error>) {
        let key = kv.keyString
        guard key.hasPrefix(session.keys.assignments(session.replicaID) + JobKeys.assignmentBatchMark) else {
            let (entry, new) = session.active.begin(kv.valueString)
            entry.note(pointer: key)
            if new {
                group.addTask { await self.execute(.pointer(kv), entry: entry, session: session) }
            } else if let (recorder, runner) = entry.touch() {
                // The leader touched the pointer of a run this executor is running.
                group.addTask { await self.reread(recorder, runner: runner, session: session) }
            }
            return
        }
        guard let batch = try? Etcron_V1_AssignmentBatch(serializedBytes: kv.value) else {
            CorruptRecords.count("assignment batch")
            // Left in place for an operator to see: its runs stay pending on this executor
            // until they miss their deadline or the executor's session ends.
            logger.error("assignment batch cannot be read; its runs are not started", metadata: ["batch": "\(key)"])
            return
        }
        let progress = BatchProgress(key: key, runs: batch.runs.count)
        var done = batch.runs.isEmpty
        for handed in batch.runs {
            let (entry, new) = session.active.begin(handed.key)
            guard new else {
                // Already in hand through an earlier assignment: that one goes on with it.
                done = progress.finishOne()
                continue
            }
            let run = KeyValue(key: handed.key, value: handed.run, createRevision: 0, modRevision: kv.modRevision)
            group.addTask { await self.execute(.handed(run: run, batch: progress), entry: entry, session: session) }
        }
        if done { group.addTask { await self.remove(batch: key, session: session) } }
    }

    /// Deletes an assignment batch this executor is done with (retried while the session
    /// lives: a batch left behind would be claimed again, harmlessly, after a restart).
    func remove(batch key: String, session: ExecutorSession) async {
        var logger = self.logger
        logger[metadataKey: "batch"] = "\(key)"
        _ = try? await retryingEtcd("batch removal", logger: logger) { _ in
            try await session.batcher.write(RunBatcher.Write(key: key, revision: nil, operations: [.delete(.key(key))]))
        }
    }
}
