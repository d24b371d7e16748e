import EtcronCore
import Testing

/// End-to-end proofs of the scheduling semantics of DESIGN.md: one real etcd member and
/// real `etcron operator` replicas per test, jobs changed through the job store (or raw
/// puts), and every check made on what etcd holds afterwards (decisions, runs) or on
/// files the jobs' children wrote. Schedules have seconds, so each test takes seconds.
///
/// The tests live in extensions by topic: `SemanticsConcurrencyTests.swift` (Forbid,
/// Replace, manual runs), `SemanticsOutageTests.swift` (missed deadlines, catch-up),
/// `SemanticsLifecycleTests.swift` (suspend, spec changes, delete and re-create; with
/// `SemanticsRecordChecks.swift`: corrupt records, the run's environment, history) and
/// `SemanticsExecutorTests.swift` (an executor lost mid-run). `SemanticsSupport.swift`
/// starts etcd and the replicas and reads the records.
@Suite("scheduler semantics with real replicas", .serialized)
struct SemanticsProcessTests {}
