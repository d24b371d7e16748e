import EtcdClient
import EtcronCore
import Foundation
import Logging
import Metrics

extension LeaderScheduler {
    /// Deletions per garbage-collection transaction (each one or two operations).
    static let collectionBatch = 64

    /// Garbage collection of history, one pass every `options.historyGCInterval` for the
    /// whole term. Its transactions are fenced and sent one at a time, apart from the
    /// decision batcher, so they never delay a decision by more than one small commit.
    func collectHistory() async throws {
        let retention = options.historyRetention.components.seconds
        var collector = HistoryCollector(keys: keys, retentionSeconds: max(1, retention))
        while true {
            try await options.clock.sleep(until: now().addingTimeInterval(Double(options.historyGCInterval / .milliseconds(1)) / 1000))
            do {
                try await collectOnce(&collector)
            } catch let lost as LeadershipLost {
                throw lost
            } catch is CancellationError {
                return
            } catch {
                metrics.syncErrors.increment()
                logger.warning("history garbage collection failed; next pass in the next interval", metadata: ["error": "\(error)"])
            }
        }
    }

    func collectOnce(_ collector: inout HistoryCollector) async throws {
        let started = ContinuousClock.now
        let facts = index.historyFacts
        let deletions = collector.plan(facts, nowUnix: Int64(now().timeIntervalSince1970))
        var trimmed = 0
        var purged = 0
        for start in stride(from: 0, to: deletions.count, by: Self.collectionBatch) {
            let chunk = Array(deletions[start..<min(deletions.count, start + Self.collectionBatch)])
            for deletion in try await commitCollection(chunk) {
                collector.done(deletion)
                if case .purge = deletion.kind {
                    // The watch brings the spec-less job's run deletions, not its status's.
                    index.delete(keys.status(deletion.job.tenant, deletion.job.name))
                    purged += 1
                } else {
                    trimmed += 1
                }
            }
        }
        collector.keep(only: Set(facts.map(\.job)))
        metrics.historyCollected(trimmed: trimmed, purged: purged)
        if purged > 0 || !deletions.isEmpty {
            logger.debug("history garbage collection pass", metadata: [
                "jobsTrimmed": "\(trimmed)", "deletedJobsPurged": "\(purged)", "elapsed": "\(ContinuousClock.now - started)",
            ])
        }
    }

    /// Commits `chunk` in one fenced Txn; when a purge's compare fails (the job was created
    /// again), the rest are committed one by one. Returns the deletions committed.
    private func commitCollection(_ chunk: [HistoryCollector.Deletion]) async throws -> [HistoryCollector.Deletion] {
        let txn = Txn(compare: chunk.flatMap(\.compares), success: chunk.flatMap(\.operations))
        if try await leadership.commit(txn, timeout: .seconds(10)).succeeded { return chunk }
        guard chunk.count > 1 else { return [] }
        var committed: [HistoryCollector.Deletion] = []
        for deletion in chunk {
            let single = Txn(compare: deletion.compares, success: deletion.operations)
            if try await leadership.commit(single, timeout: .seconds(10)).succeeded { committed.append(deletion) }
        }
        return committed
    }
}
