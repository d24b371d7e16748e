/// A job's identity: its tenant and its name, written `tenant/name`.
///
/// Both parts are DNS subdomains (see ``JobName``), so neither holds a `/` and the pair
/// maps to exactly one key prefix (``JobKeys/job(_:_:)``) and back.
public struct JobID: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The tenant (team or namespace) the job belongs to.
    public var tenant: String
    /// The job's name, unique within its tenant.
    public var name: String

    /// A job ID; the parts are not checked (see ``JobName/problem(with:)``).
    public init(tenant: String, name: String) {
        self.tenant = tenant
        self.name = name
    }

    /// Parses `tenant/name`; nil unless there is exactly one `/` with text on both sides.
    /// The parts are not checked against the DNS-subdomain rule.
    public init?(parsing text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        self.init(tenant: String(parts[0]), name: String(parts[1]))
    }

    /// `tenant/name`: also the seed `H` hashes in the job's schedule.
    public var description: String { tenant + "/" + name }

    /// Orders by tenant, then name.
    public static func < (lhs: JobID, rhs: JobID) -> Bool {
        (lhs.tenant, lhs.name) < (rhs.tenant, rhs.name)
    }
}
