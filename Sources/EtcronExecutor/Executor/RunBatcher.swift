import EtcdClient
import Foundation
import Synchronization

/// Packs an executor's reads and writes of runs into shared transactions, so that a burst
/// of runs costs a few round trips to etcd rather than several per run. Every write is a
/// nested transaction of its own, with its own compare (the run at the revision this
/// executor saw): a conflict stays isolated to its run, and the nested transaction's
/// failure branch reads the run back, so the writer learns what changed without another
/// round trip. Reads are plain range operations of the same shared transaction.
///
/// One transaction holds at most `maxOperations` operations (a nested transaction needs
/// what the outer one leaves of etcd's 128) and about `maxBytes` of keys and values (etcd
/// refuses requests over 1.5 MiB); `maxInFlight` are in flight while the next fills up.
actor RunBatcher {
    /// A write of one run, fenced on the revision its writer last saw.
    struct Write: Sendable {
        /// The run's key.
        var key: String
        /// The revision the run must still have; nil writes unconditionally.
        var revision: Int64?
        /// What to write when the compare holds (the run and anything going with it).
        var operations: [TxnOperation]
        /// Further conditions of the write (a key the run needs must exist, say).
        var requires: [Compare] = []
        /// Keys read in the same nested transaction, whether or not it writes.
        var reads: [String] = []
    }

    /// How a write ended.
    enum Outcome: Sendable, Equatable {
        /// Written at this revision.
        case written(revision: Int64)
        /// The run had changed: it is now this (nil: deleted).
        case conflict(current: KeyValue?)
    }

    /// One caller's share of a transaction, and how to hand it its results.
    private struct Pending: Sendable {
        var operations: [TxnOperation]
        var bytes: Int
        var resume: @Sendable (Result<(ResponseHeader, ArraySlice<TxnOperationResult>), any Error>) -> Void
    }

    private let client: any EtcdKV
    private let maxOperations: Int
    private let maxBytes: Int
    private let maxInFlight: Int
    private var queue: [Pending] = []
    private var head = 0
    private var inFlight = 0

    init(client: any EtcdKV, maxOperations: Int = 120, maxBytes: Int = 1 << 20, maxInFlight: Int = 2) {
        self.client = client
        self.maxOperations = maxOperations
        self.maxBytes = maxBytes
        self.maxInFlight = maxInFlight
    }

    /// Reads `keys` (with others' reads and writes, in one transaction): each key's value,
    /// nil for one that does not exist.
    func read(_ keys: [String]) async throws -> [KeyValue?] {
        let operations = keys.map { TxnOperation.get(.key($0)) }
        let (_, results) = try await submit(operations, bytes: keys.reduce(0) { $0 + $1.utf8.count })
        return results.map { $0.range?.kvs.first }
    }

    /// Writes `write` (with others, in one transaction).
    func write(_ write: Write) async throws -> Outcome {
        try await writeReading(write).outcome
    }

    /// Writes `write` (with others, in one transaction), and reads its `reads` in the same
    /// nested transaction: each key's value as of the write, nil for one that is absent.
    /// A conflict's `current` is the run as it was when its compare failed (nil for one that
    /// was deleted, or when only `requires` failed on a run that is unchanged).
    func writeReading(_ write: Write) async throws -> (outcome: Outcome, reads: [KeyValue?]) {
        let compares = (write.revision.map { [.modRevision(write.key, .equal, $0)] } ?? []) + write.requires
        let reads = write.reads.map { TxnOperation.get(.key($0)) }
        let nested = Txn(
            compare: compares,
            success: write.operations + reads,
            failure: (compares.isEmpty ? [] : [.get(.key(write.key))]) + reads
        )
        let bytes = write.operations.reduce(0) { $0 + Self.size(of: $1) } + reads.count * 128
        let (header, results) = try await submit([.txn(nested)], bytes: bytes)
        guard let result = results.first?.txn else { throw BatchAnswerMissing() }
        let readFrom = result.succeeded ? write.operations.count : (compares.isEmpty ? 0 : 1)
        guard result.responses.count >= readFrom + reads.count else { throw BatchAnswerMissing() }
        let values = result.responses[readFrom..<(readFrom + reads.count)].map { $0.range?.kvs.first }
        if result.succeeded { return (.written(revision: header.revision), values) }
        return (.conflict(current: result.responses.first?.range?.kvs.first), values)
    }

    /// etcd answered a transaction without the result of one of its operations.
    struct BatchAnswerMissing: Error, CustomStringConvertible {
        var description: String { "etcd's answer to a batched transaction lacks one of its operations' results" }
    }

    private func submit(_ operations: [TxnOperation], bytes: Int) async throws -> (ResponseHeader, ArraySlice<TxnOperationResult>) {
        try await withCheckedThrowingContinuation { continuation in
            queue.append(Pending(operations: operations, bytes: bytes) { continuation.resume(with: $0) })
            pump()
        }
    }

    private func pump() {
        while inFlight < maxInFlight, head < queue.count {
            var batch: [Pending] = [queue[head]]
            var operations = queue[head].operations.count
            var bytes = queue[head].bytes
            head += 1
            while head < queue.count, operations + queue[head].operations.count <= maxOperations, bytes + queue[head].bytes <= maxBytes {
                operations += queue[head].operations.count
                bytes += queue[head].bytes
                batch.append(queue[head])
                head += 1
            }
            if head == queue.count {
                queue.removeAll(keepingCapacity: true)
                head = 0
            }
            inFlight += 1
            let full = batch
            Task { await self.commit(full) }
        }
    }

    private func commit(_ batch: [Pending]) async {
        defer {
            inFlight -= 1
            pump()
        }
        do {
            let result = try await client.txn(Txn(success: batch.flatMap(\.operations)))
            var start = 0
            for pending in batch {
                let end = start + pending.operations.count
                guard end <= result.responses.count else {
                    pending.resume(.failure(BatchAnswerMissing()))
                    continue
                }
                pending.resume(.success((result.header, result.responses[start..<end])))
                start = end
            }
        } catch {
            for pending in batch { pending.resume(.failure(error)) }
        }
    }

    private static func size(of operation: TxnOperation) -> Int {
        switch operation {
        case .put(let key, let value, _, _): key.utf8.count + value.count
        case .get, .delete: 128  // a key; its exact length does not matter against the budget
        case .txn(let nested): (nested.success + nested.failure).reduce(0) { $0 + size(of: $1) }
        }
    }
}
