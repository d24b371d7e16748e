/// Per-tenant limits the job store enforces when jobs are applied.
///
/// The limit is checked against the jobs stored when an apply starts; two applies racing
/// for a tenant's last slots may both pass (the count is not part of their Txns).
public struct TenantQuotas: Sendable, Hashable, Codable {
    /// The most jobs any tenant may have; nil means unlimited.
    public var maxJobsPerTenant: Int?
    /// Per-tenant limits that replace ``maxJobsPerTenant`` for those tenants.
    public var maxJobsOverrides: [String: Int]

    /// Quotas; the default is unlimited for everyone.
    public init(maxJobsPerTenant: Int? = nil, maxJobsOverrides: [String: Int] = [:]) {
        self.maxJobsPerTenant = maxJobsPerTenant
        self.maxJobsOverrides = maxJobsOverrides
    }

    /// The most jobs `tenant` may have; nil when unlimited.
    public func maxJobs(forTenant tenant: String) -> Int? {
        maxJobsOverrides[tenant] ?? maxJobsPerTenant
    }
}
