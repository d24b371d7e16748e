/// What a quota record covers: every tenant without its own record, or one tenant.
public enum QuotaScope: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The default, stored at `<prefix>quotas/*`.
    case `default`
    /// One tenant (a DNS subdomain), stored at `<prefix>quotas/<tenant>`.
    case tenant(String)

    /// The last segment of the record's key: `*` for the default, else the tenant.
    /// `*` is not a DNS subdomain, so no tenant's key can clash with the default's.
    public var keySegment: String {
        switch self {
        case .default: return "*"
        case .tenant(let tenant): return tenant
        }
    }

    /// The tenant, or nil for the default.
    public var tenant: String? {
        if case .tenant(let tenant) = self { return tenant }
        return nil
    }

    /// `the default quota` or `the quota of tenant "payments"`, for messages.
    public var description: String {
        switch self {
        case .default: return "the default quota"
        case .tenant(let tenant): return "the quota of tenant \"\(tenant)\""
        }
    }

    /// The default first, then tenants by name.
    public static func < (lhs: QuotaScope, rhs: QuotaScope) -> Bool {
        switch (lhs, rhs) {
        case (.default, .tenant): return true
        case (.tenant(let left), .tenant(let right)): return left < right
        default: return false
        }
    }
}
