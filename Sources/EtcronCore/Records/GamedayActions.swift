import EtcdClient
import EtcronProto
import Foundation
import SwiftProtobuf

/// The records of gameday actions at `gameday/<id>` (``ReplicaKeys/gamedayActions``): a
/// failure drill an admin asked for through the API, with who asked and when, the replica
/// that must act (it watches the prefix), and, once it acted, what it did. The newest
/// ``kept`` are kept; each new record trims older ones in its own Txn.
public enum GamedayActions {
    /// How many records are kept.
    public static let kept = 50
    /// The seconds a freeze may last.
    public static let freezeSeconds: ClosedRange<Int32> = 1...300

    /// Stores `action` under a new time-sortable ID, stamped with `now`; returns it as stored.
    public static func record(
        _ action: Etcron_V1_GamedayAction, client: any EtcdKV, keys: ReplicaKeys, now: Date = Date()
    ) async throws -> Etcron_V1_GamedayAction {
        var record = action
        record.requestedAtUnixMs = Int64(now.timeIntervalSince1970 * 1000)
        record.id = JobStore.triggerID(unixMilliseconds: record.requestedAtUnixMs)
        var operations: [TxnOperation] = [.put(keys.gamedayAction(record.id), try record.serializedData())]
        var options = RangeOptions()
        options.keysOnly = true
        options.sortOrder = .descending
        options.sortTarget = .key
        let stored = try await client.range(.prefix(keys.gamedayActions), options: options).kvs.map(\.keyString)
        if stored.count >= kept {
            operations.append(.delete(.range(from: keys.gamedayActions, to: stored[kept - 1] + "\0")))
        }
        _ = try await client.txn(Txn(success: operations))
        return record
    }

    /// The newest `limit` records, newest first; records that cannot be decoded are left out.
    public static func list(client: any EtcdKV, keys: ReplicaKeys, limit: Int = kept) async throws -> [Etcron_V1_GamedayAction] {
        var options = RangeOptions()
        options.sortOrder = .descending
        options.sortTarget = .key
        options.limit = Int64(limit)
        return try await client.range(.prefix(keys.gamedayActions), options: options).kvs.compactMap {
            try? Etcron_V1_GamedayAction(serializedBytes: $0.value)
        }
    }

    /// Records what the acting replica did with `action` (stored at `modRevision`), unless
    /// the record changed since; false then.
    @discardableResult
    public static func acted(
        _ action: Etcron_V1_GamedayAction, modRevision: Int64, outcome: String, client: any EtcdKV, keys: ReplicaKeys, now: Date = Date()
    ) async throws -> Bool {
        var record = action
        record.actedAtUnixMs = Int64(now.timeIntervalSince1970 * 1000)
        record.outcome = outcome
        let key = keys.gamedayAction(action.id)
        let result = try await client.txn(Txn(
            compare: [.modRevision(key, .equal, modRevision)], success: [.put(key, try record.serializedData())]))
        return result.succeeded
    }
}
