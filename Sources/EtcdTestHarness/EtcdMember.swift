/// One etcd process of an `EtcdCluster`: its name, ports, URLs, files and process.
///
/// Ports and data directory stay the same across `EtcdCluster.restart(_:)`.
public final class EtcdMember: Sendable {
    /// Position in `EtcdCluster.members`.
    public let index: Int
    /// The etcd member name, `m0`, `m1`, ...
    public let name: String
    /// The client port on 127.0.0.1.
    public let clientPort: Int
    /// The peer (raft) port on 127.0.0.1.
    public let peerPort: Int
    /// The plain-HTTP metrics and health port on 127.0.0.1.
    public let metricsPort: Int
    /// `http://127.0.0.1:<client>` or `https://...` when TLS is on.
    public let clientURL: String
    /// `http://127.0.0.1:<peer>`.
    public let peerURL: String
    /// `http://127.0.0.1:<metrics>`; serves `/health` and `/metrics`.
    public let metricsURL: String
    /// The member's `--data-dir`.
    public let dataDirectory: String
    /// The file etcd's output is appended to.
    public let logFile: String
    /// The etcd process.
    public let process: ManagedProcess

    init(
        index: Int, name: String, clientPort: Int, peerPort: Int, metricsPort: Int,
        clientScheme: String, dataDirectory: String, logFile: String, process: ManagedProcess
    ) {
        self.index = index
        self.name = name
        self.clientPort = clientPort
        self.peerPort = peerPort
        self.metricsPort = metricsPort
        self.clientURL = "\(clientScheme)://127.0.0.1:\(clientPort)"
        self.peerURL = "http://127.0.0.1:\(peerPort)"
        self.metricsURL = "http://127.0.0.1:\(metricsPort)"
        self.dataDirectory = dataDirectory
        self.logFile = logFile
        self.process = process
    }

    /// `127.0.0.1:<client port>`, the form gRPC targets and `--endpoints` accept.
    public var clientEndpoint: String { "127.0.0.1:\(clientPort)" }

    /// The pid of the current (or last) etcd process.
    public var pid: Int32? { process.pid }

    /// Whether the etcd process is alive (possibly frozen by SIGSTOP).
    public var isRunning: Bool { process.isRunning }

    /// Whether GET /health answers `{"health":"true"}` right now.
    public func isHealthy(timeout: Duration = .seconds(2)) async -> Bool {
        await HealthProbe.isHealthy(metricsPort: metricsPort, timeout: timeout)
    }

    /// The samples of GET /metrics; see `HealthProbe.metrics`.
    public func metrics(timeout: Duration = .seconds(2)) async throws -> [String: Double] {
        try await HealthProbe.metrics(metricsPort: metricsPort, timeout: timeout)
    }

    /// The last `lines` lines of etcd's log.
    public func tail(lines: Int = 30) -> String {
        process.tail(lines: lines)
    }
}
