import EtcdClient
import EtcronProto
import Foundation
import SwiftProtobuf

/// Writes one run's record on behalf of the executor that claimed it. Every write compares
/// the record's mod revision with the last one this executor saw, so it never overwrites
/// a change it has not seen (the leader's stop request, a reassignment after this
/// executor was declared lost); on a conflict it re-reads, and gives up once the run is
/// no longer its own.
actor RunRecorder {
    let client: EtcdClient
    let key: String
    let lease: Int64
    private(set) var run: Etcron_V1_Run
    private var revision: Int64
    /// The revision of the claim.
    let claimRevision: Int64

    init(client: EtcdClient, key: String, lease: Int64, run: Etcron_V1_Run, revision: Int64) {
        self.client = client
        self.key = key
        self.lease = lease
        self.run = run
        self.revision = revision
        claimRevision = revision
    }

    /// Applies `change` and writes it; false when the run is no longer this executor's.
    @discardableResult
    func update(extra: [TxnOperation] = [], _ change: @Sendable (inout Etcron_V1_Run) -> Void) async throws -> Bool {
        for _ in 0..<5 {
            var next = run
            change(&next)
            let result = try await client.txn(Txn(
                compare: [.modRevision(key, .equal, revision)],
                success: [.put(key, try next.serializedData())] + extra,
                failure: [.get(.key(key))]))
            if result.succeeded {
                run = next
                revision = result.header.revision
                return true
            }
            guard let current = result.responses.first?.range?.kvs.first,
                let stored = try? Etcron_V1_Run(serializedBytes: current.value)
            else { return false }
            run = stored
            revision = current.modRevision
            guard stored.executorLease == lease, !stored.state.isTerminal else { return false }
        }
        return false
    }

    /// Re-reads the record (after a watch event); returns it if newer than what this
    /// executor last saw.
    @discardableResult
    func refresh(_ kv: KeyValue) -> Etcron_V1_Run? {
        guard kv.modRevision > revision, let stored = try? Etcron_V1_Run(serializedBytes: kv.value) else { return nil }
        run = stored
        revision = kv.modRevision
        return stored
    }
}
