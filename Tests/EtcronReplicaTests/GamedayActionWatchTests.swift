import EtcdClient
import EtcronCore
import EtcronProto
@testable import EtcronReplica
import Foundation
import Logging
import Synchronization
import Testing

/// The replica's watch of gameday actions, on the in-memory etcd: what it acts on, and
/// that a watch that ends (its revision compacted) loses no action recorded meanwhile.
@Suite("Gameday action watch")
struct GamedayActionWatchTests {
    static let keys = ReplicaKeys(prefix: "/etcron/")

    /// What the watch asked the replica to do, in order.
    final class Calls: Sendable {
        private let log = Mutex<[String]>([])
        var all: [String] { log.withLock { $0 } }
        func add(_ call: String) { log.withLock { $0.append(call) } }
    }

    static func watch(_ etcd: InMemoryEtcd, calls: Calls) -> GamedayActionWatch {
        let state = ReplicaState(replicaID: "r1")
        state.update {
            $0.role = .leader
            $0.fencingToken = 7
        }
        let actions = GamedayActionWatch.Actions(
            stepDown: { calls.add("stepDown") },
            freeze: { calls.add("freeze \($0)") },
            crash: { calls.add("crash") })
        return GamedayActionWatch(
            client: etcd, keys: keys, replicaID: "r1", state: state, actions: actions, logger: Logger(label: "test.gameday"))
    }

    static func record(_ etcd: InMemoryEtcd, _ kind: Etcron_V1_GamedayActionKind, to replica: String, token: Int64 = 7) async throws -> String {
        var action = Etcron_V1_GamedayAction()
        action.kind = kind
        action.requestedBy = "drill"
        action.targetReplicaID = replica
        action.targetFencingToken = token
        action.freezeSeconds = 2
        return try await GamedayActions.record(action, client: etcd, keys: keys).id
    }

    static func outcomes(_ etcd: InMemoryEtcd) async throws -> [String: String] {
        Dictionary(uniqueKeysWithValues: try await GamedayActions.list(client: etcd, keys: keys).map { ($0.id, $0.outcome) })
    }

    @Test("after the watch ends, the actions recorded meanwhile are acted on once, oldest first; older and others' are not")
    func catchUpAfterBrokenWatch() async throws {
        let etcd = InMemoryEtcd()
        let calls = Calls()
        let watch = Self.watch(etcd, calls: calls)
        let beforeSession = try await Self.record(etcd, .stepDown, to: "r1")
        let since = try await etcd.range(.prefix(Self.keys.gamedayActions)).header.revision

        let following = Task { try await watch.run(after: since) }
        let live = try await Self.record(etcd, .stepDown, to: "r1")
        let deadline = ContinuousClock.now + .seconds(10)
        while calls.all.isEmpty, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        #expect(calls.all == ["stepDown"], "the watch acts on a new action addressed to this replica")

        // etcd cancels a watcher that fell behind a compaction; the real client then throws.
        etcd.failWatches(with: EtcdError(.compacted, "watch revision compacted"))
        await #expect(throws: EtcdError.self) { try await following.value }
        let missedFreeze = try await Self.record(etcd, .freeze, to: "r1")
        let others = try await Self.record(etcd, .stepDown, to: "r2")
        let staleToken = try await Self.record(etcd, .stepDown, to: "r1", token: 99)
        let missedStepDown = try await Self.record(etcd, .stepDown, to: "r1")

        let listedAt = try await etcd.range(.prefix(Self.keys.gamedayActions)).header.revision
        let revision = try await watch.catchUp(since: since)
        #expect(revision == listedAt, "the watch resumes after the revision listed (its own write-backs come later)")
        #expect(calls.all == ["stepDown", "freeze 2.0 seconds", "stepDown"],
                "the missed freeze and step-down, once each, in the order recorded; the stale token's step-down does nothing")
        var outcomes = try await Self.outcomes(etcd)
        #expect(outcomes[live]?.hasPrefix("stepped down") == true)
        #expect(outcomes[missedFreeze]?.hasPrefix("froze for 2 s") == true)
        #expect(outcomes[missedStepDown]?.hasPrefix("stepped down") == true)
        #expect(outcomes[staleToken]?.hasPrefix("did nothing: this replica no longer leads") == true)
        #expect(outcomes[others] == "", "another replica's action is left to it")
        #expect(outcomes[beforeSession] == "", "an action from before the session began is not acted on")

        _ = try await watch.catchUp(since: since)
        #expect(calls.all.count == 3, "a second re-list acts on nothing twice")
        outcomes = try await Self.outcomes(etcd)
        #expect(outcomes[others] == "")
    }
}
