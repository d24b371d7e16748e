import EtcdClient
import EtcronCore
import EtcronProto
import Foundation
import SwiftProtobuf
import Synchronization

/// Commits workers' `CommitItem`s in transactions fenced on the leader's token, packing
/// as many jobs as fit in etcd's 128-operation limit, with four transactions in flight:
/// while they are, the next batch fills up. Two were enough with etcd to the leader alone;
/// with executors claiming and recording the same burst's runs, each commit waits longer
/// and four halved the burst's decision lag (`etcron-bench herd`: p99 2.3 s to 1.5 s).
/// The fence wraps the batch in a nested Txn, and etcd charges the outer Txn's one
/// compare against the nested one's limit: a batch holds at most 127 operations and 127
/// compares. A batch whose create-only compares fail (a record already exists) is retried
/// job by job, so one stale job never blocks the others. The runs a batch hands to
/// executors that read assignment batches go in one `AssignmentBatch` per executor (one
/// operation each, counted against the limit), instead of a pointer per run.
actor DecisionBatcher {
    enum Outcome: Sendable {
        /// Written at this revision.
        case committed(revision: Int64)
        /// The job's compares failed: its view is stale; reload it and sync again.
        case conflict
    }

    /// Collects the outcomes of one `submit` call and resumes its caller once all are in.
    private final class Waiter: Sendable {
        private struct State {
            var outcomes: [Result<Outcome, any Error>?]
            var remaining: Int
        }

        private let state: Mutex<State>
        private let continuation: CheckedContinuation<[Result<Outcome, any Error>], Never>

        init(count: Int, continuation: CheckedContinuation<[Result<Outcome, any Error>], Never>) {
            state = Mutex(State(outcomes: Array(repeating: nil, count: count), remaining: count))
            self.continuation = continuation
        }

        func resolve(_ slot: Int, _ outcome: Result<Outcome, any Error>) {
            let finished = state.withLock { state -> [Result<Outcome, any Error>]? in
                state.outcomes[slot] = outcome
                state.remaining -= 1
                return state.remaining == 0 ? state.outcomes.map { $0! } : nil
            }
            if let finished { continuation.resume(returning: finished) }
        }
    }

    private struct Pending: Sendable {
        var item: CommitItem
        var alone: Bool
        var waiter: Waiter
        var slot: Int
    }

    private let leadership: Leadership
    private let keys: JobKeys
    /// Names this term's assignment batches.
    private var batchSequence: UInt64 = 0
    private let maxOperations: Int
    private let maxInFlight: Int
    private var queue: [Pending] = []
    private var head = 0
    private var inFlight = 0

    init(leadership: Leadership, maxOperations: Int = 127, maxInFlight: Int = 4) {
        self.leadership = leadership
        keys = JobKeys(leadership.keys)
        self.maxOperations = maxOperations
        self.maxInFlight = maxInFlight
    }

    /// Commits `item` (with others); throws `LeadershipLost` when the fence fails.
    func submit(_ item: CommitItem) async throws -> Outcome {
        try await submit([item])[0].get()
    }

    /// Commits `items` (with others, in as few transactions as fit), one outcome each, in
    /// order: a worker's whole chunk of jobs costs one wait.
    func submit(_ items: [CommitItem]) async -> [Result<Outcome, any Error>] {
        guard !items.isEmpty else { return [] }
        return await withCheckedContinuation { continuation in
            let waiter = Waiter(count: items.count, continuation: continuation)
            for (slot, item) in items.enumerated() {
                queue.append(Pending(item: item, alone: false, waiter: waiter, slot: slot))
            }
            pump()
        }
    }

    private func pump() {
        while inFlight < maxInFlight, head < queue.count {
            var batch: [Pending] = [queue[head]]
            head += 1
            var operations = batch[0].item.operations.count
            var compares = batch[0].item.compares.count
            var executors = Set(batch[0].item.handoffs.lazy.map(\.executor))
            if !batch[0].alone {
                while head < queue.count, !queue[head].alone {
                    let next = queue[head].item
                    let joined = next.handoffs.isEmpty ? executors : executors.union(next.handoffs.lazy.map(\.executor))
                    guard operations + next.operations.count + joined.count <= maxOperations,
                        compares + next.compares.count <= maxOperations
                    else { break }
                    operations += next.operations.count
                    compares += next.compares.count
                    executors = joined
                    batch.append(queue[head])
                    head += 1
                }
            }
            if head == queue.count {
                queue.removeAll(keepingCapacity: true)
                head = 0
            }
            inFlight += 1
            let txn: Txn
            do {
                txn = Txn(compare: batch.flatMap(\.item.compares), success: batch.flatMap(\.item.operations) + (try assignmentBatches(batch)))
            } catch {
                batch.forEach { $0.waiter.resolve($0.slot, .failure(error)) }
                inFlight -= 1
                continue
            }
            Task { await self.commit(txn, batch) }
        }
    }

    /// One `AssignmentBatch` per executor for the runs `batch` hands off, in the order
    /// they were handed.
    private func assignmentBatches(_ batch: [Pending]) throws -> [TxnOperation] {
        var byExecutor: [String: Etcron_V1_AssignmentBatch] = [:]
        var order: [String] = []
        for handoff in batch.lazy.flatMap(\.item.handoffs) {
            if byExecutor[handoff.executor] == nil { order.append(handoff.executor) }
            byExecutor[handoff.executor, default: Etcron_V1_AssignmentBatch()].runs.append(handoff.run)
        }
        return try order.map { executor in
            batchSequence += 1
            let key = keys.assignmentBatch(executor, token: leadership.fence.token, sequence: batchSequence)
            return .put(key, try byExecutor[executor]!.serializedData())
        }
    }

    private func commit(_ txn: Txn, _ batch: [Pending]) async {
        defer {
            inFlight -= 1
            pump()
        }
        do {
            let result = try await leadership.commit(txn, timeout: .seconds(5))
            if result.succeeded {
                batch.forEach { $0.waiter.resolve($0.slot, .success(.committed(revision: result.header.revision))) }
            } else if batch.count == 1 {
                batch[0].waiter.resolve(batch[0].slot, .success(.conflict))
            } else {
                // Find the stale job(s): retry each alone, ahead of everything else.
                queue.removeFirst(head)
                head = 0
                queue.insert(contentsOf: batch.map { Pending(item: $0.item, alone: true, waiter: $0.waiter, slot: $0.slot) }, at: 0)
            }
        } catch {
            batch.forEach { $0.waiter.resolve($0.slot, .failure(error)) }
        }
    }
}
