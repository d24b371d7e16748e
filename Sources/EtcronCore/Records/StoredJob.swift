import EtcronProto

/// A job spec as read from etcd, with the revisions that fence updates to it.
public struct StoredJob: Sendable, Hashable {
    /// The job's tenant and name.
    public var id: JobID
    /// The spec.
    public var spec: Etcron_V1_JobSpec
    /// The revision the spec key was created at (changes when the job is deleted and
    /// created again).
    public var createRevision: Int64
    /// The revision of the spec's last change (the status's `spec_revision` refers to it).
    public var modRevision: Int64

    /// A stored job.
    public init(id: JobID, spec: Etcron_V1_JobSpec, createRevision: Int64, modRevision: Int64) {
        self.id = id
        self.spec = spec
        self.createRevision = createRevision
        self.modRevision = modRevision
    }
}

/// A record that is in etcd but cannot be read: skipped by every reader, and reported.
public struct CorruptRecord: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    /// The record's key.
    public var key: String
    /// Why it cannot be read.
    public var reason: String

    /// A corrupt record.
    public init(key: String, reason: String) {
        self.key = key
        self.reason = reason
    }

    /// `key: reason`.
    public var description: String { "\(key): \(reason)" }
}

/// The jobs of a listing, and the spec records it had to skip.
public struct JobList: Sendable, Hashable {
    /// Readable jobs, ordered by tenant and name.
    public var jobs: [StoredJob]
    /// Spec records that could not be decoded (or name another job than their key).
    public var corrupt: [CorruptRecord]

    /// A listing.
    public init(jobs: [StoredJob], corrupt: [CorruptRecord]) {
        self.jobs = jobs
        self.corrupt = corrupt
    }
}

/// One decoded history record (a decision or a run) and its key.
public struct JobRecord<Value: Sendable & Hashable>: Sendable, Hashable {
    /// The record's key.
    public var key: String
    /// The decoded record.
    public var value: Value
    /// The revision of its last change.
    public var modRevision: Int64

    /// A record.
    public init(key: String, value: Value, modRevision: Int64) {
        self.key = key
        self.value = value
        self.modRevision = modRevision
    }
}

/// Decoded history records, newest first, and the ones that had to be skipped.
public struct JobRecords<Value: Sendable & Hashable>: Sendable, Hashable {
    /// Readable records, newest first.
    public var records: [JobRecord<Value>]
    /// Records that could not be decoded.
    public var corrupt: [CorruptRecord]

    /// Records.
    public init(records: [JobRecord<Value>], corrupt: [CorruptRecord]) {
        self.records = records
        self.corrupt = corrupt
    }

    /// The decoded values, newest first.
    public var values: [Value] { records.map(\.value) }
}

/// Everything `etcron describe` shows about a job, read at one revision.
public struct JobDescription: Sendable, Hashable {
    /// The job.
    public var job: StoredJob
    /// What the leader knows (nil before its first decision).
    public var status: Etcron_V1_JobStatus?
    /// Manual triggers not yet turned into runs.
    public var pendingTriggers: Int
    /// The latest decisions, newest scheduled time first.
    public var decisions: [JobRecord<Etcron_V1_Decision>]
    /// The latest runs, newest first.
    public var runs: [JobRecord<Etcron_V1_Run>]
    /// Records that could not be decoded (status, decisions, runs).
    public var corrupt: [CorruptRecord]
    /// The revision everything was read at.
    public var revision: Int64

    /// A description.
    public init(
        job: StoredJob, status: Etcron_V1_JobStatus?, pendingTriggers: Int, decisions: [JobRecord<Etcron_V1_Decision>],
        runs: [JobRecord<Etcron_V1_Run>], corrupt: [CorruptRecord], revision: Int64
    ) {
        self.job = job
        self.status = status
        self.pendingTriggers = pendingTriggers
        self.decisions = decisions
        self.runs = runs
        self.corrupt = corrupt
        self.revision = revision
    }
}

/// What an apply did to one job.
public struct JobApplyResult: Sendable, Hashable, Codable, CustomStringConvertible {
    /// What happened.
    public enum Outcome: String, Sendable, Hashable, Codable {
        /// The job did not exist and was stored.
        case created
        /// The job existed and its spec changed.
        case updated
        /// The job existed with the same spec; nothing was written.
        case unchanged
    }

    /// The job.
    public var id: JobID
    /// What happened.
    public var outcome: Outcome
    /// The spec's mod revision after the apply.
    public var revision: Int64

    /// A result.
    public init(id: JobID, outcome: Outcome, revision: Int64) {
        self.id = id
        self.outcome = outcome
        self.revision = revision
    }

    /// `tenant/name created`.
    public var description: String { "\(id) \(outcome.rawValue)" }
}

/// Where a page of runs ends: the last run's create revision and key (runs created in one
/// Txn share a revision).
public struct RunCursor: Sendable, Hashable {
    /// The last run's create revision.
    public var createRevision: Int64
    /// The last run's key.
    public var key: String

    /// A cursor.
    public init(createRevision: Int64, key: String) {
        self.createRevision = createRevision
        self.key = key
    }
}
