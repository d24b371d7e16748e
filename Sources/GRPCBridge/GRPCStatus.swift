/// The status a gRPC call ended with: a code from the gRPC spec and the server's message.
///
/// This is the only place the C core's status codes are turned into Swift values.
public struct GRPCStatus: Error, Sendable, Hashable, CustomStringConvertible {
    /// A gRPC status code (https://grpc.github.io/grpc/core/md_doc_statuscodes.html).
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        /// The numeric value used on the wire.
        public let rawValue: Int

        /// Wraps a numeric code; unknown numbers are kept as they are.
        public init(rawValue: Int) { self.rawValue = rawValue }

        public static let ok = Code(rawValue: 0)
        public static let cancelled = Code(rawValue: 1)
        public static let unknown = Code(rawValue: 2)
        public static let invalidArgument = Code(rawValue: 3)
        public static let deadlineExceeded = Code(rawValue: 4)
        public static let notFound = Code(rawValue: 5)
        public static let alreadyExists = Code(rawValue: 6)
        public static let permissionDenied = Code(rawValue: 7)
        public static let resourceExhausted = Code(rawValue: 8)
        public static let failedPrecondition = Code(rawValue: 9)
        public static let aborted = Code(rawValue: 10)
        public static let outOfRange = Code(rawValue: 11)
        public static let unimplemented = Code(rawValue: 12)
        public static let `internal` = Code(rawValue: 13)
        public static let unavailable = Code(rawValue: 14)
        public static let dataLoss = Code(rawValue: 15)
        public static let unauthenticated = Code(rawValue: 16)

        private static let names = [
            "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
            "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
            "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
            "UNAUTHENTICATED",
        ]

        /// The upper-case name from the gRPC spec, e.g. `UNAVAILABLE`.
        public var description: String {
            Self.names.indices.contains(rawValue) ? Self.names[rawValue] : "CODE_\(rawValue)"
        }
    }

    /// The status code.
    public var code: Code
    /// The status message sent by the server, or one describing a local failure.
    public var message: String

    /// Creates a status.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    /// Whether the call succeeded.
    public var isOK: Bool { code == .ok }

    public var description: String { "\(code): \(message)" }
}
