import EtcronReplica

/// Where jobs and their records live in etcd.
///
/// - The records others write and the leader must react to (spec, runs, manual triggers)
///   share the job's key prefix `<prefix>jobs/<tenant>/<name>/`, so one range read or one
///   watch serves a job.
/// - The records only the leader writes have prefixes of their own, so the leader's watch
///   never carries its own writes back to it: the status `<prefix>status/<tenant>/<name>`
///   (read once by a new leader) and the decision log
///   `<prefix>decisions/<tenant>/<name>/<time>`, which grows with every scheduled time
///   until garbage collection and which a new leader never reads.
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
    /// Every job's status.
    public var statuses: String { base.prefix + "status/" }
    /// The job's status (leader-written).
    public func status(_ tenant: String, _ name: String) -> String { statuses + tenant + "/" + name }
    /// Every job's decision log.
    public var decisionLog: String { base.prefix + "decisions/" }
    /// The job's decisions, keyed by scheduled time.
    public func decisions(_ tenant: String, _ name: String) -> String { decisionLog + tenant + "/" + name + "/" }
    /// One decision: the key sorts by time (12-digit zero-padded unix seconds).
    public func decision(_ tenant: String, _ name: String, scheduledUnix: Int64) -> String {
        decisions(tenant, name) + Self.paddedTime(scheduledUnix)
    }
    /// The job's runs.
    public func runs(_ tenant: String, _ name: String) -> String { job(tenant, name) + "runs/" }
    /// One run.
    public func run(_ tenant: String, _ name: String, runID: String) -> String {
        // Built in one buffer: the leader makes one per decision.
        var key = base.prefix
        key.reserveCapacity(key.utf8.count + tenant.utf8.count + name.utf8.count + runID.utf8.count + 12)
        key += "jobs/"
        key += tenant
        key += "/"
        key += name
        key += "/runs/"
        key += runID
        return key
    }
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
