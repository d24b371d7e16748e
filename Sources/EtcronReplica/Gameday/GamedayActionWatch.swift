import EtcdClient
import EtcronCore
import EtcronProto
import Foundation
import Logging
import SwiftProtobuf
import Synchronization

/// Follows the gameday actions recorded after this session started (the API writes them,
/// any replica may receive the request) and acts on the ones addressed to this replica:
/// a step-down or freeze only while it still leads with the token the action names, a
/// crash only while it still executes the run. What it did, or why it did nothing, is
/// written back to the record before it acts.
struct GamedayActionWatch {
    /// What acting means for the replica that runs the watch.
    struct Actions: Sendable {
        /// Resigns the current term.
        var stepDown: @Sendable () -> Void
        /// Freezes the replica for the duration.
        var freeze: @Sendable (Duration) async -> Void
        /// Drops the session as if the process were killed.
        var crash: @Sendable () async -> Void
    }

    let client: any EtcdKV
    let keys: ReplicaKeys
    let replicaID: String
    let state: ReplicaState
    let actions: Actions
    let logger: Logger
    /// The actions this watch has acted on, so that one whose outcome could not be written
    /// back is not acted on twice when a re-list finds it still unacted.
    private let acted = ActedActions()

    init(client: any EtcdKV, keys: ReplicaKeys, replicaID: String, state: ReplicaState, actions: Actions, logger: Logger) {
        self.client = client
        self.keys = keys
        self.replicaID = replicaID
        self.state = state
        self.actions = actions
        self.logger = logger
    }

    /// Watches from the revision after `revision` until cancelled or the watch fails.
    func run(after revision: Int64) async throws {
        for try await response in client.watch(.prefix(keys.gamedayActions), options: WatchOptions(startRevision: revision + 1)) {
            for event in response.events where event.kind == .put && event.kv.version == 1 {
                try await consider(event.kv)
            }
        }
    }

    /// What a watch that ended (its revision compacted, say) missed: acts on the actions
    /// addressed to this replica that were recorded after `since` and not acted on yet
    /// (their record never written back), oldest first, as the watch would have. Returns
    /// the revision it read at, to watch again from the next one.
    func catchUp(since: Int64) async throws -> Int64 {
        let listed = try await client.range(.prefix(keys.gamedayActions))
        let missed = listed.kvs.filter { $0.createRevision > since && $0.version == 1 }
        // In the order recorded (IDs made in the same millisecond do not sort by it).
        for kv in missed.sorted(by: { $0.createRevision < $1.createRevision }) {
            try await consider(kv)
        }
        return listed.header.revision
    }

    /// Acts on a new record if it is addressed to this replica and not acted on already.
    private func consider(_ kv: KeyValue) async throws {
        guard let action = try? Etcron_V1_GamedayAction(serializedBytes: kv.value), action.targetReplicaID == replicaID,
              !acted.contains(action.id)
        else { return }
        // Counted as acted on only once it was: one whose run could not be read is tried
        // again by the re-list that follows the error.
        try await act(on: action, modRevision: kv.modRevision)
        acted.insert(action.id)
    }

    private func act(on action: Etcron_V1_GamedayAction, modRevision: Int64) async throws {
        let snapshot = state.snapshot
        let leads = snapshot.role == .leader && snapshot.fencingToken == action.targetFencingToken
        let outcome: String
        var perform: (@Sendable () async -> Void)?
        switch action.kind {
        case .stepDown:
            outcome = leads ? "stepped down (fencing token \(action.targetFencingToken))" : notLeading(action, snapshot)
            if leads { perform = { [actions] in actions.stepDown() } }
        case .freeze:
            let seconds = Int64(action.freezeSeconds)
            outcome = leads ? "froze for \(seconds) s (fencing token \(action.targetFencingToken))" : notLeading(action, snapshot)
            if leads { perform = { [actions] in await actions.freeze(.seconds(seconds)) } }
        case .crashExecutor:
            let run = try await client.get(JobKeys(keys).run(action.tenant, action.job, runID: action.runID))
                .flatMap { try? Etcron_V1_Run(serializedBytes: $0.value) }
            if let run, run.assignedTo == replicaID, !run.state.isTerminal {
                outcome = "dropped session lease \(snapshot.leaseID) as if killed (left to expire); run \(action.runID) was \(run.state)"
                perform = { [actions] in await actions.crash() }
            } else {
                outcome = "did nothing: run \(action.runID) is \(run.map { "\($0.state) on \($0.assignedTo)" } ?? "gone")"
            }
        default:
            outcome = "did nothing: unknown action"
        }
        logger.notice("gameday action", metadata: [
            "action": "\(action.id)", "kind": "\(action.kind)", "requested_by": "\(action.requestedBy)", "outcome": "\(outcome)",
        ])
        _ = try? await GamedayActions.acted(action, modRevision: modRevision, outcome: outcome, client: client, keys: keys)
        await perform?()
    }

    private func notLeading(_ action: Etcron_V1_GamedayAction, _ snapshot: ReplicaState.Snapshot) -> String {
        "did nothing: this replica no longer leads with fencing token \(action.targetFencingToken) (role \(snapshot.role.rawValue))"
    }
}

/// The IDs of the actions a watch acted on (a handful per drill; records are trimmed to
/// ``GamedayActions/kept``, and so is this).
private final class ActedActions: Sendable {
    private let ids = Mutex<[String]>([])

    func contains(_ id: String) -> Bool {
        ids.withLock { $0.contains(id) }
    }

    /// Records `id`, forgetting the oldest beyond twice the records kept.
    func insert(_ id: String) {
        ids.withLock { ids in
            ids.append(id)
            if ids.count > GamedayActions.kept * 2 { ids.removeFirst(ids.count - GamedayActions.kept * 2) }
        }
    }
}
