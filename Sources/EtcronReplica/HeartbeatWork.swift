import EtcdClient
import EtcronCore
import EtcronProto
import Foundation
import Logging
import SwiftProtobuf

/// Leader-only work that writes a fenced heartbeat record every `interval`, so that
/// fencing can be observed in etcd's history: a deposed leader's heartbeat never lands.
/// The first one also records the term (``LeaderTerms``).
public struct HeartbeatWork: LeaderWork {
    /// Time between heartbeats.
    public var interval: Duration

    /// Heartbeats every `interval`.
    public init(interval: Duration = .seconds(1)) {
        self.interval = interval
    }

    public func run(_ leadership: Leadership) async throws {
        var sequence: UInt64 = 0
        // The term's record goes with the first heartbeat that lands.
        var termRecorded = false
        while true {
            try Task.checkCancellation()
            sequence += 1
            var record = Etcron_V1_LeaderHeartbeat()
            record.replicaID = leadership.replicaID
            record.fencingToken = leadership.fence.token
            record.sequence = sequence
            record.writtenAtUnixMs = Int64(Date().timeIntervalSince1970 * 1000)
            record.termStartedAtUnixMs = Int64(leadership.termStarted.timeIntervalSince1970 * 1000)
            let bytes: Data = try record.serializedData()
            do {
                var operations: [TxnOperation] = [.put(leadership.keys.leaderHeartbeat, bytes)]
                if !termRecorded {
                    operations += try await LeaderTerms.recording(record, client: leadership.client, keys: leadership.keys)
                }
                _ = try await leadership.commit(Txn(success: operations), timeout: interval * 3)
                termRecorded = true
            } catch let error as EtcdError where error.isRetryable {
                // etcd is briefly unavailable: the next beat tries again; the session decides
                // whether leadership survives.
                leadership.logger.warning("leader heartbeat not written", metadata: ["error": "\(error)"])
            }
            try await Task.sleep(for: interval)
        }
    }
}
