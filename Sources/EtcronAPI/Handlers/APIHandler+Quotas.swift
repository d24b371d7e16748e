import EtcronAPIModel
import EtcronCore
import EtcronProto
import Foundation

extension APIHandler {
    func getTenantQuota(_ input: Operations.getTenantQuota.Input) async throws -> Operations.getTenantQuota.Output {
        _ = try admin()
        try Self.checkName(input.path.tenant, parameter: "tenant")
        return .ok(.init(body: .json(try await quotaInForce(tenant: input.path.tenant))))
    }

    func setTenantQuota(_ input: Operations.setTenantQuota.Input) async throws -> Operations.setTenantQuota.Output {
        let token = try admin()
        try Self.checkName(input.path.tenant, parameter: "tenant")
        guard case .json(let body) = input.body else { throw APIError.invalid([]) }
        let result = try await setQuota(.tenant(input.path.tenant), body, by: token)
        let quota = Self.quota(result.stored, source: .tenant)
        if result.outcome == .created {
            return .created(.init(headers: .init(Location: "/v1/tenants/\(input.path.tenant)/quota"), body: .json(quota)))
        }
        return .ok(.init(body: .json(quota)))
    }

    func deleteTenantQuota(_ input: Operations.deleteTenantQuota.Input) async throws -> Operations.deleteTenantQuota.Output {
        _ = try admin()
        try Self.checkName(input.path.tenant, parameter: "tenant")
        try await deleteQuota(.tenant(input.path.tenant), ifMatch: input.headers.If_hyphen_Match)
        return .noContent(.init())
    }

    func getDefaultQuota(_ input: Operations.getDefaultQuota.Input) async throws -> Operations.getDefaultQuota.Output {
        _ = try admin()
        let stored = try await store.quota(.default)
        return .ok(.init(body: .json(stored.map { Self.quota($0, source: ._default) } ?? .init(source: .none, maxJobs: 0, maxRunningRuns: 0))))
    }

    func setDefaultQuota(_ input: Operations.setDefaultQuota.Input) async throws -> Operations.setDefaultQuota.Output {
        let token = try admin()
        guard case .json(let body) = input.body else { throw APIError.invalid([]) }
        let result = try await setQuota(.default, body, by: token)
        let quota = Self.quota(result.stored, source: ._default)
        if result.outcome == .created {
            return .created(.init(headers: .init(Location: "/v1/quota/default"), body: .json(quota)))
        }
        return .ok(.init(body: .json(quota)))
    }

    func deleteDefaultQuota(_ input: Operations.deleteDefaultQuota.Input) async throws -> Operations.deleteDefaultQuota.Output {
        _ = try admin()
        try await deleteQuota(.default, ifMatch: input.headers.If_hyphen_Match)
        return .noContent(.init())
    }

    /// The limits that apply to `tenant`: its record, else the default, else none.
    private func quotaInForce(tenant: String) async throws -> Components.Schemas.Quota {
        if let own = try await store.quota(.tenant(tenant)) { return Self.quota(own, source: .tenant) }
        if let fallback = try await store.quota(.default) {
            var quota = Self.quota(fallback, source: ._default)
            quota.tenant = tenant
            return quota
        }
        return .init(tenant: tenant, source: .none, maxJobs: 0, maxRunningRuns: 0)
    }

    private func setQuota(_ scope: QuotaScope, _ body: Components.Schemas.QuotaSpec, by token: APIToken) async throws -> QuotaSetResult {
        let revision = try body.resourceVersion.map { try Self.revision($0, field: "resourceVersion") }
        let result: Result<QuotaSetResult, JobStoreError>
        do {
            result = .success(
                try await store.setQuota(scope, maxJobs: body.maxJobs, maxRunningRuns: body.maxRunningRuns, note: body.note ?? "", ifRevision: revision, author: token.name))
        } catch {
            result = .failure(error)
        }
        switch result {
        case .success(let set):
            return set
        case .failure(let error) where error.code == .invalidArgument:
            // One line per bad field: "maxJobs: must be 0 (unlimited) or more, not -1".
            throw APIError.invalid(error.message.split(separator: "\n").map { line in
                let parts = line.split(separator: ":", maxSplits: 1)
                return .init(field: String(parts[0]), message: parts.count > 1 ? String(parts[1].dropFirst()) : String(line))
            })
        case .failure(let error):
            throw error
        }
    }

    private func deleteQuota(_ scope: QuotaScope, ifMatch: String?) async throws {
        guard try await store.deleteQuota(scope, ifRevision: try Self.ifMatch(ifMatch)) else { throw APIError.notFound("\(scope) has no record") }
    }

    static func quota(_ stored: StoredQuota, source: Components.Schemas.Quota.sourcePayload) -> Components.Schemas.Quota {
        .init(
            tenant: stored.scope.tenant, source: source, maxJobs: stored.quota.maxJobs, maxRunningRuns: stored.quota.maxRunningRuns,
            note: stored.quota.note.isEmpty ? nil : stored.quota.note,
            updatedAt: Instants.date(milliseconds: stored.quota.updatedAtUnixMs),
            updatedBy: stored.quota.updatedBy.isEmpty ? nil : stored.quota.updatedBy, resourceVersion: Instants.revision(stored.modRevision))
    }
}

extension APIHandler {
    func listQuotas(_ input: Operations.listQuotas.Input) async throws -> Operations.listQuotas.Output {
        _ = try admin()
        let list = try await store.quotas()
        return .ok(.init(body: .json(.init(
            items: list.quotas.map { Self.quota($0, source: $0.scope.tenant == nil ? ._default : .tenant) },
            skippedRecords: Self.skipped(list.corrupt)))))
    }
}
