/// Where a replica group keeps its records in etcd, under one configurable prefix: the
/// replicas' own records (election, membership, the leader's heartbeat). The job records
/// are ``JobKeys``; both are laid out in this file only, and parsed only by ``RecordKey``.
public struct ReplicaKeys: Sendable, Hashable {
    /// The prefix every etcron key starts with, ending in `/` (default `/etcron/`).
    public let prefix: String

    /// Keys under `prefix` (a trailing `/` is added if missing).
    public init(prefix: String) {
        self.prefix = prefix.hasSuffix("/") ? prefix : prefix + "/"
    }

    /// The election prefix: candidates' keys hang here off their session leases.
    public var election: String { prefix + "election/" }
    /// The prefix of membership records.
    public var members: String { prefix + "members/" }
    /// One replica's membership record.
    public func member(_ replicaID: String) -> String { members + replicaID }
    /// The leader's heartbeat record, written fenced every second.
    public var leaderHeartbeat: String { prefix + "leader" }
    /// The prefix of the leaders' term records (the newest ``LeaderTerms/kept``).
    public var leaderTerms: String { prefix + "terms/" }
    /// The prefix of gameday actions (failure drills asked for through the API), each
    /// `gameday/<13-digit unix ms>-<8 hex>`, so keys sort by time (``GamedayActions``).
    public var gamedayActions: String { prefix + "gameday/" }
    /// One gameday action's record.
    public func gamedayAction(_ id: String) -> String { gamedayActions + id }
    /// The record of the term with `fencingToken`, zero-padded so keys sort by token.
    public func leaderTerm(_ fencingToken: Int64) -> String {
        let digits = String(fencingToken)
        return leaderTerms + String(repeating: "0", count: max(0, 20 - digits.count)) + digits
    }
}

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
/// - Quotas live at `<prefix>quotas/<tenant>` (`*` for the default), the guard every
///   limited create bumps at `<prefix>quota-guards/<tenant>`, and the leader's pointers to
///   the runs it assigned at `<prefix>assignments/<replica>/<run id>`, or several at once
///   at `<prefix>assignments/<replica>/b-<leader token>-<sequence>` (an `AssignmentBatch`).
public struct JobKeys: Sendable, Hashable {
    /// The replica group's keys (the common prefix).
    public let base: ReplicaKeys

    /// Job keys under `base`'s prefix.
    public init(_ base: ReplicaKeys) {
        self.base = base
    }

    /// Job keys under `prefix` (a trailing `/` is added if missing), e.g. `/etcron/`.
    public init(prefix: String) {
        self.init(ReplicaKeys(prefix: prefix))
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
    /// Every replica's assigned runs.
    public var assignmentsRoot: String { base.prefix + "assignments/" }
    /// Runs assigned to a replica's executor (pointers to run keys).
    public func assignments(_ replicaID: String) -> String { assignmentsRoot + replicaID + "/" }
    /// A batch of runs one decision Txn of leader `token` assigned to a replica's executor
    /// (the `sequence`th of the term). Run IDs start `s-` or `m-`, so the two kinds of
    /// assignment never share a key.
    public func assignmentBatch(_ replicaID: String, token: Int64, sequence: UInt64) -> String {
        assignments(replicaID) + Self.assignmentBatchMark + String(token, radix: 16) + "-" + String(sequence, radix: 16)
    }
    /// What the last segment of an assignment batch's key starts with.
    public static let assignmentBatchMark = "b-"
    /// Every quota record: `<prefix>quotas/`.
    public var quotas: String { base.prefix + "quotas/" }
    /// The record of `scope`: `<prefix>quotas/*` for the default, `<prefix>quotas/<tenant>`.
    public func quota(_ scope: QuotaScope) -> String { quotas + scope.keySegment }
    /// Every target policy record: `<prefix>target-policies/`.
    public var targetPolicies: String { base.prefix + "target-policies/" }
    /// The target policy of `scope`: `<prefix>target-policies/*` for the default,
    /// `<prefix>target-policies/<tenant>`.
    public func targetPolicy(_ scope: QuotaScope) -> String { targetPolicies + scope.keySegment }
    /// The tenant index: a key per tenant that has (or had) jobs, so listing every tenant's
    /// jobs reads tenant by tenant (etcd counts every key of a range it reads, however small
    /// its limit: one range over 100,000 jobs costs a scan of them all).
    public var tenantIndex: String { base.prefix + "tenants/" }
    /// `tenant`'s entry in the tenant index.
    public func tenantIndex(_ tenant: String) -> String { tenantIndex + tenant }
    /// The key every limited job creation in `tenant` compares and bumps.
    public func quotaGuard(_ tenant: String) -> String { base.prefix + "quota-guards/" + tenant }

    /// Unix seconds as a fixed-width key segment, so keys sort by time.
    public static func paddedTime(_ unix: Int64) -> String {
        let digits = String(max(0, unix))
        return String(repeating: "0", count: max(0, 12 - digits.count)) + digits
    }
}

/// The etcd keys of one job's records (see ``JobKeys``).
public struct JobRecordKeys: Sendable, Hashable {
    /// The common prefix of all the job's records.
    public let job: String
    /// The spec.
    public let spec: String
    /// The leader-written status.
    public let status: String
    /// The decisions' prefix.
    public let decisions: String
    /// The runs' prefix.
    public let runs: String
    /// The pending manual triggers' prefix.
    public let triggers: String

    /// The keys of job `id` under `keys`' prefix.
    public init(_ keys: JobKeys, _ id: JobID) {
        job = keys.job(id.tenant, id.name)
        spec = keys.spec(id.tenant, id.name)
        status = keys.status(id.tenant, id.name)
        decisions = keys.decisions(id.tenant, id.name)
        runs = keys.runs(id.tenant, id.name)
        triggers = keys.triggers(id.tenant, id.name)
    }
}
