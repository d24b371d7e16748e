import CronSchedule
import EtcronCore
import EtcronProto
import EtcronTestKit
import Foundation
import Testing

@Suite("Job validation")
struct JobValidationTests {
    /// One rule: a change that breaks a valid spec, and the problem it must produce.
    struct Rule: Sendable, CustomTestStringConvertible {
        var field: String
        var reason: String
        var change: @Sendable (inout Etcron_V1_JobSpec) -> Void

        init(_ field: String, _ reason: String, _ change: @escaping @Sendable (inout Etcron_V1_JobSpec) -> Void) {
            self.field = field
            self.reason = reason
            self.change = change
        }

        var testDescription: String { "\(field): \(reason)" }
    }

    static let rules: [Rule] = [
        Rule("tenant", "is required") { $0.tenant = "" },
        Rule("name", #""Bad_Name" is not a DNS subdomain (lowercase letters, digits, '-' and '.', at most 253 characters): has "B" at position 1 (use lowercase)"#) { $0.name = "Bad_Name" },
        Rule("name", #""a..b" is not a DNS subdomain (lowercase letters, digits, '-' and '.', at most 253 characters): has an empty label (two dots in a row, or a dot at either end)"#) { $0.name = "a..b" },
        Rule("tenant", #""-a" is not a DNS subdomain (lowercase letters, digits, '-' and '.', at most 253 characters): has label "-a" that starts or ends with "-""#) { $0.tenant = "-a" },
        Rule("name", #""a/b" is not a DNS subdomain (lowercase letters, digits, '-' and '.', at most 253 characters): has "/" at position 2"#) { $0.name = "a/b" },
        Rule("schedule", "is required") { $0.schedule = " " },
        Rule("schedule", #"day-of-week: "8" is out of range 0-7 (field 5, column 9)"#) { $0.schedule = "0 0 * * 8" },
        Rule("schedule", #""0 0 30 2 *" never fires: no date matches its day-of-month, month and day-of-week fields together"#) { $0.schedule = "0 0 30 2 *" },
        Rule("timeZone", #"unknown time zone "Europe/Berln""#) { $0.timeZone = "Europe/Berln" },
        Rule("concurrencyPolicy", "7 is not a known policy (Allow, Forbid or Replace)") { $0.concurrencyPolicy = .UNRECOGNIZED(7) },
        Rule("startingDeadlineSeconds", "must be from 0 to 31536000, not -1; 0 means no deadline") { $0.startingDeadlineSeconds = -1 },
        Rule("target", "exactly one of exec or http is required") { $0.clearTarget() },
        Rule("target", "exactly one of exec or http is required") { $0.target = Etcron_V1_Target() },
        Rule("target.exec.command", "is required") { $0.target.exec.command = "" },
        Rule("target.exec.args[1]", "must not contain a NUL character") { $0.target.exec.args = ["ok", "a\0b"] },
        Rule("target.exec.env", #""1X" is not a valid environment variable name (letters, digits, '_', '-' and '.', not starting with a digit)"#) { $0.target.exec.env = ["1X": "v"] },
        Rule("target.exec.workingDirectory", #"must be an absolute path, not "srv""#) { $0.target.exec.workingDirectory = "srv" },
        Rule("target.http.url", "is required") { $0.target.http = Etcron_V1_HttpTarget() },
        Rule("target.http.url", #"must be an absolute http or https URL, not "ftp://example.com/x""#) { $0.target.http.url = "ftp://example.com/x" },
        Rule("target.http.url", #"must be an absolute http or https URL, not "/relative""#) { $0.target.http.url = "/relative" },
        Rule("target.http.method", #""get" is not one of DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT"#) {
            $0.target.http.url = "https://x.example"
            $0.target.http.method = "get"
        },
        Rule("target.http.headers", #""Idempotency-Key" is set by etcron (it carries the run ID)"#) {
            $0.target.http.url = "https://x.example"
            $0.target.http.headers = ["Idempotency-Key": "mine"]
        },
        Rule("target.http.headers", #""Bad Header" is not a valid header name"#) {
            $0.target.http.url = "https://x.example"
            $0.target.http.headers = ["Bad Header": "x"]
        },
        Rule(#"target.http.headers["X-A"]"#, "must not contain a line break or NUL character") {
            $0.target.http.url = "https://x.example"
            $0.target.http.headers = ["X-A": "a\r\nX-Injected: 1"]
        },
        Rule("target.http.body", "is 40000 bytes long; at most 32768 are allowed") {
            $0.target.http.url = "https://x.example"
            $0.target.http.body = Data(count: 40_000)
        },
        Rule("target.http.expectedStatus[1]", "must be an HTTP status from 100 to 599, not 700") {
            $0.target.http.url = "https://x.example"
            $0.target.http.expectedStatus = [200, 700]
        },
        Rule("retry.maxRetries", "must be from 0 to 100, not 101") { $0.retry.maxRetries = 101 },
        Rule("retry.initialBackoffMs", "must be from 0 to 86400000, not -5; 0 means the default") { $0.retry.initialBackoffMs = -5 },
        Rule("retry.maxBackoffMs", "must be from 0 to 86400000, not 86400001; 0 means the default") { $0.retry.maxBackoffMs = 86_400_001 },
        Rule("retry.maxBackoffMs", "500 is less than initialBackoffMs (1000)") {
            $0.retry.initialBackoffMs = 1000
            $0.retry.maxBackoffMs = 500
        },
        Rule("attemptTimeoutSeconds", "must be from 0 to 31536000, not -1; 0 means no timeout") { $0.attemptTimeoutSeconds = -1 },
        Rule("history.succeeded", "must be from 0 to 1000, not 1001; 0 means the default") { $0.history.succeeded = 1001 },
        Rule("history.failed", "must be from 0 to 1000, not -1; 0 means the default") { $0.history.failed = -1 },
        Rule("labels", #"key "bad key" must be letters, digits, '-', '_' or '.', starting and ending with a letter or digit"#) { $0.labels = ["bad key": "x"] },
        Rule("labels", #"key "Example.com/x" has a prefix that is not a DNS subdomain: has "E" at position 1 (use lowercase)"#) { $0.labels = ["Example.com/x": "y"] },
        Rule(#"labels["team"]"#, #""-x" must be letters, digits, '-', '_' or '.', starting and ending with a letter or digit"#) { $0.labels = ["team": "-x"] },
        Rule("description", "is 1025 characters long; at most 1024 are allowed") { $0.description_p = String(repeating: "d", count: 1025) },
        Rule("owner", "is 254 characters long; at most 253 are allowed") { $0.owner = String(repeating: "o", count: 254) },
        Rule("everyAnchorUnix", "must not be negative, not -1") { $0.everyAnchorUnix = -1 },
    ]

    @Test("each rule refuses its field with the reason", arguments: rules)
    func rule(_ rule: Rule) {
        var spec = JobFixtures.spec()
        rule.change(&spec)
        let problems = JobValidation.problems(in: spec)
        #expect(problems == [JobValidationProblem(field: rule.field, reason: rule.reason)])
    }

    @Test("valid exec and HTTP jobs have no problems")
    func validJobs() {
        #expect(JobValidation.problems(in: JobFixtures.spec()).isEmpty)
        #expect(JobValidation.problems(in: JobFixtures.fullSpec()).isEmpty)
    }

    @Test("every problem is reported at once, not only the first")
    func allProblems() {
        var spec = Etcron_V1_JobSpec()
        spec.name = "Bad_Name"
        spec.schedule = "0 0 * * 8"
        spec.timeZone = "Europe/Berln"
        spec.retry.maxRetries = 500
        let fields = JobValidation.problems(in: spec).map(\.field)
        #expect(fields == ["tenant", "name", "timeZone", "schedule", "target", "retry.maxRetries"])
    }

    @Test("jobs applied together are named jobs[i], and a job given twice is refused")
    func severalJobs() {
        let specs = [JobFixtures.spec(name: "a"), JobFixtures.spec(name: "b"), JobFixtures.spec(name: "Bad_Name"), JobFixtures.spec(name: "a")]
        let problems = JobValidation.problems(in: specs).map(\.description)
        #expect(problems == [
            #"jobs[2].name: "Bad_Name" is not a DNS subdomain (lowercase letters, digits, '-' and '.', at most 253 characters): has "B" at position 1 (use lowercase)"#,
            "jobs[3]: payments/a is also defined by jobs[0]",
        ])
    }

    @Test("names of 253 characters are valid and kept whole; 254 are refused")
    func nameLengths() throws {
        let longest = JobFixtures.longName(253)
        #expect(longest.count == 253)
        let job = try CompiledJob(spec: JobFixtures.spec(tenant: longest, name: longest, schedule: "H H * * *"))
        #expect(job.id.name == longest && job.id.tenant == longest)
        #expect(job.id.description == longest + "/" + longest)
        let keys = job.keys(in: JobKeys(prefix: "/etcron/"))
        #expect(keys.spec == "/etcron/jobs/\(longest)/\(longest)/spec")
        // H is seeded with the whole tenant/name, not a shortened one.
        let seeded = try CronSchedule("H H * * *", seed: "\(longest)/\(longest)")
        #expect(job.schedule == seeded)
        let tooLong = JobFixtures.longName(254)
        #expect(tooLong.count == 254)
        let problems = JobValidation.problems(in: JobFixtures.spec(tenant: tooLong, name: tooLong))
        #expect(problems.map(\.field) == ["tenant", "name"])
        #expect(problems.allSatisfy { $0.reason.hasSuffix("is 254 characters long; at most 253 are allowed") })
        #expect(problems[0].reason.contains(tooLong), "the name is quoted whole")
    }

    @Test("schedules compile as the leader compiles them: zone, H seeded by tenant/name, @every anchor")
    func compiledSchedule() throws {
        var spec = JobFixtures.spec(schedule: "H 9 * * *")
        spec.timeZone = "America/New_York"
        let job = try CompiledJob(spec: spec)
        let expected = try CronSchedule("H 9 * * *", timeZoneIdentifier: "America/New_York", seed: "payments/settle")
        #expect(job.schedule == expected)
        #expect(job.schedule.timeZone.identifier == "America/New_York")
        spec.name = "other-job"
        let other = try CompiledJob(spec: spec)
        let otherExpected = try CronSchedule("H 9 * * *", timeZoneIdentifier: "America/New_York", seed: "payments/other-job")
        #expect(other.schedule == otherExpected)

        var every = JobFixtures.spec(schedule: "@every 1h")
        every.everyAnchorUnix = 1_700_000_123
        let anchored = try CompiledJob(spec: every)
        #expect(anchored.schedule.anchor == CronInstant(secondsSinceEpoch: 1_700_000_123))
        #expect(anchored.schedule.next(after: CronInstant(secondsSinceEpoch: 1_700_000_124)) == CronInstant(secondsSinceEpoch: 1_700_003_723))
    }

    @Test("CompiledJob refuses an invalid spec with every problem")
    func compiledJobRefuses() throws {
        var spec = JobFixtures.spec(schedule: "61 * * * *")
        spec.name = ""
        let error = try #require(throws: JobValidationError.self) { try CompiledJob(spec: spec) }
        #expect(error.problems.map(\.field) == ["name", "schedule"])
        #expect(error.description.contains("minute"))
    }

    @Test("JobID parses tenant/name and nothing else")
    func jobIDs() {
        #expect(JobID(parsing: "a/b") == JobID(tenant: "a", name: "b"))
        #expect(JobID(parsing: "a") == nil)
        #expect(JobID(parsing: "a/b/c") == nil)
        #expect(JobID(parsing: "/b") == nil)
        #expect(JobID(parsing: "a/") == nil)
    }

    @Test("the one key parser tells every record of a job apart, and nothing else")
    func recordKeys() {
        let keys = JobKeys(prefix: "/etcron")
        let job = JobID(tenant: "a", name: "b")
        #expect(RecordKey("/etcron/jobs/a/b/spec", keys: keys) == .spec(job))
        #expect(RecordKey("/etcron/jobs/a/b/runs/s-1", keys: keys) == .run(job, runID: "s-1"))
        #expect(RecordKey("/etcron/jobs/a/b/triggers/t", keys: keys) == .trigger(job, triggerID: "t"))
        #expect(RecordKey("/etcron/status/a/b", keys: keys) == .status(job))
        #expect(RecordKey("/etcron/decisions/a/b/000000000042", keys: keys) == .decision(job, scheduledUnix: 42))
        #expect(RecordKey("/etcron/assignments/r1/s-1", keys: keys) == .assignment(replicaID: "r1", runID: "s-1"))
        #expect(RecordKey("/etcron/quotas/a", keys: keys) == .quota(.tenant("a")))
        for other in [
            "/etcron/jobs/a/b/status", "/etcron/jobs/a/b/decisions/000000000001", "/other/jobs/a/b/spec", "/etcron/jobs/a/b",
            "/etcron/jobs//b/spec", "/etcron/jobs/a/b/runs/", "/etcron/jobs/a/b/runs/x/y", "/etcron/status/a", "/etcron/decisions/a/b/x",
            "/etcron/leader", "/etcron/members/r1/x", "/etcron/members/",
        ] {
            #expect(RecordKey(other, keys: keys) == nil, "\(other)")
        }
        // Every key the layout builds parses back to what it names.
        #expect(RecordKey(keys.spec("a", "b"), keys: keys) == .spec(job))
        #expect(RecordKey(keys.run("a", "b", runID: "m-1"), keys: keys) == .run(job, runID: "m-1"))
        #expect(RecordKey(keys.status("a", "b"), keys: keys) == .status(job))
        #expect(RecordKey(keys.decision("a", "b", scheduledUnix: 1_767_225_600), keys: keys) == .decision(job, scheduledUnix: 1_767_225_600))
        #expect(RecordKey(keys.assignments("r1") + "s-1", keys: keys) == .assignment(replicaID: "r1", runID: "s-1"))
        #expect(RecordKey(keys.quota(.default), keys: keys) == .quota(.default))
        #expect(RecordKey(keys.base.member("r1"), keys: keys) == .member(replicaID: "r1"))
    }

    @Test("telling a run's key apart without parsing it agrees with the parser on every key")
    func runKeysWithoutParsing() {
        let keys = JobKeys(prefix: "/etcron")
        var candidates = [
            "/etcron/jobs/a/b/runs/s-1", "/etcron/jobs/a/b/runs/", "/etcron/jobs/a/b/runs/x/y", "/etcron/jobs/a/b/runs",
            "/etcron/jobs/a/b/run/x", "/etcron/jobs/a/b/runsx/x", "/etcron/jobs/a/b/rung/x", "/etcron/jobs//b/runs/x",
            "/etcron/jobs/a//runs/x", "/etcron/jobs/a/b//x", "/etcron/jobs/a/b/spec", "/etcron/jobs/", "/etcron/jobs",
            "/etcron/job/a/b/runs/x", "/other/jobs/a/b/runs/x", "/etcron/status/a/b", "", "/",
            keys.run("tenant-1", "job-12345", runID: RunID.scheduled(tenant: "tenant-1", job: "job-12345", scheduledUnix: 1_767_225_600)),
        ]
        // Random keys over the alphabet of the layout's separators and part names.
        var generator = SystemRandomNumberGenerator()
        let pieces = ["/", "runs", "run", "spec", "a", "b", "x", "jobs", "/etcron/jobs/", "r", "s"]
        for _ in 0..<5_000 {
            let count = Int.random(in: 0...9, using: &generator)
            candidates.append("/etcron/jobs/" + (0..<count).map { _ in pieces.randomElement(using: &generator)! }.joined())
        }
        for key in candidates {
            let parsed: Bool = if case .run? = RecordKey(key, keys: keys) { true } else { false }
            #expect(RecordKey.namesRun(Data(key.utf8), keys: keys) == parsed, "\(key)")
            #expect(RecordKey.namesRun(key.utf8, keys: keys) == parsed, "\(key)")
        }
    }

    @Test("a schedule that fires years apart is valid, with a warning naming the gap; a daily one gets none")
    func rareSchedules() {
        let rare = JobFixtures.spec(schedule: "44 23 */30 11 7")
        #expect(JobValidation.problems(in: rare).isEmpty)
        let warnings = JobValidation.warnings(for: rare)
        #expect(warnings.map(\.field) == ["schedule"])
        #expect(warnings.first?.reason.contains("fires rarely: its fire times can be 4018 days") == true, "\(warnings)")
        #expect(JobValidation.warnings(for: JobFixtures.spec(schedule: "0 0 * * *")).isEmpty)
        #expect(JobValidation.warnings(for: JobFixtures.spec(schedule: "0 0 29 2 *")).count == 1)
        let never = JobFixtures.spec(schedule: "0 0 30 2 *")
        #expect(JobValidation.problems(in: never).map(\.field) == ["schedule"])
        #expect(JobValidation.warnings(for: never).isEmpty)
    }
}
