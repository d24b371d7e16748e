import EtcdClient
import EtcronCore
import EtcronProto
import Foundation
import Logging
import SwiftProtobuf

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

    /// Watches from the revision after `revision` until cancelled or the watch fails.
    func run(after revision: Int64) async throws {
        for try await response in client.watch(.prefix(keys.gamedayActions), options: WatchOptions(startRevision: revision + 1)) {
            for event in response.events where event.kind == .put && event.kv.version == 1 {
                guard let action = try? Etcron_V1_GamedayAction(serializedBytes: event.kv.value), action.targetReplicaID == replicaID
                else { continue }
                try await act(on: action, modRevision: event.kv.modRevision)
            }
        }
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
