import EtcronReplica

/// Where jobs and their records live in etcd. Records of one job share the key prefix
/// `<prefix>jobs/<tenant>/<name>/`, so one range read or one watch serves a job.
public struct JobKeys: Sendable, Hashable {
    /// The replica group's keys (the common prefix).
    public let base: ReplicaKeys

    /// Job keys under `base`'s prefix.
    public init(_ base: ReplicaKeys) {
        self.base = base
    }

    /// Every job's records.
    public var jobs: String { base.prefix + "jobs/" }
    /// One tenant's jobs.
    public func tenant(_ tenant: String) -> String { jobs + tenant + "/" }
    /// One job's records.
    public func job(_ tenant: String, _ name: String) -> String { jobs + tenant + "/" + name + "/" }
    /// The job's spec.
    public func spec(_ tenant: String, _ name: String) -> String { job(tenant, name) + "spec" }
    /// The job's status (leader-written).
    public func status(_ tenant: String, _ name: String) -> String { job(tenant, name) + "status" }
    /// The job's decisions, keyed by scheduled time.
    public func decisions(_ tenant: String, _ name: String) -> String { job(tenant, name) + "decisions/" }
    /// One decision: the key sorts by time (12-digit zero-padded unix seconds).
    public func decision(_ tenant: String, _ name: String, scheduledUnix: Int64) -> String {
        decisions(tenant, name) + Self.paddedTime(scheduledUnix)
    }
    /// The job's runs.
    public func runs(_ tenant: String, _ name: String) -> String { job(tenant, name) + "runs/" }
    /// One run.
    public func run(_ tenant: String, _ name: String, runID: String) -> String { runs(tenant, name) + runID }
    /// The job's pending manual triggers.
    public func triggers(_ tenant: String, _ name: String) -> String { job(tenant, name) + "triggers/" }
    /// Runs assigned to a replica's executor (pointers to run keys).
    public func assignments(_ replicaID: String) -> String { base.prefix + "assignments/" + replicaID + "/" }

    /// Unix seconds as a fixed-width key segment, so keys sort by time.
    public static func paddedTime(_ unix: Int64) -> String {
        let digits = String(max(0, unix))
        return String(repeating: "0", count: max(0, 12 - digits.count)) + digits
    }
}
