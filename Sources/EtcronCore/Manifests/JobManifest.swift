/// The user-facing job document, read from YAML or JSON (`etcron apply -f`) and printed by
/// `etcron get -o yaml|json`; the stored form is `Etcron_V1_JobSpec`.
///
/// ```yaml
/// tenant: payments
/// name: settle-invoices
/// schedule: "H 2 * * *"
/// timeZone: Europe/Berlin
/// concurrencyPolicy: Forbid
/// target:
///   exec: {command: /usr/bin/settle, args: ["--all"]}
/// retry: {maxRetries: 3, initialBackoffMs: 1000, maxBackoffMs: 60000}
/// ```
///
/// Keys are camelCase. Every field is optional here so that every missing one is reported
/// at once by ``JobValidation``; decoding refuses unknown keys (a typo such as `schedul`
/// must never be ignored), naming the key. Encoding leaves out fields at their default
/// (zero, empty, false), so `get -o yaml` prints what an author would write.
public struct JobManifest: Codable, Sendable, Hashable {
    /// The tenant (team) owning the job: a DNS subdomain.
    public var tenant: String?
    /// The job's name within its tenant: a DNS subdomain.
    public var name: String?
    /// The cron expression (see `CronSchedule`); `H` hashes `tenant/name`.
    public var schedule: String?
    /// IANA zone the schedule is read in; UTC when absent.
    public var timeZone: String?
    /// What happens when a run is due while another one is active; Allow when absent.
    public var concurrencyPolicy: ConcurrencyPolicy?
    /// A scheduled time not started within this many seconds is skipped; none when absent.
    public var startingDeadlineSeconds: Int64?
    /// Whether scheduled times are skipped (reason `suspended`).
    public var suspend: Bool?
    /// What a run does: exactly one of `exec` or `http`.
    public var target: Target?
    /// Retries inside one run.
    public var retry: Retry?
    /// Per-attempt timeout in seconds; none when absent.
    public var attemptTimeoutSeconds: Int64?
    /// How many finished runs to keep.
    public var history: History?
    /// Free-form labels (Kubernetes label syntax).
    public var labels: [String: String]?
    /// What the job is for.
    public var description: String?
    /// Who to ask about it (a team, a person, a channel).
    public var owner: String?

    /// An empty manifest; set the fields you need.
    public init() {}

    /// `concurrencyPolicy`: spelt as in Kubernetes (`Allow`, `Forbid`, `Replace`).
    public enum ConcurrencyPolicy: String, Codable, Sendable, Hashable, CaseIterable {
        /// Runs may overlap.
        case allow = "Allow"
        /// A due time is skipped (reason `concurrencyPolicy`) while a run is active.
        case forbid = "Forbid"
        /// The active run is stopped, then the new one starts.
        case replace = "Replace"
    }

    /// `target`: exactly one of `exec` or `http`.
    public struct Target: Codable, Sendable, Hashable {
        /// Run a command.
        public var exec: Exec?
        /// Call a URL.
        public var http: HTTP?

        /// A target; give exactly one of the two.
        public init(exec: Exec? = nil, http: HTTP? = nil) {
            self.exec = exec
            self.http = http
        }
    }

    /// `target.exec`: a command run as a child process group of the executing replica.
    public struct Exec: Codable, Sendable, Hashable {
        /// Absolute path, or a name looked up in the replica's PATH.
        public var command: String?
        /// Arguments, not interpreted by a shell.
        public var args: [String]?
        /// Extra environment variables.
        public var env: [String: String]?
        /// Absolute directory to run in.
        public var workingDirectory: String?

        /// An exec target.
        public init(command: String? = nil, args: [String]? = nil, env: [String: String]? = nil, workingDirectory: String? = nil) {
            self.command = command
            self.args = args
            self.env = env
            self.workingDirectory = workingDirectory
        }
    }

    /// `target.http`: a request whose run ID travels in the `Idempotency-Key` header.
    public struct HTTP: Codable, Sendable, Hashable {
        /// GET when absent.
        public var method: String?
        /// Absolute http or https URL.
        public var url: String?
        /// Extra request headers.
        public var headers: [String: String]?
        /// Request body as text (UTF-8).
        public var body: String?
        /// Statuses that count as success; any 2xx when absent.
        public var expectedStatus: [Int32]?

        /// An HTTP target.
        public init(method: String? = nil, url: String? = nil, headers: [String: String]? = nil, body: String? = nil, expectedStatus: [Int32]? = nil) {
            self.method = method
            self.url = url
            self.headers = headers
            self.body = body
            self.expectedStatus = expectedStatus
        }
    }

    /// `retry`: attempts inside one run; the run has one terminal result whatever their number.
    public struct Retry: Codable, Sendable, Hashable {
        /// Retries after the first attempt (0 to 100).
        public var maxRetries: Int32?
        /// Backoff before the first retry, doubled each time.
        public var initialBackoffMs: Int64?
        /// The longest backoff.
        public var maxBackoffMs: Int64?

        /// A retry policy.
        public init(maxRetries: Int32? = nil, initialBackoffMs: Int64? = nil, maxBackoffMs: Int64? = nil) {
            self.maxRetries = maxRetries
            self.initialBackoffMs = initialBackoffMs
            self.maxBackoffMs = maxBackoffMs
        }
    }

    /// `history`: how many finished runs of each result to keep (the default when absent or 0).
    public struct History: Codable, Sendable, Hashable {
        /// Succeeded runs kept.
        public var succeeded: Int32?
        /// Failed runs kept.
        public var failed: Int32?

        /// History limits.
        public init(succeeded: Int32? = nil, failed: Int32? = nil) {
            self.succeeded = succeeded
            self.failed = failed
        }
    }
}
