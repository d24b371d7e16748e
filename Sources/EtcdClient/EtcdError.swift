import GRPCBridge

/// The one error type of the etcd client: a code callers can act on, a message that says
/// what happened, and the gRPC status it came from (if any).
public struct EtcdError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is; compare with the static members.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Value: String, Sendable, Hashable {
            case unavailable, deadlineExceeded, cancelled, compacted, futureRevision, noLeader
            case leaseNotFound, invalidAuthToken, authenticationFailed, permissionDenied
            case requestTooLarge, tooManyOperations, duplicateKey, invalidArgument
            case invalidConfiguration, watchCanceled, sessionLost, notLeader, internalError
            case unknown
        }

        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// No connection to any endpoint, or the connection broke; retry.
        public static let unavailable = Code(.unavailable)
        /// The call's deadline passed before etcd answered.
        public static let deadlineExceeded = Code(.deadlineExceeded)
        /// The call was cancelled locally (task cancellation or client shutdown).
        public static let cancelled = Code(.cancelled)
        /// The requested revision was compacted: re-list and watch from the new revision.
        public static let compacted = Code(.compacted)
        /// The requested revision is newer than the store's.
        public static let futureRevision = Code(.futureRevision)
        /// The member lost its raft leader (quorum loss or election in progress).
        public static let noLeader = Code(.noLeader)
        /// The lease does not exist (expired or revoked).
        public static let leaseNotFound = Code(.leaseNotFound)
        /// The auth token expired or is unknown; the client re-authenticates once by itself.
        public static let invalidAuthToken = Code(.invalidAuthToken)
        /// The user name or password was refused.
        public static let authenticationFailed = Code(.authenticationFailed)
        /// The user may not perform this operation.
        public static let permissionDenied = Code(.permissionDenied)
        /// The request exceeds etcd's request size limit (1.5 MiB by default).
        public static let requestTooLarge = Code(.requestTooLarge)
        /// A Txn holds more operations than etcd's `--max-txn-ops` (128 by default).
        public static let tooManyOperations = Code(.tooManyOperations)
        /// A Txn writes the same key twice.
        public static let duplicateKey = Code(.duplicateKey)
        /// etcd refused the request's arguments.
        public static let invalidArgument = Code(.invalidArgument)
        /// The client configuration is unusable (endpoints, TLS files, credentials).
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// etcd cancelled a watch for a reason other than compaction.
        public static let watchCanceled = Code(.watchCanceled)
        /// The session's lease is gone; anything hanging off it (election keys) is gone too.
        public static let sessionLost = Code(.sessionLost)
        /// An election operation needs leadership this candidate does not hold.
        public static let notLeader = Code(.notLeader)
        /// A malformed response or a failure inside the client.
        public static let internalError = Code(.internalError)
        /// Anything else.
        public static let unknown = Code(.unknown)

        public var description: String { value.rawValue }
    }

    /// The kind of failure.
    public var code: Code
    /// What happened, in words that name the operation and the cause.
    public var message: String
    /// The gRPC status this error was mapped from, if it came from a call.
    public var status: GRPCStatus?
    /// For `.compacted`: the revision the store was compacted at.
    public var compactRevision: Int64?

    /// Creates an error.
    public init(_ code: Code, _ message: String, status: GRPCStatus? = nil, compactRevision: Int64? = nil) {
        self.code = code
        self.message = message
        self.status = status
        self.compactRevision = compactRevision
    }

    /// Whether retrying the same request later may succeed.
    public var isRetryable: Bool {
        code == .unavailable || code == .noLeader || code == .deadlineExceeded
    }

    public var description: String { message }
}

extension EtcdError {
    /// Maps a gRPC status from a call to `method` to an etcd error. This is the one place
    /// where etcd's error strings (its API contract for these conditions) are interpreted.
    static func from(_ status: GRPCStatus, method: String) -> EtcdError {
        let text = status.message
        let code: Code
        switch text {
        case _ where text.contains("required revision has been compacted"): code = .compacted
        case _ where text.contains("required revision is a future revision"): code = .futureRevision
        case _ where text.contains("etcdserver: no leader"): code = .noLeader
        case _ where text.contains("requested lease not found"): code = .leaseNotFound
        case _ where text.contains("invalid auth token"): code = .invalidAuthToken
        case _ where text.contains("authentication failed"): code = .authenticationFailed
        case _ where text.contains("permission denied"): code = .permissionDenied
        case _ where text.contains("request is too large"), _ where text.contains("larger than max"):
            code = .requestTooLarge
        case _ where text.contains("too many operations in txn request"): code = .tooManyOperations
        case _ where text.contains("duplicate key given in txn request"): code = .duplicateKey
        case _ where text.contains("leader changed"), _ where text.contains("request timed out"):
            code = .unavailable
        default:
            switch status.code {
            case .unavailable: code = .unavailable
            case .deadlineExceeded: code = .deadlineExceeded
            case .cancelled: code = .cancelled
            case .invalidArgument, .outOfRange, .failedPrecondition: code = .invalidArgument
            case .permissionDenied: code = .permissionDenied
            case .unauthenticated: code = .authenticationFailed
            case .resourceExhausted: code = .requestTooLarge
            case .internal, .dataLoss, .unimplemented: code = .internalError
            default: code = .unknown
            }
        }
        return EtcdError(code, "\(method): \(status)", status: status)
    }
}
