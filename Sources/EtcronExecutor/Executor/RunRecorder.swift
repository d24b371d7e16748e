import EtcdClient
import EtcronCore
import EtcronProto
import Foundation
import Logging
import SwiftProtobuf

/// Writes one run's record on behalf of the executor that claimed it. Every write goes
/// through the run's lifecycle (`RunTransition`) and the executor's batcher, as a nested
/// transaction fenced on the record's mod revision as this executor last saw it, so it
/// never overwrites a change it has not seen (the leader's stop request, a reassignment
/// after this executor was declared lost); on a conflict it takes the record etcd handed
/// back, and gives up once the run is no longer its own. Writes of one run go one at a
/// time (a batch may not put the same key twice).
actor RunRecorder {
    let batcher: RunBatcher
    let key: String
    let lease: Int64
    private(set) var run: Etcron_V1_Run
    private var revision: Int64
    /// The revision of the claim.
    let claimRevision: Int64
    private var writing = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(batcher: RunBatcher, key: String, lease: Int64, run: Etcron_V1_Run, revision: Int64) {
        self.batcher = batcher
        self.key = key
        self.lease = lease
        self.run = run
        self.revision = revision
        claimRevision = revision
    }

    /// Writes tried before a run that keeps changing is given up on.
    static let attempts = 5

    /// Applies `change` and writes it (with `extra` operations in the same nested
    /// transaction); false when the run is no longer this executor's, or `change` refuses
    /// the run as it now is.
    @discardableResult
    func update(
        extra: [TxnOperation] = [], _ change: @Sendable (inout Etcron_V1_Run) throws -> Void
    ) async throws -> Bool {
        await acquire()
        defer { release() }
        for _ in 0..<Self.attempts {
            var next = run
            do {
                try change(&next)
            } catch {
                return false
            }
            let write = RunBatcher.Write(key: key, revision: revision, operations: [.put(key, try next.serializedData())] + extra)
            switch try await batcher.write(write) {
            case .written(let at):
                run = next
                revision = at
                return true
            case .conflict(let current):
                guard let current, let decoded = try? Etcron_V1_Run(serializedBytes: current.value) else { return false }
                run = decoded
                revision = current.modRevision
                guard decoded.executorLease == lease, !decoded.state.isTerminal else { return false }
            }
        }
        throw CompareAndSwapError(key: key, attempts: Self.attempts)
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

    /// Records the target's start unless the run has finished (whose record carries it)
    /// or it is recorded already: called a moment after the start, so that a short run
    /// costs etcd one write fewer.
    func recordStartIfRunning(atUnixMs: Int64, logger: Logger) async {
        guard run.state == .running, run.startedAtUnixMs == 0 else { return }
        await record(.start(atUnixMs: atUnixMs), logger: logger)
    }

    /// Takes the record read after a touch of the run's pointer, if newer than what this
    /// executor last saw; returns the run as it now is.
    @discardableResult
    func refresh(_ kv: KeyValue) -> Etcron_V1_Run? {
        guard kv.modRevision > revision, let stored = try? Etcron_V1_Run(serializedBytes: kv.value) else { return nil }
        run = stored
        revision = kv.modRevision
        return stored
    }

    private func acquire() async {
        guard writing else {
            writing = true
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    private func release() {
        if waiting.isEmpty {
            writing = false
        } else {
            waiting.removeFirst().resume()
        }
    }
}
