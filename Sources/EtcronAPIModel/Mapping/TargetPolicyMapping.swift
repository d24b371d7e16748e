import EtcronCore
import EtcronProto
import Foundation

extension Components.Schemas.TargetPolicy {
    /// The policy in force for `tenant` (nil: the default record), as the contract shows it.
    public init(_ inForce: TargetPolicyInForce, tenant: String?) {
        let policy = inForce.policy
        let source: sourcePayload =
            switch inForce.source {
            case .tenant: .tenant
            case .default: ._default
            case .builtIn: .builtIn
            }
        self.init(
            tenant: tenant,
            source: source,
            exec: .init(allowed: policy.exec.allowed, commands: policy.exec.commands.isEmpty ? nil : policy.exec.commands),
            http: .init(
                allowed: policy.http.allowed, allowedNetworks: policy.http.allowedNetworks.isEmpty ? nil : policy.http.allowedNetworks,
                deniedNetworks: policy.http.deniedNetworks.isEmpty ? nil : policy.http.deniedNetworks),
            note: policy.note.isEmpty ? nil : policy.note,
            updatedAt: Instants.date(milliseconds: policy.updatedAtUnixMs),
            updatedBy: policy.updatedBy.isEmpty ? nil : policy.updatedBy,
            resourceVersion: inForce.stored.flatMap { Instants.revision($0.modRevision) })
    }
}

extension Etcron_V1_TargetPolicy {
    /// The policy a request body describes.
    public init(_ spec: Components.Schemas.TargetPolicySpec) {
        self.init()
        exec.allowed = spec.exec.allowed
        exec.commands = spec.exec.commands ?? []
        http.allowed = spec.http.allowed
        http.allowedNetworks = spec.http.allowedNetworks ?? []
        http.deniedNetworks = spec.http.deniedNetworks ?? []
        note = spec.note ?? ""
    }
}
