import EtcdClient
import EtcronReplica

/// Commits workers' `CommitItem`s in transactions fenced on the leader's token, packing
/// as many jobs as fit in etcd's 128-operation limit, with a few transactions in flight.
/// A batch whose create-only compares fail (a record already exists) is retried job by
/// job, so one stale job never blocks the others.
actor DecisionBatcher {
    enum Outcome: Sendable {
        /// Written at this revision.
        case committed(revision: Int64)
        /// The job's compares failed: its view is stale; reload it and sync again.
        case conflict
    }

    private struct Pending {
        var item: CommitItem
        var alone: Bool
        var continuation: CheckedContinuation<Result<Outcome, any Error>, Never>
    }

    private let leadership: Leadership
    private let maxOperations: Int
    private let maxInFlight: Int
    private var queue: [Pending] = []
    private var inFlight = 0

    init(leadership: Leadership, maxOperations: Int = 128, maxInFlight: Int = 4) {
        self.leadership = leadership
        self.maxOperations = maxOperations
        self.maxInFlight = maxInFlight
    }

    /// Commits `item` (with others); throws `LeadershipLost` when the fence fails.
    func submit(_ item: CommitItem) async throws -> Outcome {
        let result = await withCheckedContinuation { continuation in
            queue.append(Pending(item: item, alone: false, continuation: continuation))
            pump()
        }
        return try result.get()
    }

    private func pump() {
        while inFlight < maxInFlight, !queue.isEmpty {
            var batch: [Pending] = [queue.removeFirst()]
            var size = batch[0].item.size
            if !batch[0].alone {
                while let next = queue.first, !next.alone, size + next.item.size <= maxOperations {
                    batch.append(queue.removeFirst())
                    size += next.item.size
                }
            }
            inFlight += 1
            Task { await self.commit(batch) }
        }
    }

    private func commit(_ batch: [Pending]) async {
        defer {
            inFlight -= 1
            pump()
        }
        let txn = Txn(compare: batch.flatMap(\.item.compares), success: batch.flatMap(\.item.operations))
        do {
            let result = try await leadership.commit(txn, timeout: .seconds(5))
            if result.succeeded {
                batch.forEach { $0.continuation.resume(returning: .success(.committed(revision: result.header.revision))) }
            } else if batch.count == 1 {
                batch[0].continuation.resume(returning: .success(.conflict))
            } else {
                // Find the stale job(s): retry each alone.
                queue.insert(contentsOf: batch.map { Pending(item: $0.item, alone: true, continuation: $0.continuation) }, at: 0)
            }
        } catch {
            batch.forEach { $0.continuation.resume(returning: .failure(error)) }
        }
    }
}
