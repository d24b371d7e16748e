import EtcronAPIModel
import EtcronCore
import EtcronProto
import Foundation
import HTTPTypes

extension APIHandler {
    func getTenantTargetPolicy(_ input: Operations.getTenantTargetPolicy.Input) async throws -> Operations.getTenantTargetPolicy.Output {
        _ = try admin()
        let tenant = input.path.tenant
        try Self.checkName(tenant, parameter: "tenant")
        return .ok(.init(body: .json(.init(try await store.targetPolicyInForce(tenant: tenant), tenant: tenant))))
    }

    func setTenantTargetPolicy(_ input: Operations.setTenantTargetPolicy.Input) async throws -> Operations.setTenantTargetPolicy.Output {
        let token = try admin()
        let tenant = input.path.tenant
        try Self.checkName(tenant, parameter: "tenant")
        guard case .json(let body) = input.body else { throw APIError.invalid([]) }
        let (outcome, stored) = try await setPolicy(.tenant(tenant), body, by: token)
        let answer = Components.Schemas.TargetPolicy(TargetPolicyInForce(source: .tenant, policy: stored.policy, stored: stored), tenant: tenant)
        if outcome == .created {
            return .created(.init(headers: .init(Location: "/v1/tenants/\(tenant)/target-policy"), body: .json(answer)))
        }
        return .ok(.init(body: .json(answer)))
    }

    func deleteTenantTargetPolicy(_ input: Operations.deleteTenantTargetPolicy.Input) async throws -> Operations.deleteTenantTargetPolicy.Output {
        _ = try admin()
        try Self.checkName(input.path.tenant, parameter: "tenant")
        guard try await store.deleteTargetPolicy(.tenant(input.path.tenant), ifRevision: try Self.ifMatch(input.headers.If_hyphen_Match)) else {
            throw APIError.notFound("tenant \(input.path.tenant) has no target policy of its own")
        }
        return .noContent(.init())
    }

    func getDefaultTargetPolicy(_ input: Operations.getDefaultTargetPolicy.Input) async throws -> Operations.getDefaultTargetPolicy.Output {
        _ = try admin()
        let inForce = try await store.targetPolicy(.default).map { TargetPolicyInForce(source: .default, policy: $0.policy, stored: $0) }
            ?? TargetPolicyInForce(source: .builtIn, policy: .builtIn, stored: nil)
        return .ok(.init(body: .json(.init(inForce, tenant: nil))))
    }

    func setDefaultTargetPolicy(_ input: Operations.setDefaultTargetPolicy.Input) async throws -> Operations.setDefaultTargetPolicy.Output {
        let token = try admin()
        guard case .json(let body) = input.body else { throw APIError.invalid([]) }
        let (outcome, stored) = try await setPolicy(.default, body, by: token)
        let answer = Components.Schemas.TargetPolicy(TargetPolicyInForce(source: .default, policy: stored.policy, stored: stored), tenant: nil)
        if outcome == .created {
            return .created(.init(headers: .init(Location: "/v1/target-policy/default"), body: .json(answer)))
        }
        return .ok(.init(body: .json(answer)))
    }

    func deleteDefaultTargetPolicy(_ input: Operations.deleteDefaultTargetPolicy.Input) async throws -> Operations.deleteDefaultTargetPolicy.Output {
        _ = try admin()
        guard try await store.deleteTargetPolicy(.default, ifRevision: try Self.ifMatch(input.headers.If_hyphen_Match)) else {
            throw APIError.notFound("there is no default target policy record (the built-in one applies)")
        }
        return .noContent(.init())
    }

    private func setPolicy(
        _ scope: QuotaScope, _ body: Components.Schemas.TargetPolicySpec, by token: APIToken
    ) async throws -> (JobApplyResult.Outcome, StoredTargetPolicy) {
        let revision = try body.resourceVersion.map { try Self.revision($0, field: "resourceVersion") }
        return try await store.setTargetPolicy(scope, Etcron_V1_TargetPolicy(body), ifRevision: revision, author: token.name)
    }

    /// Refuses (403 `targetNotAllowed`, naming the field) a job an editor writes whose
    /// target its tenant's policy does not allow; admins may set any target.
    func checkTargetPolicy(_ spec: Etcron_V1_JobSpec, writtenBy token: APIToken) async throws {
        guard token.role != .admin else { return }
        let inForce = try await store.targetPolicyInForce(tenant: spec.tenant)
        if let (field, reason) = inForce.policy.refusal(of: spec) {
            throw APIError(.forbidden, code: "targetNotAllowed", "\(field): \(reason)", field: field)
        }
    }
}
