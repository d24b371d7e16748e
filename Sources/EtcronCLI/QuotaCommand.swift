import ArgumentParser
import EtcronCore

/// `etcron quota set|get|delete`: per-tenant limits stored in etcd, read by every writer
/// at once (no restart).
public struct QuotaCommand: AsyncParsableCommand {
    /// The command, before its arguments are parsed.
    public init() {}
    public static let configuration = CommandConfiguration(
        commandName: "quota",
        abstract: "Set, show or delete per-tenant quotas (max jobs, max running runs).",
        discussion: """
            A tenant's own quota replaces the default (--default) entirely; a tenant without \
            one gets the default; 0 means unlimited. max-jobs: an apply that would give the \
            tenant more jobs is refused. max-running-runs: a scheduled time due while the \
            tenant has that many pending or running runs is skipped with reason quota.
            """,
        subcommands: [QuotaSetCommand.self, QuotaGetCommand.self, QuotaDeleteCommand.self]
    )
}

/// `TENANT` or `--default`: which quota record a command writes.
struct QuotaScopeArguments: ParsableArguments {
    @Argument(help: ArgumentHelp("The tenant.", valueName: "tenant"))
    var tenant: String?

    @Flag(name: .customLong("default"), help: "The default quota, for every tenant without its own.")
    var isDefault = false

    /// The scope; a usage error (exit 2) unless exactly one of TENANT and --default is
    /// given and the tenant is a DNS subdomain.
    func scope() throws -> QuotaScope {
        switch (tenant, isDefault) {
        case (nil, true):
            return .default
        case (let tenant?, false):
            if let reason = JobName.refusal(of: tenant) { throw ValidationError("TENANT: \(reason)") }
            return .tenant(tenant)
        case (_?, true):
            throw ValidationError("TENANT: give a tenant or --default, not both")
        case (nil, false):
            throw ValidationError("TENANT: give a tenant, or --default for the default quota")
        }
    }
}

extension QuotaScope {
    /// The tenant, or `* (default)`, as the quota commands print it.
    var label: String { tenant ?? "* (default)" }
}
