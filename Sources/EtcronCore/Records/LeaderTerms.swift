import EtcdClient
import EtcronProto
import Foundation
import SwiftProtobuf

/// The record of each leader's term, at `terms/<fencing token>`: written by a new leader
/// with its first heartbeat (fenced, like every leader write), so "who led when" survives
/// the leaders themselves. The newest ``kept`` are kept; each new leader deletes older ones
/// in the same Txn. The record is a `LeaderHeartbeat` (replica, token, term start).
public enum LeaderTerms {
    /// How many terms are kept.
    public static let kept = 20

    /// The operations that record the term of `beat` and trim the older ones: reads the
    /// stored terms' keys (there are at most ``kept`` plus a few).
    public static func recording(
        _ beat: Etcron_V1_LeaderHeartbeat, client: any EtcdKV, keys: ReplicaKeys
    ) async throws -> [TxnOperation] {
        var record = beat
        record.sequence = 0
        record.writtenAtUnixMs = beat.termStartedAtUnixMs
        var operations: [TxnOperation] = [.put(keys.leaderTerm(beat.fencingToken), try record.serializedData())]
        var options = RangeOptions()
        options.keysOnly = true
        options.sortOrder = .descending
        options.sortTarget = .key
        let stored = try await client.range(.prefix(keys.leaderTerms), options: options).kvs.map(\.keyString)
        let newer = stored.filter { $0 > keys.leaderTerm(beat.fencingToken) }.count
        // Keep `kept - 1` older terms beside the new one (and any newer, which cannot be).
        let older = stored.filter { $0 < keys.leaderTerm(beat.fencingToken) }
        let keep = max(0, kept - 1 - newer)
        if older.count > keep {
            operations.append(.delete(.range(from: keys.leaderTerms, to: older[keep] + "\0")))
        }
        return operations
    }

    /// The newest terms, newest first, read at `revision` (0: the current one); corrupt
    /// records are left out.
    public static func read(client: any EtcdKV, keys: ReplicaKeys, revision: Int64 = 0) async throws -> [ClusterStatus.Term] {
        var options = RangeOptions()
        options.sortOrder = .descending
        options.sortTarget = .key
        options.limit = Int64(kept)
        options.revision = revision
        return try await client.range(.prefix(keys.leaderTerms), options: options).kvs.compactMap { kv in
            guard let record = try? Etcron_V1_LeaderHeartbeat(serializedBytes: kv.value) else { return nil }
            return ClusterStatus.Term(
                replicaID: record.replicaID, fencingToken: record.fencingToken,
                startedAt: Date(unixMilliseconds: record.termStartedAtUnixMs))
        }
    }
}
