import EtcdClient

/// Why a job store operation failed: a code to act on, a message naming the job, field
/// or tenant, and for refused input every problem found.
public struct JobStoreError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is; compare with the static members.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Value: String, Sendable, Hashable {
            case invalid, invalidArgument, notFound, alreadyExists, staleRevision, quotaExceeded, conflict, corruptRecord, etcd, refused
        }

        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// One or more specs break the rules; see ``JobStoreError/problems``. Nothing was written.
        public static let invalid = Code(.invalid)
        /// A tenant, name, note or limit given to the store is unusable.
        public static let invalidArgument = Code(.invalidArgument)
        /// The job does not exist.
        public static let notFound = Code(.notFound)
        /// A create-only write found the job already there. Nothing was written.
        public static let alreadyExists = Code(.alreadyExists)
        /// A conditional write or delete named a revision that is no longer the job's
        /// (or the job is gone). Nothing was written.
        public static let staleRevision = Code(.staleRevision)
        /// The apply would take a tenant past its job limit. Nothing was written.
        public static let quotaExceeded = Code(.quotaExceeded)
        /// The job kept changing under a read-modify-write; try again.
        public static let conflict = Code(.conflict)
        /// A stored record cannot be decoded (e.g. written by hand with etcdctl).
        public static let corruptRecord = Code(.corruptRecord)
        /// etcd failed or could not be reached; see ``JobStoreError/cause``.
        public static let etcd = Code(.etcd)
        /// The API server the store was reached through refused the request (no valid
        /// token, a role that may not do this, the rate limit) or could not be reached.
        public static let refused = Code(.refused)

        /// A short stable name, e.g. `quotaExceeded`.
        public var description: String { value.rawValue }
    }

    /// What kind of failure this is.
    public var code: Code
    /// What happened, naming the job, field or tenant; several lines for several problems.
    public var message: String
    /// For ``Code/invalid``: every problem of every spec.
    public var problems: [JobValidationProblem]
    /// For a failed apply: the jobs written before the failure (the rest were not).
    public var applied: [JobApplyResult]
    /// The etcd error behind ``Code/etcd``.
    public var cause: EtcdError?

    /// An error.
    public init(_ code: Code, _ message: String, problems: [JobValidationProblem] = [], applied: [JobApplyResult] = [], cause: EtcdError? = nil) {
        self.code = code
        self.message = message
        self.problems = problems
        self.applied = applied
        self.cause = cause
    }

    /// The message.
    public var description: String { message }

    /// Refused specs, with every problem.
    static func invalid(_ problems: [JobValidationProblem]) -> JobStoreError {
        JobStoreError(.invalid, problems.map(\.description).joined(separator: "\n"), problems: problems)
    }

    /// `error` from a compare-and-swap while doing `what`: a store error as it is, a lost
    /// race as `conflict` (with `conflict` as the message), anything else as `etcd`.
    static func from(_ error: any Error, while what: String, conflict: @autoclosure () -> String) -> JobStoreError {
        switch error {
        case let error as JobStoreError: return error
        case is CompareAndSwapError: return JobStoreError(.conflict, conflict())
        default: return .etcd(error, while: what)
        }
    }

    /// An etcd failure while doing `what`.
    static func etcd(_ error: any Error, while what: String) -> JobStoreError {
        let cause = error as? EtcdError
        return JobStoreError(.etcd, "etcd failed while \(what): \(cause?.description ?? "\(error)")", cause: cause)
    }
}
