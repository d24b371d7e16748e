import EtcronReplica

extension JobKeys {
    /// Every quota record: `<prefix>quotas/`.
    public var quotas: String { base.prefix + "quotas/" }

    /// The record of `scope`: `<prefix>quotas/*` for the default, `<prefix>quotas/<tenant>`.
    public func quota(_ scope: QuotaScope) -> String { quotas + scope.keySegment }

    /// The scope whose record is stored at `key`; nil unless `key` is `<prefix>quotas/*`
    /// or `<prefix>quotas/<tenant>` with a valid tenant (see ``quotaKeyProblem(_:)``).
    public func quotaScope(ofKey key: String) -> QuotaScope? {
        guard key.hasPrefix(quotas), quotaKeyProblem(key) == nil else { return nil }
        let segment = String(key.dropFirst(quotas.count))
        return segment == "*" ? .default : .tenant(segment)
    }

    /// Why `key`, which is under ``quotas``, names no quota record (its tenant is not a DNS
    /// subdomain, e.g. it holds a `/` or capitals); nil when it names one, or when the key
    /// is not under ``quotas`` at all.
    public func quotaKeyProblem(_ key: String) -> String? {
        guard key.hasPrefix(quotas) else { return nil }
        let segment = String(key.dropFirst(quotas.count))
        guard segment != "*", let reason = JobName.refusal(of: segment) else { return nil }
        return "is not a quota key: its tenant \(reason)"
    }
}
