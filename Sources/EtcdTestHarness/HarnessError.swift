/// An error raised by the etcd test harness: what kind of failure, and a message naming
/// what failed (with the relevant log tail when a process is involved).
public struct HarnessError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure. Compare against the static members; new codes may be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Hashable, Sendable {
            case executableNotFound
            case spawnFailed
            case signalFailed
            case timedOut
            case processExited
            case commandFailed
            case unhealthy
            case addressInUse
            case noFreePort
            case tlsSetupFailed
            case invalidArgument
            case shutDown
            case fileSystem
            case http
        }

        private let value: Value

        private init(_ value: Value) {
            self.value = value
        }

        /// A required program (etcd, etcdctl, openssl) is not on PATH.
        public static let executableNotFound = Code(.executableNotFound)
        /// `posix_spawn` refused to start a process.
        public static let spawnFailed = Code(.spawnFailed)
        /// `kill(2)` refused to deliver a signal.
        public static let signalFailed = Code(.signalFailed)
        /// Something did not happen before its deadline.
        public static let timedOut = Code(.timedOut)
        /// A process exited while it was expected to keep running.
        public static let processExited = Code(.processExited)
        /// A one-shot command (etcdctl, openssl) exited unsuccessfully.
        public static let commandFailed = Code(.commandFailed)
        /// An etcd member did not report itself healthy.
        public static let unhealthy = Code(.unhealthy)
        /// A member could not bind its port because another socket holds it.
        public static let addressInUse = Code(.addressInUse)
        /// No free loopback port could be found.
        public static let noFreePort = Code(.noFreePort)
        /// Generating the test certificates failed.
        public static let tlsSetupFailed = Code(.tlsSetupFailed)
        /// The caller passed a value the harness cannot use.
        public static let invalidArgument = Code(.invalidArgument)
        /// The cluster was already shut down.
        public static let shutDown = Code(.shutDown)
        /// Creating, reading or removing a file or directory failed.
        public static let fileSystem = Code(.fileSystem)
        /// A plain HTTP request to a metrics endpoint failed.
        public static let http = Code(.http)

        /// The code's name, e.g. `timedOut`.
        public var description: String { value.rawValue }
    }

    /// The kind of failure.
    public let code: Code
    /// What failed, in words; includes process log tails where they help.
    public let message: String
    /// The source file that threw the error.
    public let file: String
    /// The source line that threw the error.
    public let line: Int

    /// Creates an error; `file` and `line` default to the throwing call site.
    public init(_ code: Code, _ message: String, file: String = #fileID, line: Int = #line) {
        self.code = code
        self.message = message
        self.file = file
        self.line = line
    }

    /// `HarnessError.<code>: <message> (<file>:<line>)`.
    public var description: String {
        "HarnessError.\(code): \(message) (\(file):\(line))"
    }
}
