/// One violation `etcron audit` found, with the job, the scheduled time and the records
/// involved.
public struct AuditFinding: Sendable, Hashable, Codable {
    /// What is wrong.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// A scheduled time with more than one decision.
        case duplicate
        /// A scheduled time (decided through, by the leader's cursor) with no decision.
        case gap
        /// A decision for a time the job's schedule did not fire at.
        case unexpected
        /// A skip with no reason.
        case skipWithoutReason
        /// More than one run started for one scheduled time.
        case startedTwice
        /// An invoke whose run neither finished nor runs (pending long after its time).
        case unfinished
        /// A run lost with its executor, and what its retry policy did.
        case executorLost
        /// A run that started later than the start-delay objective.
        case lateStart
    }

    public var kind: Kind
    /// `tenant/name`.
    public var job: String
    /// The scheduled time (Unix seconds).
    public var scheduledUnix: Int64
    /// What the records say.
    public var detail: String
    /// The keys or IDs of the records involved.
    public var records: [String]

    public init(kind: Kind, job: String, scheduledUnix: Int64, detail: String, records: [String] = []) {
        self.kind = kind
        self.job = job
        self.scheduledUnix = scheduledUnix
        self.detail = detail
        self.records = records
    }

    /// Whether this finding fails the audit (exit status 1): a duplicate, a gap or a run
    /// started twice.
    public var failsAudit: Bool { kind == .duplicate || kind == .gap || kind == .startedTwice }
}
