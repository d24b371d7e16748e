import EtcdClient
import EtcronProto

/// The quotas in force: the default record (`<prefix>quotas/*`) and the tenants' own
/// records (`<prefix>quotas/<tenant>`), as stored in etcd.
///
/// - A tenant's own record replaces the default entirely, field by field included: a
///   tenant whose record leaves `max_running_runs` at 0 has no run limit, whatever the
///   default says. A tenant without a record gets the default; without either, no limit.
/// - 0 means unlimited, in either record.
/// - A record that cannot be read (undecodable bytes, a negative limit, a key naming no
///   tenant) counts as absent: its tenant falls back to the default (an unreadable
///   default means no default). It is never fatal; it is returned so the caller reports it.
///
/// Load one with ``load(client:keys:)`` and keep it current by feeding it the events of a
/// watch on ``JobKeys/quotas`` from the loaded revision + 1 (``apply(_:keys:)``).
public struct QuotaBook: Sendable, Hashable {
    /// The default record, nil when there is none.
    public var defaultQuota: Etcron_V1_TenantQuota?
    /// The tenants' own records, by tenant.
    public var tenantQuotas: [String: Etcron_V1_TenantQuota]

    /// A book; the default is empty: no limits for anyone.
    public init(defaultQuota: Etcron_V1_TenantQuota? = nil, tenantQuotas: [String: Etcron_V1_TenantQuota] = [:]) {
        self.defaultQuota = defaultQuota
        self.tenantQuotas = tenantQuotas
    }

    /// The record of `scope`; setting nil removes it.
    public subscript(scope: QuotaScope) -> Etcron_V1_TenantQuota? {
        get {
            switch scope {
            case .default: return defaultQuota
            case .tenant(let tenant): return tenantQuotas[tenant]
            }
        }
        set {
            switch scope {
            case .default: defaultQuota = newValue
            case .tenant(let tenant): tenantQuotas[tenant] = newValue
            }
        }
    }

    /// The record that applies to `tenant` and where it comes from (its own, else the
    /// default); nil when neither exists.
    public func quota(forTenant tenant: String) -> (scope: QuotaScope, quota: Etcron_V1_TenantQuota)? {
        if let own = tenantQuotas[tenant] { return (.tenant(tenant), own) }
        return defaultQuota.map { (.default, $0) }
    }

    /// The most jobs `tenant` may have; nil when unlimited.
    public func maxJobs(forTenant tenant: String) -> Int? {
        Self.limit(quota(forTenant: tenant)?.quota.maxJobs)
    }

    /// The most active (pending or running) runs `tenant` may have; nil when unlimited.
    public func maxRunningRuns(forTenant tenant: String) -> Int? {
        Self.limit(quota(forTenant: tenant)?.quota.maxRunningRuns)
    }

    /// A stored limit as a limit: nil for none, 0 (unlimited) or a negative value.
    private static func limit(_ value: Int64?) -> Int? {
        guard let value, value > 0 else { return nil }
        return Int(clamping: value)
    }
}
