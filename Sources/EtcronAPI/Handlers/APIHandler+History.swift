import EtcronAPIModel
import EtcronCore
import EtcronProto
import Foundation

extension APIHandler {
    func listJobRuns(_ input: Operations.listJobRuns.Input) async throws -> Operations.listJobRuns.Output {
        let (tenant, name) = (input.path.tenant, input.path.name)
        let token = try caller(seeing: tenant)
        try Self.checkName(name, parameter: "name")
        let scope = ContinueToken(scope: "listJobRuns|\(tenant)|\(name)|\(token.name)")
        let limit = try Self.pageSize(input.query.limit)
        let (runs, next) = try await store.runs(tenant: tenant, name: name, limit: limit, after: try Self.cursor(scope.decode(input.query._continue)))
        return .ok(.init(body: .json(Self.runList(runs, next: next, scope: scope))))
    }

    func listTenantRuns(_ input: Operations.listTenantRuns.Input) async throws -> Operations.listTenantRuns.Output {
        let tenant = input.path.tenant
        let token = try caller(seeing: tenant)
        let scope = ContinueToken(scope: "listTenantRuns|\(tenant)|\(token.name)")
        let limit = try Self.pageSize(input.query.limit)
        let (runs, next) = try await store.runs(tenant: tenant, limit: limit, after: try Self.cursor(scope.decode(input.query._continue)))
        return .ok(.init(body: .json(Self.runList(runs, next: next, scope: scope))))
    }

    func getJobRun(_ input: Operations.getJobRun.Input) async throws -> Operations.getJobRun.Output {
        let (tenant, name, runID) = (input.path.tenant, input.path.name, input.path.runID)
        _ = try caller(seeing: tenant)
        try Self.checkName(name, parameter: "name")
        guard runID.count <= 128, runID.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
            throw APIError.invalidParameter("runID", "must be a run ID (s-<time>-<hash> or m-<ms>-<hex>-<hash>), not \(runID)")
        }
        guard let run = try await store.runs(tenant: tenant, name: name, ids: [runID])[runID] else {
            throw APIError.notFound("run \(runID) of job \(tenant)/\(name) not found")
        }
        return .ok(.init(body: .json(Components.Schemas.Run(run, withOutput: true))))
    }

    func listJobDecisions(_ input: Operations.listJobDecisions.Input) async throws -> Operations.listJobDecisions.Output {
        let (tenant, name) = (input.path.tenant, input.path.name)
        let token = try caller(seeing: tenant)
        try Self.checkName(name, parameter: "name")
        let scope = ContinueToken(scope: "listJobDecisions|\(tenant)|\(name)|\(token.name)")
        let limit = try Self.pageSize(input.query.limit)
        var before: Int64?
        if let position = try scope.decode(input.query._continue) {
            guard let value = Int64(position) else { throw APIError.invalidParameter("continue", "is not a token this operation returned") }
            before = value
        }
        let (decisions, nextBefore) = try await store.decisionPage(tenant: tenant, name: name, limit: limit, before: before)
        let page = decisions.values
        let runIDs = page.filter { $0.kind == .invoke && !$0.runID.isEmpty }.map(\.runID)
        let runs = runIDs.isEmpty ? [:] : try await store.runs(tenant: tenant, name: name, ids: runIDs)
        let next = nextBefore.map { scope.encode(String($0)) }
        return .ok(.init(body: .json(.init(
            items: page.map { Components.Schemas.Decision($0, run: runs[$0.runID]) },
            _continue: next,
            skippedRecords: Self.skipped(decisions.corrupt)))))
    }

    /// The runs cursor a continue token's position holds (`<create revision> <key>`).
    static func cursor(_ position: String?) throws -> RunCursor? {
        guard let position else { return nil }
        let parts = position.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, let revision = Int64(parts[0]) else {
            throw APIError.invalidParameter("continue", "is not a token this operation returned")
        }
        return RunCursor(createRevision: revision, key: String(parts[1]))
    }

    static func runList(_ runs: JobRecords<Etcron_V1_Run>, next: RunCursor?, scope: ContinueToken) -> Components.Schemas.RunList {
        .init(
            items: runs.values.map { Components.Schemas.Run($0) },
            _continue: next.map { scope.encode("\($0.createRevision) \($0.key)") },
            skippedRecords: skipped(runs.corrupt))
    }
}
