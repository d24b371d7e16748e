/// What `etcron audit` found over every job it read, added up job by job (nothing but
/// counts, a histogram and the findings is kept, so a day of 100,000 jobs fits).
public struct AuditSummary: Sendable {
    public var from: Int64
    public var to: Int64
    public var jobs = 0
    public var timesChecked = 0
    public var undecided = 0
    public var invokes = 0
    public var skips: [String: Int] = [:]
    public var running = 0
    public var unknownOutcome = 0
    public var corruptRecords = 0
    public var delays: DelayHistogram
    public var findings: [AuditFinding] = []
    /// Findings by kind (every one, also when the list is cut).
    public var counts: [AuditFinding.Kind: Int] = [:]
    /// The most findings listed (late starts beyond it are only counted).
    public var findingLimit: Int

    public init(from: Int64, to: Int64, objectiveMs: Int64, findingLimit: Int = 10_000) {
        self.from = from
        self.to = to
        self.delays = DelayHistogram(objectiveMs: objectiveMs)
        self.findingLimit = findingLimit
    }

    public mutating func add(_ audit: JobAudit) {
        jobs += 1
        timesChecked += audit.timesChecked
        undecided += audit.undecided
        invokes += audit.invokes
        running += audit.running
        unknownOutcome += audit.unknownOutcome
        for (reason, count) in audit.skips { skips[reason, default: 0] += count }
        for delay in audit.startDelaysMs { delays.record(delay) }
        for finding in audit.findings {
            counts[finding.kind, default: 0] += 1
            if findings.count < findingLimit || finding.failsAudit { findings.append(finding) }
        }
    }

    /// Whether the audit passes: no duplicate, no gap, no run started twice.
    public var isClean: Bool {
        (counts[.duplicate] ?? 0) == 0 && (counts[.gap] ?? 0) == 0 && (counts[.startedTwice] ?? 0) == 0
    }
}
