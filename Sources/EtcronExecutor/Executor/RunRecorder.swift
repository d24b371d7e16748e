import EtcdClient
import EtcronCore
import EtcronProto
import Foundation
import Logging
import SwiftProtobuf

/// Writes one run's record on behalf of the executor that claimed it. Every write goes
/// through the run's lifecycle (`RunTransition`) and the core compare-and-swap, fenced on
/// the record's mod revision as this executor last saw it, so it never overwrites a change
/// it has not seen (the leader's stop request, a reassignment after this executor was
/// declared lost); on a conflict it re-reads, and gives up once the run is no longer its
/// own.
actor RunRecorder {
    let client: any EtcdKV
    let key: String
    let lease: Int64
    private(set) var run: Etcron_V1_Run
    private var revision: Int64
    /// The revision of the claim.
    let claimRevision: Int64

    init(client: any EtcdKV, key: String, lease: Int64, run: Etcron_V1_Run, revision: Int64) {
        self.client = client
        self.key = key
        self.lease = lease
        self.run = run
        self.revision = revision
        claimRevision = revision
    }

    /// Applies `change` and writes it (with `extra` operations in the same transaction);
    /// false when the run is no longer this executor's, or `change` refuses the run as it
    /// now is.
    @discardableResult
    func update(
        extra: [TxnOperation] = [], _ change: @Sendable (inout Etcron_V1_Run) throws -> Void
    ) async throws -> Bool {
        // The record as this executor last saw it: only its revision matters (the loop
        // compares it); the run itself is `run`, decoded again only after a lost race.
        let seen = KeyValue(key: key, value: Data(), modRevision: revision)
        let written: (Etcron_V1_Run, Int64)? = try await CompareAndSwap(kv: client, key: key, attempts: 5).run(current: .some(seen)) {
            current, conflicts in
            var stored = run
            if conflicts > 0 {
                guard let current, let decoded = try? Etcron_V1_Run(serializedBytes: current.value) else { return .done(nil) }
                run = decoded
                revision = current.modRevision
                guard decoded.executorLease == lease, !decoded.state.isTerminal else { return .done(nil) }
                stored = decoded
            }
            var next = stored
            do {
                try change(&next)
            } catch {
                return .done(nil)
            }
            let record = next
            return .write(operations: [.put(key, try next.serializedData())] + extra) { result in (record, result.header.revision) }
        }
        guard let (next, at) = written else { return false }
        run = next
        revision = at
        return true
    }

    /// Records `transition` (a start, an attempt); a failure to write is logged, never
    /// fatal: the result written at the end carries the same facts.
    func record(_ transition: RunTransition, logger: Logger) async {
        do {
            let written = try await update { run in try run.apply(transition) }
            if !written { logger.info("run progress not recorded: the run changed", metadata: ["transition": "\(transition.name)"]) }
        } catch {
            logger.warning("run progress not recorded", metadata: ["transition": "\(transition.name)", "error": "\(error)"])
        }
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
