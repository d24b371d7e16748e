import Foundation
import Synchronization

/// A leader's key in an election: who leads, and the fencing token of that leadership.
public struct LeaderKey: Sendable, Hashable {
    /// The election key (`<prefix><lease ID in hex>`).
    public var key: String
    /// The key's create revision: the leadership's fencing token.
    public var createRevision: Int64
    /// What the leader proclaimed (e.g. its replica ID).
    public var value: Data
    /// The lease the key hangs off.
    public var lease: Int64

    /// The fence for writes made under this leadership.
    public var fence: Fence { Fence(key: key, token: createRevision) }

    init(_ kv: KeyValue) {
        key = kv.keyString
        createRevision = kv.createRevision
        value = kv.value
        lease = kv.lease
    }

    init(key: String, createRevision: Int64, value: Data, lease: Int64) {
        self.key = key
        self.createRevision = createRevision
        self.value = value
        self.lease = lease
    }
}

/// Leader election under a key prefix, as in etcd's Go `concurrency.Election`: each
/// candidate writes a key under its session lease; the lowest create revision leads.
///
/// `campaign` returns only when this candidate leads, and fails with `.sessionLost` if the
/// session's lease is lost while it waits or before it could confirm its win, so it never
/// returns a stale win.
public final class Election: Sendable {
    /// The session whose lease holds the candidate's key.
    public let session: EtcdSession
    /// The election's key prefix, ending in `/`.
    public let prefix: String
    private let held = Mutex<LeaderKey?>(nil)

    /// An election under `prefix` for `session`'s candidate.
    public init(session: EtcdSession, prefix: String) {
        self.session = session
        self.prefix = prefix.hasSuffix("/") ? prefix : prefix + "/"
    }

    private var client: EtcdClient { session.client }
    private var candidateKey: String { prefix + String(session.leaseID, radix: 16) }

    /// The leadership this candidate holds, if it won and has not resigned.
    public var leadership: LeaderKey? { held.withLock { $0 } }

    /// Campaigns with `value` and waits until this candidate leads.
    public func campaign(value: Data) async throws(EtcdError) -> LeaderKey {
        let key = candidateKey
        let txn = Txn(
            compare: [.createRevision(key, .equal, 0)],
            success: [.put(key, value, lease: session.leaseID)],
            failure: [.get(.key(key))])
        let result = try await client.txn(txn)
        var mine = LeaderKey(key: key, createRevision: result.header.revision, value: value, lease: session.leaseID)
        if !result.succeeded, let existing = result.responses.first?.range?.kvs.first {
            // Our key from an earlier campaign on the same lease: keep its place in line.
            mine = LeaderKey(existing)
            if existing.value != value {
                try await update(mine, value: value)
                mine.value = value
            }
        }
        do throws(EtcdError) {
            try await waitUntilFirst(mine, revision: result.header.revision)
            guard let current = try await client.get(key), current.createRevision == mine.createRevision else {
                throw EtcdError(.sessionLost, "election \(prefix): our candidate key vanished before the win was confirmed (session lease lost)")
            }
        } catch {
            // Leave the line so that nobody waits behind a candidate that gave up.
            _ = try? await client.txn(Txn(
                compare: [.createRevision(key, .equal, mine.createRevision)], success: [.delete(.key(key))]),
                timeout: .seconds(2))
            throw error
        }
        held.withLock { $0 = mine }
        return mine
    }

    /// Waits until no candidate with a lower create revision remains, or the session ends.
    private func waitUntilFirst(_ mine: LeaderKey, revision: Int64) async throws(EtcdError) {
        let session = self.session
        let prefix = self.prefix
        let client = self.client
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try await Self.waitForPredecessors(client: client, prefix: prefix, below: mine.createRevision)
                }
                group.addTask {
                    let end = try await session.done()
                    throw EtcdError(.sessionLost, "election \(prefix): session ended while campaigning (\(end))")
                }
                try await group.next()
                group.cancelAll()
            }
        } catch let error as EtcdError {
            throw error
        } catch is CancellationError {
            throw EtcdError(.cancelled, "election \(prefix): campaign cancelled")
        } catch {
            throw EtcdError(.internalError, "election \(prefix): \(error)")
        }
    }

    private static func waitForPredecessors(client: EtcdClient, prefix: String, below revision: Int64) async throws {
        while true {
            try Task.checkCancellation()
            var options = RangeOptions()
            options.maxCreateRevision = revision - 1
            options.sortTarget = .createRevision
            options.sortOrder = .descending
            options.limit = 1
            let predecessors = try await client.range(.prefix(prefix), options: options)
            guard let last = predecessors.kvs.first else { return }
            for try await response in client.watch(.key(last.keyString), options: WatchOptions(startRevision: predecessors.header.revision + 1)) {
                if response.events.contains(where: { $0.kind == .delete }) { break }
            }
        }
    }

    /// Replaces the leader's value without losing leadership.
    /// - Throws: `.notLeader` if this candidate does not lead (any more).
    public func proclaim(value: Data) async throws(EtcdError) {
        guard let leadership else {
            throw EtcdError(.notLeader, "election \(prefix): cannot proclaim without leading")
        }
        try await update(leadership, value: value)
        held.withLock { $0?.value = value }
    }

    private func update(_ key: LeaderKey, value: Data) async throws(EtcdError) {
        let result = try await client.txn(Txn(
            compare: [.createRevision(key.key, .equal, key.createRevision)],
            success: [.put(key.key, value, lease: session.leaseID)]))
        guard result.succeeded else {
            held.withLock { $0 = nil }
            throw EtcdError(.notLeader, "election \(prefix): our key \(key.key) is gone (session lost or resigned)")
        }
    }

    /// Gives up leadership (or the place in line): deletes our key, so the next candidate
    /// takes over at once instead of after the lease TTL.
    public func resign() async throws(EtcdError) {
        guard let leadership = held.withLock({ key -> LeaderKey? in defer { key = nil }; return key }) else { return }
        _ = try await client.txn(Txn(
            compare: [.createRevision(leadership.key, .equal, leadership.createRevision)],
            success: [.delete(.key(leadership.key))]), timeout: .seconds(2))
    }

    /// The current leader, if any.
    public func leader() async throws(EtcdError) -> LeaderKey? {
        try await Self.currentLeader(client: client, prefix: prefix).leader
    }

    static func currentLeader(client: EtcdClient, prefix: String) async throws(EtcdError) -> (leader: LeaderKey?, revision: Int64) {
        var options = RangeOptions()
        options.sortTarget = .createRevision
        options.sortOrder = .ascending
        options.limit = 1
        let result = try await client.range(.prefix(prefix), options: options)
        return (result.kvs.first.map(LeaderKey.init), result.header.revision)
    }

    /// Every change of leader (nil while there is none), starting with the current one.
    public func observe() -> AsyncThrowingStream<LeaderKey?, any Error> {
        let client = self.client
        let prefix = self.prefix
        return AsyncThrowingStream { continuation in
            let task = Task {
                var last: LeaderKey?? = .none
                do {
                    while !Task.isCancelled {
                        let (leader, revision) = try await Self.currentLeader(client: client, prefix: prefix)
                        if last == nil || last! != leader {
                            continuation.yield(leader)
                            last = .some(leader)
                        }
                        for try await response in client.watch(.prefix(prefix), options: WatchOptions(startRevision: revision + 1))
                        where !response.events.isEmpty {
                            break
                        }
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
