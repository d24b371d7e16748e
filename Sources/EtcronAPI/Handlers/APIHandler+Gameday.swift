import EtcdClient
import EtcronAPIModel
import EtcronCore
import EtcronProto
import Foundation
import HTTPTypes
import Logging

/// Gameday actions: failure drills an admin asks a live install for. The request is
/// recorded (``GamedayActions``) with the token's name and the replica that must act,
/// which watches the records; the answer is 202 with the record.
extension APIHandler {
    func listGamedayActions(_ input: Operations.listGamedayActions.Input) async throws -> Operations.listGamedayActions.Output {
        _ = try gamedayAdmin()
        let records = try await etcd { try await GamedayActions.list(client: store.client, keys: keys) }
        return .ok(.init(body: .json(.init(items: records.map(Components.Schemas.GamedayAction.init)))))
    }

    func gamedayStepDown(_ input: Operations.gamedayStepDown.Input) async throws -> Operations.gamedayStepDown.Output {
        let token = try gamedayAdmin()
        var action = try await leaderAction(.stepDown)
        action.requestedBy = token.name
        return .accepted(.init(body: .json(.init(try await record(action)))))
    }

    func gamedayFreeze(_ input: Operations.gamedayFreeze.Input) async throws -> Operations.gamedayFreeze.Output {
        let token = try gamedayAdmin()
        guard case .json(let body) = input.body else { throw APIError.invalid([]) }
        let range = GamedayActions.freezeSeconds
        guard range.contains(body.seconds) else {
            throw APIError.invalid([.init(field: "seconds", message: "must be from \(range.lowerBound) to \(range.upperBound), not \(body.seconds)")])
        }
        var action = try await leaderAction(.freeze)
        action.requestedBy = token.name
        action.freezeSeconds = body.seconds
        return .accepted(.init(body: .json(.init(try await record(action)))))
    }

    func gamedayCrashExecutor(_ input: Operations.gamedayCrashExecutor.Input) async throws -> Operations.gamedayCrashExecutor.Output {
        let token = try gamedayAdmin()
        guard case .json(let body) = input.body else { throw APIError.invalid([]) }
        var problems: [APIError.Problem] = []
        for (field, value) in [("tenant", body.tenant), ("job", body.job)] {
            if let reason = JobName.refusal(of: value) { problems.append(.init(field: field, message: reason)) }
        }
        if body.runID.isEmpty || body.runID.count > 128 || !body.runID.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) {
            problems.append(.init(field: "runID", message: "must be a run ID (s-<time>-<hex> or m-<ms>-<hex>-<hex>), not \"\(body.runID.prefix(140))\""))
        }
        guard problems.isEmpty else { throw APIError.invalid(problems) }
        let runs = try await etcd { try await store.runs(tenant: body.tenant, name: body.job, ids: [body.runID]) }
        guard let run = runs[body.runID] else { throw APIError.notFound("no such run: \(body.tenant)/\(body.job) \(body.runID)") }
        guard !run.state.isTerminal, !run.assignedTo.isEmpty else {
            throw APIError(.conflict, code: "conflict", "run \(body.runID) is \(run.state)\(run.assignedTo.isEmpty ? " and assigned to no replica" : ""): no executor to crash")
        }
        var action = Etcron_V1_GamedayAction()
        action.kind = .crashExecutor
        action.requestedBy = token.name
        action.targetReplicaID = run.assignedTo
        action.tenant = body.tenant
        action.job = body.job
        action.runID = body.runID
        return .accepted(.init(body: .json(.init(try await record(action)))))
    }

    /// The caller's token, refused (403) unless it is an admin and this install enables
    /// gameday actions.
    private func gamedayAdmin() throws -> APIToken {
        let token = try admin()
        guard gamedayActions else {
            throw APIError(.forbidden, code: "gamedayDisabled",
                "gameday actions are disabled on this install; start the operators with --gameday-actions true (setting gameday-actions)")
        }
        return token
    }

    /// An action addressed to the current leader, as etcd records it now.
    private func leaderAction(_ kind: Etcron_V1_GamedayActionKind) async throws -> Etcron_V1_GamedayAction {
        let status = try await etcd { try await ClusterStatus.read(client: store.client, keys: keys) }
        guard let leader = status.leader else { throw APIError(.conflict, code: "conflict", "no leader is elected now; try again") }
        var action = Etcron_V1_GamedayAction()
        action.kind = kind
        action.targetReplicaID = leader.replicaID
        action.targetFencingToken = leader.fencingToken
        return action
    }

    private func record(_ action: Etcron_V1_GamedayAction) async throws -> Etcron_V1_GamedayAction {
        let stored = try await etcd { try await GamedayActions.record(action, client: store.client, keys: keys) }
        logger.notice("gameday action recorded", metadata: [
            "action": "\(stored.id)", "kind": "\(stored.kind)", "requested_by": "\(stored.requestedBy)", "replica": "\(stored.targetReplicaID)",
        ])
        return stored
    }

    /// Runs an etcd read or write; a failure is 503 (a store error keeps its own answer).
    private func etcd<Value>(_ body: () async throws -> Value) async throws -> Value {
        do {
            return try await body()
        } catch let error as JobStoreError {
            throw APIError.from(error)
        } catch let error as APIError {
            throw error
        } catch {
            throw APIError.unavailable("etcd cannot be reached: \(error)")
        }
    }
}
