
/// The DNS-subdomain rule (RFC 1123, as Kubernetes applies it to object names) for tenant
/// and job names: at most 253 characters of lowercase letters, digits, `-` and `.`, where
/// every dot-separated label starts and ends with a letter or digit.
///
/// Names end up whole in etcd keys, metric labels, HTTP paths, environment variables and
/// log lines, and nothing shortens them: a 253-character name works end to end (the
/// Kubernetes CronJob lesson: names over 52 characters silently never ran).
///
/// The rule itself is `DNSSubdomain` (EtcronReplica), shared with replica IDs.
public enum JobName {
    /// The longest name allowed.
    public static let maximumLength = 253

    /// What a valid name looks like, for messages.
    public static let ruleSummary = "lowercase letters, digits, '-' and '.', at most 253 characters"

    /// Why `name` is not a DNS subdomain, or nil when it is one (the rule replica IDs
    /// follow too).
    public static func problem(with name: String) -> String? {
        DNSSubdomain.problem(with: name)
    }

    /// The full reason a name is refused, quoting it, e.g. `"Bad_Name" is not a DNS
    /// subdomain (lowercase letters, digits, '-' and '.', at most 253 characters): has "B"
    /// at position 1 (use lowercase)`; nil when the name is valid. An empty name is
    /// `is required`.
    public static func refusal(of name: String) -> String? {
        guard let problem = problem(with: name) else { return nil }
        if name.isEmpty { return "is required" }
        // Quoted whole: names are never shortened, not even in messages.
        return "\"\(name)\" is not a DNS subdomain (\(ruleSummary)): \(problem)"
    }
}
