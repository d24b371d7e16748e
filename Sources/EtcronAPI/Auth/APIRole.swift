/// What a token may do in its tenants.
public enum APIRole: String, Sendable, Hashable, CaseIterable, Codable {
    /// Everything: every tenant's jobs, quotas and target policies, and any target.
    case admin
    /// Reads and writes jobs of its tenants (create, replace, patch, delete, trigger,
    /// suspend, resume), within its tenants' target policies.
    case editor
    /// Reads the jobs, runs and decisions of its tenants.
    case viewer

    /// Whether the role writes jobs.
    public var writesJobs: Bool { self != .viewer }
}
