import EtcronProto
import Foundation

/// What of a target a policy looks at, in a few bytes (the leader keeps it for the jobs
/// editors wrote): an exec target's command, or an http target's host when it is an
/// address literal (a host name is checked by the executor on connect).
public enum PolicedTarget: Sendable, Hashable {
    case exec(command: String)
    case http(address: [UInt8]?)

    /// The policed part of `target`; nil when it has none.
    public init?(_ target: Etcron_V1_Target) {
        switch target.kind {
        case .exec(let exec)?: self = .exec(command: exec.command)
        case .http(let http)?: self = .http(address: URLComponents(string: http.url)?.host.flatMap(IPNetwork.address))
        case nil: return nil
        }
    }
}

/// What a target policy allows: the rules behind `403 targetNotAllowed` for a tenant's
/// editors, and behind the leader's refusal to run an exec job an editor wrote once the
/// policy no longer allows it. Admins' writes (and writes straight in etcd) are not bound.
extension Etcron_V1_TargetPolicy {
    /// The policy of a tenant with no record and no default record: exec not allowed;
    /// http allowed except to loopback and link-local networks (the replica's own host,
    /// etcd on loopback, cloud metadata services).
    public static let builtIn: Etcron_V1_TargetPolicy = {
        var policy = Etcron_V1_TargetPolicy()
        policy.exec.allowed = false
        policy.http.allowed = true
        policy.http.deniedNetworks = ["127.0.0.0/8", "::1/128", "169.254.0.0/16", "fe80::/10"]
        return policy
    }()

    /// Why this policy refuses `spec`'s target: the field and the reason; nil when it
    /// allows it. An http URL's host is checked here when it is an address literal; a
    /// host name is checked by the executor on every address it resolves to.
    public func refusal(of spec: Etcron_V1_JobSpec) -> (field: String, reason: String)? {
        guard let target = PolicedTarget(spec.target) else { return nil }
        return refusal(of: target, tenant: spec.tenant)
    }

    /// Why this policy refuses `target` of a job of `tenant`; nil when it allows it.
    public func refusal(of target: PolicedTarget, tenant: String) -> (field: String, reason: String)? {
        switch target {
        case .exec(let command):
            if !exec.allowed {
                return ("target.exec", "tenant \(tenant)'s target policy does not allow exec targets; ask an admin")
            }
            if !exec.commands.isEmpty, !exec.commands.contains(command) {
                return ("target.exec.command", "\"\(command)\" is not one of the \(exec.commands.count) commands tenant \(tenant)'s target policy allows (absolute paths, compared exactly)")
            }
        case .http(let address):
            if !http.allowed {
                return ("target.http", "tenant \(tenant)'s target policy does not allow http targets; ask an admin")
            }
            if let address, let reason = refusal(ofAddress: address) {
                return ("target.http.url", reason)
            }
        }
        return nil
    }

    /// Why this policy refuses a connection to `address`; nil when it allows it.
    public func refusal(ofAddress address: [UInt8]) -> String? {
        let text = IPNetwork.text(IPNetwork.unmapped(address))
        if let denied = http.deniedNetworks.compactMap(IPNetwork.init).first(where: { $0.contains(address) }) {
            return "\(text) is in \(denied), which the tenant's target policy denies"
        }
        let allowed = http.allowedNetworks.compactMap(IPNetwork.init)
        if !allowed.isEmpty, !allowed.contains(where: { $0.contains(address) }) {
            return "\(text) is outside the networks the tenant's target policy allows (\(allowed.map(\.description).joined(separator: ", ")))"
        }
        return nil
    }

    /// The problems of a policy to store, each with its field: networks that are not
    /// CIDR, commands that are not absolute paths, lists over 1000, a note over 1024.
    public var problems: [JobValidationProblem] {
        var problems: [JobValidationProblem] = []
        for (field, list) in [("http.allowedNetworks", http.allowedNetworks), ("http.deniedNetworks", http.deniedNetworks)] {
            if list.count > 1000 { problems.append(JobValidationProblem(field: field, reason: "has \(list.count) networks; at most 1000 are allowed")) }
            for (index, network) in list.enumerated() where IPNetwork(network) == nil {
                problems.append(JobValidationProblem(field: "\(field)[\(index)]", reason: "\"\(network)\" is not a network in CIDR notation, e.g. 10.0.0.0/8 or fd00::/8"))
            }
        }
        if exec.commands.count > 1000 {
            problems.append(JobValidationProblem(field: "exec.commands", reason: "has \(exec.commands.count) commands; at most 1000 are allowed"))
        }
        for (index, command) in exec.commands.enumerated() where !command.hasPrefix("/") || command.count < 2 || command.count > 4096 || command.contains("\0") {
            problems.append(JobValidationProblem(field: "exec.commands[\(index)]", reason: "\"\(command)\" must be an absolute path of at most 4096 characters"))
        }
        if note.count > 1024 { problems.append(JobValidationProblem(field: "note", reason: "is \(note.count) characters long; at most 1024 are allowed")) }
        return problems
    }
}
