import EtcronAPIClient
import EtcronAPIModel
import EtcronCore
import EtcronProto
import Foundation

/// What `etcron gameday --server` needs from a live install, all through its `/v1` API
/// with an admin token: its probe jobs written and read back, the leader, and the
/// admin-only gameday actions (step down, freeze, crash the executor of a run).
public struct GamedayClient: Sendable {
    private let service: APIJobService
    private var client: Client { service.connection.client }

    /// A client of the replica at `server`, with `token`.
    public init(server: String, token: String) throws {
        do {
            service = APIJobService(connection: try APIConnection(server: server, token: token))
        } catch {
            throw UsageFailure(message: "--server: \(error.description)")
        }
    }

    /// An action the install accepted, as recorded.
    public struct Action: Sendable {
        public var id: String
        public var targetReplicaID: String
        public var requestedBy: String
        public var outcome: String?
    }

    /// Creates or updates `specs`.
    public func apply(_ specs: [Etcron_V1_JobSpec]) async throws {
        _ = try await service.apply(specs)
    }

    /// The leader's replica ID and fencing token, if one is elected.
    public func leader() async throws -> (id: String, token: Int64)? {
        try await service.clusterStatus().leader.map { ($0.replicaID, $0.fencingToken) }
    }

    /// Triggers `tenant/name`; the run's ID.
    public func trigger(tenant: String, name: String, note: String) async throws -> String {
        try await service.trigger(tenant: tenant, name: name, note: note)
    }

    /// One run, if it exists.
    public func run(tenant: String, job: String, runID: String) async throws -> Etcron_V1_Run? {
        try await service.runs(tenant: tenant, name: job, ids: [runID])[runID]
    }

    /// The newest `limit` runs of a job.
    public func runs(tenant: String, job: String, limit: Int) async throws -> [Etcron_V1_Run] {
        try await service.runs(tenant: tenant, name: job, limit: limit).records.map(\.value)
    }

    /// The newest `limit` decisions of a job.
    public func decisions(tenant: String, job: String, limit: Int) async throws -> [Etcron_V1_Decision] {
        try await service.decisions(tenant: tenant, name: job, limit: limit).records.map(\.value)
    }

    /// How far the leader has decided a job's times: its status's cursor, or its newest
    /// decision (the status is written with skips and trims, not with every invoke).
    public func decidedThrough(tenant: String, job: String) async throws -> Int64 {
        let description = try await service.describe(tenant: tenant, name: job, limit: 1)
        return max(description.status?.decidedThroughUnix ?? 0, description.decisions.first?.value.scheduledUnix ?? 0)
    }

    /// Asks the leader to resign.
    public func stepDown() async throws -> Action {
        try await action { try await client.gamedayStepDown() }
    }

    /// Asks the leader to freeze for `seconds`.
    public func freeze(seconds: Int32) async throws -> Action {
        try await action { try await client.gamedayFreeze(body: .json(.init(seconds: seconds))) }
    }

    /// Asks the replica executing a run to crash.
    public func crashExecutor(tenant: String, job: String, runID: String) async throws -> Action {
        try await action { try await client.gamedayCrashExecutor(body: .json(.init(tenant: tenant, job: job, runID: runID))) }
    }

    /// The recorded action `id`, with its outcome once the replica acted.
    public func action(id: String) async throws -> Action? {
        let output = try await call { try await client.listGamedayActions() }
        guard case .ok(let ok) = output else { throw UsageFailure(message: "the server answered unexpectedly: \(output)") }
        return try ok.body.json.items.first { $0.id == id }.map(Self.action)
    }

    private func action(_ send: () async throws -> some AcceptedAction) async throws -> Action {
        guard let recorded = try await call(send).recorded else { throw UsageFailure(message: "the server answered unexpectedly") }
        return Self.action(recorded)
    }

    private static func action(_ record: Components.Schemas.GamedayAction) -> Action {
        Action(id: record.id, targetReplicaID: record.targetReplicaID, requestedBy: record.requestedBy, outcome: record.outcome)
    }

    private func call<Output>(_ body: () async throws -> Output) async throws -> Output {
        do {
            return try await body()
        } catch {
            let failure = APIFailure.from(error)
            throw UsageFailure(message: failure.message)
        }
    }
}

/// The answer of a gameday action: 202 with its record.
protocol AcceptedAction {
    var recorded: Components.Schemas.GamedayAction? { get }
}

extension Operations.gamedayStepDown.Output: AcceptedAction {
    var recorded: Components.Schemas.GamedayAction? { try? accepted.body.json }
}

extension Operations.gamedayFreeze.Output: AcceptedAction {
    var recorded: Components.Schemas.GamedayAction? { try? accepted.body.json }
}

extension Operations.gamedayCrashExecutor.Output: AcceptedAction {
    var recorded: Components.Schemas.GamedayAction? { try? accepted.body.json }
}
