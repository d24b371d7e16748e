/// A job's identity: its tenant and its name, written `tenant/name`.
///
/// Both parts are DNS subdomains (see ``JobName``), so neither holds a `/` and the pair
/// maps to exactly one key prefix (``JobKeys/job(_:_:)``) and back.
///
/// Its hash is computed once, when it is made: the leader keys its index, queue, timers
/// and metrics by job, and hashed the two strings again for each of them, about a dozen
/// times per decision at the top of the hour.
public struct JobID: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The tenant (team or namespace) the job belongs to.
    public let tenant: String
    /// The job's name, unique within its tenant.
    public let name: String
    /// The hash of both parts, by this process's seed (never stored or sent).
    private let hash: Int

    /// A job ID; the parts are not checked (see ``JobName/problem(with:)``).
    public init(tenant: String, name: String) {
        self.tenant = tenant
        self.name = name
        var hasher = Hasher()
        hasher.combine(tenant)
        hasher.combine(name)
        hash = hasher.finalize()
    }

    /// Parses `tenant/name`; nil unless there is exactly one `/` with text on both sides.
    /// The parts are not checked against the DNS-subdomain rule.
    public init?(parsing text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        self.init(tenant: String(parts[0]), name: String(parts[1]))
    }

    private enum CodingKeys: String, CodingKey {
        case tenant, name
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(tenant: try container.decode(String.self, forKey: .tenant), name: try container.decode(String.self, forKey: .name))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(tenant, forKey: .tenant)
        try container.encode(name, forKey: .name)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(hash)
    }

    public static func == (lhs: JobID, rhs: JobID) -> Bool {
        lhs.hash == rhs.hash && lhs.tenant == rhs.tenant && lhs.name == rhs.name
    }

    /// `tenant/name`: also the seed `H` hashes in the job's schedule.
    public var description: String { tenant + "/" + name }

    /// Orders by tenant, then name.
    public static func < (lhs: JobID, rhs: JobID) -> Bool {
        (lhs.tenant, lhs.name) < (rhs.tenant, rhs.name)
    }
}
